package org.spineoutcomes.stats;

/**
 * Why a derived value is absent (never NaN, never a made-up number). The names are the strings
 * written to the output topics' {@code absentReason} fields.
 */
public enum AbsentReason {
    /** No unit with a value (n = 0): not even a mean (R31). */
    N_ZERO,
    /** Fewer than 2 units: no SD, no t interval (R31); for Welch, fewer than 2 in an arm (R32). */
    N_LT_2,
    /** Welch standard error is 0 (both arms constant), so no t interval (R32). */
    SE_ZERO,
    /** ANCOVA residual degrees of freedom n1 + n2 - 3 below 1 (R32). */
    DF_LT_1,
    /** ANCOVA: no within-arm variation of the covariate (pooled Sxx = 0) (R32). */
    SXX_ZERO,
    /** Completeness: no patient's window has elapsed at the data cut (R33). */
    NONE_DUE,
    /** Completeness: no data cut is known yet (R2). */
    NO_DATA_CUT,
    /** Standardised comparison: no covariate pattern has at least 2 patients with a value in each arm (R36). */
    NO_USABLE_PATTERN,
    /**
     * Standardised comparison: the variance over the usable patterns is 0 (R36); log-rank: V = 0 although
     * some patient had an event (R38).
     */
    ZERO_VARIANCE,
    /** Kaplan-Meier: no event up to the day, so S = 1 and no interval (R37); log-rank: no event in either arm (R38). */
    NO_EVENTS,
    /** Kaplan-Meier: S has reached 0, so no log(-log) interval (R37). */
    SURVIVAL_ZERO
}
