package org.spineoutcomes.stats;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Completeness at a data cut (R33): assessed / due among patients whose window has elapsed.
 * {@code completeness} is absent (reason NONE_DUE) when no window has elapsed.
 */
public record CompletenessEstimate(long due, long assessed, OptionalDouble completeness, Optional<AbsentReason> absentReason) {

    static CompletenessEstimate of(long due, long assessed) {
        if (due <= 0) {
            return new CompletenessEstimate(due, assessed, OptionalDouble.empty(), Optional.of(AbsentReason.NONE_DUE));
        }
        return new CompletenessEstimate(due, assessed, OptionalDouble.of((double) assessed / (double) due), Optional.empty());
    }
}
