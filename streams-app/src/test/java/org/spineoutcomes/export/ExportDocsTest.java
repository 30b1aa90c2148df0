package org.spineoutcomes.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.stats.Measures;

/**
 * docs/exports.md documents every CSV column: by its own name in the file's section, or, for the
 * per-measure columns {@code <measure>_<statistic>}, by the measure (anywhere in the page) and the
 * suffix (in the file's section).
 */
class ExportDocsTest {

    private static String section(String doc, String file) {
        int start = doc.indexOf("## `" + file + "`");
        assertTrue(start >= 0, "docs/exports.md has a section for " + file);
        int end = doc.indexOf("\n## ", start + 1);
        return end < 0 ? doc.substring(start) : doc.substring(start, end);
    }

    private static List<String> undocumented(String doc, String file, List<String> header) {
        String section = section(doc, file);
        List<String> measures = Stream.concat(Stream.concat(ResultCsv.MAIN_MEASURES.stream(), ResultCsv.MAIN_FLAGS.stream()),
                Stream.of(Measures.PAIN_PAIR)).toList();
        List<String> missing = new ArrayList<>();
        for (String column : header) {
            if (section.contains("`" + column + "`")) continue;
            boolean byPattern = measures.stream().anyMatch(m -> column.startsWith(m + "_")
                    && doc.contains("`" + m + "`") && section.contains("`" + column.substring(m.length()) + "`"));
            if (!byPattern) missing.add(column);
        }
        return missing;
    }

    @Test
    void everyColumnIsDocumented() throws IOException {
        String doc = Files.readString(Path.of("../docs/exports.md"));
        assertEquals(List.of(), undocumented(doc, ResultFiles.PATIENT_WINDOWS_CSV, ResultCsv.patientWindowHeader()));
        assertEquals(List.of(), undocumented(doc, ResultFiles.AGGREGATES_CSV, ResultCsv.aggregateHeader()));
        assertEquals(List.of(), undocumented(doc, ResultFiles.COMPARISONS_CSV, ResultCsv.comparisonHeader()));
        assertEquals(List.of(), undocumented(doc, ResultFiles.AGGREGATES_CSV, ResultCsv.SUPPRESSION_COLUMNS));
        assertEquals(List.of(), undocumented(doc, ResultFiles.COMPARISONS_CSV, ResultCsv.SUPPRESSION_COLUMNS));
    }

    @Test
    void headersHaveTheDocumentedShape() {
        assertEquals(47, ResultCsv.patientWindowHeader().size()); // 11 patient columns + 36 OutcomeWindow fields
        assertEquals(List.of("patientId", "ittArm", "indexDate"), ResultCsv.patientWindowHeader().subList(0, 3));
        assertEquals("window", ResultCsv.patientWindowHeader().get(11));
        assertEquals(10 + 5 * ResultCsv.MAIN_MEASURES.size() + 5 * ResultCsv.MAIN_FLAGS.size(), ResultCsv.aggregateHeader().size());
        assertEquals(List.of("pain_n", "pain_mean", "pain_sd", "pain_ciLower", "pain_ciUpper"), ResultCsv.aggregateHeader().subList(10, 15));
        assertEquals(8 + 5 * ResultCsv.MAIN_MEASURES.size() + 5 + 5 * ResultCsv.MAIN_FLAGS.size(), ResultCsv.comparisonHeader().size());
        assertTrue(ResultCsv.comparisonHeader().contains("painBaselineFollowUp_adjustedDifference"));
    }
}
