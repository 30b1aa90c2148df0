package org.spineoutcomes.producer.publish;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.spineoutcomes.validation.ReasonCode;

/** Counts of what a publisher did; thread-safe, live. */
public final class PublisherCounters {
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLongArray rejected = new AtomicLongArray(ReasonCode.values().length);

    void sent() { sent.incrementAndGet(); }
    void failed() { failed.incrementAndGet(); }
    void rejected(ReasonCode reason) { rejected.incrementAndGet(reason.ordinal()); }

    /** Events acknowledged by the broker. */
    public long sentCount() { return sent.get(); }

    /** Events that passed validation but could not be delivered (broker, network, registry). */
    public long failedCount() { return failed.get(); }

    /** Events rejected before sending, by the reason of their first violation. */
    public long rejectedCount() {
        long total = 0;
        for (int i = 0; i < rejected.length(); i++) total += rejected.get(i);
        return total;
    }

    /** Non-zero rejection counts by reason, in ReasonCode order. */
    public Map<ReasonCode, Long> rejectedByReason() {
        Map<ReasonCode, Long> out = new EnumMap<>(ReasonCode.class);
        for (ReasonCode r : ReasonCode.values()) {
            long n = rejected.get(r.ordinal());
            if (n > 0) out.put(r, n);
        }
        return out;
    }
}
