package org.spineoutcomes.outcome;

import static org.spineoutcomes.outcome.ExactDecimals.comparePercent;
import static org.spineoutcomes.outcome.ExactDecimals.exact;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import org.spineoutcomes.schema.AbsentReason;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.OutcomeColumn;
import org.spineoutcomes.schema.OutcomeImagingChange;
import org.spineoutcomes.schema.OutcomeLevelImaging;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.stats.ToDouble;

/**
 * Imaging outcomes per index level (docs/computation-rules.md R20-R26): which studies count as PRE, POST and FOLLOW_UP
 * (R21), the reference height from neighbouring levels (R22), Genant grade (R23), height restoration
 * (R24), further collapse (R25) and the change from PRE per score window (R26).
 */
final class ImagingOutcomes {

    /** R21: POST studies are on days 0-7 after the index (also the POST as-treated period, R29). */
    static final int POST_LAST_DAY = 7;
    /** R23: a height loss from 20 % is Genant grade 1 (mild). */
    static final BigDecimal GENANT_MILD_FROM_PERCENT = BigDecimal.valueOf(20);
    /** R23: a height loss from 25 % is Genant grade 2 (moderate). */
    static final BigDecimal GENANT_MODERATE_FROM_PERCENT = BigDecimal.valueOf(25);
    /** R23: a height loss above 40 % is Genant grade 3 (severe). */
    static final BigDecimal GENANT_SEVERE_ABOVE_PERCENT = BigDecimal.valueOf(40);
    /** R25: further collapse is a drop of at least 15 % of the reference height. */
    static final BigDecimal FURTHER_COLLAPSE_PERCENT = BigDecimal.valueOf(15);

    /** One imaging study, its measurements by level (T1..L5 order). */
    record Study(ImagingEvent event, EnumMap<VertebralLevel, LevelMeasurement> byLevel) {
        Instant at() { return event.getOccurredAt(); }
        String id() { return event.getEventId(); }
        LevelMeasurement measured(VertebralLevel l) { return byLevel.get(l); }
    }

    /** The three vertebral body heights, each with its own reference and outcomes. */
    enum Column {
        ANTERIOR(LevelMeasurement::getAnteriorHeightMm),
        MIDDLE(LevelMeasurement::getMiddleHeightMm),
        POSTERIOR(LevelMeasurement::getPosteriorHeightMm);

        final Function<LevelMeasurement, Double> height;

        Column(Function<LevelMeasurement, Double> height) { this.height = height; }

        Double of(LevelMeasurement m) { return m == null ? null : height.apply(m); }
    }

    /** Latest first; equal instants: smaller event id (R3). */
    static final Comparator<Study> LATEST_FIRST = Comparator.comparing(Study::at).reversed().thenComparing(Study::id);

    private final TreatmentHistory history;
    private final Set<VertebralLevel> cementLeakLevels;
    private final TreeSet<VertebralLevel> indexLevels = new TreeSet<>();
    private final TreeSet<VertebralLevel> treatedLevels = new TreeSet<>();
    private final List<Study> pre = new ArrayList<>();
    private final List<Study> post = new ArrayList<>();
    private final List<Study> followUp = new ArrayList<>();
    private int ignored;

    /** @param cementLeakLevels levels with a counted cement leakage (R27), flagged per level */
    ImagingOutcomes(TreatmentHistory history, List<ImagingEvent> imaging, Set<VertebralLevel> cementLeakLevels) {
        this.history = history;
        this.cementLeakLevels = cementLeakLevels;
        // R20: index levels are those treated on day 0; any treated level is never a reference (R22).
        for (TreatmentHistory.Treatment t : history.treatments()) {
            treatedLevels.addAll(t.event().getLevels());
            if (history.day(t.at()) == 0) indexLevels.addAll(t.event().getLevels());
        }
        // R21: phase must agree with timing, else the study is ignored (and counted).
        for (ImagingEvent e : imaging) {
            // An EnumMap iterates in level order, as a TreeMap of the enum would, at a fraction of the cost.
            EnumMap<VertebralLevel, LevelMeasurement> byLevel = new EnumMap<>(VertebralLevel.class);
            for (LevelMeasurement m : e.getMeasurements()) byLevel.putIfAbsent(m.getLevel(), m);
            Study s = new Study(e, byLevel);
            boolean atOrAfterIndex = !e.getOccurredAt().isBefore(history.indexAt());
            int d = history.day(e.getOccurredAt());
            ImagingPhase phase = e.getPhase();
            if (phase == ImagingPhase.PRE && !atOrAfterIndex) pre.add(s);
            else if (phase == ImagingPhase.POST && atOrAfterIndex && d >= 0 && d <= POST_LAST_DAY) post.add(s);
            else if (phase == ImagingPhase.FOLLOW_UP && atOrAfterIndex) followUp.add(s);
            else ignored++;
        }
        pre.sort(LATEST_FIRST);
        post.sort(LATEST_FIRST);
        followUp.sort(LATEST_FIRST);
    }

    void writeTo(PatientOutcome.Builder out) {
        out.setIndexLevels(List.copyOf(indexLevels)).setImagingStudiesIgnored(ignored);
        List<OutcomeLevelImaging> levels = new ArrayList<>();
        for (VertebralLevel level : indexLevels) levels.add(levelImaging(level));
        out.setImagingLevels(levels);
        // R25: patient flag true if any level collapsed, false if some level was comparable.
        if (levels.stream().anyMatch(l -> Boolean.TRUE.equals(l.getFurtherCollapse()))) out.setFurtherCollapse(true);
        else if (levels.stream().anyMatch(l -> Boolean.FALSE.equals(l.getFurtherCollapse()))) out.setFurtherCollapse(false);
        else out.setFurtherCollapseAbsentReason(levels.isEmpty() ? AbsentReason.NOT_APPLICABLE : levels.get(0).getFurtherCollapseAbsentReason());
    }

    /** The latest study of the phase measuring the level (R21, R3), or null. */
    private static Study latestMeasuring(List<Study> phase, VertebralLevel level) {
        return phase.stream().filter(s -> s.measured(level) != null).findFirst().orElse(null);
    }

    private OutcomeLevelImaging levelImaging(VertebralLevel level) {
        Study preStudy = latestMeasuring(pre, level);
        Study postStudy = latestMeasuring(post, level);
        LevelMeasurement mPre = preStudy == null ? null : preStudy.measured(level);
        LevelMeasurement mPost = postStudy == null ? null : postStudy.measured(level);
        OutcomeLevelImaging.Builder b = OutcomeLevelImaging.newBuilder().setLevel(level)
                .setPreStudyId(preStudy == null ? null : preStudy.id())
                .setPostStudyId(postStudy == null ? null : postStudy.id());

        BigDecimal[] refs = new BigDecimal[Column.values().length];
        OutcomeColumn[] columns = new OutcomeColumn[refs.length];
        Integer grade = null;
        Double maxLossPct = null;
        boolean anyReference = false;
        for (Column c : Column.values()) {
            BigDecimal ref = preStudy == null ? null : reference(preStudy, level, c, treatedLevels);
            refs[c.ordinal()] = ref;
            anyReference |= ref != null;
            Double hPre = c.of(mPre);
            columns[c.ordinal()] = column(ref, preStudy, postStudy, hPre, c.of(mPost));
            // R23: the level's grade and loss are the worst over the columns with a positive reference.
            if (ref != null && ref.signum() > 0 && hPre != null) {
                BigDecimal loss = ref.subtract(exact(hPre));
                int g = genantGrade(loss, ref);
                grade = grade == null ? g : Math.max(grade, g);
                // The largest of the doubles is the double of the largest (rounding to a double keeps order).
                double lossPct = ExactDecimals.percentAsDouble(loss, ref);
                maxLossPct = maxLossPct == null ? lossPct : Math.max(maxLossPct, lossPct);
            }
        }
        b.setAnterior(columns[0]).setMiddle(columns[1]).setPosterior(columns[2]);
        AbsentReason noGrade = preStudy == null ? AbsentReason.NO_PRE_IMAGING
                : anyReference ? AbsentReason.NOT_REPORTED : AbsentReason.NO_REFERENCE_LEVEL;
        if (grade != null) {
            b.setGenantGrade(grade).setMaxHeightLossPct(maxLossPct);
        } else {
            b.setGenantGradeAbsentReason(noGrade).setMaxHeightLossPctAbsentReason(noGrade);
        }
        // Kyphosis correction = angle_pre - angle_post, on the decimals as written (R35): 12.3 - 10.1 is 2.2.
        Double aPre = mPre == null ? null : mPre.getKyphoticAngleDeg();
        Double aPost = mPost == null ? null : mPost.getKyphoticAngleDeg();
        AbsentReason preAbsent = absence(preStudy, AbsentReason.NO_PRE_IMAGING, aPre);
        AbsentReason postAbsent = absence(postStudy, AbsentReason.NO_POST_IMAGING, aPost);
        b.setKyphosisPreDeg(aPre).setKyphosisPreDegAbsentReason(preAbsent);
        b.setKyphosisPostDeg(aPost).setKyphosisPostDegAbsentReason(postAbsent);
        if (preAbsent == null && postAbsent == null) b.setKyphosisCorrectionDeg(ToDouble.of(ExactDecimals.exact(aPre).subtract(ExactDecimals.exact(aPost))));
        else b.setKyphosisCorrectionDegAbsentReason(preAbsent != null ? preAbsent : postAbsent);

        furtherCollapse(b, level, refs, preStudy, postStudy);
        b.setCementLeakage(cementLeakLevels.contains(level));
        b.setChangesFromPre(changesFromPre(level, mPre));
        return b.build();
    }

    /** Why a value from a study is absent: no such study, or the study did not report it; null when present. */
    private static AbsentReason absence(Study study, AbsentReason noStudy, Double value) {
        return study == null ? noStudy : value == null ? AbsentReason.NOT_REPORTED : null;
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

    /** R23: Genant grade of the loss fraction loss / ref, compared exactly; ref > 0. */
    static int genantGrade(BigDecimal loss, BigDecimal ref) {
        if (comparePercent(loss, ref, GENANT_MILD_FROM_PERCENT) < 0) return 0;
        if (comparePercent(loss, ref, GENANT_MODERATE_FROM_PERCENT) < 0) return 1;
        if (comparePercent(loss, ref, GENANT_SEVERE_ABOVE_PERCENT) <= 0) return 2;
        return 3;
    }

    /** One height column of a level: reference, PRE and POST heights, loss %, gain and restoration % (R22-R24). */
    static OutcomeColumn column(BigDecimal ref, Study preStudy, Study postStudy, Double hPre, Double hPost) {
        OutcomeColumn.Builder c = OutcomeColumn.newBuilder();
        AbsentReason noPre = absence(preStudy, AbsentReason.NO_PRE_IMAGING, hPre);
        AbsentReason noPost = absence(postStudy, AbsentReason.NO_POST_IMAGING, hPost);
        AbsentReason noRef = preStudy == null ? AbsentReason.NO_PRE_IMAGING
                : ref == null || ref.signum() <= 0 ? AbsentReason.NO_REFERENCE_LEVEL : null;
        if (ref != null) c.setReferenceHeightMm(ToDouble.of(ref));
        else c.setReferenceHeightMmAbsentReason(noRef);
        c.setPreHeightMm(hPre).setPreHeightMmAbsentReason(noPre);
        c.setPostHeightMm(hPost).setPostHeightMmAbsentReason(noPost);
        // Height loss % = (ref - pre) / ref x 100 (R23; may be negative).
        if (noPre != null) c.setHeightLossPctAbsentReason(noPre);
        else if (noRef != null) c.setHeightLossPctAbsentReason(noRef);
        else c.setHeightLossPct(ExactDecimals.percentAsDouble(ref.subtract(exact(hPre)), ref));
        // Absolute gain = post - pre (mm).
        AbsentReason noPair = noPre != null ? noPre : noPost;
        if (noPair != null) c.setHeightGainMmAbsentReason(noPair);
        else c.setHeightGainMm(ToDouble.of(exact(hPost).subtract(exact(hPre))));
        // Restoration % = (post - pre) / (ref - pre) x 100, undefined when ref - pre <= 0 (R24).
        if (noPair != null) c.setRestorationPctAbsentReason(noPair);
        else if (noRef != null) c.setRestorationPctAbsentReason(noRef);
        else {
            BigDecimal lost = ref.subtract(exact(hPre));
            if (lost.signum() <= 0) c.setRestorationPctAbsentReason(AbsentReason.NO_HEIGHT_LOST);
            else c.setRestorationPct(ExactDecimals.percentAsDouble(exact(hPost).subtract(exact(hPre)), lost));
        }
        return c.build();
    }

    /**
     * R25: basis = the level's POST study, else its PRE; every strictly later FOLLOW_UP study measuring
     * the level, every column with a reference: collapse when H_basis - H_followup >= 15 % of ref.
     */
    private void furtherCollapse(OutcomeLevelImaging.Builder b, VertebralLevel level, BigDecimal[] refs,
                                 Study preStudy, Study postStudy) {
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
                if (comparePercent(drop, ref, FURTHER_COLLAPSE_PERCENT) >= 0) collapsed = true;
            }
        }
        if (comparable) b.setFurtherCollapse(collapsed);
        else b.setFurtherCollapseAbsentReason(anyRef ? AbsentReason.NOT_REPORTED : AbsentReason.NO_REFERENCE_LEVEL);
    }

    /** R26: per score window D1..M24, the FOLLOW_UP study nearest the target (R15, R3 ties), change from PRE. */
    private List<OutcomeImagingChange> changesFromPre(VertebralLevel level, LevelMeasurement mPre) {
        List<Study> measuring = followUp.stream().filter(f -> f.measured(level) != null).toList();
        List<OutcomeImagingChange> out = new ArrayList<>();
        for (ScoreWindow w : ScoreWindow.values()) {
            if (w == ScoreWindow.BASELINE) continue;
            Study s = ScoreWindows.nearestToTarget(history, w, measuring, Study::at, Study::id);
            OutcomeImagingChange.Builder b = OutcomeImagingChange.newBuilder().setWindow(w.window);
            LevelMeasurement mf = null;
            if (s != null) { b.setStudyId(s.id()).setDayNumber(history.day(s.at())); mf = s.measured(level); }
            AbsentReason missing = mPre == null ? AbsentReason.NO_PRE_IMAGING : s == null ? AbsentReason.NO_FOLLOW_UP_IMAGING : null;
            // Heights: follow-up - PRE (mm); kyphosis: PRE - follow-up (degrees), so a correction stays positive.
            difference(missing, Column.ANTERIOR.of(mf), Column.ANTERIOR.of(mPre), b::setAnteriorChangeMm, b::setAnteriorChangeMmAbsentReason);
            difference(missing, Column.MIDDLE.of(mf), Column.MIDDLE.of(mPre), b::setMiddleChangeMm, b::setMiddleChangeMmAbsentReason);
            difference(missing, Column.POSTERIOR.of(mf), Column.POSTERIOR.of(mPre), b::setPosteriorChangeMm, b::setPosteriorChangeMmAbsentReason);
            difference(missing, mPre == null ? null : mPre.getKyphoticAngleDeg(), mf == null ? null : mf.getKyphoticAngleDeg(),
                    b::setKyphosisChangeDeg, b::setKyphosisChangeDegAbsentReason);
            out.add(b.build());
        }
        return out;
    }

    /** minuend - subtrahend exactly, or why not: the study is missing, else a value was not reported. */
    private static void difference(AbsentReason missing, Double minuend, Double subtrahend,
                                   Consumer<Double> set, Consumer<AbsentReason> absent) {
        if (missing != null) absent.accept(missing);
        else if (minuend == null || subtrahend == null) absent.accept(AbsentReason.NOT_REPORTED);
        else set.accept(ToDouble.of(exact(minuend).subtract(exact(subtrahend))));
    }
}
