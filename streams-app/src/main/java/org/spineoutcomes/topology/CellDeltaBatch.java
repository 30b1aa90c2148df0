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
    /**
     * Changes folded per set of cells that received the same change: a patient's change of a window goes to
     * each of its strata (and arms) alike, so it is merged once into its cell set's sum here, and each sum is
     * spread over its cells only when the batch is read or handed on ({@link #spread}). Same exact sums.
     */
    private final Map<CellSet, CellStatistics> byCellSet = new java.util.HashMap<>();
    /** False once a change was folded in without canonical sums. */
    private boolean canonical = true;

    /** Cells that receive one change alike, in ascending order; hashed once. */
    public static final class CellSet {
        private final CellKey[] cells;
        private final int hash;

        /** {@code cells} ascending and without repeats (as a patient's sorted cell changes give them). */
        public CellSet(java.util.List<CellKey> cells) {
            this.cells = cells.toArray(new CellKey[0]);
            for (int i = 1; i < this.cells.length; i++) {
                if (this.cells[i - 1].compareTo(this.cells[i]) >= 0) {
                    throw new IllegalArgumentException("cells of a set must be ascending and distinct: " + cells);
                }
            }
            this.hash = java.util.Arrays.hashCode(this.cells);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CellSet other && hash == other.hash && java.util.Arrays.equals(cells, other.cells);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return java.util.Arrays.toString(cells);
        }
    }

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

    /**
     * Folds in one change that every cell of {@code cells} receives alike (a patient's netted change of a
     * window, for each of its strata): one merge now, one per cell of the set when the batch is read.
     */
    public CellDeltaBatch add(CellSet cells, CellStatistics change) {
        if (cells.cells.length == 1) return add(cells.cells[0], change);
        byCellSet.computeIfAbsent(cells, k -> new CellStatistics()).mergeUncanonical(change);
        canonical = false;
        return this;
    }

    /** Merges each cell set's folded change into its cells; a cell whose net change is zero is dropped. */
    private void spread() {
        if (byCellSet.isEmpty()) return;
        byCellSet.forEach((set, change) -> {
            if (change.isEmpty()) return;
            for (CellKey cell : set.cells) add(cell, change);
        });
        byCellSet.clear();
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
        spread();
        if (!canonical) {
            net.values().forEach(CellStatistics::canonicalise);
            canonical = true;
        }
        return java.util.Collections.unmodifiableSortedMap(new TreeMap<>(net));
    }

    public boolean isEmpty() {
        spread();
        return net.isEmpty();
    }

    /** Count, then per cell its key text and its statistics' bytes. */
    public byte[] toBytes() {
        Map<CellKey, CellStatistics> cells = cells();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256 * Math.max(1, cells.size()));
        write(out, ByteBuffer.allocate(4).putInt(cells.size()).array());
        cells.forEach((k, s) -> {
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
