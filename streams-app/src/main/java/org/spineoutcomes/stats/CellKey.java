package org.spineoutcomes.stats;

import java.util.Objects;

/**
 * One aggregate cell (docs/computation-rules.md R29): population x arm x window x stratum.
 * Plain strings so this package stays free of Avro and Kafka; the outcome package owns the vocabularies.
 * The text form {@code population/arm/window/stratum} is the record key on spine.arm-aggregates.v1.
 */
public record CellKey(String population, String arm, String window, String stratum) implements Comparable<CellKey> {

    public CellKey {
        Objects.requireNonNull(population, "population");
        Objects.requireNonNull(arm, "arm");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(stratum, "stratum");
    }

    public String asText() {
        return population + "/" + arm + "/" + window + "/" + stratum;
    }

    public static CellKey parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("cell key must be population/arm/window/stratum: " + text);
        }
        return new CellKey(parts[0], parts[1], parts[2], parts[3]);
    }

    @Override
    public int compareTo(CellKey o) {
        // Field by field, without building the key text (cell maps are on the hot path).
        int c = population.compareTo(o.population);
        if (c == 0) c = arm.compareTo(o.arm);
        if (c == 0) c = window.compareTo(o.window);
        if (c == 0) c = stratum.compareTo(o.stratum);
        return c;
    }

    @Override
    public String toString() {
        return asText();
    }
}
