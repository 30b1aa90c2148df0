package org.spineoutcomes.producer.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.kafka.common.errors.AuthenticationException;
import org.spineoutcomes.kafka.ClientSecurity;
import org.spineoutcomes.ndjson.NdjsonLine;
import org.spineoutcomes.ndjson.NdjsonReader;
import org.spineoutcomes.ndjson.ParseResult;
import org.spineoutcomes.producer.publish.PreparedEvent;
import org.spineoutcomes.producer.publish.RejectedEventException;
import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.Violation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Publishes an NDJSON file of events in file order.",
                "Publishes an NDJSON file (one event per line with a \"type\" of procedure, imaging or followup, patientId = MRN)",
                "in file order. Each rejected line is reported as FILE:LINE: field F: message [REASON] and not published;",
                "each line that cannot be delivered is reported as FILE:LINE: not delivered: reason, and the lines after it",
                "are still sent. Exit code 0 all sent, 1 some rejected, 3 some not delivered, 2 usage error."})
final class ReplayCommand implements Callable<Integer> {
    @ParentCommand SpineProducerCli parent;
    @Spec CommandSpec spec;
    @Mixin ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "FILE", description = "NDJSON file to publish ('-' for standard input).")
    String file;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        NdjsonReader reader = new NdjsonReader();
        if (!"-".equals(file) && Files.isDirectory(Path.of(file))) {
            err.println("replay: " + file + " is a directory; give one NDJSON file (or - for standard input)");
            return ExitCodes.USAGE;
        }
        Stream<NdjsonLine> lines;
        try {
            lines = "-".equals(file) ? reader.lines(System.in, "-") : reader.lines(Path.of(file));
        } catch (NoSuchFileException e) {
            err.println("replay: " + file + ": no such file");
            return ExitCodes.FAILURE;
        } catch (IOException e) {
            err.println("replay: " + file + ": cannot read: " + e.getMessage());
            return ExitCodes.FAILURE;
        }
        RejectionReport report = new RejectionReport();
        AtomicReference<AuthenticationException> refused = new AtomicReference<>();
        long total = 0;
        try (lines; SpinePublisher publisher = parent.publishers.create(connection.bootstrapServers, connection.registryUrl,
                parent.pseudonymiser(connection.demo, err), connection.autoRegister(false), connection.kafkaSettings(parent.environment))) {
            Iterator<NdjsonLine> it = lines.iterator();
            // Kafka refusing the credentials or the TLS handshake refuses every line alike: stop at the first.
            while (it.hasNext() && refused.get() == null) {
                NdjsonLine line = it.next();
                total++;
                if (line.result() instanceof ParseResult.ParseError error) {
                    report.rejected(error.reason());
                    err.println(line.errorText());
                    continue;
                }
                ParseResult.Parsed parsed = (ParseResult.Parsed) line.result();
                PreparedEvent prepared;
                try {
                    prepared = publisher.prepare(parsed.event());
                } catch (RejectedEventException e) {
                    report.rejected(e.reason());
                    for (Violation v : e.violations()) err.println(line.source() + ":" + line.lineNumber() + ": " + v.describe());
                    continue;
                }
                // A line that cannot be delivered (too large, schema not registered, broker timeout) is reported
                // and counted; the lines after it are still sent.
                publisher.send(prepared).whenComplete((ok, error) -> {
                    if (error == null) return;
                    AuthenticationException auth = ClientSecurity.authenticationFailure(error);
                    if (auth != null) refused.compareAndSet(null, auth);
                    else err.println(line.source() + ":" + line.lineNumber() + ": not delivered: " + reasonOf(error));
                });
            }
            publisher.flush();
            report.sent = publisher.counters().sentCount();
            report.failed = publisher.counters().failedCount();
        } catch (UncheckedIOException e) {
            err.println("replay: " + file + ": read failed: " + e.getCause().getMessage());
            return ExitCodes.FAILURE;
        }
        if (refused.get() != null) {
            err.println("replay: " + ClientSecurity.explain(refused.get(), connection.bootstrapServers));
            return ExitCodes.FAILURE;
        }
        report.print(stdout, "replay " + file + ": " + total + " records");
        return report.exitCode();
    }

    /** One line: the innermost cause's class and message, cut to a few hundred characters. */
    private static String reasonOf(Throwable error) {
        Throwable t = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        String text = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        return InputLimits.abbreviate(text.replaceAll("\\s+", " "), 300);
    }
}
