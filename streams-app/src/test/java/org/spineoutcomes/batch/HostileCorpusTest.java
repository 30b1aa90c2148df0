package org.spineoutcomes.batch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spineoutcomes.validation.InputLimits;
import picocli.CommandLine;

/**
 * Every case of the hostile-input corpus (samples/hostile/, see its README) through the batch
 * command, all in memory and partitioned: each hostile line is rejected with exactly the reason and
 * field of samples/hostile/manifest.tsv and cited by its file line, every valid event around it is
 * accepted, read = accepted + rejected, no rejected.txt line exceeds the documented maximum, and the
 * case finishes within seconds (the timeout only guards against a hang).
 */
class HostileCorpusTest {

    static final Path CORPUS = Path.of("..", "samples", "hostile");
    private static final String CLOCK = "2025-01-01T00:00:00Z";
    /** A rejected.txt line: the file and line prefix, a message of at most MAX_MESSAGE_LENGTH plus the cut marker, the reason. */
    private static final int MAX_REJECTED_LINE = InputLimits.MAX_MESSAGE_LENGTH + InputLimits.MAX_FIELD_PATH_LENGTH + 300;
    private static final Pattern ENTRY = Pattern.compile("^(.*):(\\d+): (?:field (.+?): )?(.*) \\[([A-Z0-9_]+)]$");

    /** One rejected line of the manifest. */
    record Expected(long line, String reason, String field) {}

    /** A case file with the lines it must reject and the number of events it must accept. */
    record Case(String file, List<Expected> rejected, long accepted) {
        @Override
        public String toString() {
            return file;
        }
    }

    static List<Case> cases() throws IOException {
        Map<String, List<Expected>> rows = new LinkedHashMap<>();
        Map<String, Long> accepted = new LinkedHashMap<>();
        for (String line : Files.readAllLines(CORPUS.resolve("manifest.tsv"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.startsWith("file\t") || line.isBlank()) continue;
            String[] f = line.split("\t");
            rows.computeIfAbsent(f[0], k -> new ArrayList<>()).add(new Expected(Long.parseLong(f[1]), f[2], f[3].equals("-") ? null : f[3]));
            Long previous = accepted.put(f[0], Long.parseLong(f[4]));
            assertTrue(previous == null || previous == Long.parseLong(f[4]), "one accepted count per file: " + f[0]);
        }
        return rows.entrySet().stream().map(e -> new Case(e.getKey(), e.getValue(), accepted.get(e.getKey()))).toList();
    }

    @Test
    void everyCaseFileIsInTheManifestAndThereAreAtLeastForty() throws IOException {
        List<String> inManifest = cases().stream().map(Case::file).sorted().toList();
        try (Stream<Path> files = Files.list(CORPUS)) {
            assertEquals(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ndjson") || n.endsWith(".ndjson.gz"))
                    .sorted().toList(), inManifest);
        }
        assertTrue(inManifest.size() >= 40, "cases: " + inManifest.size());
    }

    @TempDir
    static Path work;

    @BeforeAll
    static void warmUp() throws IOException {
        // class loading and the first JIT work are not the case's time
        Path file = work.resolve("warm.ndjson");
        Files.copy(Path.of("..", "samples", "events.ndjson"), file);
        run(file, work.resolve("warm-out"), 1);
    }

    private record Run(int exitCode, String stdout, String stderr, List<String> rejected) {}

    private static Run run(Path input, Path out, int buckets) throws IOException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = new CommandLine(new BatchCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8)))
                .execute(input.toString(), "--out", out.toString(), "--clock", CLOCK, "--buckets", String.valueOf(buckets));
        return new Run(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8),
                Files.readAllLines(out.resolve("rejected.txt"), StandardCharsets.UTF_8));
    }

    /** The case's bytes as a plain file (gzip-stored cases unpacked), so the batch command reads it like any input. */
    private static Path materialise(Case c) throws IOException {
        Path source = CORPUS.resolve(c.file());
        Path target = work.resolve(c.file().replace(".gz", ""));
        if (c.file().endsWith(".gz")) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(source))) {
                Files.write(target, in.readAllBytes());
            }
        } else {
            Files.copy(source, target);
        }
        return target;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachHostileLineIsRejectedWithItsReasonAndFieldAndTheValidEventsAreAccepted(Case c) throws Exception {
        Path input = materialise(c);
        Run one = assertTimeoutPreemptively(Duration.ofSeconds(8), () -> run(input, work.resolve(c.file() + "-out-1"), 1),
                "hang guard: a case takes well under a second");
        assertEquals("", one.stderr());
        assertEquals(1, one.exitCode(), one.stdout());

        // rejected.txt: the first entry of each rejected line names its reason and field; later entries of the
        // same line are its further violations (at most MAX_VIOLATIONS_SHOWN, then a count)
        Map<Long, String[]> firstEntry = new TreeMap<>();
        for (String entry : one.rejected()) {
            assertTrue(entry.length() <= MAX_REJECTED_LINE, "rejected.txt line of " + entry.length() + " characters");
            assertTrue(entry.startsWith(input + ":"), entry);
            Matcher m = ENTRY.matcher(entry);
            if (!m.matches()) {
                assertTrue(entry.matches(Pattern.quote(input.toString()) + ":\\d+: \\d+ more violations of this line not shown"), entry);
                continue;
            }
            firstEntry.putIfAbsent(Long.parseLong(m.group(2)), new String[] {m.group(5), m.group(3)});
        }
        List<String> expected = c.rejected().stream().map(e -> e.line() + " " + e.reason() + " " + e.field()).toList();
        List<String> actual = firstEntry.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()[0] + " " + e.getValue()[1]).toList();
        assertEquals(expected, actual, () -> String.join("\n", one.rejected()));

        // counts reconcile: read = accepted + rejected, and every valid event is accepted
        Matcher summary = Pattern.compile("read (\\d+) events from .*: (\\d+) accepted, (\\d+) rejected").matcher(one.stdout());
        assertTrue(summary.find(), one.stdout());
        long read = Long.parseLong(summary.group(1)), accepted = Long.parseLong(summary.group(2)), rejected = Long.parseLong(summary.group(3));
        assertEquals(c.accepted(), accepted, one.stdout());
        assertEquals(c.rejected().size(), rejected, one.stdout());
        assertEquals(read, accepted + rejected, one.stdout());
        Map<String, Long> byReason = c.rejected().stream().collect(Collectors.groupingBy(Expected::reason, TreeMap::new, Collectors.counting()));
        byReason.forEach((reason, n) -> assertTrue(one.stdout().contains(String.format("  rejected %-28s %d", reason, n)), one.stdout()));

        // the partitioned path (spill files per patient bucket) rejects and cites the same lines
        Run two = assertTimeoutPreemptively(Duration.ofSeconds(8), () -> run(input, work.resolve(c.file() + "-out-2"), 2));
        assertEquals(one.rejected(), two.rejected());
        assertArrayEquals(Files.readAllBytes(work.resolve(c.file() + "-out-1").resolve("patient-outcomes.ndjson")),
                Files.readAllBytes(work.resolve(c.file() + "-out-2").resolve("patient-outcomes.ndjson")));
    }
}
