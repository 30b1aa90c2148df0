package org.spineoutcomes.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.aggregate.AdjustedComparisonMapper;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.aggregate.TimeToEventMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.stats.Measures;
import org.spineoutcomes.stats.PatternContribution;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;
import org.spineoutcomes.stats.SurvivalTime;

/** Small-cell suppression with counts on both sides of the threshold, checked by hand. */
class SuppressionTest {
    static final Instant CUT = Instant.parse("2024-05-11T08:00:00Z");
    static final LocalDate LAST = LocalDate.of(2024, 5, 10);
    static final CellKey VP = new CellKey("ITT", "VERTEBROPLASTY", "M3", "ALL");
    static final CellKey CONS = new CellKey("ITT", "CONSERVATIVE", "M3", "ALL");

    /** {@code patients} patients with the given pain each (LOW_PAIN = pain < 4), the first {@code withOdi} also with ODI 40. */
    static CellStatistics cell(int patients, double pain, int withOdi) {
        List<Contribution> cs = new ArrayList<>();
        for (int i = 0; i < patients; i++) {
            Contribution.Builder b = Contribution.builder().value(Measures.PAIN, pain).flag(Measures.LOW_PAIN, pain < 4).completeness(LAST, true);
            if (i < withOdi) b.value(Measures.ODI, 40);
            cs.add(b.build());
        }
        return CellStatistics.of(cs);
    }

    /** Six patients with pain 2 and six with pain 4: mean 3, LOW_PAIN 6 of 12. */
    static CellStatistics twelveMixed(int withOdi) {
        CellStatistics s = cell(6, 2, Math.min(withOdi, 6));
        return s.merge(cell(6, 4, Math.max(0, withOdi - 6)));
    }

    private final Suppression eleven = new Suppression(11);

    @Test
    void cellOfTenPatients_showsOnlyItsKeyAndTheReason() {
        ObjectNode json = eleven.aggregate(AggregateMapper.toArmAggregate(VP, cell(10, 5, 10), CUT));
        assertEquals("{\"population\":\"ITT\",\"arm\":\"VERTEBROPLASTY\",\"window\":\"M3\",\"stratum\":\"ALL\","
                + "\"dataCut\":\"2024-05-11T08:00:00Z\",\"suppressed\":true,\"reason\":\"fewer than 11 patients\"}", json.toString());
    }

    @Test
    void cellOfElevenPatients_isShownWithItsNumbers() {
        ObjectNode json = eleven.aggregate(AggregateMapper.toArmAggregate(VP, cell(11, 5, 11), CUT));
        assertFalse(json.get("suppressed").asBoolean());
        assertEquals(11, json.get("patients").asLong());
        JsonNode pain = measure(json, "measures", "measure", "pain");
        assertEquals(11, pain.get("n").asLong());
        assertEquals(5.0, pain.get("mean").asDouble());
        assertEquals(55.0, pain.get("sum").asDouble()); // 11 x 5
        assertEquals("{\"due\":11,\"assessed\":11,\"completeness\":1.0}", json.get("completeness").toString());
        assertFalse(json.has("reason"));
    }

    @Test
    void insideAShownCell_aStatisticOverTooFewIsSuppressed_theOthersStay() {
        // 12 patients: pain for all (mean (6 x 2 + 6 x 4) / 12 = 3), ODI for 3 only.
        ObjectNode json = eleven.aggregate(AggregateMapper.toArmAggregate(VP, twelveMixed(3), CUT));
        assertEquals(12, json.get("patients").asLong());
        assertEquals("{\"measure\":\"odi\",\"suppressed\":true,\"reason\":\"fewer than 11 patients\"}",
                measure(json, "measures", "measure", "odi").toString());
        JsonNode pain = measure(json, "measures", "measure", "pain");
        assertEquals(12, pain.get("n").asLong());
        assertEquals(3.0, pain.get("mean").asDouble());
        JsonNode low = measure(json, "proportions", "flag", "LOW_PAIN");
        assertEquals(12, low.get("n").asLong());
        assertEquals(6, low.get("successes").asLong());
        assertEquals(0.5, low.get("proportion").asDouble());
    }

    @Test
    void comparisonWithASuppressedSide_isSuppressedWhole_namingTheArm() {
        ObjectNode json = eleven.comparison(ComparisonMapper.toArmComparison("ITT", Comparison.VP_vs_CONSERVATIVE, "M3", "ALL",
                twelveMixed(12), cell(10, 5, 10)));
        assertEquals("{\"population\":\"ITT\",\"comparison\":\"VP_vs_CONSERVATIVE\",\"firstArm\":\"VERTEBROPLASTY\","
                + "\"secondArm\":\"CONSERVATIVE\",\"window\":\"M3\",\"stratum\":\"ALL\",\"suppressed\":true,"
                + "\"reason\":\"fewer than 11 patients\",\"suppressedArms\":[\"CONSERVATIVE\"]}", json.toString());
    }

    @Test
    void comparisonOfTwoShownCells_keepsItsDifferences_butSuppressesOnesOverTooFew() {
        // VP: 12 patients, pain mean 3, ODI for 3; conservative: 11 patients with pain 5 and ODI: pain difference 3 - 5 = -2.
        ObjectNode json = eleven.comparison(ComparisonMapper.toArmComparison("ITT", Comparison.VP_vs_CONSERVATIVE, "M3", "ALL",
                twelveMixed(3), cell(11, 5, 11)));
        assertFalse(json.get("suppressed").asBoolean());
        assertEquals(12, json.get("firstPatients").asLong());
        assertEquals(11, json.get("secondPatients").asLong());
        JsonNode pain = measure(json, "meanDifferences", "measure", "pain");
        assertEquals(-2.0, pain.get("meanDifference").asDouble(), 1e-12);
        assertEquals("{\"measure\":\"odi\",\"suppressed\":true,\"reason\":\"fewer than 11 patients\"}",
                measure(json, "meanDifferences", "measure", "odi").toString());
    }

    static final String HIGH = "AGE_75_84/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_LE_6W";
    static final String LOW = "AGE_75_84/SEX_F/BASELINE_PAIN_LT_8/FRACTURE_AGE_LE_6W";

    /** {@code n} patients of a pattern with the given pain relief each. */
    static PatternStatistics pattern(PatternStatistics into, String pattern, int n, double relief) {
        for (int i = 0; i < n; i++) into.add(new PatternContribution(pattern, java.util.Map.of(Measures.PAIN_RELIEF, relief)));
        return into;
    }

    @Test
    void standardisedComparison_suppressedWholeUnderElevenPerArm_elseItsSmallPatternsOnly() {
        // KP: 12 patients in HIGH (relief 4) and 3 in LOW (relief 2); VP: 12 in HIGH (relief 3) and 2 in LOW (relief 1).
        PatternStatistics kp = pattern(pattern(new PatternStatistics(), HIGH, 12, 4), LOW, 3, 2);
        PatternStatistics vp = pattern(pattern(new PatternStatistics(), HIGH, 12, 3), LOW, 2, 1);
        ObjectNode json = eleven.adjustedComparison(AdjustedComparisonMapper.toAdjustedComparison("ITT", Comparison.KP_vs_VP, "M1",
                Measures.PAIN_RELIEF, kp, vp));
        assertFalse(json.get("suppressed").asBoolean());
        assertEquals(15, json.get("n1").asLong());
        // Both patterns usable but constant within each arm: zero variance, so no standardised difference (R36).
        assertEquals("ZERO_VARIANCE", json.get("absentReason").asText());
        assertFalse(json.has("difference"));
        assertEquals(3.6 - 38.0 / 14, json.get("crudeDifference").asDouble(), 1e-12); // (48 + 6) / 15 - (36 + 2) / 14
        assertEquals("{\"pattern\":\"" + HIGH + "\",\"usable\":true,\"n1\":12,\"sum1\":\"48\",\"sumOfSquares1\":\"192\","
                + "\"n2\":12,\"sum2\":\"36\",\"sumOfSquares2\":\"108\"}", json.get("patterns").get(0).toString());
        assertEquals("{\"pattern\":\"" + LOW + "\",\"suppressed\":true,\"reason\":\"fewer than 11 patients\"}",
                json.get("patterns").get(1).toString());

        // VP with 10 patients in all: the record keeps only its key.
        ObjectNode small = eleven.adjustedComparison(AdjustedComparisonMapper.toAdjustedComparison("ITT", Comparison.KP_vs_VP, "M1",
                Measures.PAIN_RELIEF, kp, pattern(new PatternStatistics(), HIGH, 10, 3)));
        assertEquals("{\"population\":\"ITT\",\"comparison\":\"KP_vs_VP\",\"firstArm\":\"KYPHOPLASTY\",\"secondArm\":\"VERTEBROPLASTY\","
                + "\"window\":\"M1\",\"measure\":\"painRelief\",\"suppressed\":true,\"reason\":\"fewer than 11 patients\","
                + "\"suppressedArms\":[\"VERTEBROPLASTY\"]}", small.toString());
    }

    /** {@code n} patients censored on {@code day}, {@code events} of them with their event that day instead. */
    static SurvivalCounts times(SurvivalCounts into, int day, int n, int events) {
        for (int i = 0; i < n; i++) into.add(new SurvivalTime(day, i < events));
        return into;
    }

    @Test
    void kaplanMeier_losesItsDayCountsAndThePointsWithFewerThanElevenAtRisk() {
        // 20 patients: 2 events on day 10, 8 censored on day 60, 1 event and 9 censored on day 400.
        SurvivalCounts c = times(times(times(new SurvivalCounts(), 10, 2, 2), 60, 8, 0), 400, 10, 1);
        CellKey cell = new CellKey("ITT", "KYPHOPLASTY", "OVERALL", "ALL");
        ObjectNode json = eleven.timeToEvent(TimeToEventMapper.toKaplanMeier(cell, c));
        assertFalse(json.get("suppressed").asBoolean());
        JsonNode km = json.get("kaplanMeier");
        assertEquals(20, km.get("patients").asLong());
        assertFalse(km.has("days"), "per-day counts are left out");
        // Day 30: 18 at risk, S = 18/20 = 0.9: shown. Day 90: 10 at risk: suppressed, as every later day.
        JsonNode at30 = km.get("reported").get(0);
        assertEquals(18, at30.get("atRisk").asLong());
        assertEquals(0.9, at30.get("survival").asDouble(), 1e-15);
        assertEquals("{\"day\":90,\"suppressed\":true,\"reason\":\"fewer than 11 patients\"}", km.get("reported").get(1).toString());
        // Curve steps: day 10 (20 at risk) shown, day 400 (10 at risk) suppressed.
        assertEquals(20, km.get("curve").get(0).get("atRisk").asLong());
        assertTrue(km.get("curve").get(1).get("suppressed").asBoolean());

        ObjectNode ten = eleven.timeToEvent(TimeToEventMapper.toKaplanMeier(cell, times(new SurvivalCounts(), 10, 10, 1)));
        assertEquals("{\"population\":\"ITT\",\"arm\":\"KYPHOPLASTY\",\"stratum\":\"ALL\",\"suppressed\":true,"
                + "\"reason\":\"fewer than 11 patients\"}", ten.toString());
        ObjectNode logRank = eleven.timeToEvent(TimeToEventMapper.toLogRank("ITT", Comparison.KP_vs_VP, "ALL", c,
                times(new SurvivalCounts(), 10, 10, 1)));
        assertEquals("{\"population\":\"ITT\",\"comparison\":\"KP_vs_VP\",\"firstArm\":\"KYPHOPLASTY\","
                + "\"secondArm\":\"VERTEBROPLASTY\",\"stratum\":\"ALL\",\"suppressed\":true,\"reason\":\"fewer than 11 patients\","
                + "\"suppressedArms\":[\"VERTEBROPLASTY\"]}", logRank.toString());
        assertFalse(eleven.timeToEvent(TimeToEventMapper.toLogRank("ITT", Comparison.KP_vs_VP, "ALL", c, c)).get("suppressed").asBoolean());
    }

    @Test
    void threshold_isConfigurable_andAtLeastOne() {
        Suppression three = new Suppression(3);
        assertEquals("fewer than 3 patients", three.reason());
        assertTrue(three.aggregate(AggregateMapper.toArmAggregate(VP, cell(2, 5, 0), CUT)).get("suppressed").asBoolean());
        assertFalse(three.aggregate(AggregateMapper.toArmAggregate(VP, cell(3, 5, 0), CUT)).get("suppressed").asBoolean());
        assertFalse(new Suppression(1).suppresses(1));
        assertThrows(IllegalArgumentException.class, () -> new Suppression(0));
    }

    static JsonNode measure(JsonNode json, String list, String nameField, String name) {
        for (JsonNode e : json.get(list)) {
            if (e.get(nameField).asText().equals(name)) return e;
        }
        throw new AssertionError(name + " not in " + list + ": " + json);
    }
}
