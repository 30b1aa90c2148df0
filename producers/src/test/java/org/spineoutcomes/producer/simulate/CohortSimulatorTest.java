package org.spineoutcomes.producer.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spineoutcomes.clinical.CptCodes;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.validation.EventValidator;

class CohortSimulatorTest {
    private static final Instant CLOCK = Instant.parse("2026-11-26T00:00:00Z");

    private static byte[] ndjson(SimulationParameters parameters) {
        NdjsonCodec codec = new NdjsonCodec();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new CohortSimulator(parameters).run(e -> out.writeBytes((codec.format(e) + "\n").getBytes(StandardCharsets.UTF_8)));
        return out.toByteArray();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 42, 987654321})
    void sameSeedGivesIdenticalNdjsonBytes(long seed) {
        SimulationParameters parameters = SimulationParameters.defaults(300, seed);
        byte[] first = ndjson(parameters);
        byte[] second = ndjson(parameters);
        assertTrue(first.length > 300 * 1000, "about 15 events of ~400 bytes per patient, got " + first.length + " bytes");
        assertTrue(java.util.Arrays.equals(first, second), "same seed must reproduce the same bytes");
        assertFalse(java.util.Arrays.equals(first, ndjson(SimulationParameters.defaults(300, seed + 1))),
                "another seed must give another cohort");
    }

    @Test
    void aPatientsEventsDoNotDependOnTheCohortSize() {
        // Patient 1's events are drawn from its own generator: a 1-patient and a 50-patient cohort agree on it.
        SimulationParameters small = SimulationParameters.defaults(1, 7).clean();
        SimulationParameters large = SimulationParameters.defaults(50, 7).clean();
        List<SpecificRecord> one = new CohortSimulator(small).events();
        List<SpecificRecord> firstOfMany = new CohortSimulator(large).events().stream()
                .filter(e -> e.get(1).equals(CohortSimulator.mrnOf(1))).toList();
        assertEquals(one, firstOfMany);
    }

    @Test
    void onlyTheDeliberatelyInvalidEventsFailValidation() {
        SimulationParameters parameters = SimulationParameters.defaults(2_000, 11).withInvalidShare(0.05);
        EventValidator validator = new EventValidator();
        int invalid = 0, total = 0;
        for (SpecificRecord e : new CohortSimulator(parameters).events()) {
            total++;
            boolean meantInvalid = e.get(0).toString().contains("-invalid");
            assertEquals(meantInvalid, !validator.validate(e, CLOCK).isEmpty(),
                    () -> "event " + e.get(0) + " violations " + validator.validate(e, CLOCK));
            if (meantInvalid) invalid++;
        }
        // One extra invalid event after a share of 5% of the others: invalid / (total - invalid) close to 0.05.
        // Binomial SE over ~30,000 events: sqrt(0.05 x 0.95 / 30000) = 0.0013; 0.01 is over 7 SE.
        double share = invalid / (double) (total - invalid);
        assertEquals(0.05, share, 0.01, "invalid share " + share);
    }

    /** The cohort as the stream would see it: duplicates dropped, corrections applied, retractions removed. */
    private static final class Resolved {
        final Map<String, List<ProcedureEvent>> procedures = new HashMap<>();
        final Map<String, List<ImagingEvent>> imaging = new HashMap<>();
        final Map<String, List<FollowUpEvent>> followUps = new HashMap<>();

        Resolved(List<SpecificRecord> events) {
            EventValidator validator = new EventValidator();
            Map<String, SpecificRecord> byId = new LinkedHashMap<>();
            for (SpecificRecord e : events) {
                if (!validator.validate(e, CLOCK).isEmpty()) continue;
                SpecificRecord seen = byId.putIfAbsent(e.get(0).toString(), e);
                if (seen != null) assertEquals(seen, e, "a repeated event id must carry identical content");
            }
            Map<String, SpecificRecord> logical = new LinkedHashMap<>(byId);
            for (SpecificRecord e : byId.values()) {
                if (e instanceof FollowUpEvent f && f.getCorrects() != null) {
                    logical.put(f.getCorrects(), FollowUpEvent.newBuilder(f).setEventId(f.getCorrects()).setCorrects(null).build());
                    logical.remove(f.getEventId());
                }
            }
            for (SpecificRecord e : byId.values()) {
                if (e instanceof FollowUpEvent f && f.getRetracts() != null) {
                    logical.remove(f.getRetracts());
                    logical.remove(f.getEventId());
                }
            }
            for (SpecificRecord e : logical.values()) {
                String patient = e.get(1).toString();
                if (e instanceof ProcedureEvent p) procedures.computeIfAbsent(patient, k -> new ArrayList<>()).add(p);
                else if (e instanceof ImagingEvent i) imaging.computeIfAbsent(patient, k -> new ArrayList<>()).add(i);
                else followUps.computeIfAbsent(patient, k -> new ArrayList<>()).add((FollowUpEvent) e);
            }
        }

        ProcedureEvent index(String patient) {
            return procedures.get(patient).stream().min((a, b) -> a.getOccurredAt().compareTo(b.getOccurredAt())).orElseThrow();
        }

        TreatmentArm ittArm(String patient) {
            ProcedureEvent p = index(patient);
            return CptCodes.armOfEvent(p.getCodes(), p.getConservativeCare() != null).orElseThrow();
        }
    }

    private static long dayNumber(Instant at, Instant index) {
        LocalDate a = at.atOffset(ZoneOffset.UTC).toLocalDate(), i = index.atOffset(ZoneOffset.UTC).toLocalDate();
        return ChronoUnit.DAYS.between(i, a);
    }

    /** Running mean and SD. */
    private static final class Stat {
        long n;
        double sum, sumSq;
        void add(double x) { n++; sum += x; sumSq += x * x; }
        double mean() { return sum / n; }
        double se() { double m = mean(); return Math.sqrt((sumSq / n - m * m) * n / (n - 1) / n); }
    }

    private static void assertMean(String what, double expected, Stat s) {
        // 4 standard errors: a correct model fails this by chance with probability 6e-5 per check.
        double tolerance = 4 * s.se();
        assertTrue(Math.abs(s.mean() - expected) <= tolerance,
                what + ": mean " + s.mean() + " over n=" + s.n + ", expected " + expected + " +- " + tolerance);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {2024, 77})
    void armLevelMeansMatchTheConfiguredParametersOver20000Patients(long seed) {
        SimulationParameters p = SimulationParameters.defaults(20_000, seed);
        Resolved cohort = new Resolved(new CohortSimulator(p).events());
        assertEquals(20_000, cohort.procedures.size(), "every patient has a treatment");

        Stat baseline = new Stat();
        Map<TreatmentArm, Stat> m1 = new EnumMap<>(TreatmentArm.class), m12 = new EnumMap<>(TreatmentArm.class);
        Map<TreatmentArm, Stat> correction = new EnumMap<>(TreatmentArm.class), leakage = new EnumMap<>(TreatmentArm.class);
        Map<TreatmentArm, Integer> patientsPerArm = new EnumMap<>(TreatmentArm.class);
        Stat missingM1 = new Stat(), missingM12 = new Stat(), newFracture = new Stat(), crossover = new Stat();
        for (TreatmentArm arm : TreatmentArm.values()) {
            m1.put(arm, new Stat()); m12.put(arm, new Stat()); correction.put(arm, new Stat()); leakage.put(arm, new Stat());
        }
        for (String patient : cohort.procedures.keySet()) {
            TreatmentArm arm = cohort.ittArm(patient);
            patientsPerArm.merge(arm, 1, Integer::sum);
            Instant index = cohort.index(patient).getOccurredAt();
            boolean hasM1 = false, hasM12 = false, fracture = false;
            for (FollowUpEvent f : cohort.followUps.getOrDefault(patient, List.of())) {
                for (Complication c : f.getComplications()) fracture |= c.getType() == ComplicationType.NEW_VERTEBRAL_FRACTURE;
                if (f.getPainNrs() == null) continue;
                long day = dayNumber(f.getOccurredAt(), index);
                if (day < 0) baseline.add(f.getPainNrs());
                if (day >= 15 && day <= 45) { m1.get(arm).add(f.getPainNrs()); hasM1 = true; }
                if (day >= 271 && day <= 540) { m12.get(arm).add(f.getPainNrs()); hasM12 = true; }
            }
            missingM1.add(hasM1 ? 0 : 1);
            missingM12.add(hasM12 ? 0 : 1);
            if (arm == TreatmentArm.CONSERVATIVE) crossover.add(cohort.procedures.get(patient).size() > 1 ? 1 : 0);

            List<VertebralLevel> levels = cohort.index(patient).getLevels();
            ImagingEvent pre = null, post = null;
            for (ImagingEvent i : cohort.imaging.getOrDefault(patient, List.of())) {
                if (i.getPhase() == ImagingPhase.PRE) pre = i;
                if (i.getPhase() == ImagingPhase.POST) post = i;
            }
            if (post != null) {
                int leaks = 0;
                for (FollowUpEvent f : cohort.followUps.getOrDefault(patient, List.of())) {
                    for (Complication c : f.getComplications()) if (c.getType() == ComplicationType.CEMENT_LEAKAGE) leaks++;
                }
                for (int k = 0; k < levels.size(); k++) leakage.get(arm).add(k < leaks ? 1 : 0);
                if (pre != null) {
                    for (VertebralLevel level : levels) {
                        correction.get(arm).add(angle(pre, level) - angle(post, level));
                    }
                }
            }
            if (arm != TreatmentArm.CONSERVATIVE || cohort.procedures.get(patient).size() == 1) newFracture.add(fracture ? 1 : 0);
        }

        // Arm shares 30/30/30/10 %: binomial SE for 20,000 patients sqrt(0.3 x 0.7 / 20000) = 0.0032.
        assertEquals(0.30, patientsPerArm.get(TreatmentArm.KYPHOPLASTY) / 20_000.0, 4 * 0.0032);
        assertEquals(0.10, patientsPerArm.get(TreatmentArm.OPEN_SURGERY) / 20_000.0, 4 * 0.0021);

        assertMean("baseline NRS", p.baselinePainMean(), baseline);
        assertMean("VP NRS at 1 month", p.painM1Vertebroplasty(), m1.get(TreatmentArm.VERTEBROPLASTY));
        assertMean("KP NRS at 1 month", p.painM1Kyphoplasty(), m1.get(TreatmentArm.KYPHOPLASTY));
        assertMean("conservative NRS at 1 month", p.painM1Conservative(), m1.get(TreatmentArm.CONSERVATIVE));
        assertMean("open surgery NRS at 1 month", p.painM1OpenSurgery(), m1.get(TreatmentArm.OPEN_SURGERY));
        assertMean("VP NRS at 12 months", p.painM12Vertebroplasty(), m12.get(TreatmentArm.VERTEBROPLASTY));
        assertMean("KP NRS at 12 months", p.painM12Kyphoplasty(), m12.get(TreatmentArm.KYPHOPLASTY));
        assertMean("conservative NRS at 12 months", p.painM12Conservative(), m12.get(TreatmentArm.CONSERVATIVE));

        assertMean("VP kyphosis correction", p.kyphosisCorrectionVertebroplasty(), correction.get(TreatmentArm.VERTEBROPLASTY));
        assertMean("KP kyphosis correction", p.kyphosisCorrectionKyphoplasty(), correction.get(TreatmentArm.KYPHOPLASTY));
        assertMean("VP cement leakage per level", p.leakagePerLevelVertebroplasty(), leakage.get(TreatmentArm.VERTEBROPLASTY));
        assertMean("KP cement leakage per level", p.leakagePerLevelKyphoplasty(), leakage.get(TreatmentArm.KYPHOPLASTY));
        assertMean("missing 1-month assessment", p.attritionM1(), missingM1);
        assertMean("missing 12-month assessment", p.attritionM12(), missingM12);
        assertMean("crossover among conservative", p.crossoverShare(), crossover);
        // New fractures are only seen when a visit follows them: reported share below the true 18%, above half of it.
        assertTrue(newFracture.mean() > p.newFractureShare() / 2 && newFracture.mean() <= p.newFractureShare() + 4 * newFracture.se(),
                "reported new-fracture share " + newFracture.mean());
    }

    @Test
    void confoundingSendsLowerPainPatientsToKyphoplasty() {
        SimulationParameters p = SimulationParameters.defaults(6_000, 5).clean().withConfounding(true);
        Resolved cohort = new Resolved(new CohortSimulator(p).events());
        Map<TreatmentArm, Stat> baseline = new EnumMap<>(TreatmentArm.class);
        for (String patient : cohort.procedures.keySet()) {
            Instant index = cohort.index(patient).getOccurredAt();
            for (FollowUpEvent f : cohort.followUps.getOrDefault(patient, List.of())) {
                if (f.getPainNrs() != null && dayNumber(f.getOccurredAt(), index) < 0) {
                    baseline.computeIfAbsent(cohort.ittArm(patient), k -> new Stat()).add(f.getPainNrs());
                }
            }
        }
        double kp = baseline.get(TreatmentArm.KYPHOPLASTY).mean(), vp = baseline.get(TreatmentArm.VERTEBROPLASTY).mean();
        // A tilt of exp(-0.8 z) on kyphoplasty lowers its baseline by roughly 0.8 SD x share of others (~0.5 x 1.75 x 0.7);
        // demand at least 0.3 points, far beyond the ~0.05 SE of each mean.
        assertTrue(vp - kp > 0.3, "KP baseline " + kp + " vs VP " + vp);
        assertNotEquals(0, baseline.get(TreatmentArm.CONSERVATIVE).n);
    }

    private static double angle(ImagingEvent study, VertebralLevel level) {
        for (LevelMeasurement m : study.getMeasurements()) if (m.getLevel() == level) return m.getKyphoticAngleDeg();
        throw new AssertionError("level " + level + " not measured in " + study.getEventId());
    }

    @Test
    void roundedNormalCalibrationHitsTheTarget() {
        // For N(3.5, 2.9) clipped to 0-10 the reported mean exceeds 3.5 (mass below 0 is lifted to 0);
        // the calibrated latent mean must sit below 3.5 and give back exactly 3.5.
        double latent = RoundedNormal.latentMeanFor(3.5, 2.9, 0, 10);
        assertTrue(latent < 3.5, "latent " + latent);
        assertEquals(3.5, RoundedNormal.reportedMean(latent, 2.9, 0, 10), 1e-9);
        // Far from the bounds nothing is clipped: the reported mean equals the latent mean.
        assertEquals(5.0, RoundedNormal.reportedMean(5.0, 0.5, 0, 10), 1e-6);
        // Phi(1.96) = 0.9750 (standard normal table)
        assertEquals(0.9750, RoundedNormal.cdf(1.96), 1e-4);
    }
}
