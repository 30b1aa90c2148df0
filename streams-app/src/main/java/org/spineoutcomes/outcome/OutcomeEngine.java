package org.spineoutcomes.outcome;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Predicate;
import org.spineoutcomes.clinical.CptCodes;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.MedicationStart;
import org.spineoutcomes.schema.OutcomeColumn;
import org.spineoutcomes.schema.OutcomeComplication;
import org.spineoutcomes.schema.OutcomeImagingChange;
import org.spineoutcomes.schema.OutcomeLevelImaging;
import org.spineoutcomes.schema.OutcomeTreatment;
import org.spineoutcomes.schema.OutcomeWindow;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.VertebralLevel;

/**
 * The per-patient outcome (RULES.md R1-R29, R34): a pure function of the set of a patient's resolved
 * events. Every choice has a total tie-break (R3), so the input order never matters, and nothing
 * depends on a data cut (R2).
 *
 * <p>Thresholds are compared exactly on the raw inputs (R18, R23, R24, R25): each double stands for the
 * decimal it is written as, its shortest round-trip form ({@code BigDecimal.valueOf(double)}, R35), so
 * 23.7 is 237/10 and a reference of (23.1 + 24.3) / 2 equals a PRE height of 23.7. VAS is divided by 10
 * exactly, and quotients are never compared, only cross-multiplied. Reported numbers are the exact
 * result rounded once to double.
 */
public final class OutcomeEngine {
    private OutcomeEngine() {}

    /** Convention (CLINICAL.md, fracture age): onset at most 42 days before the index is LE_6W. */
    public static final int FRACTURE_AGE_6W_DAYS = 42;
    /** Baseline pain stratum threshold on the 0-10 scale (R29). */
    public static final BigDecimal BASELINE_PAIN_HIGH = BigDecimal.valueOf(8);
    /** POST studies are on days 0-7 (R21); the POST as-treated arm uses treatments on these days (R29). */
    public static final int POST_LAST_DAY = 7;

    private static final MathContext MC = MathContext.DECIMAL128;
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    /** A treatment event with its arm (R4). */
    private record Treatment(ProcedureEvent event, TreatmentArm arm) {
        Instant at() { return event.getOccurredAt(); }
        String id() { return event.getEventId(); }
    }

    /** R5 order: performed-at, then precedence OPEN_SURGERY > KYPHOPLASTY > VERTEBROPLASTY > CONSERVATIVE, then event id. */
    private static final Comparator<Treatment> TREATMENT_ORDER = Comparator.comparing(Treatment::at)
            .thenComparing(Treatment::arm, CptCodes.BY_PRECEDENCE_DESC)
            .thenComparing(Treatment::id);

    /** Computes the outcome of one patient from its resolved events. */
    public static PatientOutcome compute(String patientId, ResolvedEvents events) {
        if (patientId == null || patientId.isBlank()) throw new IllegalArgumentException("patientId is missing");
        List<Treatment> treatments = new ArrayList<>();
        for (ProcedureEvent p : events.procedures()) {
            Optional<TreatmentArm> arm = CptCodes.armOfEvent(p.getCodes(), p.getConservativeCare() != null);
            arm.ifPresent(a -> treatments.add(new Treatment(p, a)));
        }
        treatments.sort(TREATMENT_ORDER);
        Medication medication = medication(events.followUps());
        PatientOutcome.Builder out = PatientOutcome.newBuilder()
                .setPatientId(patientId)
                .setCrossover(false)
                .setTreatments(List.of()).setStrata(List.of()).setWindows(List.of())
                .setIndexLevels(List.of()).setImagingLevels(List.of()).setImagingStudiesIgnored(0)
                .setComplications(List.of()).setAnyComplication(false)
                .setMedicationStarted(medication.earliest != null)
                .setMedicationStartDate(medication.earliest)
                .setMedicationClasses(List.copyOf(medication.classes));
        if (treatments.isEmpty()) {
            // R12: no treatment left, the patient is in no cell; its other events stay in state.
            return out.setIttArmAbsentReason(AbsentReason.NO_TREATMENT)
                    .setFurtherCollapseAbsentReason(AbsentReason.NO_TREATMENT)
                    .setDaysToMedicationAbsentReason(AbsentReason.NO_TREATMENT)
                    .build();
        }
        return new Patient(patientId, treatments, events, medication).build(out);
    }

    private record Medication(LocalDate earliest, Set<MedicationClass> classes) {}

    /** R28: any follow-up reporting a start, whatever its date; the item's date, else its report's. */
    private static Medication medication(List<FollowUpEvent> followUps) {
        LocalDate earliest = null;
        Set<MedicationClass> classes = EnumSet.noneOf(MedicationClass.class);
        for (FollowUpEvent f : followUps) {
            for (MedicationStart m : f.getMedications()) {
                LocalDate d = m.getStartDate() != null ? m.getStartDate() : utcDate(f.getOccurredAt());
                if (earliest == null || d.isBefore(earliest)) earliest = d;
                classes.add(m.getMedicationClass());
            }
        }
        return new Medication(earliest, classes);
    }

    static LocalDate utcDate(Instant instant) {
        return LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The computation for one patient with at least one treatment. */
    private static final class Patient {
        final String patientId;
        final List<Treatment> treatments;
        final ResolvedEvents events;
        final Medication medication;
        final Treatment index;
        final Instant indexAt;
        final LocalDate indexDate;

        Patient(String patientId, List<Treatment> treatments, ResolvedEvents events, Medication medication) {
            this.patientId = patientId;
            this.treatments = treatments;
            this.events = events;
            this.medication = medication;
            this.index = treatments.get(0);
            this.indexAt = index.at();
            this.indexDate = utcDate(indexAt);
        }

        /** R1: UTC calendar date minus the index date. */
        int day(Instant instant) {
            return Math.toIntExact(ChronoUnit.DAYS.between(indexDate, utcDate(instant)));
        }

        int day(LocalDate date) {
            return Math.toIntExact(ChronoUnit.DAYS.between(indexDate, date));
        }

        /**
         * R7: the arm of the last included treatment in R5 order, where a conservative-care start after an
         * intervention does not count; the ITT arm when no treatment is included.
         */
        TreatmentArm asTreated(Predicate<Treatment> included) {
            TreatmentArm arm = null;
            boolean intervened = false;
            for (Treatment t : treatments) {
                if (!included.test(t)) continue;
                if (t.arm == TreatmentArm.CONSERVATIVE && intervened) continue;
                arm = t.arm;
                if (t.arm != TreatmentArm.CONSERVATIVE) intervened = true;
            }
            return arm != null ? arm : index.arm;
        }

        PatientOutcome build(PatientOutcome.Builder out) {
            out.setIttArm(index.arm)
                    .setIndexEventId(index.id())
                    .setIndexAt(indexAt)
                    .setIndexDate(indexDate)
                    .setAsTreatedArmPost(asTreated(t -> day(t.at()) <= POST_LAST_DAY))
                    .setAsTreatedArmOverall(asTreated(t -> true));
            List<OutcomeTreatment> listed = new ArrayList<>();
            for (Treatment t : treatments) {
                listed.add(OutcomeTreatment.newBuilder().setEventId(t.id()).setArm(t.arm).setPerformedAt(t.at())
                        .setDayNumber(day(t.at())).setLevels(sortedLevels(t.event.getLevels())).build());
            }
            out.setTreatments(listed);
            // R8: ITT CONSERVATIVE followed by an augmentation; the first such gives arm and date.
            if (index.arm == TreatmentArm.CONSERVATIVE) {
                for (Treatment t : treatments.subList(1, treatments.size())) {
                    if (t.arm == TreatmentArm.VERTEBROPLASTY || t.arm == TreatmentArm.KYPHOPLASTY) {
                        out.setCrossover(true).setCrossoverArm(t.arm).setCrossoverDate(utcDate(t.at())).setCrossoverDayNumber(day(t.at()));
                        break;
                    }
                }
            }
            ProcedureEvent ie = index.event;
            out.setAgeYears(ie.getAgeYears()).setSex(ie.getSex());
            Integer fractureAge = ie.getFractureOnsetDate() == null ? null
                    : Math.toIntExact(ChronoUnit.DAYS.between(ie.getFractureOnsetDate(), indexDate));
            out.setFractureAgeDays(fractureAge);

            List<OutcomeWindow> windows = scoreWindows();
            out.setWindows(windows);
            Pain baselinePain = baselinePainExact;
            out.setBaselinePain(baselinePain == null ? null : baselinePain.value.doubleValue());
            out.setStrata(strata(ie, fractureAge, baselinePain));

            imaging(out);
            complications(out);
            if (medication.earliest != null) out.setDaysToMedication(day(medication.earliest));
            else out.setDaysToMedicationAbsentReason(AbsentReason.NOT_APPLICABLE);
            return out.build();
        }

        // ---------------------------------------------------------------- strata (R29)

        static List<Stratum> strata(ProcedureEvent indexEvent, Integer fractureAgeDays, Pain baselinePain) {
            List<Stratum> s = new ArrayList<>();
            s.add(Stratum.ALL);
            // An onset after the index (negative age) is valid but in no fracture-age stratum.
            if (fractureAgeDays != null && fractureAgeDays >= 0) {
                s.add(fractureAgeDays <= FRACTURE_AGE_6W_DAYS ? Stratum.FRACTURE_AGE_LE_6W : Stratum.FRACTURE_AGE_GT_6W);
            }
            if (baselinePain != null) {
                s.add(baselinePain.value.compareTo(BASELINE_PAIN_HIGH) >= 0 ? Stratum.BASELINE_PAIN_GE_8 : Stratum.BASELINE_PAIN_LT_8);
            }
            Integer age = indexEvent.getAgeYears();
            if (age != null) {
                s.add(age < 65 ? Stratum.AGE_LT_65 : age < 75 ? Stratum.AGE_65_74 : age < 85 ? Stratum.AGE_75_84 : Stratum.AGE_GE_85);
            }
            if (indexEvent.getSex() == Sex.F) s.add(Stratum.SEX_F);
            else if (indexEvent.getSex() == Sex.M) s.add(Stratum.SEX_M);
            return s;
        }

        // ---------------------------------------------------------------- scores (R13-R18)

        /** Pain on the 0-10 scale, exact (R16). */
        record Pain(BigDecimal value) {}

        private Pain baselinePainExact;

        static boolean isAssessment(FollowUpEvent f) {
            return f.getPainNrs() != null || f.getPainVas() != null || f.getOdi() != null || f.getRmdq() != null || f.getEq5dIndex() != null;
        }

        static Pain pain(FollowUpEvent f) {
            if (f.getPainNrs() != null) return new Pain(BigDecimal.valueOf(f.getPainNrs()));
            if (f.getPainVas() != null) return new Pain(exact(f.getPainVas()).divide(BigDecimal.TEN));
            return null;
        }

        /** RMDQ on the 24-item scale as an exact fraction numerator/denominator (R17). */
        record Rmdq(long numerator, long denominator) {
            double value() { return (double) numerator / denominator; }
        }

        static Rmdq rmdq(FollowUpEvent f) {
            if (f.getRmdq() == null) return null;
            return new Rmdq(24L * f.getRmdq(), f.getRmdqItems());
        }

        /** R14, R15, R3: the chosen assessment of a window, or null. */
        FollowUpEvent choose(ScoreWindow w, List<FollowUpEvent> assessments) {
            if (w == ScoreWindow.BASELINE) {
                return assessments.stream()
                        .filter(f -> f.getOccurredAt().isBefore(indexAt) && day(f.getOccurredAt()) >= w.firstDay)
                        .min(Comparator.comparing(FollowUpEvent::getOccurredAt).reversed().thenComparing(FollowUpEvent::getEventId))
                        .orElse(null);
            }
            return assessments.stream()
                    .filter(f -> !f.getOccurredAt().isBefore(indexAt) && w.accepts(day(f.getOccurredAt())))
                    .min(Comparator.<FollowUpEvent>comparingInt(f -> Math.abs(day(f.getOccurredAt()) - w.targetDay))
                            .thenComparing(FollowUpEvent::getOccurredAt).thenComparing(FollowUpEvent::getEventId))
                    .orElse(null);
        }

        List<OutcomeWindow> scoreWindows() {
            List<FollowUpEvent> assessments = events.followUps().stream().filter(Patient::isAssessment).toList();
            FollowUpEvent baseline = choose(ScoreWindow.BASELINE, assessments);
            baselinePainExact = baseline == null ? null : pain(baseline);
            List<OutcomeWindow> out = new ArrayList<>();
            for (ScoreWindow w : ScoreWindow.values()) {
                FollowUpEvent chosen = w == ScoreWindow.BASELINE ? baseline : choose(w, assessments);
                out.add(scoreWindow(w, chosen, baseline));
            }
            return out;
        }

        OutcomeWindow scoreWindow(ScoreWindow w, FollowUpEvent a, FollowUpEvent baseline) {
            boolean isBaseline = w == ScoreWindow.BASELINE;
            OutcomeWindow.Builder b = OutcomeWindow.newBuilder()
                    .setWindow(w.window)
                    .setAsTreatedArm(isBaseline ? index.arm : asTreated(t -> day(t.at()) < w.targetDay))
                    .setTargetDay(w.targetDay).setFirstDay(w.firstDay).setLastDay(w.lastDay)
                    .setLastAcceptedDate(indexDate.plusDays(w.lastDay));
            AbsentReason noAssessment = AbsentReason.NO_ASSESSMENT_IN_WINDOW;
            if (a == null) {
                b.setAssessmentAbsentReason(noAssessment);
            } else {
                b.setAssessmentId(a.getEventId()).setAssessedAt(a.getOccurredAt()).setDayNumber(day(a.getOccurredAt()));
            }
            // Pain and pain-derived values.
            Pain pain = a == null ? null : pain(a);
            AbsentReason painAbsent = a == null ? noAssessment : pain == null ? AbsentReason.NO_PAIN_IN_ASSESSMENT : null;
            if (pain != null) b.setPain(pain.value.doubleValue()); else b.setPainAbsentReason(painAbsent);
            if (isBaseline) {
                AbsentReason na = AbsentReason.NOT_APPLICABLE;
                b.setPainReliefAbsentReason(na).setPercentReliefAbsentReason(na).setMcid2ptAbsentReason(na)
                        .setRelief30pctAbsentReason(na).setRelief50pctAbsentReason(na).setLowPainAbsentReason(na)
                        .setOdiChangeAbsentReason(na).setRmdqChangeAbsentReason(na).setEq5dChangeAbsentReason(na);
            } else {
                painFlags(b, pain, painAbsent);
            }
            // ODI, RMDQ, EQ-5D and their changes (R17); each from the chosen assessment only (R15).
            Double odi = a == null ? null : a.getOdi();
            Double odiBase = baseline == null ? null : baseline.getOdi();
            scoreAndChange(b::setOdi, b::setOdiAbsentReason, b::setOdiChange, b::setOdiChangeAbsentReason,
                    a, odi, odiBase, isBaseline, (f, base) -> exact(f).subtract(exact(base)).doubleValue(), Double::doubleValue);
            Rmdq rmdq = a == null ? null : rmdq(a);
            Rmdq rmdqBase = baseline == null ? null : rmdq(baseline);
            scoreAndChange(b::setRmdq, b::setRmdqAbsentReason, b::setRmdqChange, b::setRmdqChangeAbsentReason,
                    a, rmdq, rmdqBase, isBaseline,
                    // f_n/f_d - b_n/b_d = (f_n b_d - b_n f_d) / (f_d b_d), integers: one rounding.
                    (f, base) -> (double) (f.numerator * base.denominator - base.numerator * f.denominator) / (f.denominator * base.denominator),
                    Rmdq::value);
            Double eq = a == null ? null : a.getEq5dIndex();
            Double eqBase = baseline == null ? null : baseline.getEq5dIndex();
            scoreAndChange(b::setEq5d, b::setEq5dAbsentReason, b::setEq5dChange, b::setEq5dChangeAbsentReason,
                    a, eq, eqBase, isBaseline, (f, base) -> exact(f).subtract(exact(base)).doubleValue(), Double::doubleValue);
            return b.build();
        }

        /** R17, R18: relief, percent relief and flags, all exact. */
        void painFlags(OutcomeWindow.Builder b, Pain pain, AbsentReason painAbsent) {
            if (pain == null) {
                b.setPainReliefAbsentReason(painAbsent).setPercentReliefAbsentReason(painAbsent).setMcid2ptAbsentReason(painAbsent)
                        .setRelief30pctAbsentReason(painAbsent).setRelief50pctAbsentReason(painAbsent).setLowPainAbsentReason(painAbsent);
                return;
            }
            BigDecimal f = pain.value;
            b.setLowPain(f.compareTo(BigDecimal.valueOf(4)) < 0);
            if (baselinePainExact == null) {
                AbsentReason nb = AbsentReason.NO_BASELINE;
                b.setPainReliefAbsentReason(nb).setPercentReliefAbsentReason(nb).setMcid2ptAbsentReason(nb)
                        .setRelief30pctAbsentReason(nb).setRelief50pctAbsentReason(nb);
                return;
            }
            BigDecimal base = baselinePainExact.value;
            BigDecimal relief = base.subtract(f);
            b.setPainRelief(relief.doubleValue());
            b.setMcid2pt(relief.compareTo(BigDecimal.valueOf(2)) >= 0);
            if (base.signum() == 0) {
                AbsentReason zero = AbsentReason.BASELINE_ZERO;
                b.setPercentReliefAbsentReason(zero).setRelief30pctAbsentReason(zero).setRelief50pctAbsentReason(zero);
                return;
            }
            b.setPercentRelief(relief.multiply(HUNDRED).divide(base, MC).doubleValue());
            b.setRelief30pct(relief.multiply(BigDecimal.TEN).compareTo(base.multiply(BigDecimal.valueOf(3))) >= 0);
            b.setRelief50pct(relief.multiply(BigDecimal.valueOf(2)).compareTo(base) >= 0);
        }

        interface Setter<T> { void set(T value); }

        /** One score and its change from baseline, with absent reasons. */
        static <S> void scoreAndChange(Setter<Double> setValue, Setter<AbsentReason> setValueAbsent,
                                       Setter<Double> setChange, Setter<AbsentReason> setChangeAbsent,
                                       FollowUpEvent assessment, S score, S baselineScore, boolean isBaseline,
                                       java.util.function.BiFunction<S, S, Double> change, Function<S, Double> value) {
            AbsentReason absent = assessment == null ? AbsentReason.NO_ASSESSMENT_IN_WINDOW : score == null ? AbsentReason.NOT_REPORTED : null;
            if (score != null) setValue.set(value.apply(score)); else setValueAbsent.set(absent);
            if (isBaseline) return;
            if (score == null) setChangeAbsent.set(absent);
            else if (baselineScore == null) setChangeAbsent.set(AbsentReason.NO_BASELINE);
            else setChange.set(change.apply(score, baselineScore));
        }

        // ---------------------------------------------------------------- imaging (R20-R26)

        record Study(ImagingEvent event, TreeMap<VertebralLevel, LevelMeasurement> byLevel) {
            Instant at() { return event.getOccurredAt(); }
            String id() { return event.getEventId(); }
            LevelMeasurement measured(VertebralLevel l) { return byLevel.get(l); }
        }

        /** Latest first; equal instants: smaller event id (R3). */
        static final Comparator<Study> LATEST_FIRST = Comparator.comparing(Study::at).reversed().thenComparing(Study::id);

        void imaging(PatientOutcome.Builder out) {
            TreeSet<VertebralLevel> indexLevels = new TreeSet<>();
            TreeSet<VertebralLevel> treatedLevels = new TreeSet<>();
            for (Treatment t : treatments) {
                treatedLevels.addAll(t.event.getLevels());
                if (day(t.at()) == 0) indexLevels.addAll(t.event.getLevels());
            }
            out.setIndexLevels(List.copyOf(indexLevels));
            // R21: phase must agree with timing, else the study is ignored (and counted).
            List<Study> pre = new ArrayList<>(), post = new ArrayList<>(), followUp = new ArrayList<>();
            int ignored = 0;
            for (ImagingEvent e : events.imaging()) {
                TreeMap<VertebralLevel, LevelMeasurement> byLevel = new TreeMap<>();
                for (LevelMeasurement m : e.getMeasurements()) byLevel.putIfAbsent(m.getLevel(), m);
                Study s = new Study(e, byLevel);
                boolean atOrAfterIndex = !e.getOccurredAt().isBefore(indexAt);
                int d = day(e.getOccurredAt());
                ImagingPhase phase = e.getPhase();
                if (phase == ImagingPhase.PRE && !atOrAfterIndex) pre.add(s);
                else if (phase == ImagingPhase.POST && atOrAfterIndex && d >= 0 && d <= POST_LAST_DAY) post.add(s);
                else if (phase == ImagingPhase.FOLLOW_UP && atOrAfterIndex) followUp.add(s);
                else ignored++;
            }
            out.setImagingStudiesIgnored(ignored);
            pre.sort(LATEST_FIRST);
            post.sort(LATEST_FIRST);
            followUp.sort(LATEST_FIRST);

            List<OutcomeLevelImaging> levels = new ArrayList<>();
            for (VertebralLevel level : indexLevels) {
                levels.add(levelImaging(level, treatedLevels, pre, post, followUp));
            }
            out.setImagingLevels(levels);
            // R25: patient flag true if any level collapsed, false if some level was comparable.
            if (levels.stream().anyMatch(l -> Boolean.TRUE.equals(l.getFurtherCollapse()))) out.setFurtherCollapse(true);
            else if (levels.stream().anyMatch(l -> Boolean.FALSE.equals(l.getFurtherCollapse()))) out.setFurtherCollapse(false);
            else out.setFurtherCollapseAbsentReason(levels.isEmpty() ? AbsentReason.NOT_APPLICABLE : levels.get(0).getFurtherCollapseAbsentReason());
        }

        enum Column {
            ANTERIOR(LevelMeasurement::getAnteriorHeightMm),
            MIDDLE(LevelMeasurement::getMiddleHeightMm),
            POSTERIOR(LevelMeasurement::getPosteriorHeightMm);

            final Function<LevelMeasurement, Double> height;

            Column(Function<LevelMeasurement, Double> height) { this.height = height; }

            Double of(LevelMeasurement m) { return m == null ? null : height.apply(m); }
        }

        /** R22: mean of the nearest eligible measured level above and below in the PRE study, or the one that exists. */
        static BigDecimal reference(Study preStudy, VertebralLevel level, Column c, Set<VertebralLevel> treatedLevels) {
            BigDecimal above = null, below = null;
            for (LevelMeasurement m : preStudy.byLevel.values()) {
                VertebralLevel l = m.getLevel();
                if (l == level || treatedLevels.contains(l) || m.getFractured() || c.of(m) == null) continue;
                // byLevel iterates T1..L5 (T12 then L1: adjacent): keep the last above and the first below.
                if (l.ordinal() < level.ordinal()) above = exact(c.of(m));
                else if (below == null) below = exact(c.of(m));
            }
            if (above != null && below != null) return above.add(below).divide(BigDecimal.valueOf(2));
            return above != null ? above : below;
        }

        /** R23: Genant grade of one loss fraction (ref - h) / ref, compared exactly; ref > 0. */
        static int genant(BigDecimal ref, BigDecimal h) {
            BigDecimal lossTimes100 = ref.subtract(h).multiply(HUNDRED);
            if (lossTimes100.compareTo(ref.multiply(BigDecimal.valueOf(20))) < 0) return 0;
            if (lossTimes100.compareTo(ref.multiply(BigDecimal.valueOf(25))) < 0) return 1;
            if (lossTimes100.compareTo(ref.multiply(BigDecimal.valueOf(40))) <= 0) return 2;
            return 3;
        }

        OutcomeLevelImaging levelImaging(VertebralLevel level, Set<VertebralLevel> treatedLevels,
                                         List<Study> pre, List<Study> post, List<Study> followUp) {
            Study preStudy = pre.stream().filter(s -> s.measured(level) != null).findFirst().orElse(null);
            Study postStudy = post.stream().filter(s -> s.measured(level) != null).findFirst().orElse(null);
            LevelMeasurement mPre = preStudy == null ? null : preStudy.measured(level);
            LevelMeasurement mPost = postStudy == null ? null : postStudy.measured(level);
            OutcomeLevelImaging.Builder b = OutcomeLevelImaging.newBuilder().setLevel(level)
                    .setPreStudyId(preStudy == null ? null : preStudy.id())
                    .setPostStudyId(postStudy == null ? null : postStudy.id());

            BigDecimal[] refs = new BigDecimal[Column.values().length];
            OutcomeColumn[] columns = new OutcomeColumn[refs.length];
            Integer grade = null;
            BigDecimal maxLoss = null;
            boolean anyReference = false;
            for (Column c : Column.values()) {
                BigDecimal ref = preStudy == null ? null : reference(preStudy, level, c, treatedLevels);
                refs[c.ordinal()] = ref;
                anyReference |= ref != null;
                columns[c.ordinal()] = column(ref, preStudy, postStudy, c.of(mPre), c.of(mPost));
                Double hPre = c.of(mPre);
                if (ref != null && ref.signum() > 0 && hPre != null) {
                    BigDecimal h = exact(hPre);
                    int g = genant(ref, h);
                    grade = grade == null ? g : Math.max(grade, g);
                    BigDecimal loss = ref.subtract(h).divide(ref, MC);
                    maxLoss = maxLoss == null ? loss : maxLoss.max(loss);
                }
            }
            b.setAnterior(columns[0]).setMiddle(columns[1]).setPosterior(columns[2]);
            AbsentReason noGrade = preStudy == null ? AbsentReason.NO_PRE_IMAGING
                    : anyReference ? AbsentReason.NOT_REPORTED : AbsentReason.NO_REFERENCE_LEVEL;
            if (grade != null) {
                b.setGenantGrade(grade).setMaxHeightLossPct(maxLoss.multiply(HUNDRED, MC).doubleValue());
            } else {
                b.setGenantGradeAbsentReason(noGrade).setMaxHeightLossPctAbsentReason(noGrade);
            }
            // Kyphosis correction = angle_pre - angle_post.
            Double aPre = mPre == null ? null : mPre.getKyphoticAngleDeg();
            Double aPost = mPost == null ? null : mPost.getKyphoticAngleDeg();
            AbsentReason preAbsent = preStudy == null ? AbsentReason.NO_PRE_IMAGING : aPre == null ? AbsentReason.NOT_REPORTED : null;
            AbsentReason postAbsent = postStudy == null ? AbsentReason.NO_POST_IMAGING : aPost == null ? AbsentReason.NOT_REPORTED : null;
            b.setKyphosisPreDeg(aPre).setKyphosisPreDegAbsentReason(preAbsent);
            b.setKyphosisPostDeg(aPost).setKyphosisPostDegAbsentReason(postAbsent);
            if (preAbsent == null && postAbsent == null) b.setKyphosisCorrectionDeg(aPre - aPost);
            else b.setKyphosisCorrectionDegAbsentReason(preAbsent != null ? preAbsent : postAbsent);

            furtherCollapse(b, level, refs, preStudy, postStudy, followUp);
            b.setCementLeakage(false); // set by complications()
            b.setChangesFromPre(changesFromPre(level, mPre, followUp));
            return b.build();
        }

        static OutcomeColumn column(BigDecimal ref, Study preStudy, Study postStudy, Double hPre, Double hPost) {
            OutcomeColumn.Builder c = OutcomeColumn.newBuilder();
            AbsentReason noPre = preStudy == null ? AbsentReason.NO_PRE_IMAGING : hPre == null ? AbsentReason.NOT_REPORTED : null;
            AbsentReason noPost = postStudy == null ? AbsentReason.NO_POST_IMAGING : hPost == null ? AbsentReason.NOT_REPORTED : null;
            AbsentReason noRef = preStudy == null ? AbsentReason.NO_PRE_IMAGING
                    : ref == null || ref.signum() <= 0 ? AbsentReason.NO_REFERENCE_LEVEL : null;
            if (ref != null) c.setReferenceHeightMm(ref.doubleValue());
            else c.setReferenceHeightMmAbsentReason(noRef);
            c.setPreHeightMm(hPre).setPreHeightMmAbsentReason(noPre);
            c.setPostHeightMm(hPost).setPostHeightMmAbsentReason(noPost);
            // Height loss % = (ref - pre) / ref x 100 (R24; may be negative).
            if (noPre != null) c.setHeightLossPctAbsentReason(noPre);
            else if (noRef != null) c.setHeightLossPctAbsentReason(noRef);
            else c.setHeightLossPct(ref.subtract(exact(hPre)).multiply(HUNDRED).divide(ref, MC).doubleValue());
            // Absolute gain = post - pre (mm).
            AbsentReason noPair = noPre != null ? noPre : noPost;
            if (noPair != null) c.setHeightGainMmAbsentReason(noPair);
            else c.setHeightGainMm(exact(hPost).subtract(exact(hPre)).doubleValue());
            // Restoration % = (post - pre) / (ref - pre) x 100, undefined when ref - pre <= 0 (R24).
            if (noPair != null) c.setRestorationPctAbsentReason(noPair);
            else if (noRef != null) c.setRestorationPctAbsentReason(noRef);
            else {
                BigDecimal lost = ref.subtract(exact(hPre));
                if (lost.signum() <= 0) c.setRestorationPctAbsentReason(AbsentReason.NO_HEIGHT_LOST);
                else c.setRestorationPct(exact(hPost).subtract(exact(hPre)).multiply(HUNDRED).divide(lost, MC).doubleValue());
            }
            return c.build();
        }

        /**
         * R25: basis = the level's POST study, else its PRE; every strictly later FOLLOW_UP study measuring
         * the level, every column with a reference: collapse when 20 (H_basis - H_followup) >= 3 ref.
         */
        void furtherCollapse(OutcomeLevelImaging.Builder b, VertebralLevel level, BigDecimal[] refs,
                             Study preStudy, Study postStudy, List<Study> followUp) {
            Study basis = postStudy != null ? postStudy : preStudy;
            if (preStudy == null) { b.setFurtherCollapseAbsentReason(AbsentReason.NO_PRE_IMAGING); return; }
            List<Study> later = followUp.stream().filter(s -> s.measured(level) != null && s.at().isAfter(basis.at())).toList();
            if (later.isEmpty()) { b.setFurtherCollapseAbsentReason(AbsentReason.NO_FOLLOW_UP_IMAGING); return; }
            boolean comparable = false, collapsed = false, anyRef = false;
            for (Study f : later) {
                for (Column c : Column.values()) {
                    BigDecimal ref = refs[c.ordinal()];
                    if (ref == null) continue;
                    anyRef = true;
                    Double hb = c.of(basis.measured(level)), hf = c.of(f.measured(level));
                    if (hb == null || hf == null) continue;
                    comparable = true;
                    BigDecimal drop = exact(hb).subtract(exact(hf));
                    if (drop.multiply(BigDecimal.valueOf(20)).compareTo(ref.multiply(BigDecimal.valueOf(3))) >= 0) collapsed = true;
                }
            }
            if (comparable) b.setFurtherCollapse(collapsed);
            else b.setFurtherCollapseAbsentReason(anyRef ? AbsentReason.NOT_REPORTED : AbsentReason.NO_REFERENCE_LEVEL);
        }

        /** R26: per score window D1..M24, the FOLLOW_UP study nearest the target (R3 ties), change from PRE. */
        List<OutcomeImagingChange> changesFromPre(VertebralLevel level, LevelMeasurement mPre, List<Study> followUp) {
            List<OutcomeImagingChange> out = new ArrayList<>();
            for (ScoreWindow w : ScoreWindow.values()) {
                if (w == ScoreWindow.BASELINE) continue;
                Study s = followUp.stream().filter(f -> f.measured(level) != null && w.accepts(day(f.at())))
                        .min(Comparator.<Study>comparingInt(f -> Math.abs(day(f.at()) - w.targetDay))
                                .thenComparing(Study::at).thenComparing(Study::id))
                        .orElse(null);
                OutcomeImagingChange.Builder b = OutcomeImagingChange.newBuilder().setWindow(w.window);
                LevelMeasurement mf = null;
                if (s != null) { b.setStudyId(s.id()).setDayNumber(day(s.at())); mf = s.measured(level); }
                AbsentReason base = mPre == null ? AbsentReason.NO_PRE_IMAGING : s == null ? AbsentReason.NO_FOLLOW_UP_IMAGING : null;
                Double[] pre = {Column.ANTERIOR.of(mPre), Column.MIDDLE.of(mPre), Column.POSTERIOR.of(mPre)};
                Double[] fol = {Column.ANTERIOR.of(mf), Column.MIDDLE.of(mf), Column.POSTERIOR.of(mf)};
                List<Setter<Double>> set = List.of(b::setAnteriorChangeMm, b::setMiddleChangeMm, b::setPosteriorChangeMm);
                List<Setter<AbsentReason>> why = List.of(b::setAnteriorChangeMmAbsentReason, b::setMiddleChangeMmAbsentReason, b::setPosteriorChangeMmAbsentReason);
                for (int i = 0; i < 3; i++) {
                    if (base != null) why.get(i).set(base);
                    else if (pre[i] == null || fol[i] == null) why.get(i).set(AbsentReason.NOT_REPORTED);
                    else set.get(i).set(exact(fol[i]).subtract(exact(pre[i])).doubleValue());
                }
                Double kPre = mPre == null ? null : mPre.getKyphoticAngleDeg();
                Double kFol = mf == null ? null : mf.getKyphoticAngleDeg();
                if (base != null) b.setKyphosisChangeDegAbsentReason(base);
                else if (kPre == null || kFol == null) b.setKyphosisChangeDegAbsentReason(AbsentReason.NOT_REPORTED);
                else b.setKyphosisChangeDeg(exact(kPre).subtract(exact(kFol)).doubleValue());
                out.add(b.build());
            }
            return out;
        }

        // ---------------------------------------------------------------- complications (R27)

        record ComplicationKey(ComplicationType type, VertebralLevel level, LocalDate date) {}

        static final Comparator<ComplicationKey> COMPLICATION_ORDER = Comparator.comparing(ComplicationKey::date)
                .thenComparing(ComplicationKey::type)
                .thenComparing(ComplicationKey::level, Comparator.nullsFirst(Comparator.naturalOrder()));

        void complications(PatientOutcome.Builder out) {
            TreeSet<ComplicationKey> counted = new TreeSet<>(COMPLICATION_ORDER);
            for (FollowUpEvent f : events.followUps()) {
                for (Complication c : f.getComplications()) {
                    LocalDate date = c.getDate() != null ? c.getDate() : utcDate(f.getOccurredAt());
                    if (day(date) >= 0) counted.add(new ComplicationKey(c.getType(), c.getLevel(), date));
                }
            }
            List<OutcomeComplication> list = new ArrayList<>();
            Set<VertebralLevel> leakLevels = EnumSet.noneOf(VertebralLevel.class);
            for (ComplicationKey k : counted) {
                list.add(OutcomeComplication.newBuilder().setType(k.type).setLevel(k.level).setDate(k.date).setDaysFromIndex(day(k.date)).build());
                if (k.type == ComplicationType.CEMENT_LEAKAGE && k.level != null) leakLevels.add(k.level);
            }
            out.setComplications(list).setAnyComplication(!list.isEmpty());
            List<OutcomeLevelImaging> levels = new ArrayList<>();
            for (OutcomeLevelImaging l : out.getImagingLevels()) {
                levels.add(OutcomeLevelImaging.newBuilder(l).setCementLeakage(leakLevels.contains(l.getLevel())).build());
            }
            out.setImagingLevels(levels);
        }
    }

    private static List<VertebralLevel> sortedLevels(List<VertebralLevel> levels) {
        return List.copyOf(new TreeSet<>(levels));
    }

    /**
     * R35: the decimal a double input is written as (its shortest round-trip form), never its binary
     * value: {@code new BigDecimal(23.7)} is 23.699999999999999289..., which made a reference equal to
     * the PRE height look like a loss of 1.8e-15 mm.
     */
    static BigDecimal exact(double d) {
        return BigDecimal.valueOf(d);
    }
}
