package org.spineoutcomes.stats;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The Kaplan-Meier estimate at one day (R37).
 *
 * @param day             day number
 * @param atRisk          patients with time >= day
 * @param events          events on days <= day
 * @param survival        S(day), carried forward after the last event
 * @param greenwood       G = sum over event days <= day of d / (n (n - d)); absent once S = 0
 * @param ciLower         S^exp(+z se), se = sqrt(G) / |ln S|
 * @param ciUpper         S^exp(-z se)
 * @param ciAbsentReason  NO_EVENTS (S = 1) or SURVIVAL_ZERO (S = 0) when the interval is absent
 */
public record SurvivalPoint(int day, long atRisk, long events, double survival, OptionalDouble greenwood,
                            OptionalDouble ciLower, OptionalDouble ciUpper, Optional<AbsentReason> ciAbsentReason) {}
