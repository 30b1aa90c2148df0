package org.spineoutcomes.export;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.query.Suppression;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.TimeToEvent;

/**
 * The result files of {@code ./spine batch} and {@code ./spine export}, written by one piece of
 * code so both give the same bytes for the same records: per kind (patient outcomes, arm
 * aggregates, arm comparisons) an NDJSON file (one {@link NdjsonCodec#formatRecord} line per
 * record, in the order given) and/or a CSV file ({@link ResultCsv}, header row first).
 * Callers hand records in key order (patient id, cell key text, comparison key).
 */
public final class ResultFiles {

    public static final String OUTCOMES_NDJSON = "patient-outcomes.ndjson";
    public static final String AGGREGATES_NDJSON = "arm-aggregates.ndjson";
    public static final String COMPARISONS_NDJSON = "arm-comparisons.ndjson";
    public static final String PATIENT_WINDOWS_CSV = "patient-windows.csv";
    public static final String AGGREGATES_CSV = "arm-aggregates.csv";
    public static final String COMPARISONS_CSV = "arm-comparisons.csv";
    /** R36 standardised comparisons, one {@code AdjustedComparison} per line (NDJSON only). */
    public static final String ADJUSTED_COMPARISONS_NDJSON = "adjusted-comparisons.ndjson";
    /** R37 Kaplan-Meier and R38 log-rank records, one {@code TimeToEvent} per line (NDJSON only). */
    public static final String TIME_TO_EVENT_NDJSON = "time-to-event.ndjson";

    /** Which files to write. */
    public enum Format {
        NDJSON, CSV, BOTH;

        public boolean ndjson() { return this != CSV; }

        public boolean csv() { return this != NDJSON; }
    }

    /** One record as written: its NDJSON line (no line break) and its CSV rows (each ending in CRLF); null where that format is off. */
    public record Formatted(String ndjson, String csv) {}

    /** Records formatted per parallel step: formatting is the costly part and both formatters are stateless. */
    private static final int CHUNK = 2048;

    private final Path dir;
    private final Format format;
    private final NdjsonCodec codec;
    private final Suppression suppression;

    /** Every record whole, as the batch writes them. */
    public ResultFiles(Path dir, Format format, NdjsonCodec codec) {
        this(dir, format, codec, null);
    }

    /**
     * @param suppression null: every record whole (the batch, and the export with --no-suppression);
     *                    otherwise small cells are suppressed as in the query API: an aggregate or comparison
     *                    line is {@link Suppression#aggregate}/{@link Suppression#comparison}'s JSON, the CSV rows
     *                    are emptied where it hides numbers and get {@link ResultCsv#SUPPRESSION_COLUMNS}, and the
     *                    patient-level files are not written (per-patient rows would give every small cell away)
     */
    public ResultFiles(Path dir, Format format, NdjsonCodec codec, Suppression suppression) {
        this.dir = dir;
        this.format = format;
        this.codec = codec;
        this.suppression = suppression;
    }

    public Format format() { return format; }

    /** Whether small cells are suppressed (and the patient-level files left out). */
    public boolean suppressed() { return suppression != null; }

    /** The suppression applied; null when every record is written whole. */
    public Suppression suppression() { return suppression; }

    public Formatted outcome(PatientOutcome o) {
        return new Formatted(format.ndjson() ? codec.formatRecord(o) : null, format.csv() ? ResultCsv.patientWindowRows(o) : null);
    }

    public Formatted aggregate(ArmAggregate a) {
        if (suppression != null) {
            return new Formatted(format.ndjson() ? suppression.aggregate(a).toString() : null,
                    format.csv() ? ResultCsv.aggregateRow(a, suppression) : null);
        }
        return new Formatted(format.ndjson() ? codec.formatRecord(a) : null, format.csv() ? ResultCsv.aggregateRow(a) : null);
    }

    public Formatted comparison(ArmComparison c) {
        if (suppression != null) {
            return new Formatted(format.ndjson() ? suppression.comparison(c).toString() : null,
                    format.csv() ? ResultCsv.comparisonRow(c, suppression) : null);
        }
        return new Formatted(format.ndjson() ? codec.formatRecord(c) : null, format.csv() ? ResultCsv.comparisonRow(c) : null);
    }

    /** A writer of patient-outcomes.ndjson and/or patient-windows.csv. */
    public Sink outcomesSink() throws IOException {
        return new Sink(OUTCOMES_NDJSON, PATIENT_WINDOWS_CSV, ResultCsv.patientWindowHeader());
    }

    /**
     * Writes every outcome, in the order given; returns how many. Under suppression nothing is written
     * (and patient-level files of the same names, left by an earlier export into this directory, are
     * removed, so the directory holds only what may be shared): the outcomes are only read through (the
     * caller may count from them on the way).
     */
    public long writeOutcomes(Iterator<PatientOutcome> outcomes) throws IOException {
        if (suppression != null) {
            Files.deleteIfExists(dir.resolve(OUTCOMES_NDJSON));
            Files.deleteIfExists(dir.resolve(PATIENT_WINDOWS_CSV));
            long n = 0;
            for (; outcomes.hasNext(); n++) outcomes.next();
            return n;
        }
        try (Sink sink = outcomesSink()) {
            return writeAll(sink, outcomes, this::outcome);
        }
    }

    public long writeAggregates(Iterator<ArmAggregate> aggregates) throws IOException {
        try (Sink sink = new Sink(AGGREGATES_NDJSON, AGGREGATES_CSV, header(ResultCsv.aggregateHeader()))) {
            return writeAll(sink, aggregates, this::aggregate);
        }
    }

    public long writeComparisons(Iterator<ArmComparison> comparisons) throws IOException {
        try (Sink sink = new Sink(COMPARISONS_NDJSON, COMPARISONS_CSV, header(ResultCsv.comparisonHeader()))) {
            return writeAll(sink, comparisons, this::comparison);
        }
    }

    /** Writes the R36 standardised comparisons to their NDJSON file (suppressed as in the query API when on); returns how many. */
    public long writeAdjustedComparisons(Iterator<AdjustedComparison> records) throws IOException {
        return writeNdjsonOnly(ADJUSTED_COMPARISONS_NDJSON, records,
                r -> suppression != null ? suppression.adjustedComparison(r).toString() : codec.formatRecord(r));
    }

    /** Writes the R37/R38 Kaplan-Meier and log-rank records to their NDJSON file (suppressed when on); returns how many. */
    public long writeTimeToEvent(Iterator<TimeToEvent> records) throws IOException {
        return writeNdjsonOnly(TIME_TO_EVENT_NDJSON, records,
                r -> suppression != null ? suppression.timeToEvent(r).toString() : codec.formatRecord(r));
    }

    /** Records of a kind that has no CSV table, one NDJSON line each; nothing when NDJSON is off. */
    private <T extends SpecificRecord> long writeNdjsonOnly(String name, Iterator<T> records, Function<T, String> line) throws IOException {
        if (!format.ndjson()) return 0;
        try (Sink sink = new Sink(name, null, null)) {
            return writeAll(sink, records, r -> new Formatted(line.apply(r), null));
        }
    }

    private List<String> header(List<String> columns) {
        if (suppression == null) return columns;
        List<String> h = new ArrayList<>(columns);
        h.addAll(ResultCsv.SUPPRESSION_COLUMNS);
        return h;
    }

    private static <T extends SpecificRecord> long writeAll(Sink sink, Iterator<T> records, Function<T, Formatted> formatter)
            throws IOException {
        long n = 0;
        List<T> chunk = new ArrayList<>(CHUNK);
        while (records.hasNext()) {
            chunk.clear();
            while (records.hasNext() && chunk.size() < CHUNK) chunk.add(records.next());
            for (Formatted f : chunk.parallelStream().map(formatter).toList()) sink.write(f);
            n += chunk.size();
        }
        return n;
    }

    /** The open file(s) of one kind; {@link #write} appends one record's text to each. */
    public final class Sink implements Closeable {
        private final BufferedWriter ndjson;
        private final BufferedWriter csv;

        private Sink(String ndjsonName, String csvName, List<String> csvHeader) throws IOException {
            Files.createDirectories(dir);
            BufferedWriter n = format.ndjson() ? Files.newBufferedWriter(dir.resolve(ndjsonName), StandardCharsets.UTF_8) : null;
            try {
                csv = format.csv() && csvName != null ? Files.newBufferedWriter(dir.resolve(csvName), StandardCharsets.UTF_8) : null;
            } catch (IOException e) {
                if (n != null) n.close();
                throw e;
            }
            ndjson = n;
            if (csv != null) csv.write(CsvWriter.row(csvHeader));
        }

        public void write(Formatted f) throws IOException {
            if (ndjson != null) {
                ndjson.write(f.ndjson());
                ndjson.newLine();
            }
            if (csv != null) csv.write(f.csv());
        }

        @Override
        public void close() throws IOException {
            try {
                if (ndjson != null) ndjson.close();
            } finally {
                if (csv != null) csv.close();
            }
        }
    }
}
