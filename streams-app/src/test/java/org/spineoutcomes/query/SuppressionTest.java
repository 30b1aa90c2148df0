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
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.stats.Measures;

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
