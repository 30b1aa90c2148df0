package org.spineoutcomes.query;

/**
 * Where the state for one key lives now: on this instance (with the store partition to query), on
 * another instance (its application.server, host:port), or nowhere yet (rebalancing, starting).
 */
public record Owner(Kind kind, String hostPort, int partition, String why) {
    public enum Kind { LOCAL, REMOTE, UNAVAILABLE }

    public static Owner local(String self, int partition) {
        return new Owner(Kind.LOCAL, self, partition, null);
    }

    public static Owner remote(String hostPort, int partition) {
        return new Owner(Kind.REMOTE, hostPort, partition, null);
    }

    public static Owner unavailable(String why) {
        return new Owner(Kind.UNAVAILABLE, null, -1, why);
    }
}
