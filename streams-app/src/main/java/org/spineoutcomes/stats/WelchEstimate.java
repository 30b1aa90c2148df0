package org.spineoutcomes.stats;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Difference of means first minus second with the Welch 95% CI (R32): SE = sqrt(s1^2/n1 + s2^2/n2),
 * Welch-Satterthwaite df (unrounded), t at 0.975. The difference needs n >= 1 per arm, SE, df and
 * CI need n >= 2 per arm; CI and df also need SE > 0.
 */
public record WelchEstimate(long n1, long n2, OptionalDouble mean1, OptionalDouble mean2, OptionalDouble meanDifference,
                            OptionalDouble se, OptionalDouble df, OptionalDouble ciLower, OptionalDouble ciUpper,
                            Optional<AbsentReason> absentReason) {}
