package org.spineoutcomes.aggregate;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.spineoutcomes.schema.ArmComparisonName;
import org.spineoutcomes.schema.TreatmentArm;

/**
 * The registry of between-arm comparisons (R32), each first minus second. Arms are the
 * {@link TreatmentArm} names, as in {@link org.spineoutcomes.stats.CellKey#arm()}.
 */
public enum Comparison {
    VP_vs_CONSERVATIVE(TreatmentArm.VERTEBROPLASTY, TreatmentArm.CONSERVATIVE),
    KP_vs_CONSERVATIVE(TreatmentArm.KYPHOPLASTY, TreatmentArm.CONSERVATIVE),
    KP_vs_VP(TreatmentArm.KYPHOPLASTY, TreatmentArm.VERTEBROPLASTY);

    private final TreatmentArm firstArm;
    private final TreatmentArm secondArm;

    Comparison(TreatmentArm firstArm, TreatmentArm secondArm) {
        this.firstArm = firstArm;
        this.secondArm = secondArm;
    }

    /** Arm name of the minuend, e.g. "VERTEBROPLASTY". */
    public String first() { return firstArm.name(); }

    /** Arm name of the subtrahend, e.g. "CONSERVATIVE". */
    public String second() { return secondArm.name(); }

    public TreatmentArm firstArm() { return firstArm; }

    public TreatmentArm secondArm() { return secondArm; }

    public boolean involves(String arm) {
        return first().equals(arm) || second().equals(arm);
    }

    /** Comparisons whose result changes when the cell of this arm changes (none for OPEN_SURGERY). */
    public static List<Comparison> involving(String arm) {
        Objects.requireNonNull(arm, "arm");
        return Arrays.stream(values()).filter(c -> c.involves(arm)).toList();
    }

    public ArmComparisonName toSchema() {
        return ArmComparisonName.valueOf(name());
    }
}
