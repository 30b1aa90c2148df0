package org.spineoutcomes.stats;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Mean, SD (n - 1) and 95% Student-t CI of one measure (R31). Mean needs n >= 1; SD and CI need
 * n >= 2; {@code absentReason} says why the absent ones are absent (empty when all are present).
 */
public record MeanEstimate(long n, OptionalDouble mean, OptionalDouble sd, OptionalDouble ciLower,
                           OptionalDouble ciUpper, Optional<AbsentReason> absentReason) {}
