package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.batch.BatchCommand;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.export.ExportCommand;
import org.spineoutcomes.export.ResultFiles;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.localstack.LocalStackExtension;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import picocli.CommandLine;

/**
 * {@code ./spine export} on the real local stack: a simulated cohort goes through the streams app
 * (exactly-once, real broker and registry); the export of its output topics, at the batch's data cut
 * and at an earlier one, gives byte for byte the files {@code ./spine batch --csv} writes from the
 * same events (with small-cell suppression lifted, as the batch writes every cell). Unreachable broker or registry: one error line and exit code 3.
 */
@ExtendWith(LocalStackExtension.class)
class ExportEndToEndTest {

    private static final int PATIENTS = 300;
    private static final List<String> FILES = List.of(ResultFiles.OUTCOMES_NDJSON, ResultFiles.AGGREGATES_NDJSON,
            ResultFiles.COMPARISONS_NDJSON, ResultFiles.PATIENT_WINDOWS_CSV, ResultFiles.AGGREGATES_CSV, ResultFiles.COMPARISONS_CSV,
            ResultFiles.ADJUSTED_COMPARISONS_NDJSON, ResultFiles.TIME_TO_EVENT_NDJSON);

    private record Run(int exitCode, String out, String err, ExportCommand command) {}

    private static Run export(String bootstrap, String registry, String... options) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ExportCommand command = new ExportCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8),
                Map.of("SPINE_BOOTSTRAP_SERVERS", bootstrap, "SPINE_SCHEMA_REGISTRY_URL", registry));
        int code = new CommandLine(command).execute(options);
        return new Run(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8), command);
    }

    private static void batch(Path input, Path out, String... options) {
        List<String> args = new ArrayList<>(List.of(input.toString(), "--out", out.toString(), "--csv"));
        args.addAll(List.of(options));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(sink, true, StandardCharsets.UTF_8);
        assertEquals(0, new CommandLine(new BatchCommand(quiet, quiet)).execute(args.toArray(String[]::new)), sink.toString());
    }

    private static void assertSameFiles(Path expected, Path actual) throws IOException {
        for (String name : FILES) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(name)), Files.readAllBytes(actual.resolve(name)), name);
        }
    }

    private static long dueTotal(BatchComputation.Result result) {
        return result.aggregates().values().stream().filter(a -> a.getCompleteness() != null)
                .mapToLong(a -> a.getCompleteness().getDue()).sum();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void exportOfTheStreamEqualsTheBatchFiles() throws Exception {
        // A stack of its own: the shared one's input topics hold the other tests' events.
        try (LocalStack stack = LocalStack.start()) {
            exportEqualsBatch(stack);
        }
    }

    private static void exportEqualsBatch(LocalStack stack) throws Exception {
        List<SpecificRecord> events = StackOutputs.simulatedCohort(PATIENTS, 23);
        Path work = Files.createTempDirectory(stack.workDir(), "export-e2e");
        Path input = work.resolve("cohort.ndjson");
        NdjsonCodec codec = new NdjsonCodec();
        Files.write(input, events.stream().map(codec::format).toList(), StandardCharsets.UTF_8);
        BatchComputation expected = new BatchComputation();
        events.forEach(expected::add);
        Instant cut = expected.defaultDataCut();
        BatchComputation.Result atCut = expected.result(null);
        long patientWindows = atCut.outcomes().values().stream().mapToLong(o -> o.getWindows().size()).sum();

        RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
        AppConfig config = AppConfig.of(Map.of(
                AppConfig.APPLICATION_ID, "export-e2e-" + System.nanoTime(),
                AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                AppConfig.STATE_DIR, Files.createTempDirectory(work, "state").toString(),
                AppConfig.CUT_REFRESH_MS, "500",
                AppConfig.PUBLISH_INTERVAL_MS, "300"));
        try (SpineStreamsApp app = new SpineStreamsApp(config, registry)) {
            app.start();
            StackOutputs.produce(stack, registry, events);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (StackOutputs.metric(app, "records-in-total") < events.size() && System.nanoTime() < deadline) Thread.sleep(250);
            assertEquals(events.size(), StackOutputs.metric(app, "records-accepted-total"));
            StackOutputs.waitUntilQuiet(stack, Duration.ofSeconds(3), Duration.ofMinutes(5));

            // At the batch's cut, which is also the cut the stream published.
            Path exported = work.resolve("export");
            Run run = export(stack.bootstrapServers(), stack.schemaRegistryUrl(), "--out", exported.toString(), "--as-of", cut.toString(),
                    "--no-suppression");
            assertEquals(0, run.exitCode(), run.out() + run.err());
            ExportCommand.Summary summary = run.command().summary();
            assertEquals(cut.truncatedTo(ChronoUnit.MILLIS), summary.publishedCut());
            assertEquals(PATIENTS, summary.outcomes());
            assertEquals(atCut.aggregates().size(), summary.aggregates());
            assertEquals(atCut.comparisons().size(), summary.comparisons());
            assertEquals(0, summary.aggregatesRejudged());
            assertEquals(0, summary.unsettledCells());
            assertTrue(run.out().contains("read from " + stack.bootstrapServers() + ": " + PATIENTS + " patient outcomes, "), run.out());

            Path batchOut = work.resolve("batch");
            batch(input, batchOut, "--as-of", cut.toString());
            assertSameFiles(batchOut, exported);
            assertEquals(PATIENTS, Files.readAllLines(exported.resolve(ResultFiles.OUTCOMES_NDJSON)).size());
            List<String> csv = Files.readAllLines(exported.resolve(ResultFiles.PATIENT_WINDOWS_CSV));
            assertEquals(patientWindows, csv.size() - 1, "one CSV row per patient and window, plus the header");
            assertEquals(summary.patientWindows(), csv.size() - 1);
            assertTrue(csv.get(0).startsWith("patientId,ittArm,indexDate,crossover,"), csv.get(0));
            assertEquals(atCut.aggregates().size() + 1, Files.readAllLines(exported.resolve(ResultFiles.AGGREGATES_CSV)).size());

            // At an earlier cut: completeness re-judged from the patient outcomes, still the batch's bytes.
            Instant earlier = cut.minus(Duration.ofDays(200)).truncatedTo(ChronoUnit.SECONDS);
            Path exportedEarlier = work.resolve("export-earlier");
            Run early = export(stack.bootstrapServers(), stack.schemaRegistryUrl(), "--out", exportedEarlier.toString(),
                    "--as-of", earlier.toString(), "--format", "both", "--no-suppression");
            assertEquals(0, early.exitCode(), early.out() + early.err());
            assertEquals(atCut.aggregates().size(), early.command().summary().aggregatesRejudged());
            Path batchEarlier = work.resolve("batch-earlier");
            batch(input, batchEarlier, "--as-of", earlier.toString());
            assertSameFiles(batchEarlier, exportedEarlier);
            // An earlier cut can only lower the due counts (R2, R33); windows ending in the 200 days between lower them here.
            long dueAtCut = dueTotal(atCut);
            long dueEarlier = dueTotal(expected.result(earlier));
            assertTrue(dueEarlier < dueAtCut && dueEarlier > 0, dueEarlier + " due at " + earlier + ", " + dueAtCut + " at " + cut);
            long dueExported = Files.readAllLines(exportedEarlier.resolve(ResultFiles.AGGREGATES_CSV)).stream().skip(1)
                    .map(l -> l.split(",", -1)[6]).filter(d -> !d.isEmpty()).mapToLong(Long::parseLong).sum();
            assertEquals(dueEarlier, dueExported, "completenessDue column summed");
        }
    }

    @Test
    void unreachableBrokerOrRegistryIsOneErrorLineAndExitCode3(LocalStack stack) throws Exception {
        Path out = Files.createTempDirectory(stack.workDir(), "export-unreachable");
        String noBroker = "127.0.0.1:" + closedPort();
        Run broker = export(noBroker, stack.schemaRegistryUrl(), "--out", out.toString(), "--timeout", "3");
        assertEquals(3, broker.exitCode(), broker.err());
        String brokerError = broker.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow();
        assertEquals("error: no answer from Kafka at " + noBroker + " within 3 s: check --bootstrap-servers (or $SPINE_BOOTSTRAP_SERVERS), "
                + "that the broker runs and that its advertised listeners are reachable from here", brokerError);

        String noRegistry = "http://127.0.0.1:" + closedPort();
        Run registry = export(stack.bootstrapServers(), noRegistry, "--out", out.toString());
        assertEquals(3, registry.exitCode(), registry.err());
        String registryError = registry.err().lines().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow();
        assertTrue(registryError.startsWith("error: cannot use the schema registry: ") && registryError.contains(noRegistry)
                && registryError.endsWith("check --schema-registry-url (or $SPINE_SCHEMA_REGISTRY_URL; for Apicurio the URL ends in "
                + "/apis/ccompat/v7) and that the registry runs"), registryError);
    }
}
