package org.spineoutcomes.topology;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;

/**
 * The net change of a set of cells of one population/window: per cell, the exact sum of the new
 * contributions minus the old ones of every patient update folded in (counts may be negative). The
 * patient step folds its updates into one batch per population/window and hands it on every flush
 * interval, so the cell step applies one merge per cell per flush instead of one per patient update;
 * with exact sums the result is the same as applying the updates one by one.
 *
 * <p>Mutable, not thread-safe. While changes are folded in, the cells are kept unsorted and their sums
 * not canonical (the fold is the patient step's largest cost); {@link #cells()} and {@link #toBytes()}
 * sort and canonicalise them first.
 */
public final class CellDeltaBatch {

    private final Map<CellKey, CellStatistics> net = new java.util.HashMap<>();
    /** False once a change was folded in without canonical sums. */
    private boolean canonical = true;

    /** The repartition key: population/window (comparisons need every arm and stratum of it in one task). */
    public static String groupKey(CellKey cell) {
        return cell.population() + "/" + cell.window();
    }

    /** Folds in one patient's change of one cell: its old contribution out, its new one in. */
    public CellDeltaBatch add(CellKey cell, CellDelta delta) {
        return add(cell, netOf(delta));
    }

    /**
     * Folds in a change already netted by {@link #netOf}: a patient's change is the same for every
     * stratum and population of a window, so it is netted once and merged into each of those cells.
     */
    public CellDeltaBatch add(CellKey cell, CellStatistics change) {
        CellStatistics s = net.computeIfAbsent(cell, k -> new CellStatistics());
        s.mergeUncanonical(change);
        canonical = false;
        if (s.isEmpty()) net.remove(cell);
        return this;
    }

    /** A patient's change of a cell as exact sums: the old contribution subtracted, the new one added. */
    public static CellStatistics netOf(CellDelta delta) {
        CellStatistics s = new CellStatistics();
        if (delta.before() != null && delta.after() != null) {
            // Only what changed: a follow-up usually changes some measures of a window, not all.
            s.subtract(delta.before().onlyWhereDifferentFrom(delta.after()));
            s.add(delta.after().onlyWhereDifferentFrom(delta.before()));
        } else if (delta.before() != null) {
            s.subtract(delta.before());
        } else if (delta.after() != null) {
            s.add(delta.after());
        }
        return s;
    }

    /** The cells by key, sorted, with canonical sums (read-only). */
    public Map<CellKey, CellStatistics> cells() {
        if (!canonical) {
            net.values().forEach(CellStatistics::canonicalise);
            canonical = true;
        }
        return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(net));
    }

    public boolean isEmpty() {
        return net.isEmpty();
    }

    /** Count, then per cell its key text and its statistics' bytes. */
    public byte[] toBytes() {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256 * Math.max(1, net.size()));
        write(out, ByteBuffer.allocate(4).putInt(net.size()).array());
        cells().forEach((k, s) -> {
            byte[] key = k.asText().getBytes(StandardCharsets.UTF_8);
            byte[] stats = s.toBytes();
            write(out, ByteBuffer.allocate(8).putInt(key.length).putInt(stats.length).array());
            write(out, key);
            write(out, stats);
        });
        return out.toByteArray();
    }

    public static CellDeltaBatch fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        CellDeltaBatch b = new CellDeltaBatch();
        int n = buf.getInt();
        for (int i = 0; i < n; i++) {
            byte[] key = new byte[buf.getInt()];
            byte[] stats = new byte[buf.getInt()];
            buf.get(key).get(stats);
            b.net.put(CellKey.parse(new String(key, StandardCharsets.UTF_8)), CellStatistics.fromBytes(stats));
        }
        return b;
    }

    private static void write(java.io.ByteArrayOutputStream out, byte[] b) {
        out.write(b, 0, b.length);
    }

    public static Serde<CellDeltaBatch> serde() {
        return Serdes.serdeFrom((topic, b) -> b == null ? null : b.toBytes(), (topic, b) -> b == null ? null : fromBytes(b));
    }
}
