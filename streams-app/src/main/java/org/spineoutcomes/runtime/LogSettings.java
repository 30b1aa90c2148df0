package org.spineoutcomes.runtime;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * Switches the streams app's logging (streams-app/src/main/resources/log4j2.xml) to verbose:
 * org.spineoutcomes at DEBUG, Kafka at INFO, and stack traces printed (the quiet console appender
 * "stderr" shows an exception as one line; "stderr-verbose" prints it whole).
 */
public final class LogSettings {
    static final String QUIET_APPENDER = "stderr";
    static final String VERBOSE_APPENDER = "stderr-verbose";

    private LogSettings() {
    }

    public static void verbose() {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return; // another logging backend: leave it alone
        }
        Configuration configuration = context.getConfiguration();
        Appender full = configuration.getAppender(VERBOSE_APPENDER);
        if (full != null) {
            for (LoggerConfig logger : configuration.getLoggers().values()) {
                swap(logger, full);
            }
            swap(configuration.getRootLogger(), full);
            context.updateLoggers();
        }
        Configurator.setLevel("org.spineoutcomes", Level.DEBUG);
        // Kafka at INFO, including the loggers log4j2.xml silences as benign noise.
        for (String name : configuration.getLoggers().keySet()) {
            if (name.startsWith("org.apache.kafka.")) {
                Configurator.setLevel(name, Level.INFO);
            }
        }
        Configurator.setLevel("org.apache.kafka", Level.INFO);
        Configurator.setLevel("kafka", Level.INFO);
    }

    private static void swap(LoggerConfig logger, Appender full) {
        if (logger.getAppenders().containsKey(QUIET_APPENDER)) {
            logger.removeAppender(QUIET_APPENDER);
            logger.addAppender(full, null, null);
        }
    }
}
