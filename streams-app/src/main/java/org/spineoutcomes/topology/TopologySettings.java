package org.spineoutcomes.topology;

import java.time.Duration;
import java.time.Instant;

/**
 * Choices that shape the topology (not the runtime): whether stores are persistent (RocksDB) or in
 * memory, a fixed data cut (null: the largest occurred-at seen, R2), and how often the aggregates
 * are re-published when the cut moves.
 */
public record TopologySettings(boolean persistentStores, Instant configuredDataCut, Duration cutRefresh) {

    public static TopologySettings defaults() {
        return new TopologySettings(true, null, Duration.ofSeconds(5));
    }

    public TopologySettings withInMemoryStores() {
        return new TopologySettings(false, configuredDataCut, cutRefresh);
    }

    public TopologySettings withDataCut(Instant cut) {
        return new TopologySettings(persistentStores, cut, cutRefresh);
    }
}
