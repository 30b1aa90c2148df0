package org.spineoutcomes.topology;

import java.time.Duration;

/**
 * When a publishing step (the cell step, the adjusted-cell step) may start its next round of derived
 * statistics, from the wall clock, the cost of its last round and how far its input is behind.
 *
 * <p>Live, publication may take at most 1 / (1 + {@link #COST_FACTOR}) of the thread (half of it on the cell stage's own threads, {@link #OWN_THREADS_COST_FACTOR}): after a round that
 * took t ms the next waits factor x t ms, and at least the interval. Under load the derived
 * statistics would otherwise crowd out the exact additions; under a light load a round takes
 * milliseconds and the interval rules.
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
    private final int costFactor;
    /** Record timestamp of the newest input (Long.MIN_VALUE: none yet, never catching up). */
    private long lastInputTimestampMs = Long.MIN_VALUE;
    private boolean scheduledCatchingUp;
    private long lastRoundEndMs;
    private long lastRoundWorkMs;
    private long nextRoundMs;

    /** @param interval the least pause between two live rounds; catching up, rounds are ten of them apart */
    /** @param costFactor live, a round that took t ms is followed by at least costFactor x t ms without one */
    PublicationPace(Duration interval, int costFactor) {
        this.intervalMs = interval.toMillis();
        this.costFactor = costFactor;
    }

    /** An input with record timestamp {@code inputTimestampMs} arrived at wall-clock {@code nowMs}. */
    void input(long nowMs, long inputTimestampMs) {
        lastInputTimestampMs = inputTimestampMs;
        if (scheduledCatchingUp && nowMs - inputTimestampMs <= CATCHING_UP_LAG.toMillis()) {
            // Caught up (live input after a backfill): the next round at the live pace, not the catch-up one.
            scheduledCatchingUp = false;
            nextRoundMs = Math.min(nextRoundMs, lastRoundEndMs + Math.max(intervalMs, lastRoundWorkMs * costFactor));
        }
    }

    /** A round ended at wall-clock {@code nowMs} after {@code workNanos} of work: schedules the next. */
    void roundEnded(long nowMs, long workNanos) {
        boolean catchingUp = lastInputTimestampMs != Long.MIN_VALUE && nowMs - lastInputTimestampMs > CATCHING_UP_LAG.toMillis();
        scheduledCatchingUp = catchingUp;
        lastRoundEndMs = nowMs;
        lastRoundWorkMs = workNanos / 1_000_000;
        nextRoundMs = catchingUp
                ? nowMs + Math.max(CATCH_UP_INTERVALS * intervalMs, lastRoundWorkMs * CATCH_UP_COST_FACTOR)
                : nowMs + Math.max(intervalMs, lastRoundWorkMs * costFactor);
    }

    /** Whether a new round may start at {@code nowMs} by the pace alone. */
    boolean due(long nowMs) {
        return nowMs >= nextRoundMs;
    }

    long lastRoundEndMs() {
        return lastRoundEndMs;
    }
}
