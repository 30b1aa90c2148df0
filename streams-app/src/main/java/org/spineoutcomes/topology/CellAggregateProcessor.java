package org.spineoutcomes.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;

/**
 * Keeps the sufficient statistics of every cell of the population/windows assigned to this task.
 * A delta subtracts the patient's previous contribution and adds the new one; with exact sums the
 * result equals a batch recomputation whatever the order. Publishes each changed cell (tombstone
 * when its last patient left, R30) and, since all arms of a population/window live in this task,
 * the comparisons (R32) of every stratum that changed: published while both cells exist,
 * tombstoned when one disappears. Completeness depends on the data cut, so when the cut moves every
 * cell is re-published (checked on a wall-clock schedule).
 */
public final class CellAggregateProcessor implements Processor<String, CellDeltas, String, Routed> {

    private final String cellStore;
    private final String dataCutStore;
    private final Instant configuredCut;
    private final Duration cutRefresh;
    private ProcessorContext<String, Routed> context;
    private KeyValueStore<String, CellStatistics> cells;
    private ReadOnlyKeyValueStore<String, Long> cutStore;
    private Instant lastPublishedCut;

    public CellAggregateProcessor(String cellStore, String dataCutStore, Instant configuredCut, Duration cutRefresh) {
        this.cellStore = cellStore;
        this.dataCutStore = dataCutStore;
        this.configuredCut = configuredCut;
        this.cutRefresh = cutRefresh;
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        this.cells = context.getStateStore(cellStore);
        this.cutStore = context.getStateStore(dataCutStore);
        context.schedule(cutRefresh, PunctuationType.WALL_CLOCK_TIME, this::republishIfCutMoved);
    }

    @Override
    public void process(Record<String, CellDeltas> record) {
        Instant cut = currentCut();
        Map<CellKey, Boolean> existedBefore = new TreeMap<>();
        TreeSet<String> touchedStrata = new TreeSet<>();
        String population = null;
        String window = null;
        for (Map.Entry<CellKey, CellDelta> e : record.value().cells().entrySet()) {
            CellKey key = e.getKey();
            population = key.population();
            window = key.window();
            touchedStrata.add(key.stratum());
            CellStatistics stats = cells.get(key.asText());
            existedBefore.put(key, stats != null);
            if (stats == null) stats = new CellStatistics();
            CellDelta delta = e.getValue();
            if (delta.before() != null) stats.subtract(delta.before());
            if (delta.after() != null) stats.add(delta.after());
            if (stats.isEmpty()) {
                cells.delete(key.asText());
                context.forward(new Record<>(key.asText(), new Routed.AggregateChanged(null), record.timestamp()));
            } else {
                cells.put(key.asText(), stats);
                context.forward(new Record<>(key.asText(), new Routed.AggregateChanged(AggregateMapper.toArmAggregate(key, stats, cut)), record.timestamp()));
            }
        }
        if (population == null) return;
        for (String stratum : touchedStrata) {
            for (Comparison c : Comparison.values()) {
                CellKey firstKey = ComparisonMapper.firstCell(population, c, window, stratum);
                CellKey secondKey = ComparisonMapper.secondCell(population, c, window, stratum);
                if (!existedBefore.containsKey(firstKey) && !existedBefore.containsKey(secondKey)) continue;
                CellStatistics first = cells.get(firstKey.asText());
                CellStatistics second = cells.get(secondKey.asText());
                String key = ComparisonMapper.key(population, c, window, stratum);
                if (ComparisonMapper.exists(first, second)) {
                    context.forward(new Record<>(key, new Routed.ComparisonChanged(
                            ComparisonMapper.toArmComparison(population, c, window, stratum, first, second)), record.timestamp()));
                } else if (existed(existedBefore, firstKey) && existed(existedBefore, secondKey)) {
                    // It existed before this update and one side is gone now: delete it (R30).
                    context.forward(new Record<>(key, new Routed.ComparisonChanged(null), record.timestamp()));
                }
            }
        }
    }

    /** Whether a cell existed before this record: as recorded when touched, else unchanged in the store. */
    private boolean existed(Map<CellKey, Boolean> existedBefore, CellKey key) {
        Boolean b = existedBefore.get(key);
        return b != null ? b : cells.get(key.asText()) != null;
    }

    private Instant currentCut() {
        return DataCut.current(cutStore, configuredCut).orElse(null);
    }

    private void republishIfCutMoved(long now) {
        Instant cut = currentCut();
        if (cut == null || Objects.equals(cut, lastPublishedCut)) return;
        try (KeyValueIterator<String, CellStatistics> it = cells.all()) {
            while (it.hasNext()) {
                KeyValue<String, CellStatistics> kv = it.next();
                CellKey key = CellKey.parse(kv.key);
                context.forward(new Record<>(kv.key, new Routed.AggregateChanged(AggregateMapper.toArmAggregate(key, kv.value, cut)), now));
            }
        }
        lastPublishedCut = cut;
    }
}
