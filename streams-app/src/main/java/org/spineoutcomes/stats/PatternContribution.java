package org.spineoutcomes.stats;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one patient adds to one arm's standardisation cell (R36: population x arm x window): its covariate
 * pattern and, per measure, its value where the value is defined (a flag as 0 or 1). A patient missing any
 * factor of the pattern is {@link #UNCLASSIFIED}: it counts in the denominator of the shares, never in a
 * pattern.
 *
 * @param pattern the pattern's name (e.g. {@code AGE_75_84/SEX_F/BASELINE_PAIN_GE_8/FRACTURE_AGE_LE_6W}),
 *                or {@link #UNCLASSIFIED}
 * @param values  measure name to value, only measures whose value is defined
 */
public record PatternContribution(String pattern, Map<String, Double> values) {

    /** The pattern name of patients with a missing factor; no real pattern has this name. */
    public static final String UNCLASSIFIED = "UNCLASSIFIED";

    public PatternContribution {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(values, "values");
        TreeMap<String, Double> copy = new TreeMap<>();
        values.forEach((measure, v) -> {
            if (v == null || !Double.isFinite(v)) {
                throw new IllegalArgumentException(measure + " is not a finite value: " + v);
            }
            copy.put(Objects.requireNonNull(measure, "measure"), v);
        });
        values = Collections.unmodifiableMap(copy);
    }

    public boolean classified() {
        return !UNCLASSIFIED.equals(pattern);
    }
}
