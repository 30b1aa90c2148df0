package org.spineoutcomes.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.ndjson.CheckedLine;
import org.spineoutcomes.ndjson.NdjsonReader;

/** Rows of the three CSVs for the sample cohort, checked by hand against samples/events.ndjson and R16-R18, R31, R32. */
class ResultCsvTest {

    private static BatchComputation.Result sample;

    @BeforeAll
    static void computeTheSample() throws IOException {
        BatchComputation batch = new BatchComputation();
        try (Stream<CheckedLine> lines = new NdjsonReader().checkedLines(Path.of("../samples/events.ndjson"), Instant.parse("2026-06-01T00:00:00Z"))) {
            lines.filter(CheckedLine::valid).forEach(l -> batch.add(l.event()));
        }
        sample = batch.result(null);
    }

    @Test
    void patientWindowRowsOfOnePatient() {
        List<String> rows = ResultCsv.patientWindowRows(sample.outcomes().get("MRN-000101")).lines().toList();
        assertEquals(8, rows.size()); // BASELINE, D1, W1, M1, M3, M6, M12, M24
        String patient = "MRN-000101,VERTEBROPLASTY,2024-03-04,false,,,78,F,23,8,ALL FRACTURE_AGE_LE_6W BASELINE_PAIN_GE_8 AGE_75_84 SEX_F,";
        // D1 (days 0-3, target 1): NRS 4 on 2024-03-05 against baseline 8: relief 4, 50 %, all three
        // responder flags true (4 >= 2, 40 >= 24, 8 >= 8), LOW_PAIN false (4 is not < 4); no ODI/RMDQ/EQ-5D reported.
        assertEquals(patient + "D1,VERTEBROPLASTY,1,0,3,2024-03-07,a-fu-101-d1,2024-03-05T08:00:00Z,1,,"
                + "4,,4,,50,,true,,true,,true,,false,,"
                + ",NOT_REPORTED,,NOT_REPORTED,,NOT_REPORTED,,NOT_REPORTED,,NOT_REPORTED,,NOT_REPORTED", rows.get(1));
        // BASELINE: the relief columns are NOT_APPLICABLE; ODI 64, RMDQ 19, EQ-5D 0.182 reported.
        assertEquals(patient + "BASELINE,VERTEBROPLASTY,0,-30,0,2024-03-04,a-fu-101-base,2024-02-28T14:00:00Z,-5,,"
                + "8,,,NOT_APPLICABLE,,NOT_APPLICABLE,,NOT_APPLICABLE,,NOT_APPLICABLE,,NOT_APPLICABLE,,NOT_APPLICABLE,"
                + "64,,,NOT_APPLICABLE,19,,,NOT_APPLICABLE,0.182,,,NOT_APPLICABLE", rows.get(0));
        long rowsOfAll = sample.outcomes().values().stream().mapToLong(o -> ResultCsv.patientWindowRows(o).lines().count()).sum();
        assertEquals(48, rowsOfAll);
    }

    @Test
    void aggregateRowWithAHandCheckedInterval() {
        // ITT kyphoplasty at D1: pain 3 and 3.5 (patients 102 and 106): mean 3.25, SD sqrt(0.125) = 0.35355,
        // SE 0.25, t(0.975, 1) = 12.706204736 -> CI 3.25 -+ 3.176551184 (R31); both D1 windows elapsed and assessed.
        String row = ResultCsv.aggregateRow(sample.aggregates().get("ITT/KYPHOPLASTY/D1/ALL"));
        String expectedStart = "ITT,KYPHOPLASTY,D1,ALL,2,2025-04-14T09:30:00Z,2,2,1,,"
                + "2,3.25,0.3535533905932738,";
        assertEquals(expectedStart, row.substring(0, expectedStart.length()));
        // The bounds to 1e-13: t(0.975, 1) = tan(0.475 pi) = 12.70620473617470465 (30-digit value), so the
        // half-width is 3.1765511840436762; the last printed digits depend on the quantile solver's last bit.
        String[] bounds = row.substring(expectedStart.length()).split(",", -1);
        assertEquals(3.25 - 3.1765511840436762, Double.parseDouble(bounds[0]), 1e-13);
        assertEquals(3.25 + 3.1765511840436762, Double.parseDouble(bounds[1]), 1e-13);
        assertEquals(ResultCsv.aggregateHeader().size(), row.split(",", -1).length);
        assertEquals("\r\n", row.substring(row.length() - 2));
    }

    @Test
    void comparisonRowStartsWithItsCellsAndHasEveryColumn() {
        String key = "ITT/KP_vs_VP/D1/ALL";
        String row = ResultCsv.comparisonRow(sample.comparisons().get(key));
        assertEquals("ITT,KP_vs_VP,KYPHOPLASTY,VERTEBROPLASTY,D1,ALL,2,2,", row.substring(0, "ITT,KP_vs_VP,KYPHOPLASTY,VERTEBROPLASTY,D1,ALL,2,2,".length()));
        // pain: n1 = 2 (3, 3.5), n2 = 1 (4): difference 3.25 - 4 = -0.75, no CI (Welch needs n >= 2 in each arm).
        assertEquals(List.of("2", "1", "-0.75", "", ""), List.of(row.split(",", -1)).subList(8, 13));
        assertEquals(ResultCsv.comparisonHeader().size(), row.split(",", -1).length);
    }
}
