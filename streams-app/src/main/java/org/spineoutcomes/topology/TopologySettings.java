package org.spineoutcomes.topology;

import java.time.Duration;
import java.time.Instant;
import org.spineoutcomes.outcome.OutcomeRules;

/**
 * Choices that shape the topology (not the runtime): whether stores are persistent (RocksDB) or in
 * memory, a fixed data cut (null: the largest occurred-at seen, R2), how often the aggregates are
 * re-published when the cut moves, how often changed aggregates are published, the outcome rules
 * (and their version), whether every stored patient is recomputed at start even if its rules
 * version is current, and how often the patient step hands on its folded cell changes.
 */
public record TopologySettings(boolean persistentStores, Instant configuredDataCut, Duration cutRefresh, Duration publishInterval,
                               OutcomeRules rules, boolean forceRecompute, Duration deltaFlushInterval,
                               Duration adjustedPublishInterval) {

    /**
     * Persistent stores, default data cut, cut checked every 5 s, current rules. Cell changes are
     * handed on and aggregates published after every record (intervals zero); the runtime folds and
     * coalesces them instead (see {@link #withDeltaFlushInterval}, {@link #withPublishInterval}).
     */
    public static TopologySettings defaults() {
        return new TopologySettings(true, null, Duration.ofSeconds(5), Duration.ZERO, OutcomeRules.CURRENT, false, Duration.ZERO, Duration.ZERO);
    }

    public TopologySettings withInMemoryStores() {
        return new TopologySettings(false, configuredDataCut, cutRefresh, publishInterval, rules, forceRecompute, deltaFlushInterval, adjustedPublishInterval);
    }

    public TopologySettings withDataCut(Instant cut) {
        return new TopologySettings(persistentStores, cut, cutRefresh, publishInterval, rules, forceRecompute, deltaFlushInterval, adjustedPublishInterval);
    }

    public TopologySettings withCutRefresh(Duration refresh) {
        return new TopologySettings(persistentStores, configuredDataCut, refresh, publishInterval, rules, forceRecompute, deltaFlushInterval, adjustedPublishInterval);
    }

    /** Publish changed cells and comparisons at most once per interval (wall clock); zero = after every record. */
    public TopologySettings withPublishInterval(Duration interval) {
        return new TopologySettings(persistentStores, configuredDataCut, cutRefresh, interval, rules, forceRecompute, deltaFlushInterval, adjustedPublishInterval);
    }

    /**
     * Fold cell changes in the patient step and hand them on at most once per interval (wall clock);
     * zero = one record per patient update and population/window, at once.
     */
    public TopologySettings withDeltaFlushInterval(Duration interval) {
        return new TopologySettings(persistentStores, configuredDataCut, cutRefresh, publishInterval, rules, forceRecompute, interval, adjustedPublishInterval);
    }

    /**
     * Publish the standardised comparisons, Kaplan-Meier and log-rank records (R36-R38) at most once per
     * interval while input flows (their derived statistics cost the most: a whole survival curve per record);
     * zero, or anything shorter than the publish interval, = the publish interval. When the input goes
     * quiet they still come out after one publish interval.
     */
    public TopologySettings withAdjustedPublishInterval(Duration interval) {
        return new TopologySettings(persistentStores, configuredDataCut, cutRefresh, publishInterval, rules, forceRecompute, deltaFlushInterval, interval);
    }

    /** The interval the R36-R38 records are published at while input flows: never shorter than the publish interval, zero when it is. */
    public Duration effectiveAdjustedPublishInterval() {
        if (publishInterval.isZero()) return Duration.ZERO;
        return adjustedPublishInterval.compareTo(publishInterval) > 0 ? adjustedPublishInterval : publishInterval;
    }

    /** Other outcome rules (tests stand in an older release with them). */
    public TopologySettings withRules(OutcomeRules outcomeRules) {
        return new TopologySettings(persistentStores, configuredDataCut, cutRefresh, publishInterval, outcomeRules, forceRecompute, deltaFlushInterval, adjustedPublishInterval);
    }

    /** Recompute every stored patient at start, whatever its rules version. */
    public TopologySettings withForcedRecompute(boolean force) {
        return new TopologySettings(persistentStores, configuredDataCut, cutRefresh, publishInterval, rules, force, deltaFlushInterval, adjustedPublishInterval);
    }
}
