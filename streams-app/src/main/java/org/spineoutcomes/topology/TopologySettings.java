package org.spineoutcomes.topology;

import java.time.Duration;
import java.time.Instant;

/**
 * Choices that shape the topology (not the runtime): whether stores are persistent (RocksDB) or in
 * memory, a fixed data cut (null: the largest occurred-at seen, R2), how often the aggregates are
 * re-published when the cut moves, and how often changed aggregates are published.
 */
public record TopologySettings(boolean persistentStores, Instant configuredDataCut, Duration cutRefresh, Duration publishInterval) {

    /**
     * Persistent stores, default data cut, cut checked every 5 s. Aggregates are published after
     * every record (publish interval zero); the runtime coalesces them instead (see {@link #withPublishInterval}).
     */
    public static TopologySettings defaults() {
        return new TopologySettings(true, null, Duration.ofSeconds(5), Duration.ZERO);
    }

    public TopologySettings withInMemoryStores() {
        return new TopologySettings(false, configuredDataCut, cutRefresh, publishInterval);
    }

    public TopologySettings withDataCut(Instant cut) {
        return new TopologySettings(persistentStores, cut, cutRefresh, publishInterval);
    }

    /** Publish changed cells and comparisons at most once per interval (wall clock); zero = after every record. */
    public TopologySettings withPublishInterval(Duration interval) {
        return new TopologySettings(persistentStores, configuredDataCut, cutRefresh, interval);
    }
}
