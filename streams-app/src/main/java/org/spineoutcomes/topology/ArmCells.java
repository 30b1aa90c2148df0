package org.spineoutcomes.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.stats.CellStatistics;

/** The cells of each arm within one population/window/stratum (value of the comparison store). */
public record ArmCells(Map<String, CellStatistics> arms) {

    public static Serde<ArmCells> serde() {
        return Serdes.serdeFrom((topic, a) -> a == null ? null : a.toBytes(), (topic, b) -> b == null ? null : fromBytes(b));
    }

    byte[] toBytes() {
        Map<byte[], byte[]> encoded = new java.util.LinkedHashMap<>();
        int size = 4;
        for (Map.Entry<String, CellStatistics> e : new TreeMap<>(arms).entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().toBytes();
            encoded.put(k, v);
            size += 8 + k.length + v.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(size).putInt(encoded.size());
        encoded.forEach((k, v) -> buf.putInt(k.length).put(k).putInt(v.length).put(v));
        return buf.array();
    }

    static ArmCells fromBytes(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        int n = buf.getInt();
        Map<String, CellStatistics> arms = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[buf.getInt()];
            buf.get(k);
            byte[] v = new byte[buf.getInt()];
            buf.get(v);
            arms.put(new String(k, StandardCharsets.UTF_8), CellStatistics.fromBytes(v));
        }
        return new ArmCells(arms);
    }
}
