package org.spineoutcomes.export;

/**
 * Turns one Log4j 2 logger off for a while and restores its level on close: the export keeps the
 * Kafka client's repeated "Connection to node -1 could not be established" warnings and its
 * "failed authentication" errors off stderr (an unreachable broker or refused credentials are reported
 * by one error line instead). Log4j Core is a runtime-only
 * dependency of this module, so it is called reflectively; without it this does nothing.
 */
final class QuietLogger implements AutoCloseable {
    private final String name;
    private final Object previousLevel;

    private QuietLogger(String name, Object previousLevel) {
        this.name = name;
        this.previousLevel = previousLevel;
    }

    static QuietLogger quiet(String name) {
        try {
            Class<?> levelType = Class.forName("org.apache.logging.log4j.Level");
            Object logger = Class.forName("org.apache.logging.log4j.LogManager").getMethod("getLogger", String.class).invoke(null, name);
            Object previous = logger.getClass().getMethod("getLevel").invoke(logger);
            setLevel(name, levelType.getField("OFF").get(null));
            return new QuietLogger(name, previous);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return new QuietLogger(null, null);
        }
    }

    private static void setLevel(String name, Object level) throws ReflectiveOperationException {
        Class<?> levelType = Class.forName("org.apache.logging.log4j.Level");
        Class.forName("org.apache.logging.log4j.core.config.Configurator").getMethod("setLevel", String.class, levelType)
                .invoke(null, name, level);
    }

    @Override
    public void close() {
        if (name == null) return;
        try {
            setLevel(name, previousLevel);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException ignored) {
            // logging stays quieter; nothing else depends on it
        }
    }
}
