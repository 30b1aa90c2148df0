package org.spineoutcomes.outcome;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.outcome.PatientEventLog.AddResult;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ProcedureEvent;

class PatientEventLogTest {

    private static FollowUpEvent correction(String id, String target, int nrs, int recordedSecond) {
        return followUp(id, day(30)).setPainNrs(nrs).setCorrects(target)
                .setRecordedAt(day(31).plusSeconds(recordedSecond)).build();
    }

    private static FollowUpEvent retraction(String id, String target) {
        return followUp(id, day(32)).setRetracts(target).build();
    }

    private static List<Integer> nrsOf(PatientEventLog log) {
        return log.resolved().followUps().stream().map(FollowUpEvent::getPainNrs).toList();
    }

    @Test
    void duplicateIdentical_isIgnored() {
        PatientEventLog log = new PatientEventLog();
        assertEquals(AddResult.ACCEPTED, log.add(nrs("f1", day(30), 4)));
        assertEquals(AddResult.DUPLICATE_IGNORED, log.add(nrs("f1", day(30), 4)));
        assertEquals(1, log.size());
    }

    /** A re-send of follow-up f1 (day 30) with NRS {@code nrs}, recorded {@code recordedMinute} minutes after day 30. */
    private static FollowUpEvent resend(int nrs, int recordedMinute) {
        return followUp("f1", day(30)).setPainNrs(nrs).setRecordedAt(day(30).plusSeconds(60L * recordedMinute)).build();
    }

    @Test
    void resendRecordedLater_winsAndDisplacesTheEarlierVersion_R9() {
        PatientEventLog log = new PatientEventLog();
        FollowUpEvent v1 = resend(4, 1), v2 = resend(6, 5);
        assertEquals(AddResult.ACCEPTED, log.add(v1));
        PatientEventLog.Added second = log.add(v2, PatientEventLog.Origin.UNKNOWN);
        assertEquals(AddResult.ACCEPTED, second.result());
        assertEquals(1, second.displaced().size());
        assertEquals(v1, second.displaced().get(0).event()); // accepted first, now rejected
        assertEquals(List.of(6), nrsOf(log));
        assertEquals(List.of(v1), log.losers().stream().map(PatientEventLog.Version::event).toList());
    }

    @Test
    void resendRecordedEarlier_arrivingLast_losesAndDisplacesNothing_R9() {
        PatientEventLog log = new PatientEventLog();
        log.add(resend(6, 5));
        PatientEventLog.Added late = log.add(resend(4, 1), PatientEventLog.Origin.UNKNOWN);
        assertEquals(AddResult.DUPLICATE_ID_CONFLICT, late.result());
        assertEquals(List.of(), late.displaced());
        assertEquals(List.of(6), nrsOf(log)); // the same winner as in the other order
    }

    @Test
    void differentContentsTiedOnLatestRecordedAt_noneWins_R9() {
        // v1 and v2 both recorded at minute 5 with different NRS: neither acts; a third, earlier version cannot win either.
        for (List<Integer> order : List.of(List.of(0, 1, 2), List.of(1, 0, 2), List.of(2, 1, 0), List.of(2, 0, 1))) {
            FollowUpEvent[] versions = {resend(4, 5), resend(6, 5), resend(8, 1)};
            PatientEventLog log = new PatientEventLog();
            List<FollowUpEvent> displacedOrRejected = new java.util.ArrayList<>();
            for (int k : order) {
                PatientEventLog.Added a = log.add(versions[k], PatientEventLog.Origin.UNKNOWN);
                if (a.result() == AddResult.DUPLICATE_ID_CONFLICT) displacedOrRejected.add(versions[k]);
                a.displaced().forEach(v -> displacedOrRejected.add((FollowUpEvent) v.event()));
            }
            assertEquals(List.of(), nrsOf(log), "order " + order);
            assertEquals(3, log.losers().size(), "order " + order);
            // Every version is rejected exactly once, whatever the order.
            assertEquals(3, displacedOrRejected.size(), "order " + order);
            assertEquals(3, new java.util.HashSet<>(displacedOrRejected).size(), "order " + order);
        }
    }

    @Test
    void tieBrokenByALaterVersion_theLaterWins_R9() {
        PatientEventLog log = new PatientEventLog();
        log.add(resend(4, 5));
        log.add(resend(6, 5));
        assertEquals(AddResult.ACCEPTED, log.add(resend(2, 9)));
        assertEquals(List.of(2), nrsOf(log));
    }

    @Test
    void identicalResendOfALoser_isIgnored_R9() {
        PatientEventLog log = new PatientEventLog();
        log.add(resend(6, 5));
        log.add(resend(4, 1));
        assertEquals(AddResult.DUPLICATE_IGNORED, log.add(resend(4, 1)));
        assertEquals(1, log.losers().size());
    }

    @Test
    void duplicateIdAcrossEventTypes_isAResendOfAnotherType() {
        // The procedure x1 is recorded at INDEX + 60 s, the follow-up x1 at day 30 + 60 s: the later
        // (the follow-up) wins; event ids are one namespace per patient whatever the type.
        PatientEventLog log = new PatientEventLog();
        log.add(vertebroplasty("x1", INDEX));
        assertEquals(AddResult.ACCEPTED, log.add(nrs("x1", day(30), 4)));
        assertEquals(List.of(), log.resolved().procedures());
        assertEquals(List.of(4), nrsOf(log));
    }

    @Test
    void correctionChain_contentIsLatestRecordedCorrection() {
        // f1 (nrs 4) <- c1 (nrs 5, recorded +1 s) <- c2 (nrs 6, recorded +0 s, corrects c1): one logical
        // event f1; latest (recordedAt, id) among {c1, c2} is c1, so nrs 5, under the original's id.
        PatientEventLog log = new PatientEventLog();
        log.add(nrs("f1", day(30), 4));
        log.add(correction("c1", "f1", 5, 1));
        log.add(correction("c2", "c1", 6, 0));
        assertEquals(List.of(5), nrsOf(log));
        assertEquals("f1", log.resolved().followUps().get(0).getEventId());
    }

    @Test
    void correctionsRecordedAtSameInstant_largerEventIdWins() {
        PatientEventLog log = new PatientEventLog();
        log.add(nrs("f1", day(30), 4));
        log.add(correction("c2", "f1", 6, 0));
        log.add(correction("c1", "f1", 5, 0));
        assertEquals(List.of(6), nrsOf(log)); // equal recordedAt: latest by id is "c2"
    }

    @Test
    void orphanCorrectionArrivingFirst_isPendingThenTakesEffect() {
        PatientEventLog log = new PatientEventLog();
        assertEquals(AddResult.ORPHAN_PENDING, log.add(correction("c1", "f1", 5, 0)));
        assertEquals(1, log.pendingOrphans());
        assertEquals(List.of(), nrsOf(log)); // no effect while pending (R11)
        assertEquals(AddResult.ACCEPTED, log.add(nrs("f1", day(30), 4)));
        assertEquals(0, log.pendingOrphans());
        assertEquals(List.of(5), nrsOf(log));
    }

    @Test
    void retractionOfCorrection_removesWholeLogicalEvent() {
        PatientEventLog log = new PatientEventLog();
        log.add(nrs("f1", day(30), 4));
        log.add(correction("c1", "f1", 5, 0));
        log.add(retraction("r1", "c1"));
        assertEquals(List.of(), nrsOf(log)); // the original does not come back (R10)
    }

    @Test
    void retractionOfRetraction_hasNoEffect() {
        PatientEventLog log = new PatientEventLog();
        log.add(nrs("f1", day(30), 4));
        log.add(retraction("r1", "f1"));
        log.add(retraction("r2", "r1"));
        assertEquals(List.of(), nrsOf(log));
    }

    @Test
    void retractionOfTheOnlyProcedure_leavesNoProcedure() {
        PatientEventLog log = new PatientEventLog();
        log.add(vertebroplasty("p1", INDEX));
        log.add(procedure("r1", INDEX).setRetracts("p1").build());
        assertEquals(List.of(), log.resolved().procedures());
    }

    @Test
    void correctionActsOnlyWithinItsEventType() {
        // A procedure correction naming a follow-up id never finds its target: pending forever.
        PatientEventLog log = new PatientEventLog();
        log.add(nrs("f1", day(30), 4));
        assertEquals(AddResult.ORPHAN_PENDING, log.add(procedure("p2", INDEX, "22511").setCorrects("f1").build()));
        assertEquals(List.of(4), nrsOf(log));
        assertEquals(List.of(), log.resolved().procedures());
    }

    @Test
    void bytesRoundTrip_givesSameEventsAndSameBytes() {
        PatientEventLog log = new PatientEventLog();
        log.add(vertebroplasty("p1", INDEX));
        log.add(nrs("f1", day(30), 4));
        log.add(correction("c1", "f1", 5, 0));
        log.add(retraction("r9", "missing"));
        byte[] bytes = log.toBytes();
        PatientEventLog back = PatientEventLog.fromBytes(bytes);
        assertEquals(log.resolved(), back.resolved());
        assertEquals(1, back.pendingOrphans());
        assertEquals(DEFAULT_PATIENT, back.patientId());
        assertArrayEquals(bytes, back.toBytes());
        assertEquals(AddResult.DUPLICATE_IGNORED, back.add(nrs("f1", day(30), 4)));
    }

    @Test
    void bytesRoundTrip_keepsLosersAndTheirOrigins() {
        PatientEventLog log = new PatientEventLog();
        log.add(resend(4, 1), new PatientEventLog.Origin("spine.followups.v1", 3, 17));
        log.add(resend(6, 5), new PatientEventLog.Origin("spine.followups.v1", 3, 18));
        PatientEventLog back = PatientEventLog.fromBytes(log.toBytes());
        assertEquals(List.of(6), nrsOf(back));
        assertEquals(List.of(new PatientEventLog.Origin("spine.followups.v1", 3, 17)),
                back.losers().stream().map(PatientEventLog.Version::origin).toList());
        assertEquals(AddResult.DUPLICATE_IGNORED, back.add(resend(4, 1)));
    }

    @Test
    void eventOfAnotherPatient_isRefusedNamingTheField() {
        PatientEventLog log = new PatientEventLog();
        log.add(vertebroplasty("p1", INDEX));
        ProcedureEvent other = procedure("p2", INDEX, "22511").setPatientId("p-0002").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> log.add(other));
        assertTrue(e.getMessage().contains("patientId"), e.getMessage());
    }

    @Test
    void corruptBytes_areRefused() {
        assertThrows(IllegalArgumentException.class, () -> PatientEventLog.fromBytes(new byte[] {9, 0}));
    }
}
