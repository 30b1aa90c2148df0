package org.spineoutcomes.stats;

/**
 * Names of the measures and flags that cells aggregate: the shared vocabulary between the
 * outcome package (which produces {@link Contribution}s) and the statistics (which sum them).
 * Field names on spine.arm-aggregates.v1 use the same names.
 */
public final class Measures {
    private Measures() {}

    // Score windows BASELINE..M24, one value per patient (R15-R17).
    public static final String PAIN = "pain";                       // 0-10 scale (R16)
    public static final String PAIN_RELIEF = "painRelief";          // baseline - follow-up
    public static final String PERCENT_RELIEF = "percentRelief";    // relief / baseline x 100
    public static final String ODI = "odi";
    public static final String ODI_CHANGE = "odiChange";            // follow-up - baseline
    public static final String RMDQ = "rmdq";                       // 24-item scale (23-item rescaled)
    public static final String RMDQ_CHANGE = "rmdqChange";
    public static final String EQ5D = "eq5d";
    public static final String EQ5D_CHANGE = "eq5dChange";
    /** Pair (baseline pain, follow-up pain) for ANCOVA (R32). */
    public static final String PAIN_PAIR = "painBaselineFollowUp";

    // Score-window flags (R18).
    public static final String MCID_2PT = "MCID_2PT";
    public static final String RELIEF_30PCT = "RELIEF_30PCT";
    public static final String RELIEF_50PCT = "RELIEF_50PCT";
    public static final String LOW_PAIN = "LOW_PAIN";

    // Imaging change from PRE in score windows D1..M24, one value per index level (R26).
    public static final String HEIGHT_CHANGE_ANTERIOR_MM = "heightChangeAnteriorMm";
    public static final String HEIGHT_CHANGE_MIDDLE_MM = "heightChangeMiddleMm";
    public static final String HEIGHT_CHANGE_POSTERIOR_MM = "heightChangePosteriorMm";
    public static final String KYPHOSIS_CHANGE_DEG = "kyphosisChangeDeg";

    // POST window, one value per index level (R20-R24).
    public static final String HEIGHT_LOSS_PCT_MAX = "heightLossPctMax";
    public static final String RESTORATION_PCT_ANTERIOR = "restorationPctAnterior";
    public static final String RESTORATION_PCT_MIDDLE = "restorationPctMiddle";
    public static final String RESTORATION_PCT_POSTERIOR = "restorationPctPosterior";
    public static final String HEIGHT_GAIN_ANTERIOR_MM = "heightGainAnteriorMm";
    public static final String HEIGHT_GAIN_MIDDLE_MM = "heightGainMiddleMm";
    public static final String HEIGHT_GAIN_POSTERIOR_MM = "heightGainPosteriorMm";
    public static final String KYPHOSIS_CORRECTION_DEG = "kyphosisCorrectionDeg";
    /** OVERALL window, one flag per index level: a cement leak reported at that level (R27). */
    public static final String CEMENT_LEAKAGE_PER_LEVEL = "CEMENT_LEAKAGE_PER_LEVEL";

    // OVERALL window, one per patient (R25, R27, R28).
    public static final String ANY_COMPLICATION = "ANY_COMPLICATION";
    /** Prefix of per-type complication flags: COMPLICATION_ + ComplicationType name. */
    public static final String COMPLICATION_PREFIX = "COMPLICATION_";
    public static final String FURTHER_COLLAPSE = "FURTHER_COLLAPSE";
    public static final String MEDICATION_STARTED = "MEDICATION_STARTED";
    public static final String DAYS_TO_MEDICATION = "daysToMedication";
}
