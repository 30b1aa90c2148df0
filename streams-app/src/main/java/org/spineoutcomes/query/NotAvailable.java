package org.spineoutcomes.query;

/**
 * The state a request needs cannot be read right now: Kafka Streams is starting or rebalancing, the
 * partition's task is restoring or has moved, or the instance owning it did not answer. Retried for a
 * few seconds, then answered 503 with Retry-After.
 */
public final class NotAvailable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotAvailable(String message) {
        super(message);
    }
}
