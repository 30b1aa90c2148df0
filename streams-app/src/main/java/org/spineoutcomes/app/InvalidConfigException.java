package org.spineoutcomes.app;

/**
 * A configuration problem, described in one line a person can act on: the key, the value as given
 * (secrets masked), where it came from and what is expected. {@code ./spine run} prints the message
 * and exits with code 2.
 */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public InvalidConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** "key=value (from origin): expected ..." */
    static InvalidConfigException badValue(String key, ConfigValue value, String expected) {
        return new InvalidConfigException(key, key + "=" + ConfigKeys.shown(key, value.value()) + " (from " + value.origin() + "): expected " + expected);
    }

    /** The key the problem is about (the file path for an unreadable file). */
    public String key() {
        return key;
    }
}
