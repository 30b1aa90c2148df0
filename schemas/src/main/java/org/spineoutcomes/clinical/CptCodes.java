package org.spineoutcomes.clinical;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import org.spineoutcomes.schema.TreatmentArm;

/**
 * Treatment arm from CPT codes (docs/computation-rules.md R4), shared by validation and the outcome engine.
 * Pre-2015 codes 22520-22525 map whatever the event date. Unmapped codes are ignored when one maps.
 */
public final class CptCodes {
    private CptCodes() {}

    /** Precedence when one event or one instant carries several arms (R5): higher wins. */
    public static int precedence(TreatmentArm arm) {
        return switch (arm) {
            case OPEN_SURGERY -> 3;
            case KYPHOPLASTY -> 2;
            case VERTEBROPLASTY -> 1;
            case CONSERVATIVE -> 0;
        };
    }

    /** Orders arms by R5 precedence, highest first. */
    public static final Comparator<TreatmentArm> BY_PRECEDENCE_DESC =
            Comparator.comparingInt(CptCodes::precedence).reversed();

    /** The arm one CPT code identifies, if any. Codes are compared after trimming. */
    public static Optional<TreatmentArm> armOf(String code) {
        if (code == null) return Optional.empty();
        String c = code.trim();
        if (c.length() != 5 || !c.chars().allMatch(Character::isDigit)) return Optional.empty();
        int n = Integer.parseInt(c);
        if ((n >= 22510 && n <= 22512) || (n >= 22520 && n <= 22522)) return Optional.of(TreatmentArm.VERTEBROPLASTY);
        if ((n >= 22513 && n <= 22515) || (n >= 22523 && n <= 22525)) return Optional.of(TreatmentArm.KYPHOPLASTY);
        if (n == 22610 || n == 22612 || n == 22614 || (n >= 22840 && n <= 22843) || (n >= 63001 && n <= 63091)) {
            return Optional.of(TreatmentArm.OPEN_SURGERY);
        }
        return Optional.empty();
    }

    /**
     * The arm of a treatment event: the highest-precedence arm among its mapped codes (R5); else
     * CONSERVATIVE when it is a conservative-care start; else empty (the event is rejected, UNKNOWN_CODE).
     */
    public static Optional<TreatmentArm> armOfEvent(Collection<String> codes, boolean conservativeCareStart) {
        Optional<TreatmentArm> best = codes.stream()
                .map(CptCodes::armOf)
                .flatMap(Optional::stream)
                .min(BY_PRECEDENCE_DESC);
        if (best.isPresent()) return best;
        return conservativeCareStart ? Optional.of(TreatmentArm.CONSERVATIVE) : Optional.empty();
    }
}
