package org.spineoutcomes.validation;

import java.math.BigDecimal;
import java.util.Map;

/**
 * The allowed range of a decimal (Avro double) input field, one definition for the validator (which
 * checks the double of a Kafka record) and the NDJSON codec (which checks the decimal as written,
 * before it is rounded to a double, R35: VAS 100.0000000000000001 is above 100 even though its
 * nearest double is 100.0).
 *
 * @param max null when there is no upper bound
 */
public record FieldRange(ReasonCode reason, BigDecimal min, BigDecimal max, String unit) {

    /**
     * Each bound must be exactly a double that is written as the bound itself, so that {@link #contains(double)}
     * can compare doubles (see there): 0, 100 and -30 are; 0.1 is not a double; 2^60 is a double, but Java 17
     * writes it as 1.15292150460684698E18, above 2^60.
     */
    public FieldRange {
        requireDoubleWrittenAsItself(min, "min");
        if (max != null) requireDoubleWrittenAsItself(max, "max");
    }

    private static void requireDoubleWrittenAsItself(BigDecimal bound, String name) {
        if (bound == null) throw new IllegalArgumentException(name + " bound is missing");
        double d = bound.doubleValue();
        if (new BigDecimal(d).compareTo(bound) != 0 || BigDecimal.valueOf(d).compareTo(bound) != 0) {
            throw new IllegalArgumentException(name + " bound " + bound.toPlainString() + " is not a double written as itself");
        }
    }

    public static final FieldRange PAIN_VAS = of(ReasonCode.INVALID_PAIN_VAS, "0", "100", "mm");
    public static final FieldRange ODI = of(ReasonCode.INVALID_ODI, "0", "100", "percent");
    public static final FieldRange EQ5D = of(ReasonCode.INVALID_EQ5D, "-1", "1", "");
    public static final FieldRange HEIGHT = of(ReasonCode.INVALID_HEIGHT, "0", "60", "mm");
    public static final FieldRange ANGLE = of(ReasonCode.INVALID_ANGLE, "-30", "90", "degrees");
    public static final FieldRange CEMENT_VOLUME = of(ReasonCode.INVALID_VALUE, "0", null, "millilitres");

    private static final Map<String, FieldRange> BY_FIELD = Map.of(
            "painVas", PAIN_VAS,
            "odi", ODI,
            "eq5dIndex", EQ5D,
            "anteriorHeightMm", HEIGHT,
            "middleHeightMm", HEIGHT,
            "posteriorHeightMm", HEIGHT,
            "kyphoticAngleDeg", ANGLE,
            "cementVolumeMl", CEMENT_VOLUME);

    private static FieldRange of(ReasonCode reason, String min, String max, String unit) {
        return new FieldRange(reason, new BigDecimal(min), max == null ? null : new BigDecimal(max), unit);
    }

    /** The range of a field by its name (the last part of its path, e.g. "anteriorHeightMm"), or null. */
    public static FieldRange forField(String name) {
        return BY_FIELD.get(name);
    }

    /** Exact: compares the decimal itself. */
    public boolean contains(BigDecimal value) {
        return value.compareTo(min) >= 0 && (max == null || value.compareTo(max) <= 0);
    }

    /**
     * Compares the double; NaN and infinities are outside. The same answer as {@link #contains(BigDecimal)}
     * of the decimal the double is written as ({@code BigDecimal.valueOf}, R35), without making that decimal
     * (it was a sixtieth of the patient stage's time). Why: the written decimal rounds back to the double,
     * each bound is a double, and rounding to the nearest double is monotone; so the decimal lies above a
     * bound exactly when the double does, and a double equal to a bound is written as the bound (the
     * constructor checks both). {@code FieldRangeTest} checks both ways at every bound, its neighbours and at random.
     */
    public boolean contains(double value) {
        return Double.isFinite(value) && value >= min.doubleValue() && (max == null || value <= max.doubleValue());
    }

    /** "painVas is 100.1; it must be from 0 to 100 mm." for the value as written. */
    public String message(String field, String written) {
        String units = unit.isEmpty() ? "" : " " + unit;
        String allowed = max == null ? "a finite number of" + units + " >= " + min.toPlainString()
                : "from " + min.toPlainString() + " to " + max.toPlainString() + units;
        return field + " is " + written + "; it must be " + allowed + ".";
    }
}
