package org.spineoutcomes.stats;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A proportion over units where the flag is defined with its Wilson score 95% interval
 * (R31, z = 1.959963984540054). Absent (N_ZERO) when n = 0.
 */
public record ProportionEstimate(long n, long successes, OptionalDouble proportion, OptionalDouble wilsonLower,
                                 OptionalDouble wilsonUpper, Optional<AbsentReason> absentReason) {}
