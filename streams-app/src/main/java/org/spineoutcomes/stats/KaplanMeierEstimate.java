package org.spineoutcomes.stats;

import java.util.List;

/**
 * Kaplan-Meier estimate of one cell (R37).
 *
 * @param patients  patients in the cell
 * @param events    patients with an event
 * @param reported  the estimate at each of {@link KaplanMeier#REPORT_DAYS}, in that order
 * @param curve     the estimate just after each event day, ascending (the steps of the curve)
 */
public record KaplanMeierEstimate(long patients, long events, List<SurvivalPoint> reported, List<SurvivalPoint> curve) {}
