package org.spineoutcomes.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything Log4j writes while open, as text: one line per event ("LEVEL logger - message"), followed
 * by the stack trace of an attached exception, so a test can search the log output for what must not
 * be there (an identifier) or must (an audit line). Attached to the root logger, it sees what the
 * configured levels let through; {@link #at(String, Level)} lowers one logger's level meanwhile.
 */
public final class LogCapture implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final AbstractAppender appender;
    private final List<Runnable> restore = new ArrayList<>();

    private LogCapture() {
        appender = new AbstractAppender("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                StringBuilder b = new StringBuilder().append(event.getLevel()).append(' ').append(event.getLoggerName()).append(" - ")
                        .append(event.getMessage().getFormattedMessage());
                if (event.getThrown() != null) {
                    StringWriter trace = new StringWriter();
                    event.getThrown().printStackTrace(new PrintWriter(trace));
                    b.append('\n').append(trace);
                }
                synchronized (lines) {
                    lines.add(b.toString());
                }
            }
        };
        appender.start();
        Configuration config = context.getConfiguration();
        config.addAppender(appender);
        config.getRootLogger().addAppender(appender, null, null);
        context.updateLoggers();
    }

    /** Starts capturing. */
    public static LogCapture start() {
        return new LogCapture();
    }

    /** Lets {@code logger} (and its children) log at {@code level} until close, e.g. DEBUG for our own code. */
    public LogCapture at(String logger, Level level) {
        Configuration config = context.getConfiguration();
        LoggerConfig existing = config.getLoggerConfig(logger);
        if (existing.getName().equals(logger)) {
            Level before = existing.getLevel();
            existing.setLevel(level);
            restore.add(() -> existing.setLevel(before));
        } else {
            LoggerConfig added = new LoggerConfig(logger, level, true);
            config.addLogger(logger, added);
            restore.add(() -> config.removeLogger(logger));
        }
        context.updateLoggers();
        return this;
    }

    /** The events so far, each as text (a line, or more with a stack trace). */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** All events so far as one text. */
    public String text() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        config.getRootLogger().removeAppender(appender.getName());
        restore.forEach(Runnable::run);
        context.updateLoggers();
        appender.stop();
    }
}
