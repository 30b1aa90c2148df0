package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.spineoutcomes.schema.ImagingPhase.FOLLOW_UP;
import static org.spineoutcomes.schema.ImagingPhase.POST;
import static org.spineoutcomes.schema.ImagingPhase.PRE;
import static org.spineoutcomes.schema.VertebralLevel.*;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.spineoutcomes.outcome.PatientEventLog.AddResult;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.Contribution;

/**
 * The outcome depends only on the set of events (docs/architecture.md, topology principles): every arrival order,
 * with corrections, retractions, orphans and duplicates, gives an identical PatientOutcome, identical
 * contributions and identical stored state.
 */
class OrderIndependenceTest {

    /** The outcome, its cells, the stored state, and every version rejected on the way (R9: losers, at arrival or displaced). */
    record Result(PatientOutcome outcome, Map<CellKey, Contribution> cells, byte[] state, List<SpecificRecord> rejected) {}

    static Result replay(List<SpecificRecord> events) {
        PatientEventLog log = new PatientEventLog();
        List<SpecificRecord> rejected = new ArrayList<>();
        for (SpecificRecord e : events) {
            PatientEventLog.Added a = log.add(e, PatientEventLog.Origin.UNKNOWN);
            if (a.result() == AddResult.DUPLICATE_ID_CONFLICT) rejected.add(e);
            a.displaced().forEach(v -> rejected.add(v.event()));
        }
        // Through the state-store form, as the topology does.
        PatientEventLog restored = PatientEventLog.fromBytes(log.toBytes());
        PatientOutcome o = OutcomeEngine.compute(DEFAULT_PATIENT, restored.resolved());
        rejected.sort(java.util.Comparator.comparing(Object::toString));
        return new Result(o, CellContributions.of(o), restored.toBytes(), rejected);
    }

    static void assertSame(Result expected, Result actual, String context) {
        assertEquals(expected.outcome, actual.outcome, context);
        assertEquals(expected.cells, actual.cells, context);
        assertArrayEquals(expected.state, actual.state, context);
        assertEquals(expected.rejected, actual.rejected, context);
    }

    /**
     * Seven events with re-sends (R9): the M1 assessment "m" in three versions (recorded at +0 h, +1 h
     * wins, -1 h loses) and the M3 assessment "n" in two versions recorded at the same instant (a tie:
     * neither acts).
     */
    static List<SpecificRecord> resendSet() {
        FollowUpEvent m = nrs("m", day(30), 5);
        FollowUpEvent n = nrs("n", day(90), 6);
        return List.of(
                vertebroplasty("p1", INDEX),
                nrs("b", day(-2), 8),
                m,
                FollowUpEvent.newBuilder(m).setPainNrs(3).setRecordedAt(m.getRecordedAt().plusSeconds(3600)).build(),
                FollowUpEvent.newBuilder(m).setPainNrs(1).setRecordedAt(m.getRecordedAt().minusSeconds(3600)).build(),
                n,
                FollowUpEvent.newBuilder(n).setPainNrs(2).build());
    }

    @Test
    void everyPermutationOfSevenEventsWithResends_givesTheSameOutcomeAndTheSameRejections() {
        List<SpecificRecord> events = resendSet();
        Result expected = replay(events);
        // M1: the version recorded last (NRS 3) acts: relief 8 - 3 = 5. M3: the tie leaves no assessment.
        assertEquals(5.0, expected.outcome.getWindows().get(3).getPainRelief());
        assertEquals(org.spineoutcomes.schema.AbsentReason.NO_ASSESSMENT_IN_WINDOW,
                expected.outcome.getWindows().get(4).getPainAbsentReason());
        // Rejected once each, whatever the order: m (+0 h), m (-1 h) and both versions of n.
        assertEquals(4, expected.rejected.size());
        int[] count = {0};
        permute(new ArrayList<>(events), 0, perm -> {
            count[0]++;
            assertSame(expected, replay(perm), "permutation " + count[0]);
        });
        assertEquals(5040, count[0]); // 7!
    }

    /** Seven events: original + correction chain + retraction of a retraction + duplicate + late procedure correction. */
    static List<SpecificRecord> smallSet() {
        return List.of(
                vertebroplasty("p1", INDEX),
                procedure("p1c", INDEX, "22514").setCorrects("p1").setRecordedAt(INDEX.plusSeconds(900)).build(),
                nrs("b", day(-2), 8),
                nrs("m", day(30), 5),
                followUp("mc", day(31)).setPainNrs(2).setCorrects("m").setRecordedAt(day(40)).build(),
                followUp("r1", day(50)).setRetracts("nope").build(),
                nrs("m", day(30), 5)); // duplicate, identical
    }

    @Test
    void everyPermutationOfSevenEvents_givesTheSameOutcome() {
        List<SpecificRecord> events = smallSet();
        Result expected = replay(events);
        // Sanity: the correction to KP and the corrected M1 pain are in effect (8 - 2 = 6 relief).
        assertEquals(org.spineoutcomes.schema.TreatmentArm.KYPHOPLASTY, expected.outcome.getIttArm());
        assertEquals(6.0, expected.outcome.getWindows().get(3).getPainRelief());
        int[] count = {0};
        permute(new ArrayList<>(events), 0, perm -> {
            count[0]++;
            assertSame(expected, replay(perm), "permutation " + count[0]);
        });
        assertEquals(5040, count[0]); // 7!
    }

    interface Visitor { void visit(List<SpecificRecord> perm); }

    static void permute(List<SpecificRecord> a, int k, Visitor v) {
        if (k == a.size()) { v.visit(a); return; }
        for (int i = k; i < a.size(); i++) {
            Collections.swap(a, k, i);
            permute(a, k + 1, v);
            Collections.swap(a, k, i);
        }
    }

    static Stream<Long> seeds() {
        return IntStream.rangeClosed(1, 40).mapToObj(i -> (long) i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void randomPatient_manyShuffles_sameOutcome(long seed) {
        Random rnd = new Random(seed);
        List<SpecificRecord> events = randomPatient(rnd);
        Result expected = replay(events);
        for (int i = 0; i < 60; i++) {
            List<SpecificRecord> shuffled = new ArrayList<>(events);
            Collections.shuffle(shuffled, rnd);
            assertSame(expected, replay(shuffled), "seed " + seed + " shuffle " + i);
        }
    }

    @Test
    void aRetractionArrivingLate_changesTheOutcome() {
        // Guard that the comparison above can fail: removing the retraction of the only VP changes everything.
        List<SpecificRecord> events = new ArrayList<>(List.of(vertebroplasty("p1", INDEX), nrs("m", day(30), 3)));
        Result without = replay(events);
        events.add(procedure("r", INDEX).setRetracts("p1").build());
        assertNotEquals(without.outcome, replay(events).outcome);
    }

    private static final VertebralLevel[] LEVELS = {T11, T12, L1, L2, L3};

    /** A random patient of 15-35 events with corrections (chains), retractions, orphans and duplicates. */
    static List<SpecificRecord> randomPatient(Random rnd) {
        List<SpecificRecord> out = new ArrayList<>();
        int n = 0;
        String[][] codeChoices = {{"22511"}, {"22514"}, {"22520"}, {"22515", "77012"}, {"22612"}, {}};
        int procedures = 1 + rnd.nextInt(3);
        for (int i = 0; i < procedures; i++) {
            String[] codes = codeChoices[rnd.nextInt(codeChoices.length)];
            var b = procedure("proc" + (n++), day(rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(40)).plusSeconds(rnd.nextInt(3) * 3600L), codes)
                    .setLevels(List.of(LEVELS[1 + rnd.nextInt(3)])).setAgeYears(55 + rnd.nextInt(40));
            if (codes.length == 0) b.setConservativeCare(org.spineoutcomes.schema.ConservativeCare.newBuilder().setBracing(true).build());
            out.add(b.build());
        }
        int followUps = 5 + rnd.nextInt(10);
        for (int i = 0; i < followUps; i++) {
            var b = followUp("fu" + (n++), day(-35 + rnd.nextInt(200)).plusSeconds(rnd.nextInt(4) * 1800L));
            if (rnd.nextBoolean()) b.setPainNrs(rnd.nextInt(11)); else b.setPainVas(rnd.nextInt(1001) / 10.0);
            if (rnd.nextInt(3) == 0) b.setOdi((double) rnd.nextInt(101));
            if (rnd.nextInt(3) == 0) { b.setRmdqItems(23 + rnd.nextInt(2)); b.setRmdq(rnd.nextInt(24)); }
            if (rnd.nextInt(4) == 0) b.setComplications(List.of(complication(ComplicationType.values()[rnd.nextInt(8)], LEVELS[rnd.nextInt(5)], null)));
            if (rnd.nextInt(5) == 0) b.setMedications(List.of(medication(MedicationClass.CALCIUM, INDEX_DATE.plusDays(rnd.nextInt(60) - 10))));
            out.add(b.build());
        }
        int studies = 2 + rnd.nextInt(5);
        ImagingPhase[] phases = {PRE, POST, FOLLOW_UP};
        for (int i = 0; i < studies; i++) {
            List<org.spineoutcomes.schema.LevelMeasurement> m = new ArrayList<>();
            for (VertebralLevel l : LEVELS) {
                if (rnd.nextInt(4) > 0) m.add(level(l, 10 + rnd.nextInt(160) / 8.0, 10 + rnd.nextInt(160) / 8.0, 10 + rnd.nextInt(160) / 8.0, (double) rnd.nextInt(30), rnd.nextInt(5) == 0));
            }
            out.add(study("img" + (n++), day(-5 + rnd.nextInt(120)), phases[rnd.nextInt(3)]).setMeasurements(m).build());
        }
        // Corrections (possibly of corrections), retractions (possibly of retractions), orphans, duplicates.
        int extras = 3 + rnd.nextInt(6);
        for (int i = 0; i < extras; i++) {
            SpecificRecord target = out.get(rnd.nextInt(out.size()));
            String tid = String.valueOf(target.get(0));
            String id = "x" + (n++);
            int kind = rnd.nextInt(5);
            if (kind == 3) { out.add(target); continue; } // identical duplicate
            if (kind == 4) { out.add(resent(target, rnd)); continue; } // R9 re-send: same id, other content
            String ref = kind == 2 ? "missing" + i : tid;  // kind 2: an orphan that never resolves
            boolean retract = rnd.nextInt(3) == 0;
            out.add(modified(target, id, ref, retract, rnd));
        }
        return out;
    }

    /** A re-send of {@code target}: same event id, another source system, recorded an hour earlier, at the same instant or an hour later. */
    static SpecificRecord resent(SpecificRecord target, Random rnd) {
        long shift = 3600L * (rnd.nextInt(3) - 1);
        String source = "resend-" + rnd.nextInt(1000);
        if (target instanceof org.spineoutcomes.schema.ProcedureEvent p) {
            return org.spineoutcomes.schema.ProcedureEvent.newBuilder(p).setSourceSystem(source).setRecordedAt(p.getRecordedAt().plusSeconds(shift)).build();
        }
        if (target instanceof org.spineoutcomes.schema.ImagingEvent im) {
            return org.spineoutcomes.schema.ImagingEvent.newBuilder(im).setSourceSystem(source).setRecordedAt(im.getRecordedAt().plusSeconds(shift)).build();
        }
        var f = (org.spineoutcomes.schema.FollowUpEvent) target;
        return org.spineoutcomes.schema.FollowUpEvent.newBuilder(f).setSourceSystem(source).setRecordedAt(f.getRecordedAt().plusSeconds(shift)).build();
    }

    /** A correction (new content) or retraction of {@code target}, with id {@code id}, naming {@code ref}. */
    static SpecificRecord modified(SpecificRecord target, String id, String ref, boolean retract, Random rnd) {
        java.time.Instant recorded = day(300).plusSeconds(rnd.nextInt(5)); // ties on recordedAt happen: event id decides
        if (target instanceof org.spineoutcomes.schema.ProcedureEvent p) {
            var b = org.spineoutcomes.schema.ProcedureEvent.newBuilder(p).setEventId(id).setRecordedAt(recorded).setCorrects(null).setRetracts(null);
            if (retract) b.setRetracts(ref); else b.setCorrects(ref).setOccurredAt(p.getOccurredAt().plusSeconds(rnd.nextInt(3) * 86400L));
            return b.build();
        }
        if (target instanceof org.spineoutcomes.schema.ImagingEvent im) {
            var b = org.spineoutcomes.schema.ImagingEvent.newBuilder(im).setEventId(id).setRecordedAt(recorded).setCorrects(null).setRetracts(null);
            if (retract) b.setRetracts(ref); else b.setCorrects(ref).setPhase(ImagingPhase.values()[rnd.nextInt(3)]);
            return b.build();
        }
        var f = (org.spineoutcomes.schema.FollowUpEvent) target;
        var b = org.spineoutcomes.schema.FollowUpEvent.newBuilder(f).setEventId(id).setRecordedAt(recorded).setCorrects(null).setRetracts(null);
        if (retract) b.setRetracts(ref); else b.setCorrects(ref).setPainNrs(rnd.nextInt(11)).setOccurredAt(f.getOccurredAt().plusSeconds(rnd.nextInt(20) * 86400L));
        return b.build();
    }
}
