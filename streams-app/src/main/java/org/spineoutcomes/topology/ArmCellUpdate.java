package org.spineoutcomes.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.stats.CellStatistics;

/**
 * The new statistics of one arm's cell (null when the cell was deleted), travelling on the
 * comparison-cells repartition topic keyed by population/window/stratum.
 */
public record ArmCellUpdate(String arm, CellStatistics statistics) {

    public static Serde<ArmCellUpdate> serde() {
        return Serdes.serdeFrom((topic, u) -> u == null ? null : u.toBytes(), (topic, b) -> b == null ? null : fromBytes(b));
    }

    byte[] toBytes() {
        byte[] armBytes = arm.getBytes(StandardCharsets.UTF_8);
        byte[] stats = statistics == null ? new byte[0] : statistics.toBytes();
        return ByteBuffer.allocate(4 + armBytes.length + 1 + stats.length)
                .putInt(armBytes.length).put(armBytes).put((byte) (statistics == null ? 0 : 1)).put(stats).array();
    }

    static ArmCellUpdate fromBytes(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        byte[] armBytes = new byte[buf.getInt()];
        buf.get(armBytes);
        boolean present = buf.get() == 1;
        byte[] stats = new byte[buf.remaining()];
        buf.get(stats);
        return new ArmCellUpdate(new String(armBytes, StandardCharsets.UTF_8), present ? CellStatistics.fromBytes(stats) : null);
    }
}
