package org.spineoutcomes.topology;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The publication rounds of the publishing tasks (cell and adjusted-cell steps) that one stream thread
 * runs, so that rounds falling due together end in one commit instead of one commit each.
 *
 * <p>Why: a round's records become visible to read-committed consumers only when the thread commits, so a
 * round asks for a commit when it ends. Kafka Streams commits all of a thread's tasks when one asks, and a
 * commit writes every store entry changed since the last one to its changelog: with three tasks per thread
 * committing a second apart, each busy cell was serialised and sent three times a second, and the thread
 * waited for three transactions. With rounds on a common grid ({@link PublicationPace}) a round that ends
 * while another task of the thread is in a round, or due to start one, leaves the commit to the last of
 * them; no round waits more than {@link #MAX_DEFER_MS} for the others.
 *
 * <p>One instance per thread (a task runs on one thread at a time, and its processors are created and
 * closed on it), used only from that thread: no locking.
 */
final class RoundCommits {

    /** The longest a finished round's commit waits for the other rounds of its thread. */
    static final long MAX_DEFER_MS = 100;

    private static final ThreadLocal<RoundCommits> OF_THREAD = ThreadLocal.withInitial(RoundCommits::new);

    /**
     * Per publishing processor on this thread: when its next round is due, {@link #IN_ROUND} while one is in
     * progress, {@link #LATER_PART} while its round publishes a part that does not hold up a commit.
     */
    private final Map<Object, Long> members = new IdentityHashMap<>();
    /** When a round that published something ended and has not yet been committed (-1: none waiting). */
    private long waitingSinceMs = -1;
    private static final long IN_ROUND = 0L;
    private static final long LATER_PART = -1L;

    /** The instance of the calling stream thread. */
    static RoundCommits ofCurrentThread() {
        return OF_THREAD.get();
    }

    /** A processor that publishes in rounds, due at {@code nextRoundMs}. */
    void join(Object member, long nextRoundMs) {
        members.put(member, nextRoundMs);
    }

    /** The processor is closed (or moved): its rounds no longer hold up the others' commit. */
    void leave(Object member) {
        members.remove(member);
    }

    void roundStarted(Object member) {
        members.put(member, IN_ROUND);
    }

    /**
     * The first part of a round is published (the cell step's aggregates; its comparisons follow): those
     * records wait for a commit like a finished round's, and the rest of this round no longer holds up the
     * commit of the others. Aggregates are what a dashboard shows first; they need not wait for the
     * comparisons, which take longer to compute.
     */
    void firstPartPublished(Object member, long nowMs, boolean published) {
        members.put(member, LATER_PART);
        if (published && waitingSinceMs < 0) waitingSinceMs = nowMs;
    }

    /** A round ended; its next is due at {@code nextRoundMs}; {@code published}: it put records on a topic. */
    void roundEnded(Object member, long nowMs, long nextRoundMs, boolean published) {
        members.put(member, nextRoundMs);
        if (published && waitingSinceMs < 0) waitingSinceMs = nowMs;
    }

    /**
     * Whether the caller should ask for a commit now: a finished round waits for one, and no other round of
     * this thread is in progress or due by {@code nowMs} (or it has waited {@link #MAX_DEFER_MS}). True once
     * per commit: the caller asks, and the waiting is over.
     */
    boolean commitNow(long nowMs) {
        if (waitingSinceMs < 0) return false;
        if (nowMs - waitingSinceMs < MAX_DEFER_MS) {
            for (long due : members.values()) {
                // in the first part of a round (0), or due to start one at its next check
                if (due != LATER_PART && due <= nowMs) return false;
            }
        }
        waitingSinceMs = -1;
        return true;
    }

    /** Processors registered on this thread (for tests). */
    int size() {
        return members.size();
    }
}
