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

    /**
     * Lets {@code logger} (and its children) log at {@code level} until close, e.g. DEBUG for our own code.
     * Only the capture sees what the configured level would not let through: the console appenders
     * keep their threshold, so the test output stays as quiet as before.
     */
    public LogCapture at(String logger, Level level) {
        Configuration config = context.getConfiguration();
        LoggerConfig existing = config.getLoggerConfig(logger);
        Level before = existing.getLevel();
        LoggerConfig target;
        if (existing.getName().equals(logger)) {
            target = existing;
            boolean additive = existing.isAdditive();
            restore.add(() -> {
                target.removeAppender(appender.getName());
                config.getRootLogger().getAppenders().keySet().forEach(target::removeAppender);
                target.setLevel(before);
                target.setAdditive(additive);
            });
        } else {
            target = new LoggerConfig(logger, level, false);
            config.addLogger(logger, target);
            restore.add(() -> config.removeLogger(logger));
        }
        target.setLevel(level);
        target.setAdditive(false);
        target.addAppender(appender, null, null);
        config.getRootLogger().getAppenders().values().forEach(a -> target.addAppender(a, before, null));
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
