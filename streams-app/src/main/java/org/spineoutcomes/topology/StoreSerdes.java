package org.spineoutcomes.topology;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.stats.CellStatistics;

/** Serdes of the app's own state-store values (not part of the public contract). */
final class StoreSerdes {
    private StoreSerdes() {}

    static Serde<CellStatistics> cellStatistics() {
        return Serdes.serdeFrom((topic, s) -> s == null ? null : s.toBytes(), (topic, b) -> b == null ? null : CellStatistics.fromBytes(b));
    }
}
