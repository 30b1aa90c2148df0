package org.spineoutcomes.topology;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.stats.CellStatistics;

/** Serdes of the app's own state-store values (not part of the public contract). */
final class StoreSerdes {
    private StoreSerdes() {}

    /** Two longs (patients, assessed), 16 bytes big-endian. */
    static Serde<org.spineoutcomes.stats.PatternStatistics> patternStatistics() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(),
                (topic, b) -> b == null ? null : org.spineoutcomes.stats.PatternStatistics.fromBytes(b));
    }

    static Serde<org.spineoutcomes.stats.SurvivalCounts> survivalCounts() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(),
                (topic, b) -> b == null ? null : org.spineoutcomes.stats.SurvivalCounts.fromBytes(b));
    }

    static Serde<CellStatistics> cellStatistics() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(), (topic, b) -> b == null ? null : CellStatistics.fromBytes(b));
    }
}
