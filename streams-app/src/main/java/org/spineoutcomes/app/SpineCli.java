package org.spineoutcomes.app;

import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.spineoutcomes.batch.BatchCommand;
import org.spineoutcomes.runtime.LogSettings;
import org.spineoutcomes.runtime.Signals;
import org.spineoutcomes.runtime.SpineRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the streams-app module: {@code spine run} (the streaming app) and {@code spine batch}. */
@Command(name = "spine", mixinStandardHelpOptions = true, version = "spine-outcomes 0.1.0",
        description = "Spine Outcomes: streaming and batch computation of spine-fracture treatment outcomes.",
        subcommands = {SpineCli.Run.class, BatchCommand.class, org.spineoutcomes.export.ExportCommand.class})
public final class SpineCli implements Callable<Integer> {

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 2;
    }

    /**
     * {@code spine run}: loads the configuration (defaults &lt; --config file &lt; SPINE_* environment),
     * starts {@link SpineRuntime} and runs until SIGTERM / Ctrl-C. Exit codes: 0 stopped cleanly,
     * 1 failed (cannot start, Kafka Streams in ERROR, or not stopped in time), 2 configuration error.
     */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run the Kafka Streams app against a broker and schema registry, with /health, /ready and /metrics on spine.http.port.",
                    "Configuration: defaults < --config file (or SPINE_CONFIG_FILE) < environment (SPINE_PUBLISH_INTERVAL_MS, "
                            + "SPINE_STREAMS__NUM_STREAM_THREADS, SPINE_KAFKA__SASL_JAAS_CONFIG ...). Keys: see the README, \"Running the app\"."})
    public static final class Run implements Callable<Integer> {
        private static final Logger LOG = LoggerFactory.getLogger(Run.class);

        @Option(names = "--config", paramLabel = "FILE", description = "Properties file (keys as in the README, e.g. spine.bootstrap.servers).")
        Path config;

        @Option(names = "--recompute", description = "Recompute every stored patient under the current rules at start, "
                + "even where its stored rules version is current (same as spine.rules.recompute=true).")
        boolean recompute;

        @Option(names = "--verbose", description = "Our logs at DEBUG, Kafka's at INFO, and whole stack traces.")
        boolean verbose;

        @Override
        public Integer call() {
            PrintStream out = System.out;
            PrintStream err = System.err;
            if (verbose) {
                LogSettings.verbose();
            }
            AppConfig loaded;
            try {
                loaded = loadConfig(System.getenv());
            } catch (InvalidConfigException e) {
                err.println("config error: " + e.getMessage());
                return 2;
            }
            // Handlers before the start: a SIGTERM while starting still ends in an orderly close.
            CompletableFuture<Integer> stop = new CompletableFuture<>();
            Signals.onTerminate(() -> stop.complete(0));
            SpineRuntime runtime;
            try {
                runtime = SpineRuntime.start(loaded, out);
            } catch (BindException e) {
                err.println("cannot start: " + e.getMessage() + " (choose another spine.http.port / SPINE_HTTP_PORT; 0 = any free port)");
                return 1;
            } catch (IOException | RuntimeException e) {
                err.println("cannot start: " + oneLine(e) + (verbose ? "" : " (--verbose shows the stack trace)"));
                if (verbose) {
                    e.printStackTrace(err);
                }
                return 1;
            }
            runtime.failure().thenRun(() -> stop.complete(1));
            // Other ways out of the JVM (SIGHUP, System.exit elsewhere) still close the app.
            Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "spine-shutdown"));
            int code = stop.join();
            LOG.info("stopping: closing Kafka Streams (leaving the group) and the HTTP server");
            boolean inTime = runtime.closeInTime();
            return inTime ? code : Math.max(code, 1);
        }

        /**
         * What {@code spine run} does before waiting for a signal: loads the configuration from this
         * command's options and {@code env}, and starts the runtime. Tests call it with their own
         * environment and stop the runtime themselves.
         */
        public SpineRuntime start(Map<String, String> env, PrintStream out) throws IOException {
            return SpineRuntime.start(loadConfig(env), out);
        }

        /** Defaults &lt; the --config file (or SPINE_CONFIG_FILE) &lt; {@code env}, then --recompute. */
        AppConfig loadConfig(Map<String, String> env) {
            AppConfig loaded = AppConfig.load(config, env);
            if (recompute) {
                loaded = loaded.with(AppConfig.RULES_RECOMPUTE, "true", "option --recompute");
            }
            return loaded;
        }

        /** "Type: message; caused by Type: message" over the cause chain, each message once. */
        public static String oneLine(Throwable e) {
            List<String> parts = new ArrayList<>();
            for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
                String message = String.valueOf(t.getMessage());
                if (parts.stream().noneMatch(p -> p.contains(message))) {
                    parts.add(t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + message));
                }
            }
            return String.join("; caused by ", parts).replaceAll("\\s+", " ");
        }
    }

    public static void main(String[] args) {
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES",
                System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "org.spineoutcomes"));
        System.exit(new CommandLine(new SpineCli()).execute(args));
    }
}
