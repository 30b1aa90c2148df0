package org.spineoutcomes.stats;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The standardised difference first minus second of one measure (R36), next to the crude Welch difference
 * of the same patients (R32).
 *
 * @param n1              patients of the first arm with a defined value, unclassified included
 * @param n2              the same for the second arm
 * @param usablePatterns  patterns with at least 2 such patients in each arm
 * @param usableN1        patients of the first arm in usable patterns
 * @param usableN2        the same for the second arm
 * @param share1          usableN1 / n1 (absent when n1 = 0)
 * @param share2          usableN2 / n2 (absent when n2 = 0)
 * @param sharePooled     (usableN1 + usableN2) / (n1 + n2) (absent when both are 0)
 * @param difference      sum over usable patterns of w_s (mean1_s - mean2_s)
 * @param variance        sum of w_s^2 (var1_s / n1_s + var2_s / n2_s); 0 with ZERO_VARIANCE
 * @param se              sqrt(variance)
 * @param ciLower         difference - z se, z = {@link Inference#Z_95}
 * @param ciUpper         difference + z se
 * @param absentReason    NO_USABLE_PATTERN or ZERO_VARIANCE (difference and CI absent), or N_ZERO when an arm has no value
 * @param crude           Welch difference over all patients with a defined value (R32)
 */
public record StandardisedEstimate(long n1, long n2, int usablePatterns, long usableN1, long usableN2,
                                   OptionalDouble share1, OptionalDouble share2, OptionalDouble sharePooled,
                                   OptionalDouble difference, OptionalDouble variance, OptionalDouble se,
                                   OptionalDouble ciLower, OptionalDouble ciUpper,
                                   Optional<AbsentReason> absentReason, WelchEstimate crude) {}
