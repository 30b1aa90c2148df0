package org.spineoutcomes.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
import org.spineoutcomes.schema.VertebralLevel;

/**
 * A seeded random cohort of input events exercising every per-patient rule: all four arms,
 * crossovers (conservative then augmentation or open surgery), same-instant treatments, baseline and
 * follow-ups in and outside every window (with equidistant ties), NRS / VAS / ODI / RMDQ (23 and 24
 * items) / EQ-5D, imaging PRE / POST / FOLLOW_UP with reference levels and mis-phased studies,
 * complications (some before the index, some repeated), medication, corrections (including chains
 * and equal recorded-at ties), retractions (of procedures, of corrections, of retractions), orphans
 * whose target never comes, exact duplicates and a few field-invalid events.
 *
 * <p>Plain Java, deterministic per seed. Event ids are unique except for exact duplicates and
 * re-sends (R9: a later, an equal or an earlier recorded-at than the first version). Every timestamp
 * lies before {@link #LATEST}.
 */
public final class RandomCohort {

    /** Every occurred-at, recorded-at and date of a generated event is before this instant. */
    public static final Instant LATEST = Instant.parse("2026-04-01T00:00:00Z");

    private static final Instant FIRST_INDEX = Instant.parse("2022-01-01T00:00:00Z");
    private static final VertebralLevel[] COMMON_LEVELS = {
            VertebralLevel.T8, VertebralLevel.T11, VertebralLevel.T12, VertebralLevel.T12, VertebralLevel.L1,
            VertebralLevel.L1, VertebralLevel.L2, VertebralLevel.L3, VertebralLevel.L4};
    private static final String[] VP_CODES = {"22510", "22511", "22512", "22520", "22521"};
    private static final String[] KP_CODES = {"22513", "22514", "22515", "22523", "22524"};
    private static final String[] OPEN_CODES = {"22612", "63030", "22840", "22610"};
    /** Score windows as (first day, last day), R15. */
    private static final int[][] WINDOWS = {{0, 3}, {4, 14}, {15, 45}, {46, 135}, {136, 270}, {271, 540}, {541, 900}};

    private RandomCohort() {}

    /** The generated events in generation order (exact duplicates included) and the number of patients. */
    public record Cohort(long seed, int patients, List<SpecificRecord> events) {
        /** The same events in a random order chosen by {@code orderSeed}. */
        public List<SpecificRecord> interleaving(long orderSeed) {
            List<SpecificRecord> copy = new ArrayList<>(events);
            Collections.shuffle(copy, new Random(orderSeed));
            return copy;
        }
    }

    public static Cohort generate(long seed, int patients) {
        Random rnd = new Random(seed);
        List<SpecificRecord> events = new ArrayList<>();
        for (int i = 0; i < patients; i++) {
            // The first four patients start one arm each, so every cohort has all four arms.
            int armChoice = i < 4 ? new int[] {0, 3, 6, 9}[i] : rnd.nextInt(10);
            new PatientGenerator(rnd, "s" + seed + "-p" + i, events).generate(armChoice);
        }
        // Exact duplicates (R9): a copy with identical content, so the same Avro bytes.
        int n = events.size();
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < 0.06) events.add(copy(events.get(i)));
        }
        // Re-sends (R9): same event id, other content, recorded an hour earlier (loses), at the same
        // instant (a tie: no version acts) or an hour later (wins and displaces the first).
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() < 0.03) events.add(resent(events.get(i), 3600L * (rnd.nextInt(3) - 1), "resend-" + i));
        }
        return new Cohort(seed, patients, events);
    }

    private static SpecificRecord resent(SpecificRecord e, long recordedShiftSeconds, String source) {
        if (e instanceof ProcedureEvent p) {
            return ProcedureEvent.newBuilder(p).setSourceSystem(source).setRecordedAt(p.getRecordedAt().plusSeconds(recordedShiftSeconds)).build();
        }
        if (e instanceof ImagingEvent m) {
            return ImagingEvent.newBuilder(m).setSourceSystem(source).setRecordedAt(m.getRecordedAt().plusSeconds(recordedShiftSeconds)).build();
        }
        FollowUpEvent f = (FollowUpEvent) e;
        return FollowUpEvent.newBuilder(f).setSourceSystem(source).setRecordedAt(f.getRecordedAt().plusSeconds(recordedShiftSeconds)).build();
    }

    private static SpecificRecord copy(SpecificRecord e) {
        if (e instanceof ProcedureEvent p) return ProcedureEvent.newBuilder(p).build();
        if (e instanceof ImagingEvent m) return ImagingEvent.newBuilder(m).build();
        return FollowUpEvent.newBuilder((FollowUpEvent) e).build();
    }

    private static final class PatientGenerator {
        final Random rnd;
        final String pid;
        final List<SpecificRecord> out;
        int counter;
        Instant index;
        LocalDate indexDate;
        List<VertebralLevel> indexLevels = new ArrayList<>();
        final List<ProcedureEvent> procedures = new ArrayList<>();
        final List<FollowUpEvent> followUps = new ArrayList<>();
        final List<ImagingEvent> studies = new ArrayList<>();

        PatientGenerator(Random rnd, String pid, List<SpecificRecord> out) {
            this.rnd = rnd;
            this.pid = pid;
            this.out = out;
        }

        String id(String kind) {
            return pid + "-" + kind + (counter++);
        }

        boolean chance(double p) {
            return rnd.nextDouble() < p;
        }

        int between(int lo, int hiInclusive) {
            return lo + rnd.nextInt(hiInclusive - lo + 1);
        }

        <T> T pick(T[] options) {
            return options[rnd.nextInt(options.length)];
        }

        /** Day number {@code d} at a random time of day that keeps the UTC date. */
        Instant onDay(int d) {
            return indexDate.plusDays(d).atStartOfDay(ZoneOffset.UTC).toInstant()
                    .plus(Duration.ofMinutes(between(0, 24 * 60 - 1)));
        }

        void generate(int armChoice) {
            index = FIRST_INDEX.plus(Duration.ofDays(between(0, 545))).plus(Duration.ofMinutes(between(6 * 60, 18 * 60)));
            indexDate = LocalDate.ofInstant(index, ZoneOffset.UTC);
            treatments(armChoice);
            baseline();
            followUpsInWindows();
            imaging();
            corrections();
            retractions();
            if (chance(0.03)) {
                // An orphan whose target never arrives: held, no effect (R11).
                out.add(followUp(id("ghostfix"), onDay(30)).setPainNrs(0).setCorrects(pid + "-never-sent").build());
            }
            if (chance(0.03)) {
                // A correction naming an event of another type: acts only within one type, so never applies (R10).
                ProcedureEvent target = procedures.get(0);
                out.add(followUp(id("xtype"), onDay(31)).setPainNrs(1).setCorrects(target.getEventId()).build());
            }
            if (chance(0.04)) {
                // Field-invalid: rejected whatever the order, never part of the state.
                out.add(followUp(id("bad"), onDay(30)).setPainNrs(11).build());
            }
        }

        /** armChoice 0-2 conservative, 3-5 vertebroplasty, 6-8 kyphoplasty, 9 open surgery. */
        void treatments(int armChoice) {
            VertebralLevel level = pick(COMMON_LEVELS);
            indexLevels.add(level);
            if (chance(0.2)) indexLevels.add(neighbour(level, chance(0.5) ? 1 : -1));
            Integer age = chance(0.05) ? null : between(45, 97);
            Sex sex = chance(0.03) ? null : chance(0.04) ? Sex.OTHER : chance(0.62) ? Sex.F : Sex.M;
            double onsetRoll = rnd.nextDouble();
            LocalDate onset = onsetRoll < 0.1 ? null : onsetRoll < 0.15 ? indexDate.plusDays(3) : indexDate.minusDays(between(0, 120));
            ProcedureEvent.Builder first = procedureBuilder(id("proc"), index).setAgeYears(age).setSex(sex).setFractureOnsetDate(onset);
            boolean conservative = armChoice < 3;
            if (armChoice < 3) {
                first.setConservativeCare(ConservativeCare.newBuilder().setAnalgesia(true).setBracing(chance(0.5)).build())
                        .setLevels(chance(0.5) ? List.of() : List.copyOf(indexLevels));
            } else {
                String[] codes = armChoice < 6 ? VP_CODES : armChoice < 9 ? KP_CODES : OPEN_CODES;
                List<String> c = new ArrayList<>(List.of(pick(codes)));
                if (chance(0.3)) c.add("77012"); // imaging guidance: unmapped, ignored (R4)
                first.setCodes(c).setLevels(List.copyOf(indexLevels))
                        .setCementVolumeMl(armChoice < 9 ? between(15, 80) / 10.0 : null);
            }
            add(first.build());
            if (conservative && chance(0.4)) {
                // Crossover (R8) at a random day, sometimes on the day of a window target.
                int d = chance(0.3) ? pick(new Integer[] {1, 7, 30, 90}) : between(1, 150);
                String code = chance(0.5) ? pick(VP_CODES) : pick(KP_CODES);
                add(procedureBuilder(id("proc"), onDay(d)).setCodes(List.of(code)).setLevels(List.of(indexLevels.get(0))).build());
            }
            if (chance(0.07)) {
                // Open surgery later (not a crossover, but changes the as-treated arm).
                add(procedureBuilder(id("proc"), onDay(between(20, 300))).setCodes(List.of(pick(OPEN_CODES))).build());
            }
            if (!conservative && chance(0.1)) {
                // Conservative care after an intervention never changes the as-treated arm (R7).
                add(procedureBuilder(id("proc"), onDay(between(1, 60)))
                        .setConservativeCare(ConservativeCare.newBuilder().setPhysiotherapy(true).build()).build());
            }
            if (chance(0.05)) {
                // A second treatment at the same instant as the index: R5 precedence picks the index.
                add(procedureBuilder(id("proc"), index).setCodes(List.of(pick(chance(0.5) ? VP_CODES : KP_CODES)))
                        .setLevels(List.of(neighbour(indexLevels.get(0), -1))).setAgeYears(age == null ? 70 : age + 1).setSex(Sex.M).build());
            }
        }

        VertebralLevel neighbour(VertebralLevel l, int step) {
            int o = l.ordinal() + step;
            if (o < 0 || o >= VertebralLevel.values().length) o = l.ordinal() - step;
            return VertebralLevel.values()[o];
        }

        ProcedureEvent.Builder procedureBuilder(String id, Instant at) {
            return ProcedureEvent.newBuilder().setEventId(id).setPatientId(pid).setOccurredAt(at)
                    .setRecordedAt(at.plus(Duration.ofMinutes(between(1, 3000)))).setSourceSystem("sim/" + rnd.nextInt(3))
                    .setCodes(List.of()).setLevels(List.of());
        }

        FollowUpEvent.Builder followUp(String id, Instant at) {
            return FollowUpEvent.newBuilder().setEventId(id).setPatientId(pid).setOccurredAt(at)
                    .setRecordedAt(at.plus(Duration.ofMinutes(between(1, 5000)))).setSourceSystem("sim/" + rnd.nextInt(3));
        }

        void add(ProcedureEvent p) {
            procedures.add(p);
            out.add(p);
        }

        void add(FollowUpEvent f) {
            followUps.add(f);
            out.add(f);
        }

        void add(ImagingEvent m) {
            studies.add(m);
            out.add(m);
        }

        /** Random scores: mostly NRS, some VAS, sometimes both or neither (then ODI only). */
        FollowUpEvent.Builder scores(FollowUpEvent.Builder b) {
            double r = rnd.nextDouble();
            if (r < 0.65) b.setPainNrs(between(0, 10));
            else if (r < 0.85) b.setPainVas(between(0, 1000) / 10.0);
            else if (r < 0.93) b.setPainNrs(between(0, 10)).setPainVas(between(0, 1000) / 10.0);
            else b.setOdi((double) between(0, 50) * 2);
            if (chance(0.45)) b.setOdi(between(0, 200) / 2.0);
            if (chance(0.35)) {
                int items = chance(0.8) ? 24 : 23;
                b.setRmdqItems(items).setRmdq(between(0, items));
            }
            if (chance(0.3)) b.setEq5dIndex(between(-200, 1000) / 1000.0);
            return b;
        }

        void baseline() {
            if (chance(0.85)) {
                int d = -between(0, 30);
                Instant at = d == 0 ? index.minus(Duration.ofMinutes(between(1, 300))) : onDay(d);
                add(scores(followUp(id("fu"), at)).build());
                if (chance(0.2)) add(scores(followUp(id("fu"), onDay(-between(1, 30)))).build());
            }
            if (chance(0.1)) add(scores(followUp(id("fu"), onDay(-between(31, 60)))).build()); // before the baseline range
        }

        void followUpsInWindows() {
            int[] targets = {1, 7, 30, 90, 180, 365, 730};
            for (int w = 0; w < WINDOWS.length; w++) {
                if (!chance(0.55)) continue;
                int n = chance(0.15) ? 2 : 1;
                for (int k = 0; k < n; k++) {
                    int d = between(WINDOWS[w][0], WINDOWS[w][1]);
                    Instant at = d == 0 ? index.plus(Duration.ofMinutes(between(0, 300))) : onDay(d);
                    add(extras(scores(followUp(id("fu"), at))).build());
                }
                if (w == 2 && chance(0.15)) {
                    // Equidistant from the M1 target: ties go to the earlier instant, then the smaller id (R3).
                    Instant early = onDay(27);
                    add(scores(followUp(id("fu"), early)).build());
                    add(scores(followUp(id("fu"), chance(0.5) ? onDay(33) : early)).build());
                }
            }
            if (chance(0.08)) add(scores(followUp(id("fu"), onDay(between(901, 950)))).build()); // outside every window
            if (chance(0.1)) add(extras(followUp(id("fu"), onDay(between(0, 200)))).build());     // complications only
        }

        FollowUpEvent.Builder extras(FollowUpEvent.Builder b) {
            if (chance(0.18)) {
                ComplicationType t = pick(ComplicationType.values());
                VertebralLevel l = chance(0.6) ? indexLevels.get(0) : chance(0.5) ? null : pick(COMMON_LEVELS);
                LocalDate date = chance(0.5) ? null : indexDate.plusDays(between(-5, 200));
                Complication c = Complication.newBuilder().setType(t).setLevel(l).setDate(date)
                        .setSite(t == ComplicationType.CEMENT_LEAKAGE ? pick(LeakageSite.values()) : null)
                        .setSymptomatic(chance(0.3)).build();
                b.setComplications(chance(0.1) ? List.of(c, c) : List.of(c));
            }
            if (chance(0.08)) {
                LocalDate start = chance(0.4) ? null : indexDate.plusDays(between(-10, 120));
                b.setMedications(List.of(MedicationStart.newBuilder().setMedicationClass(pick(MedicationClass.values()))
                        .setStartDate(start).build()));
            }
            return b;
        }

        void imaging() {
            if (chance(0.15)) return;
            ImagingModality modality = pick(ImagingModality.values());
            List<VertebralLevel> refs = new ArrayList<>();
            for (VertebralLevel l : indexLevels) {
                for (int step : new int[] {-2, -1, 1, 2}) {
                    VertebralLevel n = neighbour(l, step);
                    if (!indexLevels.contains(n) && !refs.contains(n) && chance(0.6)) refs.add(n);
                }
            }
            double[] preHeight = new double[indexLevels.size()];
            for (int i = 0; i < preHeight.length; i++) preHeight[i] = between(80, 240) / 10.0;
            if (chance(0.8)) {
                int d = -between(0, 5);
                Instant at = d == 0 ? index.minus(Duration.ofMinutes(between(1, 300))) : onDay(d);
                List<LevelMeasurement> m = new ArrayList<>();
                for (int i = 0; i < indexLevels.size(); i++) m.add(measure(indexLevels.get(i), preHeight[i], chance(0.3)));
                for (VertebralLevel r : refs) m.add(measure(r, between(220, 320) / 10.0, chance(0.1)));
                Collections.shuffle(m, rnd);
                add(study(id("img"), at, ImagingPhase.PRE, modality, m));
                if (chance(0.15)) {
                    add(study(id("img"), onDay(-between(6, 20)), ImagingPhase.PRE, modality, List.of(measure(indexLevels.get(0), preHeight[0] + 1, false))));
                }
            }
            double[] postHeight = new double[indexLevels.size()];
            for (int i = 0; i < postHeight.length; i++) postHeight[i] = Math.min(60, preHeight[i] + between(0, 60) / 10.0);
            if (chance(0.7)) {
                int d = between(0, 3);
                Instant at = d == 0 ? index.plus(Duration.ofMinutes(between(0, 300))) : onDay(d);
                List<LevelMeasurement> m = new ArrayList<>();
                for (int i = 0; i < indexLevels.size(); i++) m.add(measure(indexLevels.get(i), postHeight[i], false));
                add(study(id("img"), at, ImagingPhase.POST, modality, m));
            }
            for (int d : new int[] {30, 90, 365}) {
                if (!chance(0.45)) continue;
                List<LevelMeasurement> m = new ArrayList<>();
                for (int i = 0; i < indexLevels.size(); i++) m.add(measure(indexLevels.get(i), Math.max(0, postHeight[i] - between(0, 70) / 10.0), false));
                add(study(id("img"), onDay(d + between(-10, 10)), ImagingPhase.FOLLOW_UP, modality, m));
            }
            if (chance(0.06)) {
                // Phase disagrees with timing: ignored and counted (R21).
                add(study(id("img"), onDay(20), ImagingPhase.POST, modality, List.of(measure(indexLevels.get(0), 25, false))));
            }
        }

        LevelMeasurement measure(VertebralLevel l, double h, boolean fractured) {
            LevelMeasurement.Builder b = LevelMeasurement.newBuilder().setLevel(l).setFractured(fractured)
                    .setAnteriorHeightMm(h).setMiddleHeightMm(Math.min(60, h + between(0, 30) / 10.0))
                    .setPosteriorHeightMm(chance(0.1) ? null : Math.min(60, h + between(10, 60) / 10.0));
            if (chance(0.7)) b.setKyphoticAngleDeg(between(-50, 300) / 10.0);
            return b.build();
        }

        ImagingEvent study(String id, Instant at, ImagingPhase phase, ImagingModality modality, List<LevelMeasurement> m) {
            return ImagingEvent.newBuilder().setEventId(id).setPatientId(pid).setOccurredAt(at)
                    .setRecordedAt(at.plus(Duration.ofMinutes(between(1, 3000)))).setSourceSystem("pacs")
                    .setPhase(phase).setModality(modality).setMeasurements(new ArrayList<>(m)).build();
        }

        void corrections() {
            for (FollowUpEvent f : List.copyOf(followUps)) {
                if (!chance(0.12)) continue;
                // A correction replaces the whole payload, sometimes moving the assessment in time.
                Instant at = chance(0.7) ? f.getOccurredAt() : f.getOccurredAt().plus(Duration.ofDays(between(-10, 10)));
                Instant recorded = chance(0.2) ? f.getRecordedAt() : f.getRecordedAt().plus(Duration.ofDays(between(1, 20)));
                FollowUpEvent c1 = scores(followUp(id("fix"), at)).setRecordedAt(recorded).setCorrects(f.getEventId()).build();
                add(c1);
                if (chance(0.3)) {
                    // A correction of the correction (chain) or a rival correction of the original.
                    String target = chance(0.5) ? c1.getEventId() : f.getEventId();
                    add(scores(followUp(id("fix"), at)).setRecordedAt(recorded.plus(Duration.ofDays(between(0, 3))))
                            .setCorrects(target).build());
                }
            }
            for (ProcedureEvent p : List.copyOf(procedures)) {
                if (p.getCorrects() != null || !chance(0.08)) continue;
                ProcedureEvent.Builder b = ProcedureEvent.newBuilder(p).setEventId(id("procfix")).setCorrects(p.getEventId())
                        .setRecordedAt(p.getRecordedAt().plus(Duration.ofDays(between(0, 5))));
                if (chance(0.5)) {
                    b.setOccurredAt(p.getOccurredAt().plus(Duration.ofHours(between(-72, 72))));
                } else {
                    b.setCodes(List.of(pick(chance(0.5) ? VP_CODES : KP_CODES))).setConservativeCare(null);
                }
                add(b.build());
            }
            for (ImagingEvent m : List.copyOf(studies)) {
                if (!chance(0.08)) continue;
                List<LevelMeasurement> changed = new ArrayList<>();
                for (LevelMeasurement lm : m.getMeasurements()) {
                    changed.add(LevelMeasurement.newBuilder(lm).setAnteriorHeightMm(
                            lm.getAnteriorHeightMm() == null ? null : Math.max(0, lm.getAnteriorHeightMm() - 1.5)).build());
                }
                add(ImagingEvent.newBuilder(m).setEventId(id("imgfix")).setCorrects(m.getEventId()).setMeasurements(changed)
                        .setRecordedAt(m.getRecordedAt().plus(Duration.ofDays(between(1, 9)))).build());
            }
        }

        void retractions() {
            for (FollowUpEvent f : List.copyOf(followUps)) {
                if (!chance(0.06)) continue;
                FollowUpEvent r = followUp(id("del"), f.getOccurredAt()).setRetracts(f.getEventId())
                        .setRecordedAt(f.getRecordedAt().plus(Duration.ofDays(30))).build();
                add(r);
                if (chance(0.25)) {
                    // A retraction of a retraction has no effect (R10).
                    add(followUp(id("del"), f.getOccurredAt()).setRetracts(r.getEventId())
                            .setRecordedAt(r.getRecordedAt().plus(Duration.ofDays(1))).build());
                }
            }
            if (chance(0.12)) {
                // Retract a procedure (R12), often the index: arm, index and windows are recomputed.
                ProcedureEvent target = chance(0.7) ? procedures.get(0) : procedures.get(rnd.nextInt(procedures.size()));
                add(procedureBuilder(id("procdel"), target.getOccurredAt()).setRetracts(target.getEventId())
                        .setRecordedAt(target.getRecordedAt().plus(Duration.ofDays(2))).build());
            }
            for (ImagingEvent m : List.copyOf(studies)) {
                if (m.getCorrects() != null || !chance(0.04)) continue;
                add(ImagingEvent.newBuilder(m).setEventId(id("imgdel")).setRetracts(m.getEventId()).setMeasurements(List.of())
                        .setRecordedAt(m.getRecordedAt().plus(Duration.ofDays(3))).build());
            }
        }
    }
}
