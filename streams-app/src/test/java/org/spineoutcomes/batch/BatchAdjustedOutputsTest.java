package org.spineoutcomes.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spineoutcomes.export.ResultFiles;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.VertebralLevel;
import picocli.CommandLine;

/**
 * The batch command's R36-R38 files on an eight-patient cohort whose numbers are worked out by hand below,
 * the same whether the patients are computed in one bucket or in three.
 *
 * <pre>
 * All: index 2024-03-01 (day 0), 78-year-old women, onset 20 days before (EventFixtures), baseline NRS on day -1,
 * M1 NRS on day 30.
 *   KYPHOPLASTY     baseline -> M1  relief  pattern        time
 *   k1              8 -> 3          5       ..._GE_8_...   new fracture dated day 10: event 10
 *   k2              9 -> 5          4       ..._GE_8_...   infection-only report on day 50: censored 50
 *   k3              6 -> 4          2       ..._LT_8_...   censored 30
 *   k4              7 -> 4          3       ..._LT_8_...   censored 30
 *   VERTEBROPLASTY
 *   v1              8 -> 6          2       GE_8           new fracture dated day 20: event 20
 *   v2              9 -> 6          3       GE_8           new fracture dated day 30: event 30
 *   v3              6 -> 5          1       LT_8           censored 30
 *   v4              7 -> 7          0       LT_8           censored 30
 * </pre>
 */
class BatchAdjustedOutputsTest {

    @TempDir
    static Path dir;

    static Map<String, JsonNode> adjusted;
    static Map<String, JsonNode> timeToEvent;
    static final double Z = 1.959963984540054;

    static List<SpecificRecord> patient(String id, boolean kyphoplasty, int baseline, int m1, Integer fractureDay, Integer extraReportDay) {
        List<SpecificRecord> events = new ArrayList<>();
        events.add(kyphoplasty ? kyphoplasty(id, id + "-proc", INDEX) : vertebroplasty(id, id + "-proc", INDEX));
        events.add(nrs(id, id + "-base", day(-1), baseline));
        var m1Report = followUp(id, id + "-m1", day(30)).setPainNrs(m1);
        if (fractureDay != null) {
            m1Report.setComplications(List.of(complication(ComplicationType.NEW_VERTEBRAL_FRACTURE, VertebralLevel.T12,
                    INDEX_DATE.plusDays(fractureDay))));
        }
        events.add(m1Report.build());
        if (extraReportDay != null) {
            events.add(followUp(id, id + "-extra", day(extraReportDay))
                    .setComplications(List.of(complication(ComplicationType.INFECTION, null, null))).build());
        }
        return events;
    }

    static Path run(Path input, int buckets) {
        Path out = dir.resolve("out-" + buckets);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        int code = new CommandLine(new BatchCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8), System.err))
                .execute(input.toString(), "--out", out.toString(), "--clock", "2026-06-01T00:00:00Z", "--buckets", String.valueOf(buckets));
        assertEquals(0, code, stdout.toString(StandardCharsets.UTF_8));
        return out;
    }

    static Map<String, JsonNode> read(Path file, boolean timeToEventKeys) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> byKey = new TreeMap<>();
        List<String> keys = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode n = json.readTree(line);
            String key = !timeToEventKeys
                    ? n.get("population").asText() + "/" + n.get("comparison").asText() + "/" + n.get("window").asText() + "/" + n.get("measure").asText()
                    : n.get("population").asText() + "/" + (n.has("arm") ? n.get("arm") : n.get("comparison")).asText() + "/" + n.get("stratum").asText();
            keys.add(key);
            byKey.put(key, n);
        }
        assertEquals(new ArrayList<>(byKey.keySet()), keys, "one line per record, in key order");
        return byKey;
    }

    @BeforeAll
    static void runTheBatch() throws IOException {
        List<SpecificRecord> events = new ArrayList<>();
        events.addAll(patient("k1", true, 8, 3, 10, null));
        events.addAll(patient("k2", true, 9, 5, null, 50));
        events.addAll(patient("k3", true, 6, 4, null, null));
        events.addAll(patient("k4", true, 7, 4, null, null));
        events.addAll(patient("v1", false, 8, 6, 20, null));
        events.addAll(patient("v2", false, 9, 6, 30, null));
        events.addAll(patient("v3", false, 6, 5, null, null));
        events.addAll(patient("v4", false, 7, 7, null, null));
        NdjsonCodec codec = new NdjsonCodec();
        Path input = dir.resolve("cohort.ndjson");
        Files.write(input, events.stream().map(codec::format).toList(), StandardCharsets.UTF_8);
        Path one = run(input, 1);
        Path three = run(input, 3);
        for (String name : List.of(ResultFiles.ADJUSTED_COMPARISONS_NDJSON, ResultFiles.TIME_TO_EVENT_NDJSON)) {
            assertArrayEquals(Files.readAllBytes(one.resolve(name)), Files.readAllBytes(three.resolve(name)), name);
        }
        adjusted = read(one.resolve(ResultFiles.ADJUSTED_COMPARISONS_NDJSON), false);
        timeToEvent = read(one.resolve(ResultFiles.TIME_TO_EVENT_NDJSON), true);
    }

    @Test
    void standardisedPainRelief_twoPatternsByHand() {
        // Patterns (.../BASELINE_PAIN_GE_8/... and .../BASELINE_PAIN_LT_8/...), 2 patients per arm in each: both usable.
        // GE_8: KP {5, 4} mean 4.5 var 0.5; VP {2, 3} mean 2.5 var 0.5 -> difference 2.
        // LT_8: KP {2, 3} mean 2.5 var 0.5; VP {1, 0} mean 0.5 var 0.5 -> difference 2.
        // Weights 4/8 each: difference 2; variance = 2 x (1/4)(0.5/2 + 0.5/2) = 0.25; se 0.5;
        // CI 2 -+ 1.959963984540054 x 0.5 = (1.020018007729973, 2.979981992270027). Every patient is in a usable
        // pattern: shares 1. Crude: means 3.5 and 1.5, difference 2 (no confounding by baseline pain here).
        JsonNode r = adjusted.get("ITT/KP_vs_VP/M1/painRelief");
        assertEquals("KYPHOPLASTY", r.get("firstArm").asText());
        assertEquals(4, r.get("n1").asLong());
        assertEquals(4, r.get("n2").asLong());
        assertEquals(2, r.get("usablePatterns").asInt());
        assertEquals(1.0, r.get("sharePooled").asDouble());
        assertEquals(2.0, r.get("difference").asDouble(), 1e-15);
        assertEquals(0.25, r.get("variance").asDouble(), 1e-15);
        assertEquals(0.5, r.get("se").asDouble(), 1e-15);
        assertEquals(2 - Z * 0.5, r.get("ciLower").asDouble(), 1e-15);
        assertEquals(2 + Z * 0.5, r.get("ciUpper").asDouble(), 1e-15);
        assertEquals(2.0, r.get("crudeDifference").asDouble(), 1e-15);
        assertFalse(r.has("absentReason"));
        JsonNode ge8 = r.get("patterns").get(0);
        assertEquals("AGE_75_84/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_LE_6W", ge8.get("pattern").asText());
        assertTrue(ge8.get("usable").asBoolean());
        assertEquals("9", ge8.get("sum1").asText());             // 5 + 4
        assertEquals("41", ge8.get("sumOfSquares1").asText());   // 25 + 16
        // AS_TREATED is the same here (no second treatment).
        JsonNode asTreated = adjusted.get("AS_TREATED/KP_vs_VP/M1/painRelief").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) asTreated).put("population", "ITT");
        assertEquals(r, asTreated);
    }

    @Test
    void standardisedResponders_constantWithinEveryPattern_zeroVariance() {
        // MCID_2PT (relief >= 2): KP {1, 1 | 1, 1}, VP {1, 1 | 0, 0}: every within-pattern variance is 0.
        // No ODI was reported, so there is no odiChange record; nothing at other windows but M1.
        JsonNode r = adjusted.get("ITT/KP_vs_VP/M1/MCID_2PT");
        assertEquals("ZERO_VARIANCE", r.get("absentReason").asText());
        assertEquals(0.0, r.get("variance").asDouble());
        assertFalse(r.has("difference"));
        assertEquals(0.5, r.get("crudeDifference").asDouble(), 1e-15); // 4/4 - 2/4
        assertEquals(List.of("AS_TREATED/KP_vs_VP/M1/MCID_2PT", "AS_TREATED/KP_vs_VP/M1/painRelief",
                "ITT/KP_vs_VP/M1/MCID_2PT", "ITT/KP_vs_VP/M1/painRelief"), new ArrayList<>(adjusted.keySet()));
    }

    @Test
    void kaplanMeierPerArm_byHand() {
        // KP times: 10 (event), 30, 30, 50 (censored). Day 10: n 4, d 1 -> S 3/4, G = 1/(4 x 3) = 1/12.
        // At day 30: S 3/4, at risk 3 (30, 30, 50), events 1; se = sqrt(1/12) / |ln 0.75| = 1.003452;
        //   CI (0.75^exp(z se), 0.75^exp(-z se)) = (0.127947, 0.960549). At day 90: at risk 0.
        JsonNode kp = timeToEvent.get("ITT/KYPHOPLASTY/ALL").get("kaplanMeier");
        assertEquals(4, kp.get("patients").asLong());
        assertEquals(1, kp.get("events").asLong());
        assertEquals(3, kp.get("days").size()); // days 10, 30, 50
        JsonNode d30 = kp.get("reported").get(0);
        assertEquals(30, d30.get("day").asInt());
        assertEquals(0.75, d30.get("survival").asDouble());
        assertEquals(3, d30.get("atRisk").asLong());
        assertEquals(1, d30.get("events").asLong());
        assertEquals(0.127947, d30.get("ciLower").asDouble(), 0.5e-6);
        assertEquals(0.960549, d30.get("ciUpper").asDouble(), 0.5e-6);
        assertEquals(0, kp.get("reported").get(1).get("atRisk").asLong());
        // VP times: 20, 30 (events), 30, 30 (censored). Day 20: n 4 -> S 3/4; day 30: n 3 (the censorings of day 30
        // still at risk), d 1 -> S 1/2. G = 1/12 + 1/(3 x 2) = 1/4; se = 0.5 / ln 2 = 0.721348;
        // CI at day 30 (0.5^exp(z se), 0.5^exp(-z se)) = (0.057847, 0.844861).
        JsonNode vp = timeToEvent.get("ITT/VERTEBROPLASTY/ALL").get("kaplanMeier");
        JsonNode v30 = vp.get("reported").get(0);
        assertEquals(0.5, v30.get("survival").asDouble(), 1e-15);
        assertEquals(3, v30.get("atRisk").asLong());
        assertEquals(2, v30.get("events").asLong());
        assertEquals(0.25, v30.get("greenwood").asDouble(), 1e-15);
        assertEquals(0.057847, v30.get("ciLower").asDouble(), 0.5e-6);
        assertEquals(0.844861, v30.get("ciUpper").asDouble(), 0.5e-6);
        assertEquals(2, vp.get("curve").size()); // steps on days 20 and 30
        // Every stratum of these patients has its cell: ALL, FRACTURE_AGE_LE_6W, AGE_75_84, SEX_F and a pain stratum.
        assertEquals(kp, timeToEvent.get("ITT/KYPHOPLASTY/SEX_F").get("kaplanMeier"));
        assertEquals(2, timeToEvent.get("ITT/KYPHOPLASTY/BASELINE_PAIN_GE_8").get("kaplanMeier").get("patients").asLong());
    }

    @Test
    void logRankKyphoplastyAgainstVertebroplasty_byHand() {
        // Event days 10, 20, 30 of both arms:
        //   day 10: n_A 4, n_B 4, d 1 -> E 4/8 = 1/2, V (1/2)(1/2)(7/7) = 1/4
        //   day 20: n_A 3, n_B 4, d 1 -> E 3/7,       V (3/7)(4/7)(6/6) = 12/49
        //   day 30: n_A 3, n_B 3, d 1 -> E 1/2,       V 1/4
        // O_A = 1, E_A = 10/7, V = 73/98; chi-square = (3/7)^2 / (73/98) = 18/73 = 0.246575, p = 0.619497;
        // HR = exp((-3/7) / (73/98)) = exp(-42/73) = 0.562512; CI exp(-42/73 -+ z / sqrt(73/98)) = (0.058062, 5.449732).
        JsonNode lr = timeToEvent.get("ITT/KP_vs_VP/ALL").get("logRank");
        assertEquals(1, lr.get("observed1").asLong());
        assertEquals(2, lr.get("observed2").asLong());
        assertEquals(10.0 / 7, lr.get("expected1").asDouble(), 1e-15);
        assertEquals(73.0 / 98, lr.get("variance").asDouble(), 1e-15);
        assertEquals(18.0 / 73, lr.get("chiSquare").asDouble(), 1e-15);
        assertEquals(0.619497, lr.get("pValue").asDouble(), 0.5e-6);
        assertEquals(Math.exp(-42.0 / 73), lr.get("hazardRatio").asDouble(), 1e-15);
        assertEquals(0.058062, lr.get("hrLower").asDouble(), 0.5e-6);
        assertEquals(5.449732, lr.get("hrUpper").asDouble(), 0.5e-6);
        // No conservative patient: no VP_vs_CONSERVATIVE or KP_vs_CONSERVATIVE record.
        assertFalse(timeToEvent.containsKey("ITT/VP_vs_CONSERVATIVE/ALL"));
    }
}
