package org.spineoutcomes.batch;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.ndjson.CheckedLine;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.ndjson.NdjsonReader;
import org.spineoutcomes.outcome.PatientEventLog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code batch}: the whole computation over an NDJSON event file, for analysts and for checking the
 * stream. Validation, outcomes and statistics are the same code the stream runs.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Compute patient outcomes, arm aggregates and comparisons from an NDJSON event file.")
public final class BatchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "EVENTS", description = "NDJSON file, one event per line (see README, 'NDJSON format').")
    Path input;

    @Option(names = "--out", defaultValue = "batch-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--as-of", description = "Data cut for completeness, ISO-8601 instant with offset (default: the largest occurred-at of the valid events, R2).")
    String asOf;

    @Option(names = "--clock", description = "Processing clock for the 'not more than one day in the future' rule (default: now).")
    String clock;

    private final PrintStream out;
    private final PrintStream err;

    public BatchCommand() {
        this(System.out, System.err);
    }

    public BatchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws IOException {
        Instant processingClock;
        Instant cut;
        try {
            processingClock = clock == null ? Instant.now() : Instant.parse(clock);
            cut = asOf == null ? null : Instant.parse(asOf);
        } catch (java.time.format.DateTimeParseException e) {
            err.println("error: --as-of / --clock must be an ISO-8601 instant such as 2025-01-31T00:00:00Z: " + e.getParsedString());
            return 2;
        }
        if (!Files.isReadable(input)) {
            err.println("error: cannot read " + input);
            return 2;
        }
        long t0 = System.nanoTime();
        BatchComputation computation = new BatchComputation();
        Map<String, Long> rejectedByReason = new TreeMap<>();
        long lines = 0;
        Files.createDirectories(outDir);
        NdjsonCodec codec = new NdjsonCodec();
        try (Stream<CheckedLine> checked = new NdjsonReader().checkedLines(input, processingClock);
             BufferedWriter rejected = Files.newBufferedWriter(outDir.resolve("rejected.txt"), StandardCharsets.UTF_8)) {
            long[] lineCount = {0};
            // Parsing and validation run in parallel; lines reach the computation in file order
            // (kept for readable output; the result does not depend on it).
            checked.parallel().forEachOrdered(line -> {
                lineCount[0]++;
                if (line.valid()) {
                    computation.add(line.event(), new PatientEventLog.Origin(line.source(), 0, line.lineNumber()));
                } else {
                    rejectedByReason.merge(line.firstViolation().reason().name(), 1L, Long::sum);
                    try {
                        rejected.write(line.errorText());
                        rejected.newLine();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            });
            lines = lineCount[0];
            long tRead = System.nanoTime();
            BatchComputation.Result result = computation.result(cut);
            long tCompute = System.nanoTime();
            for (BatchComputation.Refused r : result.refused()) {
                rejectedByReason.merge(r.reason(), 1L, Long::sum);
                rejected.write(r.origin().source() + ":" + r.origin().offset() + ": " + r.message() + " [" + r.reason() + "]");
                rejected.newLine();
            }
            write(outDir.resolve("patient-outcomes.ndjson"), result.outcomes(), codec);
            write(outDir.resolve("arm-aggregates.ndjson"), result.aggregates(), codec);
            write(outDir.resolve("arm-comparisons.ndjson"), result.comparisons(), codec);

            long rejectedCount = rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf("timing: read+validate+log %.2f s, outcomes+statistics %.2f s, write %.2f s%n",
                    (tRead - t0) / 1e9, (tCompute - tRead) / 1e9, (System.nanoTime() - tCompute) / 1e9);
            out.printf("read %d events from %s: %d accepted, %d rejected%n", lines, input, result.accepted(), rejectedCount);
            rejectedByReason.forEach((reason, n) -> out.printf("  rejected %-28s %d%n", reason, n));
            out.printf("data cut (as-of): %s%n", result.dataCut());
            out.printf("wrote %d patient outcomes, %d aggregates, %d comparisons to %s in %.2f s%n",
                    result.outcomes().size(), result.aggregates().size(), result.comparisons().size(), outDir, seconds);
            return rejectedCount == 0 ? 0 : 1;
        }
    }

    private static void write(Path file, Map<String, ? extends SpecificRecord> records, NdjsonCodec codec) throws IOException {
        // Formatting is the costly part and the codec is stateless: format in parallel, write in key order.
        java.util.List<String> lines = records.values().parallelStream().map(codec::formatRecord).toList();
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (String line : lines) {
                w.write(line);
                w.newLine();
            }
        }
    }
}
