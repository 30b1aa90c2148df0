package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Publication rounds on a wall-clock grid, and one commit for the rounds of a thread that fall due together. */
class RoundCommitsTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void roundsStartOnTheGridAnIntervalAfterTheLastStarted() {
        PublicationPace pace = new PublicationPace(SECOND, SECOND, 1);
        pace.input(10_000, 10_000); // live input
        pace.roundStarted(10_003); // the check after the grid point 10,000
        pace.roundEnded(10_040, 30_000_000); // 30 ms of work
        // An interval after the grid point it started at, not after the check (11,003 would round up to 12,000).
        assertEquals(11_000, pace.nextRoundMs());
        assertFalse(pace.due(10_999));
        assertTrue(pace.due(11_000));

        // A round of 1.5 s of work waits as long again after it ended (cost factor 1): 11,600 + 1,500, then on the grid.
        pace.roundStarted(11_010);
        pace.roundEnded(11_600, 1_500_000_000L);
        assertEquals(14_000, pace.nextRoundMs());
        // Started off the grid (a quiet input starts a round at once): still counted from the grid point before.
        pace.roundStarted(14_500);
        pace.roundEnded(14_520, 10_000_000);
        assertEquals(15_000, pace.nextRoundMs());
    }

    @Test
    void catchingUpRoundsAreTenIntervalsApartOnTheGrid() {
        PublicationPace pace = new PublicationPace(SECOND, SECOND, 1);
        assertFalse(pace.catchingUp(100_000), "no input yet");
        pace.input(100_000, 50_000); // input 50 s behind the wall clock: a backfill
        assertTrue(pace.catchingUp(100_000), "50 s behind: catching up (a round is then one part, no early commit)");
        pace.roundStarted(100_010);
        pace.roundEnded(100_050, 10_000_000);
        assertEquals(110_000, pace.nextRoundMs());
        // Live input again: brought forward to the live pace (an interval after the last start, on the grid).
        pace.input(100_500, 100_400);
        assertEquals(101_000, pace.nextRoundMs());
        assertFalse(pace.catchingUp(100_500), "0.1 s behind: live");
        assertTrue(pace.catchingUp(110_401), "no input for more than 10 s after it: behind again");
    }

    @Test
    void theAdjustedStepsLongerIntervalStaysOnTheCellGrid() {
        PublicationPace pace = new PublicationPace(Duration.ofSeconds(5), SECOND, 1);
        pace.input(20_000, 20_000);
        pace.roundStarted(20_010);
        pace.roundEnded(20_020, 5_000_000);
        assertEquals(25_000, pace.nextRoundMs());
    }

    @Test
    void aFinishedRoundCommitsOnlyWhenNoOtherRoundOfTheThreadIsRunningOrDue() {
        RoundCommits rounds = new RoundCommits();
        Object a = new Object();
        Object b = new Object();
        Object c = new Object();
        rounds.join(a, 1_000);
        rounds.join(b, 1_000);
        rounds.join(c, 5_000);

        rounds.roundStarted(a);
        rounds.roundStarted(b);
        rounds.roundEnded(a, 1_010, 2_000, true);
        assertFalse(rounds.commitNow(1_010), "b is still publishing");
        rounds.roundEnded(b, 1_030, 2_000, true);
        assertTrue(rounds.commitNow(1_030), "the last round of the thread asks for the one commit");
        assertFalse(rounds.commitNow(1_031), "asked once");

        // A round that published nothing asks for no commit.
        rounds.roundStarted(a);
        rounds.roundEnded(a, 2_005, 3_000, false);
        assertFalse(rounds.commitNow(2_005 + RoundCommits.MAX_DEFER_MS));
    }

    @Test
    void aRoundDueButNotStartedHoldsTheCommitAtMostTheLongestDeferral() {
        RoundCommits rounds = new RoundCommits();
        Object a = new Object();
        Object b = new Object();
        rounds.join(a, 1_000);
        rounds.join(b, 1_000);
        rounds.roundStarted(a);
        rounds.roundEnded(a, 1_005, 2_000, true);
        assertFalse(rounds.commitNow(1_005), "b is due at 1,000 and starts at its next check");
        assertFalse(rounds.commitNow(1_005 + RoundCommits.MAX_DEFER_MS - 1));
        assertTrue(rounds.commitNow(1_005 + RoundCommits.MAX_DEFER_MS), "b never started: a commits anyway");

        // A member that leaves (its task closed) no longer holds anything up.
        rounds.roundStarted(a);
        rounds.roundEnded(a, 2_001, 3_000, true);
        rounds.leave(b);
        assertTrue(rounds.commitNow(2_001));
        assertEquals(1, rounds.size());
    }

    @Test
    void aggregatesPublishedFirstAreCommittedWithoutWaitingForTheComparisons() {
        RoundCommits rounds = new RoundCommits();
        Object a = new Object();
        Object b = new Object();
        rounds.join(a, 1_000);
        rounds.join(b, 1_000);
        rounds.roundStarted(a);
        rounds.roundStarted(b);
        rounds.firstPartPublished(a, 1_010, true);
        assertFalse(rounds.commitNow(1_010), "b is still publishing its aggregates");
        rounds.firstPartPublished(b, 1_040, true);
        assertTrue(rounds.commitNow(1_040), "both rounds are on their comparisons: one commit for the aggregates");
        assertFalse(rounds.commitNow(1_041), "asked once");
        // a's comparisons end while b's are still being published: a later part holds no commit up.
        rounds.roundEnded(a, 1_200, 2_000, true);
        assertTrue(rounds.commitNow(1_200), "b's comparisons do not hold up a's");
        rounds.roundEnded(b, 1_300, 2_000, true);
        assertTrue(rounds.commitNow(1_300));
        // A round whose first part published nothing asks for no commit for it.
        rounds.roundStarted(a);
        rounds.firstPartPublished(a, 2_010, false);
        assertFalse(rounds.commitNow(2_010 + RoundCommits.MAX_DEFER_MS));
    }
}
