package org.spineoutcomes.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.testing.RandomCohort;
import org.spineoutcomes.outcome.PatientEventLog;
import picocli.CommandLine;

/**
 * The batch command partitioned by patient ({@code --buckets N}, bounded memory) writes the same
 * bytes as all in memory ({@code --buckets 1}).
 */
class BatchBucketsTest {

    private static final String CLOCK = "2026-06-01T00:00:00Z";
    private static final List<String> OUTPUTS =
            List.of("patient-outcomes.ndjson", "arm-aggregates.ndjson", "arm-comparisons.ndjson",
                    "adjusted-comparisons.ndjson", "time-to-event.ndjson", "rejected.txt");

    @TempDir
    Path dir;

    private record Run(int exitCode, List<String> summary, Path out) {}

    private Run run(Path input, int buckets) {
        Path out = dir.resolve("out-" + buckets);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = new CommandLine(new BatchCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8)))
                .execute(input.toString(), "--out", out.toString(), "--clock", CLOCK, "--buckets", String.valueOf(buckets));
        assertEquals("", stderr.toString(StandardCharsets.UTF_8));
        // The summary without timings and the output directory.
        List<String> summary = stdout.toString(StandardCharsets.UTF_8).lines()
                .filter(l -> !l.startsWith("timing:"))
                .map(l -> l.replaceFirst(" to .* in [0-9.]+ s$", ""))
                .toList();
        return new Run(code, summary, out);
    }

    private static void assertSameOutputs(Run expected, Run actual) throws IOException {
        assertEquals(expected.exitCode(), actual.exitCode());
        assertEquals(expected.summary(), actual.summary());
        for (String name : OUTPUTS) {
            assertArrayEquals(Files.readAllBytes(expected.out().resolve(name)), Files.readAllBytes(actual.out().resolve(name)), name);
        }
        try (Stream<Path> files = Files.list(actual.out())) {
            assertEquals(OUTPUTS.stream().sorted().toList(), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "spill files are deleted");
        }
    }

    @Test
    void twoPatientsByHand() throws IOException {
        List<String> sample = Files.readAllLines(Path.of("../samples/events.ndjson"));
        List<String> lines = new ArrayList<>();
        lines.add("# two patients of the sample, a losing re-send and a line that is not JSON");
        sample.stream().filter(l -> l.contains("\"MRN-000103\"") || l.contains("\"MRN-000102\"")).forEach(lines::add);
        String m3 = sample.stream().filter(l -> l.contains("\"b-fu-102-m3\"")).findFirst().orElseThrow();
        // Same id, other content, recorded an hour earlier: loses (R9).
        lines.add(m3.replace("\"painNrs\": 2", "\"painNrs\": 5").replace("09:40:00Z", "08:40:00Z"));
        lines.add("this is not json");
        Path input = dir.resolve("two.ndjson");
        Files.write(input, lines, StandardCharsets.UTF_8);
        int resend = lines.size() - 1; // 1-based line numbers
        int invalid = lines.size();

        Run one = run(input, 1);
        assertEquals(1, one.exitCode());
        assertEquals(List.of(
                "read 19 events from " + input + ": 17 accepted, 2 rejected",
                String.format("  rejected %-28s %d", "DUPLICATE_ID_CONFLICT", 1),
                String.format("  rejected %-28s %d", "UNDECODABLE", 1),
                "data cut (as-of): 2025-04-14T09:30:00Z",
                one.summary().get(4)), one.summary());
        assertTrue(one.summary().get(4).startsWith("wrote 2 patient outcomes, "), one.summary().get(4));
        List<String> rejected = Files.readAllLines(one.out().resolve("rejected.txt"));
        assertEquals(2, rejected.size());
        assertTrue(rejected.get(0).startsWith(input + ":" + invalid + ": ") && rejected.get(0).endsWith("[UNDECODABLE]"), rejected.get(0));
        assertEquals(input + ":" + resend + ": " + PatientEventLog.conflictMessage("b-fu-102-m3") + " [DUPLICATE_ID_CONFLICT]",
                rejected.get(1));
        List<String> outcomes = Files.readAllLines(one.out().resolve("patient-outcomes.ndjson"));
        assertEquals(2, outcomes.size());
        assertTrue(outcomes.get(0).contains("\"MRN-000102\"") && outcomes.get(1).contains("\"MRN-000103\""));
        assertTrue(Files.size(one.out().resolve("arm-aggregates.ndjson")) > 0);

        assertSameOutputs(one, run(input, 2));
        assertSameOutputs(one, run(input, 7));
    }

    @Test
    void sampleAndRandomCohortWithResendsAndInvalidLines() throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of("../samples/events.ndjson")));
        NdjsonCodec codec = new NdjsonCodec();
        Random rnd = new Random(11);
        List<SpecificRecord> events = RandomCohort.generate(5, 400).interleaving(6);
        for (SpecificRecord e : events) {
            lines.add(codec.format(e));
            int r = rnd.nextInt(100);
            if (r == 0) lines.add("{\"type\": \"followup\", \"eventId\": \"broken");
            if (r == 1) lines.add("{\"eventId\": \"no-type\", \"patientId\": \"x\"}");
            if (r == 2) lines.add("");
        }
        Path input = dir.resolve("cohort.ndjson");
        Files.write(input, lines, StandardCharsets.UTF_8);

        Run one = run(input, 1);
        assertEquals(1, one.exitCode());
        assertTrue(one.summary().stream().anyMatch(l -> l.contains("DUPLICATE_ID_CONFLICT")), one.summary().toString());
        assertTrue(one.summary().stream().anyMatch(l -> l.contains("UNDECODABLE")), one.summary().toString());
        assertSameOutputs(one, run(input, 7));
        assertSameOutputs(one, run(input, 3));
    }
}
