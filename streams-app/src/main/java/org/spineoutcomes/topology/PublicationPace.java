package org.spineoutcomes.topology;

import java.time.Duration;

/**
 * When a publishing step (the cell step, the adjusted-cell step) may start its next round of derived
 * statistics, from the wall clock, the cost of its last round and how far its input is behind.
 *
 * <p>Live, publication may take at most 1 / (1 + {@link #COST_FACTOR}) of the thread (half of it on the
 * cell stage's own threads, {@link #OWN_THREADS_COST_FACTOR}): after a round that took t ms the next
 * waits factor x t ms, and starts at least an interval after the last one started. Under load the
 * derived statistics would otherwise crowd out the exact additions; under a light load a round takes
 * milliseconds and the interval rules. Rounds start on a wall-clock grid (the publish interval), so the
 * tasks of a thread fall due together.
 *
 * <p>Catching up (the newest input is more than {@link #CATCHING_UP_LAG} behind the wall clock: a
 * backfill, a replay, a backlog after an outage), intermediate values matter little, so publication may
 * take at most 1 / (1 + {@link #CATCH_UP_COST_FACTOR}) of the thread and rounds are at least
 * {@link #CATCH_UP_INTERVALS} publish intervals apart: each task paces itself and a thread runs several.
 * When live input arrives again, a round scheduled at the catch-up pace is brought forward to the live one.
 *
 * <p>The steps themselves waive the pause when their input has gone quiet, so final values come out at once.
 */
final class PublicationPace {
    /** Publication's share of a thread it shares with the patient step (one application): 1 / (1 + 9). */
    static final int COST_FACTOR = 9;
    /**
     * Its share on the cell stage's own threads (split app): 1 / (1 + 1). The merges and publication are
     * all those threads do, so publication may take half of them.
     */
    static final int OWN_THREADS_COST_FACTOR = 1;
    static final Duration CATCHING_UP_LAG = Duration.ofSeconds(10);
    static final int CATCH_UP_COST_FACTOR = 49;
    static final int CATCH_UP_INTERVALS = 10;

    private final long intervalMs;
    /** Rounds start on multiples of this (ms since the epoch; 0: anywhere), so the tasks of a thread publish together. */
    private final long gridMs;
    private final int costFactor;
    /** Record timestamp of the newest input (Long.MIN_VALUE: none yet, never catching up). */
    private long lastInputTimestampMs = Long.MIN_VALUE;
    private boolean scheduledCatchingUp;
    private long lastRoundStartMs;
    private long lastRoundEndMs;
    private long lastRoundWorkMs;
    private long nextRoundMs;

    /**
     * @param interval   the least pause between two live rounds; catching up, rounds are ten of them apart
     * @param grid       a round is due only on a multiple of this on the wall clock (zero: as soon as the pause
     *                   is over). The cell stage's tasks all use the publish interval, so the rounds of the tasks
     *                   on one thread fall due together and their publications can share one commit
     *                   ({@link RoundCommits}): each commit writes every cell changed since the one before, so
     *                   three tasks committing apart wrote the busy cells three times as often
     * @param costFactor live, a round that took t ms is followed by at least costFactor x t ms without one
     */
    PublicationPace(Duration interval, Duration grid, int costFactor) {
        this.intervalMs = interval.toMillis();
        this.gridMs = grid.toMillis();
        this.costFactor = costFactor;
    }

    /** The first multiple of the grid at or after {@code ms}. */
    private long onGrid(long ms) {
        return gridMs <= 0 ? ms : Math.floorDiv(ms + gridMs - 1, gridMs) * gridMs;
    }

    /** When the next round is due by the pace (wall-clock ms). */
    long nextRoundMs() {
        return nextRoundMs;
    }

    /** An input with record timestamp {@code inputTimestampMs} arrived at wall-clock {@code nowMs}. */
    void input(long nowMs, long inputTimestampMs) {
        lastInputTimestampMs = inputTimestampMs;
        if (scheduledCatchingUp && nowMs - inputTimestampMs <= CATCHING_UP_LAG.toMillis()) {
            // Caught up (live input after a backfill): the next round at the live pace, not the catch-up one.
            scheduledCatchingUp = false;
            nextRoundMs = Math.min(nextRoundMs, onGrid(Math.max(lastRoundStartMs + intervalMs, lastRoundEndMs + lastRoundWorkMs * costFactor)));
        }
    }

    /** A round started at wall-clock {@code nowMs}. */
    void roundStarted(long nowMs) {
        // Counted from the grid point it was due at: a check runs a little after it, and an interval after
        // that would round up to the grid point after the next.
        lastRoundStartMs = gridMs <= 0 ? nowMs : Math.floorDiv(nowMs, gridMs) * gridMs;
    }

    /** Whether the newest input is more than {@link #CATCHING_UP_LAG} behind the wall clock at {@code nowMs}. */
    boolean catchingUp(long nowMs) {
        return lastInputTimestampMs != Long.MIN_VALUE && nowMs - lastInputTimestampMs > CATCHING_UP_LAG.toMillis();
    }

    /** A round ended at wall-clock {@code nowMs} after {@code workNanos} of work: schedules the next. */
    void roundEnded(long nowMs, long workNanos) {
        boolean catchingUp = catchingUp(nowMs);
        scheduledCatchingUp = catchingUp;
        lastRoundEndMs = nowMs;
        lastRoundWorkMs = workNanos / 1_000_000;
        nextRoundMs = onGrid(catchingUp
                ? Math.max(lastRoundStartMs + CATCH_UP_INTERVALS * intervalMs, nowMs + lastRoundWorkMs * CATCH_UP_COST_FACTOR)
                : Math.max(lastRoundStartMs + intervalMs, nowMs + lastRoundWorkMs * costFactor));
    }

    /** Whether a new round may start at {@code nowMs} by the pace alone. */
    boolean due(long nowMs) {
        return nowMs >= nextRoundMs;
    }

    long lastRoundEndMs() {
        return lastRoundEndMs;
    }
}
