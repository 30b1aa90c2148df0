package org.spineoutcomes.producer.simulate;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.ConservativeCare;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingModality;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.LeakageSite;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.MedicationStart;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.VertebralLevel;

/**
 * A seeded, reproducible cohort of spine-fracture patients, as the events hospital systems would send.
 * Plain Java, no Kafka: callers decide where events go. Patient identifiers are MRNs
 * ({@link #mrnOf}); the publishing library pseudonymises them.
 *
 * <p>Each patient draws from its own {@link Random} seeded from (seed, patient number), so a patient's
 * events do not depend on how many random numbers earlier patients used.
 *
 * <p>Model, per patient (magnitudes in {@link SimulationParameters}):
 * <ul>
 *   <li>age ~ N(74, 9) in 50-99, 72% female; fracture onset lognormal, median 28 days before the index
 *       (10 for conservative care), absent for 10%;</li>
 *   <li>1-3 contiguous fractured levels, most often around the thoracolumbar junction;</li>
 *   <li>latent baseline pain b ~ N(mu_b, sd_b); follow-up pain at a visit = m_arm,visit + rho (b - mu_b) + e,
 *       with e's SD chosen so that the SD of the change is painChangeSd; visit means interpolate the
 *       1- and 12-month parameters; pain trajectories follow the ITT arm (also for crossovers);</li>
 *   <li>visits: baseline (1-10 days before, 97%), day 1 (procedures), week 1, months 1, 3, 6, 12, 24 with
 *       monotone dropout (one uniform draw per patient against increasing attrition);</li>
 *   <li>imaging: PRE 1-7 days before (95%), POST day 1-3 after a procedure (92%), FOLLOW_UP around months 3 and
 *       12 (60% of patients still followed); each study measures the index levels and the nearest non-index
 *       levels above and below as references; kyphosis correction ~ N(arm mean, sd), anterior height gain 0.52 mm
 *       per degree; further collapse at follow-up 40% conservative, 12% VP, 10% KP, 5% open;</li>
 *   <li>complications: cement leakage per treated level (reported with the POST study), pulmonary cement
 *       embolism 0.5% of augmentations, new vertebral fracture within 12 months, reported at the next visit;</li>
 *   <li>osteoporosis medication started between 10 days before and 120 days after the index, reported at the
 *       first visit on or after its start;</li>
 *   <li>messiness: late, out-of-order, corrected, retracted, duplicated and invalid events (see the parameters).</li>
 * </ul>
 */
public final class CohortSimulator {

    /** Anterior height gained per degree of kyphosis correction: 30 mm deep vertebral body, tan(1 deg) x 30. */
    static final double MM_PER_DEGREE = 0.52;

    private final SimulationParameters p;
    private final double latentBaselineMean;
    private final double painResidualSd;
    private final double latentFollowUpSd;
    private final Map<TreatmentArm, double[]> latentVisitMeans = new EnumMap<>(TreatmentArm.class);

    /** Visits after the index: name, target day, +- jitter days. */
    enum Visit {
        D1(1, 0), W1(7, 2), M1(30, 5), M3(90, 10), M6(180, 15), M12(365, 20), M24(730, 30);
        final int day;
        final int jitter;
        Visit(int day, int jitter) { this.day = day; this.jitter = jitter; }
    }

    public CohortSimulator(SimulationParameters parameters) {
        this.p = parameters;
        double sdB = p.baselinePainSd();
        double rho = p.painBaselineCorrelation();
        this.latentBaselineMean = RoundedNormal.latentMeanFor(p.baselinePainMean(), sdB, 0, 10);
        this.painResidualSd = Math.sqrt(p.painChangeSd() * p.painChangeSd() - sdB * sdB * (1 - rho) * (1 - rho));
        this.latentFollowUpSd = Math.sqrt(rho * rho * sdB * sdB + painResidualSd * painResidualSd);
        for (TreatmentArm arm : TreatmentArm.values()) {
            double[] target = visitMeans(arm);
            double[] latent = new double[target.length];
            for (int v = 0; v < target.length; v++) latent[v] = RoundedNormal.latentMeanFor(target[v], latentFollowUpSd, 0, 10);
            latentVisitMeans.put(arm, latent);
        }
    }

    /** Reported (observed) mean NRS per visit for an arm: the parameters at M1 and M12, interpolated elsewhere (convention). */
    double[] visitMeans(TreatmentArm arm) {
        double m1, m12;
        switch (arm) {
            case VERTEBROPLASTY -> { m1 = p.painM1Vertebroplasty(); m12 = p.painM12Vertebroplasty(); }
            case KYPHOPLASTY -> { m1 = p.painM1Kyphoplasty(); m12 = p.painM12Kyphoplasty(); }
            case CONSERVATIVE -> { m1 = p.painM1Conservative(); m12 = p.painM12Conservative(); }
            default -> { m1 = p.painM1OpenSurgery(); m12 = p.painM12OpenSurgery(); }
        }
        double b = p.baselinePainMean();
        double[] means = new double[Visit.values().length];
        means[Visit.D1.ordinal()] = m1 + 0.35 * (b - m1);
        means[Visit.W1.ordinal()] = arm == TreatmentArm.CONSERVATIVE ? m1 + 0.5 * (b - m1) : m1 + 0.2 * (b - m1);
        means[Visit.M1.ordinal()] = m1;
        means[Visit.M3.ordinal()] = m1 + 0.4 * (m12 - m1);
        means[Visit.M6.ordinal()] = m1 + 0.75 * (m12 - m1);
        means[Visit.M12.ordinal()] = m12;
        means[Visit.M24.ordinal()] = m12;
        return means;
    }

    /** The MRN the simulator gives patient number n (1-based). Distinctive so leak tests can search for it. */
    public static String mrnOf(int patientNumber) {
        return String.format("SIMMRN%07d", patientNumber);
    }

    /**
     * Generates the cohort and hands every event to {@code sink} in stream order.
     *
     * @return number of events emitted
     */
    public long run(Consumer<SpecificRecord> sink) {
        TreeMap<Integer, List<SpecificRecord>> deferred = new TreeMap<>();
        long emitted = 0;
        for (int n = 1; n <= p.patients(); n++) {
            PatientEvents events = new PatientGenerator(n).generate();
            for (SpecificRecord e : events.now) { sink.accept(e); emitted++; }
            for (Map.Entry<Integer, List<SpecificRecord>> late : events.late.entrySet()) {
                deferred.computeIfAbsent(late.getKey(), k -> new ArrayList<>()).addAll(late.getValue());
            }
            while (!deferred.isEmpty() && deferred.firstKey() <= n) {
                for (SpecificRecord e : deferred.pollFirstEntry().getValue()) { sink.accept(e); emitted++; }
            }
        }
        for (List<SpecificRecord> rest : deferred.values()) {
            for (SpecificRecord e : rest) { sink.accept(e); emitted++; }
        }
        return emitted;
    }

    /** All events in stream order (convenience for small cohorts and tests). */
    public List<SpecificRecord> events() {
        List<SpecificRecord> all = new ArrayList<>();
        run(all::add);
        return all;
    }

    private record PatientEvents(List<SpecificRecord> now, Map<Integer, List<SpecificRecord>> late) {}

    /** One event with the instant it reaches the sender, for ordering. */
    private record Outgoing(SpecificRecord event, Instant recordedAt, String eventId) {}

    private static long mix(long seed, long n) {
        long z = seed * 0x9E3779B97F4A7C15L + n;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static double round1(double x) { return Math.round(x * 10) / 10.0; }

    /** Generates one patient's events. */
    private final class PatientGenerator {
        final int n;
        final Random r;
        final String mrn;
        final String idPrefix;
        final List<Outgoing> out = new ArrayList<>();

        PatientGenerator(int n) {
            this.n = n;
            this.r = new Random(mix(p.seed(), n));
            this.mrn = mrnOf(n);
            this.idPrefix = "s" + p.seed() + "-p" + n + "-";
        }

        double gauss(double mean, double sd) { return mean + sd * r.nextGaussian(); }
        int between(int lo, int hi) { return lo + r.nextInt(hi - lo + 1); }
        double uniform(double lo, double hi) { return lo + (hi - lo) * r.nextDouble(); }
        boolean chance(double prob) { return r.nextDouble() < prob; }

        Instant at(LocalDate date) {
            return date.atStartOfDay().toInstant(ZoneOffset.UTC).plus(Duration.ofMinutes(8 * 60 + r.nextInt(9 * 60)));
        }

        Instant recorded(Instant occurred) {
            return occurred.plus(Duration.ofMinutes(5 + r.nextInt(6 * 60)));
        }

        PatientEvents generate() {
            int age = (int) Math.max(50, Math.min(99, Math.round(gauss(74, 9))));
            Sex sex = chance(0.72) ? Sex.F : Sex.M;
            double latentBaseline = gauss(latentBaselineMean, p.baselinePainSd());
            TreatmentArm arm = chooseArm(latentBaseline, age);

            LocalDate indexDate = p.studyStart().plusDays(r.nextInt(p.enrolmentDays()));
            Instant indexAt = at(indexDate);
            List<VertebralLevel> levels = indexLevels();
            LocalDate onset = chance(0.9)
                    ? indexDate.minusDays(Math.max(1, Math.round(Math.exp(gauss(Math.log(arm == TreatmentArm.CONSERVATIVE ? 10 : 28), 0.7)))))
                    : null;

            ProcedureEvent index = treatment("proc1", arm, levels, indexAt, age, sex, onset);
            add(index, index.getRecordedAt());

            // Crossover: conservative care first, augmentation 2-13 weeks later (INVEST).
            if (arm == TreatmentArm.CONSERVATIVE && chance(p.crossoverShare())) {
                TreatmentArm to = chance(0.5) ? TreatmentArm.VERTEBROPLASTY : TreatmentArm.KYPHOPLASTY;
                ProcedureEvent cross = treatment("proc2", to, levels, at(indexDate.plusDays(between(14, 90))), age + 0, sex, onset);
                add(cross, cross.getRecordedAt());
            }

            double dropout = r.nextDouble();
            Map<Visit, Instant> visitTimes = new EnumMap<>(Visit.class);
            for (Visit v : Visit.values()) {
                if (v == Visit.D1 && arm == TreatmentArm.CONSERVATIVE) continue;
                if (dropout < attrition(v)) continue;
                visitTimes.put(v, at(indexDate.plusDays(v.day + between(-v.jitter, v.jitter))));
            }
            Instant baselineAt = chance(0.97) ? at(indexDate.minusDays(between(1, 10))) : null;

            // Osteoporosis medication, reported at the first assessment on or after its start.
            MedicationStart medication = null;
            if (chance(p.osteoporosisMedicationShare())) {
                medication = MedicationStart.newBuilder().setMedicationClass(medicationClass())
                        .setStartDate(indexDate.plusDays(between(-10, 120))).build();
            }
            // New vertebral fracture within 12 months, reported at the next visit after it.
            Complication newFracture = null;
            LocalDate newFractureDate = null;
            if (chance(p.newFractureShare())) {
                newFractureDate = indexDate.plusDays(between(14, 365));
                boolean adjacent = chance(arm == TreatmentArm.VERTEBROPLASTY || arm == TreatmentArm.KYPHOPLASTY ? 0.5 : 0.3);
                newFracture = Complication.newBuilder().setType(ComplicationType.NEW_VERTEBRAL_FRACTURE)
                        .setLevel(adjacent ? neighbour(levels, chance(0.5)) : otherLevel(levels)).setAdjacent(adjacent)
                        .setSymptomatic(chance(0.4)).setDate(newFractureDate).build();
            }

            double latentOdi = gauss(60, 14);
            boolean medicationReported = false;
            boolean fractureReported = false;
            if (baselineAt != null) {
                List<MedicationStart> meds = new ArrayList<>();
                if (medication != null && !medication.getStartDate().isAfter(dateOf(baselineAt))) { meds.add(medication); medicationReported = true; }
                FollowUpEvent base = assessment("fu-base", baselineAt, RoundedNormal.report(latentBaseline, 0, 10), odi(latentOdi), List.of(), meds);
                addAssessment(base);
            }
            double[] latentMeans = latentVisitMeans.get(arm);
            for (Map.Entry<Visit, Instant> visit : visitTimes.entrySet()) {
                Visit v = visit.getKey();
                Instant when = visit.getValue();
                double latentPain = latentMeans[v.ordinal()] + p.painBaselineCorrelation() * (latentBaseline - latentBaselineMean)
                        + gauss(0, painResidualSd);
                List<MedicationStart> meds = new ArrayList<>();
                if (medication != null && !medicationReported && !medication.getStartDate().isAfter(dateOf(when))) {
                    meds.add(medication); medicationReported = true;
                }
                List<Complication> complications = new ArrayList<>();
                if (newFracture != null && !fractureReported && !newFractureDate.isAfter(dateOf(when))) {
                    complications.add(newFracture); fractureReported = true;
                }
                FollowUpEvent fu = assessment("fu-" + v.name().toLowerCase(), when, RoundedNormal.report(latentPain, 0, 10),
                        odi(latentOdi + odiChange(arm, v) + gauss(0, 12)), complications, meds);
                addAssessment(fu);
            }

            imaging(arm, levels, indexDate, indexAt, visitTimes, newFracture);
            if (chance(p.retractionShare())) spuriousThenRetracted(indexDate);
            return emit();
        }

        LocalDate dateOf(Instant instant) { return instant.atOffset(ZoneOffset.UTC).toLocalDate(); }

        double attrition(Visit v) {
            double a1 = p.attritionM1(), a12 = p.attritionM12();
            return switch (v) {
                case D1 -> Math.min(a1, 0.02);
                case W1 -> Math.min(a1, 0.05);
                case M1 -> a1;
                case M3 -> a1 + 0.35 * (a12 - a1);
                case M6 -> a1 + 0.65 * (a12 - a1);
                case M12 -> a12;
                case M24 -> p.attritionM24();
            };
        }

        TreatmentArm chooseArm(double latentBaseline, int age) {
            double vp = p.shareVertebroplasty(), kp = p.shareKyphoplasty(), cons = p.shareConservative(), open = p.shareOpenSurgery();
            if (p.confounding()) {
                // Healthier patients (less pain, younger) are steered to kyphoplasty.
                double zPain = (latentBaseline - latentBaselineMean) / p.baselinePainSd();
                double zAge = (age - 74) / 9.0;
                kp *= Math.exp(-0.8 * zPain - 0.4 * zAge);
            }
            double u = r.nextDouble() * (vp + kp + cons + open);
            if (u < vp) return TreatmentArm.VERTEBROPLASTY;
            if (u < vp + kp) return TreatmentArm.KYPHOPLASTY;
            if (u < vp + kp + cons) return TreatmentArm.CONSERVATIVE;
            return TreatmentArm.OPEN_SURGERY;
        }

        List<VertebralLevel> indexLevels() {
            VertebralLevel[] all = VertebralLevel.values();
            double[] weights = new double[all.length];
            double total = 0;
            for (int i = 0; i < all.length; i++) {
                // Most osteoporotic fractures sit at the thoracolumbar junction (T12/L1 = ordinals 11/12).
                weights[i] = Math.exp(-Math.pow(i - 11.5, 2) / (2 * 2.5 * 2.5)) + 0.05;
                total += weights[i];
            }
            double u = r.nextDouble() * total;
            int first = 0;
            for (double acc = weights[0]; acc < u && first < all.length - 1; acc += weights[++first]) { }
            int count = chance(0.8) ? 1 : chance(0.75) ? 2 : 3;
            List<VertebralLevel> levels = new ArrayList<>();
            levels.add(all[first]);
            int lo = first, hi = first;
            while (levels.size() < count) {
                boolean down = (hi < all.length - 1) && (lo == 0 || chance(0.5));
                if (down) levels.add(all[++hi]); else levels.add(all[--lo]);
            }
            Collections.sort(levels);
            return levels;
        }

        VertebralLevel neighbour(List<VertebralLevel> levels, boolean above) {
            VertebralLevel[] all = VertebralLevel.values();
            int lo = levels.get(0).ordinal(), hi = levels.get(levels.size() - 1).ordinal();
            if (above && lo > 0) return all[lo - 1];
            if (hi < all.length - 1) return all[hi + 1];
            return all[lo - 1];
        }

        VertebralLevel otherLevel(List<VertebralLevel> levels) {
            VertebralLevel[] all = VertebralLevel.values();
            while (true) {
                VertebralLevel l = all[r.nextInt(all.length)];
                int lo = levels.get(0).ordinal() - 1, hi = levels.get(levels.size() - 1).ordinal() + 1;
                if (l.ordinal() < lo || l.ordinal() > hi) return l;
            }
        }

        MedicationClass medicationClass() {
            double u = r.nextDouble();
            if (u < 0.60) return MedicationClass.BISPHOSPHONATE;
            if (u < 0.80) return MedicationClass.DENOSUMAB;
            if (u < 0.88) return MedicationClass.TERIPARATIDE;
            if (u < 0.92) return MedicationClass.ROMOSOZUMAB;
            return u < 0.96 ? MedicationClass.CALCIUM : MedicationClass.VITAMIN_D;
        }

        double odi(double latent) {
            // ODI = 2 x (sum of 10 items scored 0-5): even percentages 0-100.
            return 2.0 * Math.max(0, Math.min(50, Math.round(latent / 2)));
        }

        double odiChange(TreatmentArm arm, Visit v) {
            double m1 = switch (arm) { case CONSERVATIVE -> -12; case OPEN_SURGERY -> -18; default -> -22; };
            double m12 = switch (arm) { case CONSERVATIVE -> -22; case OPEN_SURGERY -> -25; default -> -28; };
            return switch (v) {
                case D1 -> 0.5 * m1;
                case W1 -> 0.7 * m1;
                case M1 -> m1;
                case M3 -> m1 + 0.4 * (m12 - m1);
                case M6 -> m1 + 0.75 * (m12 - m1);
                default -> m12;
            };
        }

        ProcedureEvent treatment(String name, TreatmentArm arm, List<VertebralLevel> levels, Instant when, int age, Sex sex, LocalDate onset) {
            boolean thoracic = levels.get(0).ordinal() <= VertebralLevel.T12.ordinal();
            boolean oldCodes = chance(0.03); // pre-2015 codes still sent by some systems; mapped whatever the date (R4)
            List<String> codes = new ArrayList<>();
            ConservativeCare care = null;
            Double cement = null;
            switch (arm) {
                case VERTEBROPLASTY -> {
                    codes.add(oldCodes ? (thoracic ? "22520" : "22521") : (thoracic ? "22510" : "22511"));
                    for (int i = 1; i < levels.size(); i++) codes.add(oldCodes ? "22522" : "22512");
                    cement = round1(Math.max(0.5, levels.size() * gauss(3.5, 1.0)));
                }
                case KYPHOPLASTY -> {
                    codes.add(oldCodes ? (thoracic ? "22523" : "22524") : (thoracic ? "22513" : "22514"));
                    for (int i = 1; i < levels.size(); i++) codes.add(oldCodes ? "22525" : "22515");
                    cement = round1(Math.max(0.5, levels.size() * gauss(4.5, 1.2)));
                }
                case OPEN_SURGERY -> {
                    codes.add(thoracic ? "22610" : "22612");
                    codes.add("22842");
                }
                case CONSERVATIVE -> care = ConservativeCare.newBuilder().setAnalgesia(true).setBracing(chance(0.6))
                        .setPhysiotherapy(chance(0.7)).setBedRest(chance(0.3)).build();
            }
            if (arm != TreatmentArm.CONSERVATIVE && chance(0.2)) codes.add("77003"); // fluoroscopic guidance: unmapped, ignored (R4)
            Instant occurred = when.truncatedTo(ChronoUnit.MILLIS);
            return ProcedureEvent.newBuilder()
                    .setEventId(idPrefix + name).setPatientId(mrn)
                    .setOccurredAt(occurred).setRecordedAt(recorded(occurred)).setSourceSystem(p.sourceSystem())
                    .setCodes(codes).setConservativeCare(care).setLevels(new ArrayList<>(levels))
                    .setCementVolumeMl(cement).setAgeYears(age).setSex(sex).setFractureOnsetDate(onset)
                    .setDiagnosisCodes(List.of("M80.08XA")).build();
        }

        FollowUpEvent assessment(String name, Instant when, Integer pain, Double odi, List<Complication> complications, List<MedicationStart> meds) {
            Instant occurred = when.truncatedTo(ChronoUnit.MILLIS);
            return FollowUpEvent.newBuilder().setEventId(idPrefix + name).setPatientId(mrn)
                    .setOccurredAt(occurred).setRecordedAt(recorded(occurred)).setSourceSystem(p.sourceSystem())
                    .setPainNrs(pain).setOdi(odi).setComplications(complications).setMedications(meds).build();
        }

        /** An assessment, sometimes first sent with a wrong pain score and then corrected (R10). */
        void addAssessment(FollowUpEvent truth) {
            if (truth.getPainNrs() != null && chance(p.correctionShare())) {
                int wrong = truth.getPainNrs() + (truth.getPainNrs() >= 5 ? -between(1, 3) : between(1, 3));
                FollowUpEvent original = FollowUpEvent.newBuilder(truth).setPainNrs(wrong).build();
                FollowUpEvent correction = FollowUpEvent.newBuilder(truth).setEventId(truth.getEventId() + "-c1")
                        .setCorrects(truth.getEventId())
                        .setRecordedAt(truth.getRecordedAt().plus(Duration.ofHours(between(24, 120)))).build();
                add(original, original.getRecordedAt());
                add(correction, correction.getRecordedAt());
            } else {
                add(truth, truth.getRecordedAt());
            }
        }

        void imaging(TreatmentArm arm, List<VertebralLevel> levels, LocalDate indexDate, Instant indexAt,
                     Map<Visit, Instant> visits, Complication newFracture) {
            double scale = gauss(1, 0.06);
            List<VertebralLevel> measured = new ArrayList<>(levels);
            VertebralLevel[] all = VertebralLevel.values();
            int lo = levels.get(0).ordinal(), hi = levels.get(levels.size() - 1).ordinal();
            if (lo > 0) measured.add(0, all[lo - 1]);
            if (hi < all.length - 1) measured.add(all[hi + 1]);

            Map<VertebralLevel, double[]> normal = new EnumMap<>(VertebralLevel.class); // Ha, Hm, Hp, angle
            Map<VertebralLevel, double[]> pre = new EnumMap<>(VertebralLevel.class);
            for (VertebralLevel l : measured) {
                double hp = scale * (16 + 0.8 * l.ordinal());
                boolean thoracicLevel = l.ordinal() <= VertebralLevel.T12.ordinal();
                double[] n0 = {hp * (thoracicLevel ? 0.96 : 1.0), hp * 0.95, hp, thoracicLevel ? gauss(2, 1.5) : gauss(-1, 1.5)};
                normal.put(l, n0);
                if (levels.contains(l)) {
                    double fa = uniform(0.15, 0.55), fm = fa * uniform(0.6, 1.0), fp = fa * uniform(0, 0.25);
                    double ha = n0[0] * (1 - fa), hm = n0[1] * (1 - fm), hpp = n0[2] * (1 - fp);
                    pre.put(l, new double[]{ha, hm, hpp, n0[3] + Math.toDegrees(Math.atan((hpp - ha) / 30))});
                } else {
                    pre.put(l, n0);
                }
            }
            ImagingModality modality = chance(0.85) ? ImagingModality.RADIOGRAPH : ImagingModality.CT;
            if (chance(0.95)) {
                add(study("img-pre", ImagingPhase.PRE, modality, at(indexDate.minusDays(between(1, 7))), pre, levels, null, null));
            }
            Map<VertebralLevel, double[]> basis = pre;
            Instant postAt = null;
            if (arm != TreatmentArm.CONSERVATIVE && chance(0.92)) {
                double meanCorrection = switch (arm) {
                    case KYPHOPLASTY -> p.kyphosisCorrectionKyphoplasty();
                    case VERTEBROPLASTY -> p.kyphosisCorrectionVertebroplasty();
                    default -> p.kyphosisCorrectionOpenSurgery();
                };
                Map<VertebralLevel, double[]> post = new EnumMap<>(VertebralLevel.class);
                for (Map.Entry<VertebralLevel, double[]> e : pre.entrySet()) {
                    double[] v = e.getValue();
                    if (levels.contains(e.getKey())) {
                        double correction = gauss(meanCorrection, p.kyphosisCorrectionSd());
                        double gain = correction * MM_PER_DEGREE;
                        post.put(e.getKey(), new double[]{v[0] + gain, v[1] + 0.7 * gain, v[2] + 0.1 * gain, v[3] - correction});
                    } else {
                        post.put(e.getKey(), v);
                    }
                }
                postAt = at(indexDate.plusDays(between(1, 3)));
                if (!postAt.isAfter(indexAt)) postAt = indexAt.plus(Duration.ofHours(2));
                add(study("img-post", ImagingPhase.POST, modality, postAt, post, levels, null, null));
                basis = post;
                leakage(arm, levels, postAt);
            }
            double collapseProbability = switch (arm) {
                case CONSERVATIVE -> 0.40; case VERTEBROPLASTY -> 0.12; case KYPHOPLASTY -> 0.10; default -> 0.05;
            };
            Map<VertebralLevel, double[]> followUp = new EnumMap<>(VertebralLevel.class);
            for (Map.Entry<VertebralLevel, double[]> e : basis.entrySet()) {
                double[] v = e.getValue();
                if (levels.contains(e.getKey())) {
                    double ref = normal.get(e.getKey())[0];
                    boolean collapse = chance(collapseProbability);
                    double drop = ref * (collapse ? uniform(0.15, 0.30) : uniform(0, 0.06));
                    followUp.put(e.getKey(), new double[]{v[0] - drop, v[1] - 0.8 * drop, v[2] - 0.1 * drop,
                            v[3] + (collapse ? uniform(3, 8) : uniform(0, 1.5))});
                } else {
                    followUp.put(e.getKey(), v);
                }
            }
            for (Visit v : List.of(Visit.M3, Visit.M12)) {
                Instant visitAt = visits.get(v);
                if (visitAt != null && chance(0.6)) {
                    add(study("img-" + v.name().toLowerCase(), ImagingPhase.FOLLOW_UP, modality, visitAt.plus(Duration.ofMinutes(30)),
                            followUp, levels, newFracture, dateOf(visitAt)));
                }
            }
        }

        ImagingEvent study(String name, ImagingPhase phase, ImagingModality modality, Instant when,
                           Map<VertebralLevel, double[]> values, List<VertebralLevel> fractured,
                           Complication newFracture, LocalDate studyDate) {
            List<LevelMeasurement> ms = new ArrayList<>();
            for (Map.Entry<VertebralLevel, double[]> e : values.entrySet()) {
                double[] v = e.getValue();
                boolean newlyFractured = newFracture != null && e.getKey() == newFracture.getLevel()
                        && !newFracture.getDate().isAfter(studyDate);
                double shrink = newlyFractured ? 0.75 : 1.0;
                ms.add(LevelMeasurement.newBuilder().setLevel(e.getKey())
                        .setAnteriorHeightMm(round1(Math.max(1, shrink * v[0] + gauss(0, 0.3))))
                        .setMiddleHeightMm(round1(Math.max(1, v[1] + gauss(0, 0.3))))
                        .setPosteriorHeightMm(round1(Math.max(1, v[2] + gauss(0, 0.3))))
                        .setKyphoticAngleDeg(round1(v[3] + gauss(0, 0.5)))
                        .setFractured(fractured.contains(e.getKey()) || newlyFractured).build());
            }
            Instant occurred = when.truncatedTo(ChronoUnit.MILLIS);
            return ImagingEvent.newBuilder().setEventId(idPrefix + name).setPatientId(mrn)
                    .setOccurredAt(occurred).setRecordedAt(recorded(occurred)).setSourceSystem(p.sourceSystem())
                    .setPhase(phase).setModality(modality)
                    .setStudyUid("2.25." + Long.toUnsignedString(mix(p.seed(), n * 31L + name.hashCode())))
                    .setMeasurements(ms).build();
        }

        void add(ImagingEvent e) { add(e, e.getRecordedAt()); }

        /** Cement leakage per treated level, seen on the POST study and reported with it. */
        void leakage(TreatmentArm arm, List<VertebralLevel> levels, Instant postAt) {
            double perLevel = switch (arm) {
                case VERTEBROPLASTY -> p.leakagePerLevelVertebroplasty();
                case KYPHOPLASTY -> p.leakagePerLevelKyphoplasty();
                default -> 0;
            };
            List<Complication> found = new ArrayList<>();
            LocalDate date = dateOf(postAt);
            for (VertebralLevel l : levels) {
                if (chance(perLevel)) {
                    found.add(Complication.newBuilder().setType(ComplicationType.CEMENT_LEAKAGE).setLevel(l)
                            .setSite(leakageSite()).setSymptomatic(chance(0.01)).setDate(date).build());
                }
            }
            if (perLevel > 0 && chance(0.005)) {
                found.add(Complication.newBuilder().setType(ComplicationType.PULMONARY_CEMENT_EMBOLISM).setDate(date)
                        .setSymptomatic(chance(0.2)).build());
            }
            if (!found.isEmpty()) {
                Instant occurred = postAt.plus(Duration.ofMinutes(45)).truncatedTo(ChronoUnit.MILLIS);
                FollowUpEvent report = FollowUpEvent.newBuilder().setEventId(idPrefix + "comp-post").setPatientId(mrn)
                        .setOccurredAt(occurred).setRecordedAt(recorded(occurred)).setSourceSystem(p.sourceSystem())
                        .setComplications(found).build();
                add(report, report.getRecordedAt());
            }
        }

        LeakageSite leakageSite() {
            double u = r.nextDouble();
            if (u < 0.35) return LeakageSite.DISC;
            if (u < 0.60) return LeakageSite.PARAVERTEBRAL;
            if (u < 0.90) return LeakageSite.VENOUS;
            return u < 0.95 ? LeakageSite.CANAL : LeakageSite.FORAMINAL;
        }

        /** A follow-up entered for the wrong patient, then retracted a few days later (R10). */
        void spuriousThenRetracted(LocalDate indexDate) {
            Instant occurred = at(indexDate.plusDays(between(20, 200))).truncatedTo(ChronoUnit.MILLIS);
            FollowUpEvent spurious = FollowUpEvent.newBuilder().setEventId(idPrefix + "fu-spurious").setPatientId(mrn)
                    .setOccurredAt(occurred).setRecordedAt(recorded(occurred)).setSourceSystem(p.sourceSystem())
                    .setPainNrs(r.nextInt(11)).build();
            FollowUpEvent retraction = FollowUpEvent.newBuilder().setEventId(idPrefix + "fu-spurious-r").setPatientId(mrn)
                    .setOccurredAt(occurred).setRecordedAt(spurious.getRecordedAt().plus(Duration.ofDays(between(1, 10))))
                    .setSourceSystem(p.sourceSystem()).setRetracts(spurious.getEventId()).build();
            add(spurious, spurious.getRecordedAt());
            add(retraction, retraction.getRecordedAt());
        }

        void add(SpecificRecord event, Instant recordedAt) {
            out.add(new Outgoing(event, recordedAt, (String) event.get(0)));
        }

        /** Orders, duplicates, delays and spoils the patient's events. */
        PatientEvents emit() {
            out.sort(Comparator.comparing(Outgoing::recordedAt).thenComparing(Outgoing::eventId));
            if (chance(p.outOfOrderShare())) Collections.shuffle(out, r);
            List<SpecificRecord> now = new ArrayList<>();
            Map<Integer, List<SpecificRecord>> late = new TreeMap<>();
            int invalidCount = 0;
            for (Outgoing o : out) {
                SpecificRecord event = o.event();
                List<SpecificRecord> target = now;
                if (chance(p.lateShare())) {
                    event = late(event);
                    target = late.computeIfAbsent(n + between(5, 60), k -> new ArrayList<>());
                }
                target.add(event);
                if (chance(p.duplicateShare())) target.add(event); // byte-identical resend (R9)
                if (chance(p.invalidShare())) target.add(invalid(event, ++invalidCount));
            }
            return new PatientEvents(now, late);
        }

        /** The same event recorded 20-120 days after it occurred. */
        SpecificRecord late(SpecificRecord event) {
            Duration delay = Duration.ofDays(between(20, 120));
            if (event instanceof ProcedureEvent e) return ProcedureEvent.newBuilder(e).setRecordedAt(e.getOccurredAt().plus(delay)).build();
            if (event instanceof ImagingEvent e) return ImagingEvent.newBuilder(e).setRecordedAt(e.getOccurredAt().plus(delay)).build();
            FollowUpEvent e = (FollowUpEvent) event;
            // A correction or retraction must stay after its target: delay it from its own recorded-at instead.
            Instant base = e.getCorrects() != null || e.getRetracts() != null ? e.getRecordedAt() : e.getOccurredAt();
            return FollowUpEvent.newBuilder(e).setRecordedAt(base.plus(delay)).build();
        }

        /** An extra event that validation must reject; its own id, so the valid cohort is unchanged. */
        SpecificRecord invalid(SpecificRecord basis, int count) {
            String id = idPrefix + "invalid" + count;
            Instant occurred = ((Instant) basis.get(2));
            Instant recorded = recorded(occurred);
            FollowUpEvent.Builder fu = FollowUpEvent.newBuilder().setEventId(id).setPatientId(mrn)
                    .setOccurredAt(occurred).setRecordedAt(recorded).setSourceSystem(p.sourceSystem());
            return switch (r.nextInt(5)) {
                case 0 -> fu.setPainNrs(11).build();                                   // INVALID_PAIN_NRS
                case 1 -> fu.setOdi(130.0).build();                                    // INVALID_ODI
                case 2 -> fu.setPainNrs(5).setCorrects("x").setRetracts("y").build();  // CORRECTS_AND_RETRACTS
                case 3 -> ImagingEvent.newBuilder().setEventId(id).setPatientId(mrn).setOccurredAt(occurred)
                        .setRecordedAt(recorded).setSourceSystem(p.sourceSystem()).setPhase(ImagingPhase.FOLLOW_UP)
                        .setModality(ImagingModality.RADIOGRAPH)
                        .setMeasurements(List.of(LevelMeasurement.newBuilder().setLevel(VertebralLevel.L1)
                                .setAnteriorHeightMm(75.0).build())).build();          // INVALID_HEIGHT
                default -> ProcedureEvent.newBuilder().setEventId(id).setPatientId(mrn).setOccurredAt(occurred)
                        .setRecordedAt(recorded).setSourceSystem(p.sourceSystem()).setCodes(List.of("22510"))
                        .setLevels(List.of(VertebralLevel.L1)).setAgeYears(130).build(); // INVALID_AGE
            };
        }
    }
}
