package org.spineoutcomes.producer.cli;

import java.io.PrintWriter;
import java.util.Map;
import org.spineoutcomes.producer.pseudonym.PseudonymKeys;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code spine-producer}: publish spine-fracture events to Kafka from a simulator, an NDJSON file or
 * FHIR R4. Exit codes: 0 ok, 1 some records rejected, 2 usage or configuration error, 3 I/O or
 * broker failure.
 */
@Command(name = "spine-producer", mixinStandardHelpOptions = true, version = "spine-producer 0.1.0",
        description = "Publishes spine-fracture treatment events (pseudonymised, validated, Avro) to Kafka.",
        subcommands = {SimulateCommand.class, ReplayCommand.class, FhirCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:all records accepted", "1:some records rejected (listed on stderr)",
                "2:usage or configuration error", "3:I/O, broker or registry failure"})
public final class SpineProducerCli implements Runnable {
    final PublisherFactory publishers;
    final Map<String, String> environment;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public SpineProducerCli(PublisherFactory publishers, Map<String, String> environment) {
        this.publishers = publishers;
        this.environment = environment;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: simulate, replay or fhir");
    }

    /** The pseudonymiser from the environment (or a throwaway key in demo mode, printed to stderr). */
    Pseudonymiser pseudonymiser(boolean demo, PrintWriter err) {
        java.io.ByteArrayOutputStream notice = new java.io.ByteArrayOutputStream();
        byte[] key = PseudonymKeys.load(environment, demo,
                new java.io.PrintStream(notice, true, java.nio.charset.StandardCharsets.UTF_8));
        if (notice.size() > 0) {
            err.print(notice.toString(java.nio.charset.StandardCharsets.UTF_8));
            err.flush();
        }
        return new Pseudonymiser(key);
    }

    /** A command line wired with exit-code mapping; {@code out}/{@code err} receive all text. */
    public static CommandLine commandLine(PublisherFactory publishers, Map<String, String> environment, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new SpineProducerCli(publishers, environment));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof PseudonymKeys.MissingKeyException || ex instanceof IllegalArgumentException) {
                commandLine.getErr().println(commandLine.getCommandName() + ": " + ex.getMessage());
                return ExitCodes.USAGE;
            }
            commandLine.getErr().println(commandLine.getCommandName() + ": failed: " + ex);
            return ExitCodes.FAILURE;
        });
        return cli;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = commandLine(PublisherFactory.kafka(), System.getenv(), out, err).execute(args);
        System.exit(code);
    }
}
