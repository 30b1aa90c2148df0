package org.spineoutcomes.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;

/**
 * Keeps the sufficient statistics of every cell. A delta subtracts the patient's previous
 * contribution and adds the new one; with exact sums the result equals a batch recomputation
 * whatever the order. Publishes the cell's aggregate (tombstone when its last patient left, R30)
 * and hands the new statistics to the comparisons. Completeness depends on the data cut, so when
 * the cut moves every cell is re-published (checked on a wall-clock schedule).
 */
public final class CellAggregateProcessor implements Processor<String, CellDelta, String, Routed> {

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
    public void process(Record<String, CellDelta> record) {
        CellKey key = CellKey.parse(record.key());
        CellStatistics stats = cells.get(record.key());
        if (stats == null) stats = new CellStatistics();
        CellDelta delta = record.value();
        if (delta.before() != null) stats.subtract(delta.before());
        if (delta.after() != null) stats.add(delta.after());

        if (stats.isEmpty()) {
            cells.delete(record.key());
            context.forward(record.withValue(new Routed.AggregateChanged(null)));
            context.forward(new Record<>(comparisonKey(key), new Routed.ArmCellChanged(new ArmCellUpdate(key.arm(), null)), record.timestamp()));
        } else {
            cells.put(record.key(), stats);
            Instant cut = currentCut();
            context.forward(record.withValue(new Routed.AggregateChanged(AggregateMapper.toArmAggregate(key, stats, cut))));
            context.forward(new Record<>(comparisonKey(key), new Routed.ArmCellChanged(new ArmCellUpdate(key.arm(), stats)), record.timestamp()));
        }
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

    /** Comparisons pair arms within one population/window/stratum. */
    static String comparisonKey(CellKey key) {
        return key.population() + "/" + key.window() + "/" + key.stratum();
    }
}
