package org.spineoutcomes.topology;

import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.stats.CellStatistics;

/**
 * Holds, per population/window/stratum, the current statistics of each arm's cell, and publishes
 * the between-arm comparisons (R32) that involve the arm that changed. A comparison exists while
 * both of its cells exist; otherwise it is tombstoned.
 */
public final class ComparisonProcessor implements Processor<String, ArmCellUpdate, String, Routed> {

    private final String armCellsStore;
    private ProcessorContext<String, Routed> context;
    private KeyValueStore<String, ArmCells> store;

    public ComparisonProcessor(String armCellsStore) {
        this.armCellsStore = armCellsStore;
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        this.store = context.getStateStore(armCellsStore);
    }

    @Override
    public void process(Record<String, ArmCellUpdate> record) {
        String[] pws = record.key().split("/", -1);
        String population = pws[0];
        String window = pws[1];
        String stratum = pws[2];
        ArmCells current = store.get(record.key());
        Map<String, CellStatistics> arms = current == null ? new TreeMap<>() : new TreeMap<>(current.arms());
        ArmCellUpdate update = record.value();
        if (update.statistics() == null) arms.remove(update.arm());
        else arms.put(update.arm(), update.statistics());
        if (arms.isEmpty()) store.delete(record.key());
        else store.put(record.key(), new ArmCells(arms));

        for (Comparison comparison : Comparison.values()) {
            if (!comparison.involves(update.arm())) continue;
            String key = ComparisonMapper.key(population, comparison, window, stratum);
            CellStatistics first = arms.get(comparison.first());
            CellStatistics second = arms.get(comparison.second());
            if (first != null && second != null) {
                context.forward(new Record<>(key, new Routed.ComparisonChanged(
                        ComparisonMapper.toArmComparison(population, comparison, window, stratum, first, second)), record.timestamp()));
            } else if (current != null && current.arms().containsKey(comparison.first())
                    && current.arms().containsKey(comparison.second())) {
                // It existed before this update: delete it (R30).
                context.forward(new Record<>(key, new Routed.ComparisonChanged(null), record.timestamp()));
            }
        }
    }
}
