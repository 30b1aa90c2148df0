package org.spineoutcomes.producer.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.spineoutcomes.kafka.ClientSecurity;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.producer.publish.PreparedEvent;
import org.spineoutcomes.producer.publish.RejectedEventException;
import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.producer.simulate.CohortOrder;
import org.spineoutcomes.producer.simulate.SimulationParameters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Simulates a reproducible patient cohort and publishes it (or writes NDJSON).",
                "Generates a seeded, reproducible cohort (all four arms, docs/clinical-definitions.md magnitudes, late / out-of-order /",
                "corrected / retracted / duplicate / invalid events) and publishes it to Kafka, or writes NDJSON with --out.",
                "NDJSON files carry MRNs (SIMMRN...); replay pseudonymises them."})
final class SimulateCommand implements Callable<Integer> {
    @ParentCommand SpineProducerCli parent;
    @Spec CommandSpec spec;
    @Mixin ConnectionOptions connection;

    @Option(names = "--patients", defaultValue = "1000", description = "Number of patients (default: ${DEFAULT-VALUE}).")
    int patients;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed; the same seed gives the same events (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--invalid-share", defaultValue = "0.01", paramLabel = "SHARE",
            description = "Share of events followed by a deliberately invalid one, 0-1 (default: ${DEFAULT-VALUE}).")
    double invalidShare;

    @Option(names = "--confounding", description = "Scenario: lower-pain, younger patients are selected for kyphoplasty.")
    boolean confounding;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "EVENTS_PER_S",
            description = "Target rate in events/s; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--out", paramLabel = "FILE", description = "Write NDJSON to FILE instead of publishing to Kafka.")
    Path out;

    @Option(names = "--source-system", defaultValue = "simulator", description = "sourceSystem of every event (default: ${DEFAULT-VALUE}).")
    String sourceSystem;

    @Option(names = "--order", defaultValue = "patient",
            description = "patient: each patient's events together, a few late (the simulator's order); recorded: by recorded-at,"
                    + " patients interleaved, as a registry's history replays (the cohort is spooled to a temporary file"
                    + " first, deleted at the end) (default: ${DEFAULT-VALUE}).")
    CohortOrder order;

    @Option(names = "--no-progress", description = "Do not draw the progress bar on stderr.")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (patients < 0) throw new IllegalArgumentException("--patients must be >= 0, got " + patients);
        if (rate < 0) throw new IllegalArgumentException("--rate must be >= 0, got " + rate);
        SimulationParameters parameters = SimulationParameters.defaults(patients, seed)
                .withInvalidShare(invalidShare).withConfounding(confounding).withSourceSystem(sourceSystem);
        CohortSimulator simulator = new CohortSimulator(parameters);
        Consumer<Consumer<SpecificRecord>> events = sink -> order.emit(simulator, sink);
        return out != null ? writeFile(events, stdout, err) : publish(events, stdout, err);
    }

    private ProgressBar progress(PrintWriter err) {
        ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName("simulate").setInitialMax(-1)
                .setUnit(" events", 1).showSpeed().setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(noProgress ? new java.io.PrintStream(java.io.OutputStream.nullOutputStream()) : System.err));
        return builder.build();
    }

    private void pace(long index, long startNanos) {
        if (rate <= 0) return;
        long due = startNanos + (long) (index * 1e9 / rate);
        long wait = due - System.nanoTime();
        if (wait > 0) LockSupport.parkNanos(wait);
    }

    private int writeFile(Consumer<Consumer<SpecificRecord>> events, PrintWriter stdout, PrintWriter err) {
        NdjsonCodec codec = new NdjsonCodec();
        AtomicLong count = new AtomicLong();
        long start = System.nanoTime();
        try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8); ProgressBar bar = progress(err)) {
            events.accept(event -> {
                pace(count.get(), start);
                try {
                    writer.write(codec.format(event));
                    writer.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                count.incrementAndGet();
                bar.step();
            });
        } catch (IOException | UncheckedIOException e) {
            err.println("simulate: cannot write " + out + ": " + (e instanceof UncheckedIOException u ? u.getCause() : e).getMessage());
            return ExitCodes.FAILURE;
        }
        stdout.println("simulate: wrote " + count.get() + " events for " + patients + " patients to " + out);
        return ExitCodes.OK;
    }

    private int publish(Consumer<Consumer<SpecificRecord>> events, PrintWriter stdout, PrintWriter err) {
        RejectionReport report = new RejectionReport();
        AtomicLong index = new AtomicLong();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        long start = System.nanoTime();
        int[] printed = {0};
        try (SpinePublisher publisher = parent.publishers.create(connection.bootstrapServers, connection.registryUrl,
                parent.pseudonymiser(connection.demo, err), connection.autoRegister(true), connection.kafkaSettings(parent.environment)); ProgressBar bar = progress(err)) {
            events.accept(event -> {
                if (firstFailure.get() != null) return; // broker down: stop sending, report below
                pace(index.getAndIncrement(), start);
                PreparedEvent prepared;
                try {
                    prepared = publisher.prepare(event);
                } catch (RejectedEventException e) {
                    report.rejected(e.reason());
                    if (printed[0]++ < 20) err.println("simulate: " + e.getMessage());
                    return;
                }
                publisher.send(prepared).whenComplete((ok, error) -> {
                    if (error != null) firstFailure.compareAndSet(null, error);
                });
                bar.step();
            });
            publisher.flush();
            report.sent = publisher.counters().sentCount();
            report.failed = publisher.counters().failedCount();
        }
        if (firstFailure.get() != null) {
            AuthenticationException refused = ClientSecurity.authenticationFailure(firstFailure.get());
            if (refused != null) {
                err.println("simulate: " + ClientSecurity.explain(refused, connection.bootstrapServers));
                return ExitCodes.FAILURE;
            }
            err.println("simulate: delivery failed (" + connection.bootstrapServers + "): " + firstFailure.get());
            report.failed = Math.max(report.failed, 1);
        }
        report.print(stdout, "simulate: " + patients + " patients (seed " + seed + ")");
        return report.exitCode();
    }
}
