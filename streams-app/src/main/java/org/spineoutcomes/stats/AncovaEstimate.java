package org.spineoutcomes.stats;

import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Baseline-adjusted difference first minus second (R32): y on x with a common within-arm slope,
 * over patients with both values; residual df = n1 + n2 - 3; needs n >= 1 per arm, df >= 1 and
 * pooled within-arm Sxx > 0.
 */
public record AncovaEstimate(long n1, long n2, OptionalDouble slope, OptionalDouble adjustedDifference,
                             OptionalDouble se, OptionalLong df, OptionalDouble ciLower, OptionalDouble ciUpper,
                             Optional<AbsentReason> absentReason) {}
