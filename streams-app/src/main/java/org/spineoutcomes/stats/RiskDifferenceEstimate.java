package org.spineoutcomes.stats;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Risk difference p1 - p2 with the Newcombe hybrid score 95% interval (Newcombe 1998 method 10,
 * from the two Wilson intervals; R32). Needs n >= 1 in both arms.
 */
public record RiskDifferenceEstimate(long n1, long n2, long successes1, long successes2, OptionalDouble p1,
                                     OptionalDouble p2, OptionalDouble difference, OptionalDouble ciLower,
                                     OptionalDouble ciUpper, Optional<AbsentReason> absentReason) {}
