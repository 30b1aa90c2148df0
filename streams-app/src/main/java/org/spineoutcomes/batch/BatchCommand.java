package org.spineoutcomes.batch;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.export.ResultFiles;
import org.spineoutcomes.ndjson.CheckedLine;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.ndjson.NdjsonReader;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.aggregate.AdjustedComparisonMapper;
import org.spineoutcomes.aggregate.TimeToEventMapper;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.TimeToEvent;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code batch}: the whole computation over an NDJSON event file, for analysts and for checking the
 * stream. Validation, outcomes and statistics are the same code the stream runs.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Compute patient outcomes, arm aggregates and comparisons, standardised comparisons (R36) "
                + "and time to first new vertebral fracture (R37, R38) from an NDJSON event file.")
public final class BatchCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "EVENTS", description = "NDJSON file, one event per line (see README, 'NDJSON format').")
    Path input;

    @Option(names = "--out", defaultValue = "batch-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--as-of", description = "Data cut for completeness, ISO-8601 instant with offset (default: the largest occurred-at of the valid events, R2).")
    String asOf;

    @Option(names = "--clock", description = "Processing clock for the 'not more than one day in the future' rule (default: now).")
    String clock;

    @Option(names = "--buckets", paramLabel = "N", description = "Partition the valid events by patient into N spill files, "
            + "computed one at a time, so memory stays bounded (default: one per 64 MiB of input; 1 = all in memory). "
            + "The outputs do not depend on it.")
    Integer buckets;

    @Option(names = "--csv", description = "Also write patient-windows.csv, arm-aggregates.csv and arm-comparisons.csv "
            + "next to the NDJSON files (columns in docs/exports.md); the NDJSON files are the same with or without it.")
    boolean csv;

    private final PrintStream out;
    private final PrintStream err;
    /** One line on stderr at most every 5 s on long work (none for an input read in under 5 s). */
    private final ProgressLine progress;

    public BatchCommand() {
        this(System.out, System.err);
    }

    public BatchCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
        this.progress = new ProgressLine(err, java.time.Duration.ofSeconds(5));
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
        if (Files.isDirectory(input)) {
            err.println("error: " + input + " is a directory; give one NDJSON file of events");
            return 2;
        }
        if (!Files.isReadable(input)) {
            err.println("error: cannot read " + input + (Files.exists(input) ? " (permission denied)" : " (no such file)"));
            return 2;
        }
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            err.println("error: --out " + outDir + " is an existing file; give a directory (it is created if missing)");
            return 2;
        }
        if (buckets != null && buckets < 1) {
            err.println("error: --buckets must be at least 1");
            return 2;
        }
        int bucketCount = buckets != null ? buckets
                : (int) Math.max(1, (Files.size(input) + BYTES_PER_BUCKET - 1) / BYTES_PER_BUCKET);
        long t0 = System.nanoTime();
        Map<String, Long> rejectedByReason = new TreeMap<>();
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            err.println("error: cannot create the output directory " + outDir + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()) + "; give a directory you can write to with --out");
            return 2;
        }
        NdjsonCodec codec = new NdjsonCodec();
        ResultFiles files = new ResultFiles(outDir, csv ? ResultFiles.Format.BOTH : ResultFiles.Format.NDJSON, codec);
        try (BufferedWriter rejected = Files.newBufferedWriter(outDir.resolve("rejected.txt"), StandardCharsets.UTF_8)) {
            Summary summary = bucketCount == 1
                    ? inMemory(processingClock, cut, rejected, rejectedByReason, files)
                    : partitioned(bucketCount, processingClock, cut, rejected, rejectedByReason, files);
            long rejectedCount = rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
            double seconds = (System.nanoTime() - t0) / 1e9;
            out.printf("timing: read+validate+log %.2f s, outcomes+statistics %.2f s, write %.2f s%s%n",
                    (summary.tRead() - t0) / 1e9, (summary.tCompute() - summary.tRead()) / 1e9,
                    (System.nanoTime() - summary.tCompute()) / 1e9,
                    bucketCount == 1 ? "" : " (" + bucketCount + " patient buckets)");
            out.printf("read %d events from %s: %d accepted, %d rejected%n", summary.lines(), input, summary.accepted(), rejectedCount);
            rejectedByReason.forEach((reason, n) -> out.printf("  rejected %-28s %d%n", reason, n));
            out.printf("data cut (as-of): %s%n", summary.dataCut());
            out.printf("wrote %d patient outcomes, %d aggregates, %d comparisons, %d adjusted comparisons, "
                            + "%d time-to-event records to %s in %.2f s%n", summary.outcomes(), summary.aggregates(),
                    summary.comparisons(), summary.adjustedComparisons(), summary.timeToEvent(), outDir, seconds);
            return rejectedCount == 0 ? 0 : 1;
        }
    }

    /** Input size per patient bucket when --buckets is not given (about 175,000 events, 16,000 patients). */
    static final long BYTES_PER_BUCKET = 64L << 20;

    /** What the summary prints besides the rejection counts; times from System.nanoTime(). */
    private record Summary(long lines, long accepted, Instant dataCut, long outcomes, int aggregates, int comparisons,
                           int adjustedComparisons, int timeToEvent, long tRead, long tCompute) {}

    /** One bucket: every patient's events in memory at once. */
    private Summary inMemory(Instant processingClock, Instant cut, BufferedWriter rejected,
                             Map<String, Long> rejectedByReason, ResultFiles files) throws IOException {
        BatchComputation computation = new BatchComputation();
        long lines;
        try (Stream<CheckedLine> checked = new NdjsonReader().checkedLines(input, processingClock)) {
            long[] lineCount = {0};
            // Parsing and validation run in parallel; lines reach the computation in file order
            // (kept for readable output; the result does not depend on it).
            checked.parallel().forEachOrdered(line -> {
                lineCount[0]++;
                progress.maybe(() -> String.format(Locale.ROOT, "%,d events read", lineCount[0]));
                if (line.valid()) {
                    computation.add(line.event(), new PatientEventLog.Origin(line.source(), 0, line.lineNumber()));
                } else {
                    reject(line, rejected, rejectedByReason);
                }
            });
            lines = lineCount[0];
        }
        long tRead = System.nanoTime();
        BatchComputation.Result result = computation.result(cut);
        long tCompute = System.nanoTime();
        for (BatchComputation.Refused r : result.refused()) {
            rejectedByReason.merge(r.reason(), 1L, Long::sum);
            rejected.write(refusedLine(r));
            rejected.newLine();
        }
        files.writeOutcomes(result.outcomes().values().iterator());
        files.writeAggregates(result.aggregates().values().iterator());
        files.writeComparisons(result.comparisons().values().iterator());
        writeAdjusted(files, result.adjustedComparisons(), result.timeToEvent());
        return new Summary(lines, result.accepted(), result.dataCut(), result.outcomes().size(),
                result.aggregates().size(), result.comparisons().size(), result.adjustedComparisons().size(),
                result.timeToEvent().size(), tRead, tCompute);
    }

    /** The R36-R38 files (NDJSON, in key order). */
    private static void writeAdjusted(ResultFiles files, Map<String, AdjustedComparison> adjusted,
                                      Map<String, TimeToEvent> timeToEvent) throws IOException {
        files.writeAdjustedComparisons(adjusted.values().iterator());
        files.writeTimeToEvent(timeToEvent.values().iterator());
    }

    /**
     * Bounded memory: pass 1 validates (invalid lines go to rejected.txt at once) and spills each
     * valid line's text to one of {@code bucketCount} files by a hash of its patient id; pass 2
     * computes the buckets, one per core at a time (outcomes to a sorted file per bucket), and merges
     * their cells and refused versions in bucket order; the sorted files are merged at the end. Patients
     * are independent and cell sums exact, so the outputs are the same as {@link #inMemory}'s.
     */
    private Summary partitioned(int bucketCount, Instant processingClock, Instant cut, BufferedWriter rejected,
                                Map<String, Long> rejectedByReason, ResultFiles files) throws IOException {
        Path spillDir = Files.createTempDirectory(outDir, ".batch-spill-");
        try {
            long lines = spill(bucketCount, spillDir, processingClock, rejected, rejectedByReason);
            long tRead = System.nanoTime();

            Map<CellKey, CellStatistics> cells = new TreeMap<>();
            Map<CellKey, PatternStatistics> patternCells = new TreeMap<>();
            Map<CellKey, SurvivalCounts> survivalCells = new TreeMap<>();
            // Refused versions are few: kept by patient, each patient's in their order.
            Map<String, List<BatchComputation.Refused>> refusedByPatient = new TreeMap<>();
            Instant maxOccurredAt = null;
            long accepted = 0;
            long outcomes = 0;
            String source = input.toString();
            // Buckets are computed by up to `workers` threads at once (each bucket on one thread, its patients
            // independent of every other bucket's) and merged here in bucket order, so the output is the same
            // whatever the number of workers. At most workers + 1 buckets are in memory.
            int workers = Math.max(1, Math.min(bucketCount, Runtime.getRuntime().availableProcessors()));
            ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "batch-bucket");
                t.setDaemon(true);
                return t;
            });
            try {
                java.util.ArrayDeque<Future<BucketResult>> inFlight = new java.util.ArrayDeque<>();
                int next = 0;
                for (int merged = 0; merged < bucketCount; merged++) {
                    while (next < bucketCount && inFlight.size() <= workers) {
                        int b = next++;
                        inFlight.add(pool.submit(() -> computeBucket(spillDir, b, source, files)));
                    }
                    BucketResult result = await(inFlight.removeFirst());
                    int done = merged + 1;
                    progress.maybe(() -> String.format(Locale.ROOT, "pass 2 of 2 (outcomes and statistics): %d of %d patient buckets", done, bucketCount));
                    BatchComputation.Part part = result.part();
                    Instant bucketCut = result.dataCut();
                    if (bucketCut != null && (maxOccurredAt == null || bucketCut.isAfter(maxOccurredAt))) maxOccurredAt = bucketCut;
                    accepted += part.accepted();
                    outcomes += part.outcomes().size();
                    part.cells().forEach((k, v) -> cells.merge(k, v, CellStatistics::merge));
                    part.patternCells().forEach((k, v) -> patternCells.merge(k, v, PatternStatistics::merge));
                    part.survivalCells().forEach((k, v) -> survivalCells.merge(k, v, SurvivalCounts::merge));
                    for (BatchComputation.Refused r : part.refused()) {
                        refusedByPatient.computeIfAbsent(EventFields.patientId(r.event()), k -> new ArrayList<>()).add(r);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            cells.values().removeIf(CellStatistics::isEmpty);
            Instant dataCut = cut != null ? cut : maxOccurredAt;
            Map<String, ArmAggregate> aggregates = BatchComputation.aggregates(cells, dataCut);
            Map<String, ArmComparison> comparisons = BatchComputation.comparisons(cells);
            Map<String, AdjustedComparison> adjusted = AdjustedComparisonMapper.all(patternCells);
            Map<String, TimeToEvent> timeToEvent = TimeToEventMapper.all(survivalCells);
            long tCompute = System.nanoTime();

            for (List<BatchComputation.Refused> patientRefused : refusedByPatient.values()) {
                for (BatchComputation.Refused r : patientRefused) {
                    rejectedByReason.merge(r.reason(), 1L, Long::sum);
                    rejected.write(refusedLine(r));
                    rejected.newLine();
                }
            }
            mergeSorted(spillDir, bucketCount, files);
            files.writeAggregates(aggregates.values().iterator());
            files.writeComparisons(comparisons.values().iterator());
            writeAdjusted(files, adjusted, timeToEvent);
            return new Summary(lines, accepted, dataCut, outcomes, aggregates.size(), comparisons.size(), adjusted.size(),
                    timeToEvent.size(), tRead, tCompute);
        } finally {
            deleteRecursively(spillDir);
        }
    }

    private record BucketResult(BatchComputation.Part part, Instant dataCut) {}

    /** Pass 2 for one bucket, on one thread: its events parsed and computed, its outcomes written sorted to outcomes-b. */
    private static BucketResult computeBucket(Path spillDir, int b, String source, ResultFiles files) throws IOException {
        Path bucket = spillDir.resolve("events-" + b);
        BatchComputation computation = new BatchComputation();
        try (Stream<Spilled> spilled = readSpilled(bucket)) {
            spilled.forEach(s -> computation.add(s.event(), new PatientEventLog.Origin(source, 0, s.lineNumber())));
        }
        Files.delete(bucket);
        BatchComputation.Part part = computation.part();
        writeSorted(spillDir.resolve("outcomes-" + b), part.outcomes(), files);
        return new BucketResult(part, computation.defaultDataCut());
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while computing the patient buckets", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Pass 1: validates every line, rejects the invalid ones, spills the valid ones by patient bucket; returns the line count. */
    private long spill(int bucketCount, Path spillDir, Instant processingClock, BufferedWriter rejected,
                       Map<String, Long> rejectedByReason) throws IOException {
        DataOutputStream[] spills = new DataOutputStream[bucketCount];
        try (Stream<NdjsonReader.CheckedText> checked = new NdjsonReader().checkedLinesWithText(input, processingClock)) {
            for (int b = 0; b < bucketCount; b++) {
                spills[b] = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(spillDir.resolve("events-" + b)), 1 << 16));
            }
            long[] lineCount = {0};
            // Parsed and validated in parallel, in chunks; valid events are encoded (Avro binary) in parallel too,
            // so pass 2 decodes binary instead of parsing JSON a second time.
            NdjsonReader.mapInChunks(checked, 4096, c -> c.checked().valid() ? new Checked(c.checked(), SpillCodec.encode(c.checked().event()))
                    : new Checked(c.checked(), null)).forEach(c -> {
                lineCount[0]++;
                progress.maybe(() -> String.format(Locale.ROOT, "pass 1 of 2 (validate, split by patient): %,d events read", lineCount[0]));
                CheckedLine line = c.line();
                if (line.valid()) {
                    try {
                        DataOutputStream spill = spills[bucketOf(EventFields.patientId(line.event()), bucketCount)];
                        spill.writeLong(line.lineNumber());
                        spill.writeInt(c.encoded().length);
                        spill.write(c.encoded());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                } else {
                    reject(line, rejected, rejectedByReason);
                }
            });
            return lineCount[0];
        } finally {
            IOException failure = null;
            for (DataOutputStream s : spills) {
                if (s == null) continue;
                try {
                    s.close();
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (failure != null) throw failure;
        }
    }

    /** A stable bucket for a patient id (String.hashCode is specified), spread before the modulo. */
    static int bucketOf(String patientId, int bucketCount) {
        int h = patientId.hashCode() * 0x9E3779B9;
        return Math.floorMod(h ^ (h >>> 16), bucketCount);
    }

    /** A checked line and, when valid, its event encoded for the spill file. */
    private record Checked(CheckedLine line, byte[] encoded) {}

    private record Spilled(long lineNumber, SpecificRecord event) {}


    /** A spill file's lines, in the order written; close the stream. */
    private static Stream<Spilled> readSpilled(Path file) throws IOException {
        SpillCodec decoder = new SpillCodec();
        DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        Spliterator<Spilled> lines = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super Spilled> action) {
                try {
                    long lineNumber;
                    try {
                        lineNumber = in.readLong();
                    } catch (EOFException end) {
                        return false;
                    }
                    byte[] encoded = new byte[in.readInt()];
                    in.readFully(encoded);
                    action.accept(new Spilled(lineNumber, decoder.decode(encoded)));
                    return true;
                } catch (IOException e) {
                    throw new UncheckedIOException("Reading " + file, e);
                }
            }
        };
        return StreamSupport.stream(lines, false).onClose(() -> {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readText(DataInputStream in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** A bucket's outcomes as (patient id, NDJSON line, CSV rows) in patient-id order ("" for a format not written). */
    private static void writeSorted(Path file, Map<String, PatientOutcome> outcomes, ResultFiles files) throws IOException {
        List<String> keys = List.copyOf(outcomes.keySet());
        List<ResultFiles.Formatted> texts = outcomes.values().stream().map(files::outcome).toList();
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16))) {
            for (int i = 0; i < keys.size(); i++) {
                writeText(out, keys.get(i));
                writeText(out, texts.get(i).ndjson() == null ? "" : texts.get(i).ndjson());
                writeText(out, texts.get(i).csv() == null ? "" : texts.get(i).csv());
            }
        }
    }

    /** A k-way merge of the buckets' sorted outcome files by patient id (the order of the in-memory TreeMap). */
    private static void mergeSorted(Path spillDir, int bucketCount, ResultFiles files) throws IOException {
        DataInputStream[] ins = new DataInputStream[bucketCount];
        try (ResultFiles.Sink w = files.outcomesSink()) {
            PriorityQueue<Head> heads = new PriorityQueue<>(
                    java.util.Comparator.comparing(Head::key).thenComparingInt(Head::bucket));
            for (int b = 0; b < bucketCount; b++) {
                ins[b] = new DataInputStream(new BufferedInputStream(Files.newInputStream(spillDir.resolve("outcomes-" + b)), 1 << 16));
                Head h = next(ins[b], b);
                if (h != null) heads.add(h);
            }
            while (!heads.isEmpty()) {
                Head h = heads.poll();
                w.write(h.text());
                Head n = next(ins[h.bucket()], h.bucket());
                if (n != null) heads.add(n);
            }
        } finally {
            for (DataInputStream in : ins) {
                if (in != null) in.close();
            }
        }
    }

    /** The next outcome of a bucket's sorted file, or null at its end. */
    private record Head(String key, ResultFiles.Formatted text, int bucket) {}

    private static Head next(DataInputStream in, int bucket) throws IOException {
        String key;
        try {
            key = readText(in);
        } catch (EOFException end) {
            return null;
        }
        return new Head(key, new ResultFiles.Formatted(readText(in), readText(in)), bucket);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static void reject(CheckedLine line, BufferedWriter rejected, Map<String, Long> rejectedByReason) {
        rejectedByReason.merge(line.firstViolation().reason().name(), 1L, Long::sum);
        try {
            rejected.write(line.errorText());
            rejected.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String refusedLine(BatchComputation.Refused r) {
        return r.origin().source() + ":" + r.origin().offset() + ": " + r.message() + " [" + r.reason() + "]";
    }
}
