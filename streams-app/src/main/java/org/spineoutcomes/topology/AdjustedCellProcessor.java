package org.spineoutcomes.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.spineoutcomes.aggregate.AdjustedComparisonMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.TimeToEventMapper;
import org.spineoutcomes.outcome.AdjustedContributions;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;

/**
 * The cells of the standardised comparison (R36: population/arm/window, per-pattern exact sums) and of
 * the time to first new vertebral fracture (R37: population/arm/stratum, per-day counts) of the
 * populations assigned to this task, and the records derived from them: {@code AdjustedComparison} per
 * population/comparison/window/measure on spine.adjusted-comparisons.v1, and {@code TimeToEvent} per
 * Kaplan-Meier cell and per log-rank pair on spine.time-to-event.v1.
 *
 * <p>Each input is one population's net change ({@link AdjustedDeltaBatch}); with exact sums the cells
 * equal a batch recomputation whatever the order and folding of the changes. Every record a change can
 * move is marked in a logged store (with whether it existed before the change, so a record that ceases
 * to exist is tombstoned, R30, and one that never existed is not) and published later: after every
 * input when the publish interval is zero, else in rounds on the wall clock, at most one per interval.
 * Under load a round's cost sets the pause before the next ({@link PublicationPace}, as in the cell step,
 * and at least the interval), so the derived statistics cannot crowd out the merging; a round also runs in slices
 * of {@link #SLICE}, so the tasks on the same thread keep going between them. Once no change arrived for
 * an interval the next round runs at once: final values come out as soon as the input stops. None of
 * these records depends on the data cut.
 */
public final class AdjustedCellProcessor implements Processor<String, AdjustedDeltaBatch, String, AdjustedOutput> {

    /** Dirty-store key prefixes: standardised comparison, Kaplan-Meier cell, log-rank pair (then the record key). */
    static final String ADJUSTED = "a|";
    static final String KAPLAN_MEIER = "k|";
    static final String LOG_RANK = "r|";
    /** Dirty-store values: whether the record existed when the first change since its last publication came in. */
    private static final String EXISTED = "existed";
    private static final String ABSENT = "absent";

    static final Duration SLICE = Duration.ofMillis(20);
    private static final Duration MAX_CHECK = Duration.ofMillis(50);

    private final String patternStore;
    private final String survivalStore;
    private final String dirtyStore;
    private final Duration publishInterval;
    /** When the next round may start: as the cell step's, and at least an interval after the last. */
    private final PublicationPace pace;
    private ProcessorContext<String, AdjustedOutput> context;
    private KeyValueStore<String, PatternStatistics> patternCells;
    private KeyValueStore<String, SurvivalCounts> survivalCells;
    private KeyValueStore<String, String> dirty;
    /** Newest input timestamp per dirty key, carried by its publication (in memory: after a restart, the publication time). */
    private final Map<String, Long> newestInput = new HashMap<>();

    /** The round in progress: the last key it published ("" before the first); null between rounds. */
    private String cursor;
    private long roundNanos;
    private long lastInputMs;
    private int roundPublished;

    /**
     * @param publishInterval zero: publish after every record; else how long the input must have been
     *                        quiet for the marked records to come out at once
     * @param liveInterval    while input flows, rounds start at least this far apart (not below the publish
     *                        interval): these records cost the most to derive (a whole survival curve each)
     * @param ownThreads      true when the step runs on threads of its own (the cell stage of a split app):
     *                        publication may take more of them
     */
    public AdjustedCellProcessor(String patternStore, String survivalStore, String dirtyStore, Duration publishInterval, Duration liveInterval,
                                 boolean ownThreads) {
        this.patternStore = patternStore;
        this.survivalStore = survivalStore;
        this.dirtyStore = dirtyStore;
        this.publishInterval = publishInterval;
        this.pace = new PublicationPace(liveInterval, publishInterval, ownThreads ? PublicationPace.OWN_THREADS_COST_FACTOR : PublicationPace.COST_FACTOR);
    }

    @Override
    public void init(ProcessorContext<String, AdjustedOutput> context) {
        this.context = context;
        this.patternCells = context.getStateStore(patternStore);
        this.survivalCells = context.getStateStore(survivalStore);
        this.dirty = context.getStateStore(dirtyStore);
        newestInput.clear();
        cursor = null;
        if (!publishInterval.isZero()) {
            roundCommits = RoundCommits.ofCurrentThread();
            roundCommits.join(this, pace.nextRoundMs());
            Duration check = publishInterval.compareTo(MAX_CHECK) < 0 ? publishInterval : MAX_CHECK;
            context.schedule(check, PunctuationType.WALL_CLOCK_TIME, this::publishWhenDue);
        }
    }

    @Override
    public void process(Record<String, AdjustedDeltaBatch> record) {
        lastInputMs = context.currentSystemTimeMs();
        pace.input(lastInputMs, record.timestamp());
        AdjustedDeltaBatch batch = record.value();
        long ts = record.timestamp();
        // Marks first, while the stores still hold the state before this batch.
        for (CellKey cell : batch.standardisation().keySet()) {
            for (Comparison c : Comparison.involving(cell.arm())) {
                for (String measure : AdjustedContributions.STANDARDISED_MEASURES) {
                    mark(ADJUSTED + AdjustedComparisonMapper.key(cell.population(), c, cell.window(), measure), ts,
                            () -> AdjustedComparisonMapper.exists(pattern(cell.population(), c.first(), cell.window()),
                                    pattern(cell.population(), c.second(), cell.window()), measure));
                }
            }
        }
        for (CellKey cell : batch.survival().keySet()) {
            mark(KAPLAN_MEIER + TimeToEventMapper.kaplanMeierKey(cell), ts, () -> survival(cell) != null);
            for (Comparison c : Comparison.involving(cell.arm())) {
                mark(LOG_RANK + TimeToEventMapper.logRankKey(cell.population(), c, cell.stratum()), ts,
                        () -> survival(survivalCell(cell.population(), c.first(), cell.stratum())) != null
                                && survival(survivalCell(cell.population(), c.second(), cell.stratum())) != null);
            }
        }
        mergeInto(patternCells, batch.standardisation(), PatternStatistics::new, PatternStatistics::merge, PatternStatistics::isEmpty);
        mergeInto(survivalCells, batch.survival(), SurvivalCounts::new, SurvivalCounts::merge, SurvivalCounts::isEmpty);
        if (publishInterval.isZero()) publish("", Long.MAX_VALUE, ts);
    }

    /** Merges each net change into its cell (a copy of the stored one: the store may hand out the object it caches); empty cells go. */
    private static <S> void mergeInto(KeyValueStore<String, S> store, Map<CellKey, S> changes, java.util.function.Supplier<S> empty,
                                      java.util.function.BinaryOperator<S> merge, java.util.function.Predicate<S> isEmpty) {
        changes.forEach((cell, net) -> {
            S stored = store.get(cell.asText());
            S next = merge.apply(stored == null ? empty.get() : merge.apply(empty.get(), stored), net);
            if (isEmpty.test(next)) store.delete(cell.asText());
            else store.put(cell.asText(), next);
        });
    }

    private void mark(String key, long timestamp, BooleanSupplier existsNow) {
        if (dirty.get(key) == null) dirty.put(key, existsNow.getAsBoolean() ? EXISTED : ABSENT);
        newestInput.merge(key, timestamp, Math::max);
    }

    private PatternStatistics pattern(String population, String arm, String window) {
        return patternCells.get(new CellKey(population, arm, window, Stratum.ALL.name()).asText());
    }

    private static CellKey survivalCell(String population, String arm, String stratum) {
        return new CellKey(population, arm, Window.OVERALL.name(), stratum);
    }

    /** The cell's counts, or null when it has no patient. */
    private SurvivalCounts survival(CellKey cell) {
        SurvivalCounts s = survivalCells.get(cell.asText());
        return s == null || s.isEmpty() ? null : s;
    }

    // ------------------------------------------------------------------ publication

    /** The rounds of the thread this task runs on (null when publishing after every input). */
    private RoundCommits roundCommits;

    @Override
    public void close() {
        if (roundCommits != null) roundCommits.leave(this);
    }

    /** Wall-clock check: starts a round when due (or when the input has gone quiet), else goes on with the one in progress. */
    private void publishWhenDue(long now) {
        // A finished round of this thread may be waiting for the others before its commit.
        if (roundCommits.commitNow(now)) context.commit();
        if (cursor == null) {
            boolean quiet = now - lastInputMs >= publishInterval.toMillis();
            if (!pace.due(now) && !quiet) return;
            cursor = "";
            roundNanos = 0;
            roundPublished = 0;
            pace.roundStarted(now);
            roundCommits.roundStarted(this);
        }
        long started = System.nanoTime();
        String last = publish(cursor, started + SLICE.toNanos(), now);
        roundNanos += System.nanoTime() - started;
        if (last != null) {
            cursor = last;
            return;
        }
        cursor = null;
        pace.roundEnded(now, roundNanos);
        roundCommits.roundEnded(this, now, pace.nextRoundMs(), roundPublished > 0);
        // Visible to read-committed consumers now (with the other rounds of this thread that are due), not at
        // the next commit of the interval.
        if (roundCommits.commitNow(now)) context.commit();
    }

    /**
     * Publishes the marked records after {@code from} ("" = all) in key order until {@code deadlineNanos}
     * (at least one), and clears their marks. Returns the last key published when it stopped early, null
     * when none is left.
     */
    private String publish(String from, long deadlineNanos, long now) {
        List<KeyValue<String, String>> due = new ArrayList<>();
        boolean more = false;
        try (KeyValueIterator<String, String> it = from.isEmpty() ? dirty.all() : dirty.range(from + "\0", null)) {
            while (it.hasNext()) {
                if (!due.isEmpty() && System.nanoTime() > deadlineNanos) {
                    more = true;
                    break;
                }
                KeyValue<String, String> kv = it.next();
                publishOne(kv.key, EXISTED.equals(kv.value), now);
                due.add(kv);
            }
        }
        for (KeyValue<String, String> kv : due) dirty.delete(kv.key);
        roundPublished += due.size();
        return more ? due.get(due.size() - 1).key : null;
    }

    private void publishOne(String dirtyKey, boolean existed, long now) {
        Long newest = newestInput.remove(dirtyKey);
        long ts = newest != null ? newest : now;
        String key = dirtyKey.substring(2);
        String[] p = key.split("/", -1);
        if (dirtyKey.startsWith(ADJUSTED)) {
            // population/comparison/window/measure
            Comparison c = Comparison.valueOf(p[1]);
            PatternStatistics first = pattern(p[0], c.first(), p[2]);
            PatternStatistics second = pattern(p[0], c.second(), p[2]);
            if (AdjustedComparisonMapper.exists(first, second, p[3])) {
                forward(key, new AdjustedOutput.AdjustedComparisonChanged(
                        AdjustedComparisonMapper.toAdjustedComparison(p[0], c, p[2], p[3], first, second)), ts);
            } else if (existed) {
                forward(key, new AdjustedOutput.AdjustedComparisonChanged(null), ts);
            }
        } else if (dirtyKey.startsWith(KAPLAN_MEIER)) {
            // population/arm/stratum
            CellKey cell = survivalCell(p[0], p[1], p[2]);
            SurvivalCounts counts = survival(cell);
            if (counts != null) {
                forward(key, new AdjustedOutput.TimeToEventChanged(TimeToEventMapper.toKaplanMeier(cell, counts)), ts);
            } else if (existed) {
                forward(key, new AdjustedOutput.TimeToEventChanged(null), ts);
            }
        } else {
            // population/comparison/stratum
            Comparison c = Comparison.valueOf(p[1]);
            SurvivalCounts first = survival(survivalCell(p[0], c.first(), p[2]));
            SurvivalCounts second = survival(survivalCell(p[0], c.second(), p[2]));
            if (first != null && second != null) {
                forward(key, new AdjustedOutput.TimeToEventChanged(TimeToEventMapper.toLogRank(p[0], c, p[2], first, second)), ts);
            } else if (existed) {
                forward(key, new AdjustedOutput.TimeToEventChanged(null), ts);
            }
        }
    }

    private void forward(String key, AdjustedOutput value, long timestamp) {
        context.forward(new Record<>(key, value, timestamp));
    }
}
