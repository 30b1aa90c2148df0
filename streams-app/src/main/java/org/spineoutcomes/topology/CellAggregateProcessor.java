package org.spineoutcomes.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.ingest.DeadLetter;
import org.spineoutcomes.ingest.FailureStage;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;

/**
 * Keeps the sufficient statistics of every cell of the population/windows assigned to this task.
 * A delta subtracts the patient's previous contribution and adds the new one; with exact sums the
 * result equals a batch recomputation whatever the order.
 *
 * <p>Changed cells and the comparisons that depend on them are marked dirty (in a logged store, so
 * a crash loses no pending publication) and published together: immediately after each record when
 * the publish interval is zero, else on a wall-clock schedule. Coalescing matters: the derived
 * statistics (t quantiles, Welch, ANCOVA, Newcombe) cost far more than the exact additions, and a
 * busy cell changes many times a second. A cell is published, or tombstoned when its last patient
 * left (R30); a comparison is published while both its cells exist, tombstoned when it existed and
 * one side is gone. When the data cut moves every cell is re-published (completeness depends on it).
 */
public final class CellAggregateProcessor implements Processor<String, CellDeltaBatch, String, CellOutput> {

    /** Dirty-store value for a cell. Comparisons store whether they existed when first marked. */
    private static final String CELL = "cell";
    private static final String CMP_EXISTED = "cmp:existed";
    private static final String CMP_NEW = "cmp:new";
    private static final String CELL_PREFIX = "c|";
    private static final String COMPARISON_PREFIX = "k|";
    private final String cellStore;
    private final String completenessStore;
    private final String dirtyStore;
    private final String dataCutStore;
    private final Instant configuredCut;
    private final Duration cutRefresh;
    private final Duration publishInterval;
    private ProcessorContext<String, CellOutput> context;
    private KeyValueStore<String, CellStatistics> cells;
    private KeyValueStore<String, long[]> completeness;
    private KeyValueStore<String, String> dirty;
    private final String publishedStore;
    /**
     * Per published key, a 64-bit fingerprint of the value last published ({@link #TOMBSTONE} after a
     * tombstone), so a publication that would repeat the value on the topic is skipped: a moved data cut
     * after a restart, or a change that nets to the same statistics, no longer re-sends identical records.
     */
    private KeyValueStore<String, Long> published;
    static final long TOMBSTONE = 0L;
    private ReadOnlyKeyValueStore<String, Long> cutStore;
    private Instant lastPublishedCut;
    /**
     * Per dirty key, the newest input-record timestamp folded in since its last publication: published
     * records carry it, so a consumer can measure input-to-aggregate latency. In memory only (after a
     * restart a publication carries the publication time instead).
     */
    private final Map<String, Long> newestInput = new java.util.HashMap<>();

    /** When the next publication round may start (live: at least its cost x 9 after the last; catching up: slower). */
    private final PublicationPace pace;

    /** @param ownThreads true when the step runs on threads of its own (the cell stage of a split app): publication may take more of them */
    public CellAggregateProcessor(String cellStore, String completenessStore, String dirtyStore, String dataCutStore,
                                  String publishedStore, Instant configuredCut, Duration cutRefresh, Duration publishInterval, boolean ownThreads) {
        this.publishedStore = publishedStore;
        this.cellStore = cellStore;
        this.completenessStore = completenessStore;
        this.dirtyStore = dirtyStore;
        this.dataCutStore = dataCutStore;
        this.configuredCut = configuredCut;
        this.cutRefresh = cutRefresh;
        this.publishInterval = publishInterval;
        this.pace = new PublicationPace(publishInterval, publishInterval, ownThreads ? PublicationPace.OWN_THREADS_COST_FACTOR : PublicationPace.COST_FACTOR);
    }

    @Override
    public void init(ProcessorContext<String, CellOutput> context) {
        this.context = context;
        this.cells = context.getStateStore(cellStore);
        this.completeness = context.getStateStore(completenessStore);
        completenessByCell.clear();
        // A revived task re-initialises the same processor: no round or input timestamps from before carry over.
        newestInput.clear();
        roundCursor = null;
        this.dirty = context.getStateStore(dirtyStore);
        this.published = context.getStateStore(publishedStore);
        this.cutStore = context.getStateStore(dataCutStore);
        context.schedule(cutRefresh, PunctuationType.WALL_CLOCK_TIME, this::republishIfCutMoved);
        if (!publishInterval.isZero()) {
            roundCommits = RoundCommits.ofCurrentThread();
            roundCommits.join(this, pace.nextRoundMs());
            // Checked often, so a round that was cut into slices goes on soon; a due check costs nothing.
            Duration check = publishInterval.compareTo(PUBLISH_SLICE_EVERY) < 0 ? publishInterval : PUBLISH_SLICE_EVERY;
            context.schedule(check, PunctuationType.WALL_CLOCK_TIME, this::publishIfDue);
        }
    }

    @Override
    public void process(Record<String, CellDeltaBatch> record) {
        lastDeltaMs = context.currentSystemTimeMs();
        pace.input(lastDeltaMs, record.timestamp());
        Map<CellKey, CellStatistics> deltas = record.value().cells();
        // Existence of every touched cell before this record, to know which comparisons existed.
        Map<CellKey, Boolean> existedBefore = new TreeMap<>();
        for (CellKey key : deltas.keySet()) existedBefore.put(key, cells.get(key.asText()) != null);
        for (CellKey key : deltas.keySet()) {
            for (Comparison c : Comparison.values()) {
                if (!c.involves(key.arm())) continue;
                CellKey first = ComparisonMapper.firstCell(key.population(), c, key.window(), key.stratum());
                CellKey second = ComparisonMapper.secondCell(key.population(), c, key.window(), key.stratum());
                String dirtyKey = COMPARISON_PREFIX + ComparisonMapper.key(key.population(), c, key.window(), key.stratum());
                if (dirty.get(dirtyKey) == null) {
                    boolean existed = existedBefore(existedBefore, first) && existedBefore(existedBefore, second);
                    dirty.put(dirtyKey, existed ? CMP_EXISTED : CMP_NEW);
                }
                newestInput.merge(dirtyKey, record.timestamp(), Math::max);
            }
        }
        for (Map.Entry<CellKey, CellStatistics> e : deltas.entrySet()) {
            String key = e.getKey().asText();
            try {
                mergeCell(key, e.getValue());
            } catch (RuntimeException failure) {
                if (ErrorHandlers.infrastructure(failure)) throw failure;
                mergeFailed(key, e.getValue(), failure, record.timestamp());
                continue;
            }
            dirty.put(CELL_PREFIX + key, CELL);
            newestInput.merge(CELL_PREFIX + key, record.timestamp(), Math::max);
        }
        if (publishInterval.isZero()) {
            publishDirty(record.timestamp());
        }
    }

    /** Merges one cell's net change into its statistics and completeness counts. */
    private void mergeCell(String key, CellStatistics net) {
        CellStatistics stored = cells.get(key);
        // A copy: the store may hand out its cached object, which must change only through put.
        CellStatistics stats = stored == null ? new CellStatistics() : stored.copy();
        stats.mergeWithoutCompleteness(net);
        // Completeness counts live in their own store, one entry per cell and page of 64 days
        // (CompletenessEntries), so a delta rewrites the pages it touches, not a map that grows with the cohort.
        countCompleteness(key, net.completeness());
        if (stats.isEmpty()) cells.delete(key);
        else cells.put(key, stats);
    }

    /**
     * A cell's merge failed unexpectedly (a bug, or a change the cell cannot take): the change is
     * dead-lettered (PROCESSING_ERROR, stage cell-merge; value = the net change's bytes, so it can be
     * examined and applied later), the cell keeps its statistics, and the other cells of the record go on.
     * The cell then lacks that change until it is applied.
     */
    private void mergeFailed(String key, CellStatistics net, RuntimeException failure, long timestamp) {
        byte[] change;
        try {
            change = net.toBytes();
        } catch (RuntimeException unwritable) {
            change = null;
        }
        RecordMetadata meta = context.recordMetadata().orElse(null);
        forwardFailure(FailureStage.CELL_MERGE, key, change, "merging the net change of cell " + key + " failed; the cell keeps its "
                + "statistics without it: " + ErrorHandlers.describe(failure), meta == null ? null : meta.topic(),
                meta == null ? -1 : meta.partition(), meta == null ? -1 : meta.offset(), timestamp);
    }

    /** Created at the first failure only. */
    private IngestMetrics failureMetrics;

    private void forwardFailure(FailureStage stage, String key, byte[] value, String message, String topic, int partition, long offset, long timestamp) {
        ErrorHandlers.warn(stage.label() + ":" + key, stage.label() + " of " + key + " failed, dead-lettered as PROCESSING_ERROR: " + message);
        if (failureMetrics == null) failureMetrics = new IngestMetrics(context.metrics(), context.taskId().toString());
        failureMetrics.recordProcessingError(stage);
        DeadLetter dl = DeadLetter.processingError(stage, null, key.getBytes(java.nio.charset.StandardCharsets.UTF_8), value, message,
                topic, partition, offset);
        context.forward(new Record<>(key, new CellOutput.Failed(dl), timestamp, dl.headers()));
    }

    private void countCompleteness(String cellKey, org.spineoutcomes.stats.CompletenessCounts change) {
        if (change.isEmpty()) return;
        // The cell's counts in memory mirror its store entries, so the new pages come from them: no store
        // read per page (most pages of a large cohort are not among the recently read values).
        org.spineoutcomes.stats.CompletenessCounts counts = completenessByCell.computeIfAbsent(cellKey, this::readCompleteness);
        counts.merge(change);
        change.forEachPage(page -> writePage(cellKey, counts, page));
    }

    private void writePage(String cellKey, org.spineoutcomes.stats.CompletenessCounts counts, long page) {
        String key = CompletenessEntries.pageKey(cellKey, page);
        long[] entries = counts.pageEntries(page);
        if (entries == null) completeness.delete(key);
        else completeness.put(key, entries);
    }

    /**
     * Per cell, its completeness counts by window end date, read from the store once and then kept up to
     * date with every change: a cell of a large cohort has thousands of dates, and scanning them for every
     * publication made publishing the slowest step. In memory only (rebuilt after a restart).
     */
    private final Map<String, org.spineoutcomes.stats.CompletenessCounts> completenessByCell = new java.util.HashMap<>();

    /**
     * Reads a cell's entries; entries of the per-date layout written before pages (CompletenessEntries) are
     * rewritten as pages here, in this step's transaction, so a store of an earlier version upgrades cell by
     * cell as the cells are read and never counts a date twice.
     */
    private org.spineoutcomes.stats.CompletenessCounts readCompleteness(String cellKey) {
        org.spineoutcomes.stats.CompletenessCounts counts = new org.spineoutcomes.stats.CompletenessCounts();
        List<String> perDate = new ArrayList<>();
        try (KeyValueIterator<String, long[]> it = completeness.prefixScan(CompletenessEntries.prefix(cellKey),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            while (it.hasNext()) {
                KeyValue<String, long[]> kv = it.next();
                CompletenessEntries.addTo(counts, kv.key, kv.value);
                if (!CompletenessEntries.isPageKey(kv.key)) perDate.add(kv.key);
            }
        }
        if (!perDate.isEmpty()) {
            perDate.forEach(completeness::delete);
            counts.forEachPage(page -> writePage(cellKey, counts, page));
        }
        return counts;
    }

    @Override
    public void close() {
        completenessByCell.clear();
        if (roundCommits != null) roundCommits.leave(this);
    }

    private boolean existedBefore(Map<CellKey, Boolean> touched, CellKey key) {
        Boolean b = touched.get(key);
        return b != null ? b : cells.get(key.asText()) != null;
    }

    /**
     * A publication round runs in slices of at most {@link #PUBLISH_SLICE} of thread time, so that a
     * round over thousands of cells (every cell is due when the data cut moves) does not hold up the
     * patient step on the same thread: its outcomes keep flowing between the slices.
     */
    static final Duration PUBLISH_SLICE = Duration.ofMillis(20);
    static final Duration PUBLISH_SLICE_EVERY = Duration.ofMillis(20);

    /** The last dirty key published by the round in progress ("" at its start); null when no round is in progress. */
    private String roundCursor;
    /** Wall-clock time of the last delta record. */
    private long lastDeltaMs;
    private long roundWorkNanos;
    private int roundPublished;
    /** The round in progress has published its aggregates (dirty cells) and goes on with comparisons. */
    private boolean aggregatesPublished;
    private int publishedBeforeComparisons;

    /** The rounds of the thread this task runs on (null when publishing after every record). */
    private RoundCommits roundCommits;

    private void publishIfDue(long now) {
        // A finished round of this thread may be waiting for the others before its commit.
        if (roundCommits.commitNow(now)) context.commit();
        if (roundCursor == null) {
            // Under load a round waits its cost times the factor; once the deltas stop (the end of a
            // backfill, a quiet moment), the plain interval rules again, so final values come out at once.
            boolean idle = now - lastDeltaMs >= publishInterval.toMillis() && now - pace.lastRoundEndMs() >= publishInterval.toMillis();
            if (!pace.due(now) && !idle) return;
            roundCursor = "";
            // Live, the aggregates are committed before the comparisons are computed; catching up, intermediate
            // values matter little and a second commit per round only costs (measured: 12-15 % more CPU per event
            // in a backfill), so the round is one part.
            aggregatesPublished = pace.catchingUp(now);
            publishedBeforeComparisons = 0;
            roundWorkNanos = 0;
            roundPublished = 0;
            pace.roundStarted(now);
            roundCommits.roundStarted(this);
        }
        long started = System.nanoTime();
        Slice slice = publishFrom(roundCursor, now, started + PUBLISH_SLICE.toNanos(), !aggregatesPublished);
        roundWorkNanos += System.nanoTime() - started;
        roundPublished += slice.published();
        if (slice.lastKey() != null) roundCursor = slice.lastKey();
        if (slice.aggregatesDone() && !aggregatesPublished) {
            // Aggregates first, then comparisons: the aggregates become visible with the next commit of the
            // thread instead of after the comparisons (which cost more) and the whole round.
            aggregatesPublished = true;
            publishedBeforeComparisons = roundPublished;
            roundCommits.firstPartPublished(this, now, roundPublished > 0);
            if (roundCommits.commitNow(now)) context.commit();
        }
        if (!slice.finished()) return;
        roundCursor = null;
        pace.roundEnded(now, roundWorkNanos);
        roundCommits.roundEnded(this, now, pace.nextRoundMs(), roundPublished > publishedBeforeComparisons);
        // Visible to read-committed consumers now (with the other rounds of this thread that are due), not at
        // the next commit of the interval.
        if (roundCommits.commitNow(now)) context.commit();
    }

    /**
     * What one slice did: the last key it published (null if none), how many, whether none is left, and
     * whether every dirty cell (aggregate) of the round is published (comparisons may remain).
     */
    private record Slice(String lastKey, int published, boolean finished, boolean aggregatesDone) {}

    /**
     * Publishes the dirty keys after {@code from} ("" = from the first) until the deadline (System.nanoTime).
     * Cells ("c|") sort before comparisons ("k|"); with {@code stopAfterAggregates} the slice ends at the
     * first comparison, so the aggregates can be committed first.
     */
    private Slice publishFrom(String from, long timestamp, long deadlineNanos, boolean stopAfterAggregates) {
        List<String> done = new ArrayList<>();
        boolean finished = true;
        boolean aggregatesDone = true;
        try (KeyValueIterator<String, String> it = from.isEmpty() ? dirty.all() : dirty.range(from + "\0", null)) {
            Instant cut = currentCut();
            while (it.hasNext()) {
                if (!done.isEmpty() && System.nanoTime() > deadlineNanos) {
                    finished = false;
                    aggregatesDone = false;
                    break;
                }
                KeyValue<String, String> kv = it.next();
                if (stopAfterAggregates && kv.key.startsWith(COMPARISON_PREFIX)) {
                    finished = false;
                    break;
                }
                publishKey(kv, cut, timestamp);
                done.add(kv.key);
            }
        }
        done.forEach(dirty::delete);
        return new Slice(done.isEmpty() ? null : done.get(done.size() - 1), done.size(), finished, aggregatesDone || !stopAfterAggregates);
    }

    /** Publishes every dirty cell and comparison, then clears the marks. */
    private void publishDirty(long timestamp) {
        publishFrom("", timestamp, Long.MAX_VALUE, false);
    }

    private void publishKey(KeyValue<String, String> kv, Instant cut, long timestamp) {
        Long newest = newestInput.remove(kv.key);
        long ts = newest != null ? newest : timestamp;
        boolean cell = kv.key.startsWith(CELL_PREFIX);
        String key = kv.key.substring(cell ? CELL_PREFIX.length() : COMPARISON_PREFIX.length());
        CellOutput out;
        try {
            out = cell ? aggregateOf(key, cut) : comparisonOf(key, CMP_EXISTED.equals(kv.value));
        } catch (RuntimeException failure) {
            if (ErrorHandlers.infrastructure(failure)) throw failure;
            // Not published (the topic keeps its last value) and no longer due: its next change tries again.
            CellStatistics stats = cell ? cells.get(key) : null;
            forwardFailure(FailureStage.CELL_PUBLICATION, key, stats == null ? null : stats.toBytes(), "computing "
                    + (cell ? "aggregate " : "comparison ") + key + " for publication failed; not published: "
                    + ErrorHandlers.describe(failure), null, -1, -1, ts);
            return;
        }
        if (out != null && changedOnTopic(kv.key, published(out))) context.forward(new Record<>(key, out, ts));
    }

    /** The aggregate of a cell to publish, or its tombstone when the cell is gone. */
    private CellOutput aggregateOf(String key, Instant cut) {
        CellStatistics stats = cells.get(key);
        return new CellOutput.AggregateChanged(stats == null ? null : AggregateMapper.toArmAggregate(CellKey.parse(key), stats,
                completenessByCell.computeIfAbsent(key, this::readCompleteness), cut));
    }

    /** The comparison to publish, its tombstone when it existed and a side is gone, or null (nothing to publish). */
    private CellOutput comparisonOf(String key, boolean existed) {
        String[] parts = key.split("/", -1); // population/comparison/window/stratum
        Comparison c = Comparison.valueOf(parts[1]);
        CellStatistics first = cells.get(ComparisonMapper.firstCell(parts[0], c, parts[2], parts[3]).asText());
        CellStatistics second = cells.get(ComparisonMapper.secondCell(parts[0], c, parts[2], parts[3]).asText());
        if (ComparisonMapper.exists(first, second)) {
            return new CellOutput.ComparisonChanged(ComparisonMapper.toArmComparison(parts[0], c, parts[2], parts[3], first, second));
        }
        return existed ? new CellOutput.ComparisonChanged(null) : null;
    }

    /** The record a publication puts on its topic (null for a tombstone). */
    private static org.apache.avro.specific.SpecificRecord published(CellOutput out) {
        if (out instanceof CellOutput.AggregateChanged a) return a.aggregate();
        if (out instanceof CellOutput.ComparisonChanged c) return c.comparison();
        throw new IllegalArgumentException("not a publication: " + out);
    }

    /**
     * True when {@code value} (null: a tombstone) differs from what was last published under the key, and
     * then remembers it. Unknown keys count as changed (a state written before this store existed).
     */
    private boolean changedOnTopic(String key, org.apache.avro.specific.SpecificRecord value) {
        long digest = value == null ? TOMBSTONE : digest(value);
        Long last = published.get(key);
        if (last != null && last == digest) return false;
        published.put(key, digest);
        return true;
    }

    /** Avro's 64-bit Rabin fingerprint of the value's binary encoding (never 0, which marks a tombstone). */
    static long digest(org.apache.avro.specific.SpecificRecord value) {
        long d = org.apache.avro.SchemaNormalization.fingerprint64(org.spineoutcomes.serde.FingerprintedAvro.encode(value));
        return d == TOMBSTONE ? 1L : d;
    }

    private Instant currentCut() {
        return DataCut.current(cutStore, configuredCut).orElse(null);
    }

    /** Completeness depends on the cut, and aggregates carry it: when it moves, every cell is due again. */
    private void republishIfCutMoved(long now) {
        Instant cut = currentCut();
        if (cut == null || Objects.equals(cut, lastPublishedCut)) return;
        List<String> all = new ArrayList<>();
        try (KeyValueIterator<String, CellStatistics> it = cells.all()) {
            while (it.hasNext()) all.add(it.next().key);
        }
        // Marked, not published here: the next publication round takes them with the other dirty cells.
        for (String key : all) dirty.put(CELL_PREFIX + key, CELL);
        lastPublishedCut = cut;
        if (publishInterval.isZero()) publishDirty(now);
    }
}
