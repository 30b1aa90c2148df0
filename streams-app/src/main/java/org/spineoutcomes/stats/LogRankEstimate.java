package org.spineoutcomes.stats;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Log-rank comparison first vs second (R38).
 *
 * @param patients1     patients of the first arm's cell
 * @param patients2     patients of the second arm's cell
 * @param observed1     O_A: events in the first arm
 * @param observed2     events in the second arm
 * @param expected1     E_A = sum d n_A / n over the event days of both arms
 * @param variance      V = sum d (n_A / n)(1 - n_A / n)(n - d) / (n - 1); a day with n = 1 adds 0
 * @param chiSquare     (O_A - E_A)^2 / V
 * @param pValue        upper tail of chi-square with 1 degree of freedom
 * @param hazardRatio   one-step estimate exp((O_A - E_A) / V)
 * @param hrLower       exp((O_A - E_A) / V - z / sqrt V)
 * @param hrUpper       exp((O_A - E_A) / V + z / sqrt V)
 * @param absentReason  NO_EVENTS (nobody had an event) or ZERO_VARIANCE (V = 0 otherwise): statistics absent
 */
public record LogRankEstimate(long patients1, long patients2, long observed1, long observed2, double expected1,
                              double variance, OptionalDouble chiSquare, OptionalDouble pValue,
                              OptionalDouble hazardRatio, OptionalDouble hrLower, OptionalDouble hrUpper,
                              Optional<AbsentReason> absentReason) {}
