package org.spineoutcomes.outcome;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.Stratum;

/** The one-way strata a treated patient is counted in (docs/computation-rules.md R29), besides ALL. */
final class Strata {
    private Strata() {}

    /** R29 (docs/clinical-definitions.md, fracture age): onset at most 42 days before the index is LE_6W. */
    static final int FRACTURE_AGE_6W_DAYS = 42;
    /** R29: baseline pain at or above 8 on the 0-10 scale is the high-pain stratum. */
    static final BigDecimal BASELINE_PAIN_HIGH = BigDecimal.valueOf(8);
    /** R29: first age (years) of the 65-74 band. */
    static final int AGE_65_74_FROM = 65;
    /** R29: first age (years) of the 75-84 band. */
    static final int AGE_75_84_FROM = 75;
    /** R29: first age (years) of the 85-and-over band. */
    static final int AGE_GE_85_FROM = 85;

    /**
     * ALL, then each stratum whose input is known: fracture age, baseline pain, age band, sex. Any
     * unknown input (null) leaves its strata out.
     *
     * @param fractureAgeDays index date minus onset date (may be negative)
     * @param baselinePain exact pain on the 0-10 scale (R16)
     */
    static List<Stratum> of(Integer ageYears, Sex sex, Integer fractureAgeDays, BigDecimal baselinePain) {
        List<Stratum> s = new ArrayList<>();
        s.add(Stratum.ALL);
        // An onset after the index (negative age) is valid but in no fracture-age stratum.
        if (fractureAgeDays != null && fractureAgeDays >= 0) {
            s.add(fractureAgeDays <= FRACTURE_AGE_6W_DAYS ? Stratum.FRACTURE_AGE_LE_6W : Stratum.FRACTURE_AGE_GT_6W);
        }
        if (baselinePain != null) {
            s.add(baselinePain.compareTo(BASELINE_PAIN_HIGH) >= 0 ? Stratum.BASELINE_PAIN_GE_8 : Stratum.BASELINE_PAIN_LT_8);
        }
        if (ageYears != null) s.add(ageBand(ageYears));
        // Only F and M form sex strata; OTHER and UNKNOWN are in none.
        if (sex == Sex.F) s.add(Stratum.SEX_F);
        else if (sex == Sex.M) s.add(Stratum.SEX_M);
        return s;
    }

    private static Stratum ageBand(int years) {
        if (years < AGE_65_74_FROM) return Stratum.AGE_LT_65;
        if (years < AGE_75_84_FROM) return Stratum.AGE_65_74;
        if (years < AGE_GE_85_FROM) return Stratum.AGE_75_84;
        return Stratum.AGE_GE_85;
    }
}
