package org.spineoutcomes.topology;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.spineoutcomes.outcome.AdjustedContributions;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.PatternContribution;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;
import org.spineoutcomes.stats.SurvivalTime;

/**
 * The net change of the R36 standardisation cells and the R37 Kaplan-Meier cells of one population: per
 * cell, the exact sums of the new contributions minus the old ones of every patient change folded in
 * (counts may be negative in a batch; the cells they are merged into never are, since a patient's old
 * contribution always reached them before). Keyed by population on the repartition topic, so each
 * comparison (two arms of one population) finds both its cells in one task.
 *
 * <p>Mutable, not thread-safe. Equal contents give equal bytes.
 */
public final class AdjustedDeltaBatch {

    private static final byte FORMAT = 1;

    private final TreeMap<CellKey, PatternStatistics> standardisation = new TreeMap<>();
    private final TreeMap<CellKey, SurvivalCounts> survival = new TreeMap<>();

    /**
     * One patient's change, per population: what its previous outcome (null: none) contributed to these
     * cells out, what its new one contributes in. Cells whose contribution is the same are left out; no
     * entry for a population without a change.
     */
    public static Map<String, AdjustedDeltaBatch> between(PatientOutcome before, PatientOutcome after) {
        Map<String, AdjustedDeltaBatch> byPopulation = new TreeMap<>();
        addBetween(before, after, population -> byPopulation.computeIfAbsent(population, p -> new AdjustedDeltaBatch()));
        byPopulation.values().removeIf(AdjustedDeltaBatch::isEmpty);
        return byPopulation;
    }

    /**
     * Folds the same change straight into the batch {@code batchOf} gives for each population with a changed cell
     * (the patient step folds every change of a flush this way, without a batch per patient to merge).
     */
    public static void addBetween(PatientOutcome before, PatientOutcome after, Function<String, AdjustedDeltaBatch> batchOf) {
        Function<PatientOutcome, Map<CellKey, PatternContribution>> patterns = AdjustedContributions::standardisation;
        Function<PatientOutcome, Map<CellKey, SurvivalTime>> times = AdjustedContributions::survival;
        netChanges(of(before, patterns), of(after, patterns), PatternStatistics::new, PatternStatistics::subtract, PatternStatistics::add,
                (cell, net) -> batchOf.apply(cell.population()).addStandardisation(cell, net));
        netChanges(of(before, times), of(after, times), SurvivalCounts::new, SurvivalCounts::subtract, SurvivalCounts::add,
                (cell, net) -> batchOf.apply(cell.population()).addSurvival(cell, net));
    }

    private static <V> Map<CellKey, V> of(PatientOutcome outcome, Function<PatientOutcome, Map<CellKey, V>> contributions) {
        return outcome == null ? Map.of() : contributions.apply(outcome);
    }

    /**
     * For every cell whose contribution differs between {@code before} and {@code after} (absent: none), the
     * net change (the old contribution subtracted, the new one added) handed to {@code into}, each cell once.
     * The cells of one outcome share their contribution objects (a window's ITT and as-treated cells, every
     * stratum's Kaplan-Meier cell), so a net is computed once per distinct (old, new) pair and handed to each of
     * its cells ({@code into} only reads it).
     */
    private static <V, S> void netChanges(Map<CellKey, V> before, Map<CellKey, V> after, Supplier<S> empty,
                                          BiConsumer<S, V> subtract, BiConsumer<S, V> add, BiConsumer<CellKey, S> into) {
        SharedNet<V, S> shared = new SharedNet<>();
        for (Map.Entry<CellKey, V> e : after.entrySet()) {
            V was = before.get(e.getKey());
            V now = e.getValue();
            if (java.util.Objects.equals(was, now)) continue;
            into.accept(e.getKey(), shared.of(was, now, empty, subtract, add));
        }
        for (Map.Entry<CellKey, V> e : before.entrySet()) {
            if (after.containsKey(e.getKey())) continue;
            into.accept(e.getKey(), shared.of(e.getValue(), null, empty, subtract, add));
        }
    }

    /** The net of the last (old, new) pair of contribution objects, computed again only for another pair. */
    private static final class SharedNet<V, S> {
        private V was;
        private V now;
        private S net;

        S of(V was, V now, Supplier<S> empty, BiConsumer<S, V> subtract, BiConsumer<S, V> add) {
            if (net != null && was == this.was && now == this.now) return net;
            S n = empty.get();
            if (was != null) subtract.accept(n, was);
            if (now != null) add.accept(n, now);
            this.was = was;
            this.now = now;
            this.net = n;
            return n;
        }
    }

    /** Folds in a net change of one standardisation cell ({@code net} is not kept). */
    public AdjustedDeltaBatch addStandardisation(CellKey cell, PatternStatistics net) {
        PatternStatistics s = standardisation.computeIfAbsent(cell, k -> new PatternStatistics());
        s.merge(net);
        if (s.isEmpty()) standardisation.remove(cell);
        return this;
    }

    /** Folds in a net change of one Kaplan-Meier cell ({@code net} is not kept). */
    public AdjustedDeltaBatch addSurvival(CellKey cell, SurvivalCounts net) {
        SurvivalCounts s = survival.computeIfAbsent(cell, k -> new SurvivalCounts());
        s.merge(net);
        if (s.isEmpty()) survival.remove(cell);
        return this;
    }

    /** Folds in every change of {@code other} ({@code other} is unchanged). */
    public AdjustedDeltaBatch merge(AdjustedDeltaBatch other) {
        other.standardisation.forEach(this::addStandardisation);
        other.survival.forEach(this::addSurvival);
        return this;
    }

    /** Standardisation cells (population/arm/window/ALL) with a net change. */
    public Map<CellKey, PatternStatistics> standardisation() {
        return java.util.Collections.unmodifiableMap(standardisation);
    }

    /** Kaplan-Meier cells (population/arm/OVERALL/stratum) with a net change. */
    public Map<CellKey, SurvivalCounts> survival() {
        return java.util.Collections.unmodifiableMap(survival);
    }

    public boolean isEmpty() {
        return standardisation.isEmpty() && survival.isEmpty();
    }

    // ---- bytes: format, then each map as count + (key text, value bytes) ----

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        out.write(FORMAT);
        writeMap(out, standardisation, PatternStatistics::toBytes);
        writeMap(out, survival, SurvivalCounts::toBytes);
        return out.toByteArray();
    }

    public static AdjustedDeltaBatch fromBytes(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(Objects.requireNonNull(bytes, "bytes"));
        if (buf.get() != FORMAT) throw new IllegalArgumentException("AdjustedDeltaBatch bytes: unknown format " + bytes[0]);
        AdjustedDeltaBatch b = new AdjustedDeltaBatch();
        readMap(buf, b.standardisation, PatternStatistics::fromBytes);
        readMap(buf, b.survival, SurvivalCounts::fromBytes);
        if (buf.hasRemaining()) throw new IllegalArgumentException("AdjustedDeltaBatch bytes: " + buf.remaining() + " bytes after the end");
        return b;
    }

    private static <V> void writeMap(ByteArrayOutputStream out, Map<CellKey, V> map, Function<V, byte[]> encode) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(map.size()).array());
        map.forEach((cell, value) -> {
            byte[] key = cell.asText().getBytes(StandardCharsets.UTF_8);
            byte[] v = encode.apply(value);
            out.writeBytes(ByteBuffer.allocate(8).putInt(key.length).putInt(v.length).array());
            out.writeBytes(key);
            out.writeBytes(v);
        });
    }

    private static <V> void readMap(ByteBuffer buf, Map<CellKey, V> into, Function<byte[], V> decode) {
        int n = buf.getInt();
        for (int i = 0; i < n; i++) {
            byte[] key = new byte[buf.getInt()];
            byte[] value = new byte[buf.getInt()];
            buf.get(key).get(value);
            into.put(CellKey.parse(new String(key, StandardCharsets.UTF_8)), decode.apply(value));
        }
    }

    public static Serde<AdjustedDeltaBatch> serde() {
        return Serdes.serdeFrom((topic, b) -> b == null ? null : b.toBytes(), (topic, b) -> b == null ? null : fromBytes(b));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdjustedDeltaBatch b && standardisation.equals(b.standardisation) && survival.equals(b.survival);
    }

    @Override
    public int hashCode() {
        return Objects.hash(standardisation, survival);
    }

    @Override
    public String toString() {
        return "AdjustedDeltaBatch{standardisation=" + standardisation + ", survival=" + survival + "}";
    }
}
