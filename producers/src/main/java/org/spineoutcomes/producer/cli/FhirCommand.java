package org.spineoutcomes.producer.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.spineoutcomes.producer.fhir.FhirContexts;
import org.spineoutcomes.producer.fhir.FhirGateway;
import org.spineoutcomes.producer.fhir.FhirHttpServer;
import org.spineoutcomes.producer.publish.SpinePublisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "fhir", mixinStandardHelpOptions = true,
        description = {"Runs the FHIR R4 gateway (HTTP) or processes one FHIR file.",
                "FHIR R4 gateway: POST a resource or a transaction/batch Bundle (application/fhir+json) to",
                "http://HOST:PORT/fhir; answers with an OperationOutcome. DELETE /fhir/<Type>/<id>?subject=<MRN>",
                "retracts the event of a resource. With --file, processes one file and exits."})
final class FhirCommand implements Callable<Integer> {
    @ParentCommand SpineProducerCli parent;
    @Spec CommandSpec spec;
    @Mixin ConnectionOptions connection;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8090", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--file", paramLabel = "BUNDLE.json", description = "Process this FHIR JSON file instead of serving HTTP; prints the OperationOutcome.")
    Path file;

    @Option(names = "--source-system", defaultValue = "fhir-gateway",
            description = "sourceSystem for resources without meta.source (default: ${DEFAULT-VALUE}).")
    String sourceSystem;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String body = null;
        if (file != null) {
            try {
                body = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                err.println("fhir: " + file + ": no such file");
                return ExitCodes.FAILURE;
            } catch (IOException e) {
                err.println("fhir: " + file + ": cannot read: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
        }
        FhirContexts.r4(); // build the context before the first request, not during it
        try (SpinePublisher publisher = parent.publishers.create(connection.bootstrapServers, connection.registryUrl,
                parent.pseudonymiser(connection.demo, err), connection.autoRegister(false), connection.kafkaSettings(parent.environment))) {
            FhirGateway gateway = new FhirGateway(publisher, sourceSystem, Duration.ofSeconds(30));
            if (file != null) {
                FhirGateway.Response response = gateway.handle(body);
                out.println(response.json());
                err.println("fhir " + file + ": HTTP-equivalent status " + response.status() + ", accepted " + response.accepted()
                        + " events, rejected " + response.rejected() + " entries");
                out.flush();
                err.flush();
                if (response.status() == 503) return ExitCodes.FAILURE;
                return response.status() == 200 ? ExitCodes.OK : ExitCodes.SOME_REJECTED;
            }
            CountDownLatch stop = new CountDownLatch(1);
            try (FhirHttpServer server = new FhirHttpServer(gateway, host, port)) {
                server.start();
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "fhir-gateway-shutdown"));
                out.println("fhir: listening on http://" + host + ":" + server.port() + "/fhir (Ctrl-C to stop)");
                out.flush();
                stop.await();
            }
        }
        return ExitCodes.OK;
    }
}
