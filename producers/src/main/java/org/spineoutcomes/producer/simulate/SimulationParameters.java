package org.spineoutcomes.producer.simulate;

import java.time.LocalDate;

/**
 * Everything the cohort simulator draws from. Defaults follow docs/clinical-definitions.md "Typical magnitudes";
 * where docs/clinical-definitions.md gives a range the default is its midpoint, and values it does not give are
 * conventions of this simulator (marked "convention").
 *
 * <p>Pain means are the expected <em>observed</em> NRS (integer 0-10) means per ITT arm: the simulator
 * calibrates its latent normal so that rounding and clipping to 0-10 do not shift them.
 *
 * @param patients             number of patients
 * @param seed                 random seed: the same parameters and seed give the same events, byte for byte
 * @param studyStart           first possible index date
 * @param enrolmentDays        index dates are uniform over [studyStart, studyStart + enrolmentDays)
 * @param shareVertebroplasty  share of patients whose first treatment is VP (the four shares are normalised)
 * @param shareKyphoplasty     share KP
 * @param shareConservative    share conservative care
 * @param shareOpenSurgery     share open surgery (convention: 10%)
 * @param baselinePainMean     baseline NRS mean (7.5)
 * @param baselinePainSd       baseline NRS SD of the latent normal (1.5-2, default 1.75)
 * @param painChangeSd         SD of (baseline - follow-up) on the latent scale (about 3)
 * @param painBaselineCorrelation regression of follow-up on baseline pain (convention 0.4)
 * @param painM1Vertebroplasty VP mean NRS at 1 month (about 3.5; Evans 2016: 3.6)
 * @param painM12Vertebroplasty VP at 12 months (2.5-3)
 * @param painM1Kyphoplasty    KP at 1 month (Evans 2016: 3.4)
 * @param painM12Kyphoplasty   KP at 12 months
 * @param painM1Conservative   conservative at 1 month (about 5)
 * @param painM12Conservative  conservative at 12 months (3.5-4)
 * @param painM1OpenSurgery    open surgery at 1 month (convention)
 * @param painM12OpenSurgery   open surgery at 12 months (convention)
 * @param kyphosisCorrectionVertebroplasty mean angle_pre - angle_post, degrees (1.5-2)
 * @param kyphosisCorrectionKyphoplasty    (4-5)
 * @param kyphosisCorrectionOpenSurgery    (convention 6)
 * @param kyphosisCorrectionSd SD of the correction (convention 2.5)
 * @param attritionM1          share of patients without the 1-month assessment (5-15%)
 * @param attritionM12         without the 12-month assessment (15-25%); dropout is monotone
 * @param attritionM24         without the 24-month assessment (convention 30%)
 * @param crossoverShare       share of conservative patients who later get VP or KP (INVEST: 51% by 3 months)
 * @param leakagePerLevelVertebroplasty cement leakage per treated level, VP (39-55%)
 * @param leakagePerLevelKyphoplasty    KP (18-29%)
 * @param newFractureShare     patients with a new vertebral fracture within 12 months (12-25%)
 * @param osteoporosisMedicationShare patients who start osteoporosis medication (convention 45%)
 * @param lateShare            share of events that arrive late (recorded 20-120 days after they occurred, emitted later in the stream)
 * @param outOfOrderShare      share of patients whose events are emitted in shuffled order
 * @param correctionShare      share of assessments first sent with a wrong pain score and then corrected
 * @param retractionShare      share of patients with a spurious event that is later retracted
 * @param duplicateShare       share of events sent twice, byte-identical
 * @param invalidShare         share of events followed by an extra invalid event (NRS 11, height 75 mm, ...)
 * @param confounding          when true, lower baseline pain and younger age make kyphoplasty more likely
 * @param sourceSystem         value of sourceSystem on every event
 */
public record SimulationParameters(
        int patients, long seed, LocalDate studyStart, int enrolmentDays,
        double shareVertebroplasty, double shareKyphoplasty, double shareConservative, double shareOpenSurgery,
        double baselinePainMean, double baselinePainSd, double painChangeSd, double painBaselineCorrelation,
        double painM1Vertebroplasty, double painM12Vertebroplasty,
        double painM1Kyphoplasty, double painM12Kyphoplasty,
        double painM1Conservative, double painM12Conservative,
        double painM1OpenSurgery, double painM12OpenSurgery,
        double kyphosisCorrectionVertebroplasty, double kyphosisCorrectionKyphoplasty,
        double kyphosisCorrectionOpenSurgery, double kyphosisCorrectionSd,
        double attritionM1, double attritionM12, double attritionM24,
        double crossoverShare, double leakagePerLevelVertebroplasty, double leakagePerLevelKyphoplasty,
        double newFractureShare, double osteoporosisMedicationShare,
        double lateShare, double outOfOrderShare, double correctionShare, double retractionShare,
        double duplicateShare, double invalidShare, boolean confounding, String sourceSystem) {

    public SimulationParameters {
        if (patients < 0) throw new IllegalArgumentException("patients must be >= 0, got " + patients);
        if (enrolmentDays < 1) throw new IllegalArgumentException("enrolmentDays must be >= 1, got " + enrolmentDays);
        if (baselinePainSd <= 0) throw new IllegalArgumentException("baselinePainSd must be > 0");
        double residual = painChangeSd * painChangeSd
                - baselinePainSd * baselinePainSd * (1 - painBaselineCorrelation) * (1 - painBaselineCorrelation);
        if (residual <= 0) {
            throw new IllegalArgumentException("painChangeSd too small for baselinePainSd and painBaselineCorrelation");
        }
        requireShare("invalidShare", invalidShare);
        requireShare("duplicateShare", duplicateShare);
        requireShare("lateShare", lateShare);
        requireShare("outOfOrderShare", outOfOrderShare);
        requireShare("correctionShare", correctionShare);
        requireShare("retractionShare", retractionShare);
        requireShare("crossoverShare", crossoverShare);
        requireShare("attritionM1", attritionM1);
        requireShare("attritionM12", attritionM12);
        requireShare("attritionM24", attritionM24);
        if (!(attritionM1 <= attritionM12 && attritionM12 <= attritionM24)) {
            throw new IllegalArgumentException("attrition must not decrease over time (M1 <= M12 <= M24)");
        }
        if (shareVertebroplasty < 0 || shareKyphoplasty < 0 || shareConservative < 0 || shareOpenSurgery < 0
                || shareVertebroplasty + shareKyphoplasty + shareConservative + shareOpenSurgery <= 0) {
            throw new IllegalArgumentException("arm shares must be >= 0 and not all 0");
        }
    }

    private static void requireShare(String name, double value) {
        if (!(value >= 0 && value <= 1)) throw new IllegalArgumentException(name + " must be in [0, 1], got " + value);
    }

    /** Defaults from docs/clinical-definitions.md for the given cohort size and seed. */
    public static SimulationParameters defaults(int patients, long seed) {
        return new SimulationParameters(patients, seed, LocalDate.of(2022, 1, 1), 730,
                0.30, 0.30, 0.30, 0.10,
                7.5, 1.75, 3.0, 0.4,
                3.6, 2.75, 3.4, 2.75, 5.0, 3.75, 4.0, 3.0,
                1.75, 4.5, 6.0, 2.5,
                0.10, 0.20, 0.30,
                0.40, 0.47, 0.235,
                0.18, 0.45,
                0.03, 0.05, 0.03, 0.01, 0.02, 0.01, false, "simulator");
    }

    public SimulationParameters withInvalidShare(double share) {
        return new SimulationParameters(patients, seed, studyStart, enrolmentDays, shareVertebroplasty, shareKyphoplasty,
                shareConservative, shareOpenSurgery, baselinePainMean, baselinePainSd, painChangeSd, painBaselineCorrelation,
                painM1Vertebroplasty, painM12Vertebroplasty, painM1Kyphoplasty, painM12Kyphoplasty, painM1Conservative,
                painM12Conservative, painM1OpenSurgery, painM12OpenSurgery, kyphosisCorrectionVertebroplasty,
                kyphosisCorrectionKyphoplasty, kyphosisCorrectionOpenSurgery, kyphosisCorrectionSd, attritionM1,
                attritionM12, attritionM24, crossoverShare, leakagePerLevelVertebroplasty, leakagePerLevelKyphoplasty,
                newFractureShare, osteoporosisMedicationShare, lateShare, outOfOrderShare, correctionShare,
                retractionShare, duplicateShare, share, confounding, sourceSystem);
    }

    public SimulationParameters withConfounding(boolean on) {
        return new SimulationParameters(patients, seed, studyStart, enrolmentDays, shareVertebroplasty, shareKyphoplasty,
                shareConservative, shareOpenSurgery, baselinePainMean, baselinePainSd, painChangeSd, painBaselineCorrelation,
                painM1Vertebroplasty, painM12Vertebroplasty, painM1Kyphoplasty, painM12Kyphoplasty, painM1Conservative,
                painM12Conservative, painM1OpenSurgery, painM12OpenSurgery, kyphosisCorrectionVertebroplasty,
                kyphosisCorrectionKyphoplasty, kyphosisCorrectionOpenSurgery, kyphosisCorrectionSd, attritionM1,
                attritionM12, attritionM24, crossoverShare, leakagePerLevelVertebroplasty, leakagePerLevelKyphoplasty,
                newFractureShare, osteoporosisMedicationShare, lateShare, outOfOrderShare, correctionShare,
                retractionShare, duplicateShare, invalidShare, on, sourceSystem);
    }

    public SimulationParameters withSourceSystem(String source) {
        return new SimulationParameters(patients, seed, studyStart, enrolmentDays, shareVertebroplasty, shareKyphoplasty,
                shareConservative, shareOpenSurgery, baselinePainMean, baselinePainSd, painChangeSd, painBaselineCorrelation,
                painM1Vertebroplasty, painM12Vertebroplasty, painM1Kyphoplasty, painM12Kyphoplasty, painM1Conservative,
                painM12Conservative, painM1OpenSurgery, painM12OpenSurgery, kyphosisCorrectionVertebroplasty,
                kyphosisCorrectionKyphoplasty, kyphosisCorrectionOpenSurgery, kyphosisCorrectionSd, attritionM1,
                attritionM12, attritionM24, crossoverShare, leakagePerLevelVertebroplasty, leakagePerLevelKyphoplasty,
                newFractureShare, osteoporosisMedicationShare, lateShare, outOfOrderShare, correctionShare,
                retractionShare, duplicateShare, invalidShare, confounding, source);
    }

    /** The "messiness" knobs set to zero: every event valid, unique, on time and in order. */
    public SimulationParameters clean() {
        return new SimulationParameters(patients, seed, studyStart, enrolmentDays, shareVertebroplasty, shareKyphoplasty,
                shareConservative, shareOpenSurgery, baselinePainMean, baselinePainSd, painChangeSd, painBaselineCorrelation,
                painM1Vertebroplasty, painM12Vertebroplasty, painM1Kyphoplasty, painM12Kyphoplasty, painM1Conservative,
                painM12Conservative, painM1OpenSurgery, painM12OpenSurgery, kyphosisCorrectionVertebroplasty,
                kyphosisCorrectionKyphoplasty, kyphosisCorrectionOpenSurgery, kyphosisCorrectionSd, attritionM1,
                attritionM12, attritionM24, crossoverShare, leakagePerLevelVertebroplasty, leakagePerLevelKyphoplasty,
                newFractureShare, osteoporosisMedicationShare, 0, 0, 0, 0, 0, 0, confounding, sourceSystem);
    }
}
