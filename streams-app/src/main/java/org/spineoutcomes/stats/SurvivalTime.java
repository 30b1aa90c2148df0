package org.spineoutcomes.stats;

/**
 * One patient's time to first new vertebral fracture (R37): a day number {@code >= 0}, and whether the
 * fracture happened that day ({@code event}) or the patient was last observed that day (censored).
 */
public record SurvivalTime(int day, boolean event) {
    public SurvivalTime {
        if (day < 0) {
            throw new IllegalArgumentException("survival time must be a day number >= 0: " + day);
        }
    }
}
