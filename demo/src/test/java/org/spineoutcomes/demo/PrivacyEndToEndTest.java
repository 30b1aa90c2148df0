package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.export.ExportCommand;
import org.spineoutcomes.export.ResultFiles;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.producer.cli.PublisherFactory;
import org.spineoutcomes.producer.cli.SpineProducerCli;
import org.spineoutcomes.producer.fhir.FhirGateway;
import org.spineoutcomes.producer.fhir.FhirHttpServer;
import org.spineoutcomes.producer.pseudonym.PseudonymKeys;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.query.Suppression;
import org.spineoutcomes.runtime.SpineRuntime;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.testing.LogCapture;
import org.spineoutcomes.topics.Topics;
import picocli.CommandLine;

/**
 * Privacy and access on the real stack (KRaft broker + Apicurio registry), from the hospital's
 * identifiers to every place the results can be read:
 * <ol>
 *   <li>a cohort with known raw identifiers goes in through the producers: the simulator's MRNs and the
 *       sample file's, replayed by {@code ./spine producer replay}, and a FHIR bundle whose Patient has an
 *       MRN, a given and a family name and a birth date, through the FHIR gateway;</li>
 *   <li>the app runs ({@code SpineRuntime}, default bind address, a bearer token), the results are
 *       exported with and without small-cell suppression;</li>
 *   <li>then every record of every topic on the cluster (internal ones included), the broker's log
 *       segments and the app's state files on disk, the log output of the whole run (our loggers at
 *       DEBUG), the registry's log, the CLIs' output, every HTTP answer of the API, the event stream, the
 *       dashboard files and the operational endpoints, and every export file are searched for each raw
 *       identifier: none is found. The same search finds every one of them in the input files.</li>
 * </ol>
 * Along the way: HTTP listens on 127.0.0.1, answers 401 without the token (not /health), 405 to
 * writes and 400 with one JSON line to a repeated parameter; cells and statistics under 11 patients are
 * suppressed in every API answer, and the export's suppressed files hold exactly what the API shows.
 */
class PrivacyEndToEndTest {
    private static final int PATIENTS = 200;
    private static final long SEED = 31;
    private static final String KEY_HEX = "5a".repeat(32);
    private static final String TOKEN = "privacy-e2e-" + HexFormat.of().formatHex(new byte[] {7, 1, 3, 9, 2, 8, 4, 6});
    private static final String FHIR_MRN = "PRIV-MRN-77301";
    private static final List<String> FHIR_IDENTIFIERS = List.of(FHIR_MRN, "Annabel", "Testperson", "1948-05-17");
    private static final Path SAMPLES = Path.of("..", "samples");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final int MIN_CELL = Suppression.DEFAULT_MIN_CELL_SIZE;

    /** What the producer CLI printed, for the scan. */
    private final StringBuilder cliOutput = new StringBuilder();

    @Test
    void noRawIdentifierReachesAnyTopicLogAnswerOrExport_andSmallCellsAreSuppressedOnEveryPath() throws Exception {
        long t0 = System.nanoTime();
        try (LogCapture log = LogCapture.start().at("org.spineoutcomes", Level.DEBUG); LocalStack stack = LocalStack.start()) {
            Path work = Files.createTempDirectory(stack.workDir(), "privacy");
            Env env = new Env(stack);

            // 1. Inputs with known raw identifiers; the scanner finds each of them there.
            Path cohort = work.resolve("cohort.ndjson");
            assertEquals(0, cli(Map.of(), "simulate", "--patients", String.valueOf(PATIENTS), "--seed", String.valueOf(SEED),
                    "--invalid-share", "0.01", "--out", cohort.toString(), "--no-progress"));
            Path bundle = work.resolve("bundle.json");
            Files.writeString(bundle, namedBundle());
            List<String> identifiers = new ArrayList<>();
            for (int n = 1; n <= PATIENTS; n++) identifiers.add(CohortSimulator.mrnOf(n));
            for (int n = 101; n <= 106; n++) identifiers.add(String.format("MRN-%06d", n));
            identifiers.addAll(FHIR_IDENTIFIERS);
            IdentifierScan inputs = new IdentifierScan(identifiers);
            inputs.bytes("inputs", cohort.toString(), Files.readAllBytes(cohort));
            inputs.bytes("inputs", SAMPLES.resolve("events.ndjson").toString(), Files.readAllBytes(SAMPLES.resolve("events.ndjson")));
            inputs.bytes("inputs", bundle.toString(), Files.readAllBytes(bundle));
            assertEquals(new HashSet<>(identifiers), inputs.findings().stream().map(f -> f.split(" contains ")[1].split(" at ")[0])
                    .collect(Collectors.toSet()), "every identifier is in the inputs, and the scan finds it there");

            // The input schemas are registered first, by the replay of the sample file, while nothing else writes to the
            // registry (Apicurio's in-memory store can time out on a table lock when registrations meet under load).
            assertEquals(0, cli(Map.of(), "replay", SAMPLES.resolve("events.ndjson").toString(), "--auto-register-schemas",
                    "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.schemaRegistryUrl()), cliOutput.toString());

            // 2. The app, with a bearer token, HTTP on its default address; an event-stream client from the start.
            Path stateDir = Files.createTempDirectory(work, "state");
            ByteArrayOutputStream appOut = new ByteArrayOutputStream();
            SpineRuntime app = SpineRuntime.start(AppConfig.of(Map.of(
                    AppConfig.APPLICATION_ID, "privacy-e2e",
                    AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                    AppConfig.STATE_DIR, stateDir.toString(),
                    AppConfig.HTTP_PORT, "0",
                    AppConfig.HTTP_BEARER_TOKEN, TOKEN,
                    AppConfig.PUBLISH_INTERVAL_MS, "300",
                    AppConfig.CUT_REFRESH_MS, "500",
                    AppConfig.STREAM_THREADS, "1")), new PrintStream(appOut, true, StandardCharsets.UTF_8));
            IdentifierScan scan = new IdentifierScan(identifiers);
            Map<String, Integer> httpStatuses = new LinkedHashMap<>();
            try {
                assertTrue(app.awaitRunning(Duration.ofMinutes(3)), "app RUNNING");
                assertEquals("127.0.0.1", app.config().httpBindAddress(), "the default bind address");
                assertTrue(InetAddress.getByName(app.baseUri().getHost()).isLoopbackAddress(), app.baseUri().toString());
                StringBuffer events = new StringBuffer();
                CompletableFuture<HttpResponse<Stream<String>>> stream = HTTP.sendAsync(request(app, "/api/stream").build(),
                        HttpResponse.BodyHandlers.ofLines());
                stream.thenAccept(r -> r.body().forEach(line -> events.append(line).append('\n')));

                // 3. The producers: replay of the cohort (pseudonymised by the CLI; the samples went first), the FHIR gateway.
                int replayed = cli(Map.of(), "replay", cohort.toString(),
                        "--bootstrap-servers", stack.bootstrapServers(), "--registry-url", stack.schemaRegistryUrl());
                // The simulator's deliberately invalid lines are refused by the producer and reported by line, without the MRN.
                assertEquals(1, replayed, cliOutput.toString());
                assertTrue(cliOutput.toString().contains(": 2244 records: sent 2223, rejected 21 ("), cliOutput.toString());
                assertFalse(cliOutput.toString().contains("not delivered"), cliOutput.toString());
                String gatewayAnswer = postBundle(stack, bundle);
                scan.text("producer answers", "FHIR gateway", gatewayAnswer);

                long inputRecords = env.inputRecords();
                long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                while (IngestMetrics.total(app.app().streams().metrics(), "records-in-total") < inputRecords && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                }
                assertEquals(inputRecords, IngestMetrics.total(app.app().streams().metrics(), "records-in-total"), "every input record consumed");
                StackOutputs.waitUntilQuiet(stack, Duration.ofSeconds(3), Duration.ofMinutes(5));

                // 4. HTTP: access rules, then every answer scanned.
                checkAccessRules(app);
                List<JsonNode> apiAggregates = new ArrayList<>();
                int shownCells = 0;
                int suppressedCells = 0;
                for (Population p : Population.values()) {
                    for (Window w : Window.values()) {
                        for (Stratum s : Stratum.values()) {
                            String q = "?population=" + p + "&window=" + w + "&stratum=" + s;
                            JsonNode aggs = JSON.readTree(get(app, "/api/aggregates" + q, scan, httpStatuses));
                            for (JsonNode a : aggs.get("aggregates")) {
                                assertSuppressedBelowThreshold(a, "patients", List.of("measures", "proportions", "paired"), List.of("n"));
                                apiAggregates.add(a);
                                if (a.get("suppressed").asBoolean()) suppressedCells++;
                                else shownCells++;
                            }
                            for (JsonNode c : JSON.readTree(get(app, "/api/comparisons" + q, scan, httpStatuses)).get("comparisons")) {
                                assertComparisonSuppressedBelowThreshold(c);
                            }
                        }
                    }
                }
                assertTrue(shownCells > 50 && suppressedCells > 50, "shown " + shownCells + ", suppressed " + suppressedCells);
                Pseudonymiser pseudonymiser = new Pseudonymiser(HexFormat.of().parseHex(KEY_HEX));
                int patientsFound = 0;
                for (String id : identifiers.subList(0, PATIENTS + 6)) {
                    get(app, "/api/patients/" + pseudonymiser.pseudonymise(id), scan, httpStatuses);
                    if (httpStatuses.get("/api/patients/" + pseudonymiser.pseudonymise(id)) == 200) patientsFound++;
                }
                assertTrue(patientsFound >= PATIENTS, patientsFound + " patients answered by pseudonym");
                for (String mrn : List.of(identifiers.get(0), "MRN-000101", FHIR_MRN)) {
                    // Asked by a raw MRN (a mistake): nothing found, and the answer does not repeat it.
                    HttpResponse<String> r = send(app, "GET", "/api/patients/" + mrn, true);
                    assertEquals(404, r.statusCode());
                    scan.text("http answers", "/api/patients/<raw MRN>", r.body());
                }
                for (String path : List.of("/api/", "/api/cells", "/api/rejections", "/api/adjusted-comparisons?population=ITT&window=M3",
                        "/api/time-to-event?population=ITT&stratum=ALL", "/metrics", "/health", "/ready", "/",
                        "/dashboard/", "/dashboard/app.js", "/dashboard/style.css", "/dashboard/vendor/chart.umd.min.js")) {
                    get(app, path, scan, httpStatuses);
                }
                assertTrue(httpStatuses.values().stream().filter(c -> c == 200).count() > 2 * 220 + PATIENTS, httpStatuses.size() + " answers");
                Thread.sleep(1_000);
                stream.cancel(true);
                assertTrue(events.toString().contains("event: hello"), events.toString());
                assertTrue(events.toString().contains("event: aggregate"), "the event stream saw the cohort's aggregates");
                scan.text("http answers", "/api/stream", events.toString());

                // 5. Exports: suppressed by default (exactly what the API shows), then lifted (logged).
                Path suppressed = work.resolve("export");
                String defaultExport = export(env, "--out", suppressed.toString());
                assertTrue(defaultExport.contains("patient-level files not written"), defaultExport);
                try (Stream<Path> files = Files.list(suppressed)) {
                    assertEquals(6, files.count(), "aggregates and comparisons, NDJSON and CSV; standardised comparisons and time to event, NDJSON");
                }
                List<JsonNode> exported = new ArrayList<>();
                for (String line : Files.readAllLines(suppressed.resolve(ResultFiles.AGGREGATES_NDJSON))) exported.add(JSON.readTree(line));
                assertEquals(new HashSet<>(apiAggregates), new HashSet<>(exported), "the export's aggregates are the API's");
                assertEquals(apiAggregates.size(), exported.size());
                for (String line : Files.readAllLines(suppressed.resolve(ResultFiles.COMPARISONS_NDJSON))) {
                    assertComparisonSuppressedBelowThreshold(JSON.readTree(line));
                }
                Path full = work.resolve("export-full");
                String liftedExport = export(env, "--out", full.toString(), "--no-suppression");
                assertTrue(liftedExport.contains("small-cell suppression lifted"), liftedExport);
                assertEquals(PATIENTS + 7, Files.readAllLines(full.resolve(ResultFiles.OUTCOMES_NDJSON)).size(), "every patient, by pseudonym");
                assertEquals(1, log.lines().stream().filter(l -> l.startsWith("WARN " + ExportCommand.AUDIT_LOGGER + " - small-cell suppression lifted")).count(),
                        "the lift is logged once");
                cliOutput.append(defaultExport).append(liftedExport);
                scan.files("export files", suppressed);
                scan.files("export files", full);
            } finally {
                app.close();
            }

            // 6. Topics (every record of every topic, internal ones too), files on disk, logs.
            env.scanAllTopics(scan);
            // Record batches are stored uncompressed here (no client sets compression.type), so the bytes are searchable;
            // the offset and time indexes (.index, .timeindex: numbers only, preallocated to 10 MB) are left out.
            scan.files("broker log files", stack.workDir().resolve("kafka"), name -> !name.endsWith(".index") && !name.endsWith(".timeindex"));
            scan.files("app state files", stateDir);
            scan.bytes("logs", "registry log", Files.readAllBytes(stack.registry().logFile()));
            scan.text("logs", "log events (ours at DEBUG)", log.text());
            scan.text("logs", "CLI output", cliOutput.toString());
            scan.text("logs", "app stdout", appOut.toString(StandardCharsets.UTF_8));
            System.out.println(scan.summary());
            System.out.printf("privacy end-to-end: %d HTTP answers, %.0f s%n", httpStatuses.size(), (System.nanoTime() - t0) / 1e9);
            assertEquals(List.of(), scan.findings());
            assertTrue(scan.scanned().get("topic records")[0] > 2 * PATIENTS * 5, "records scanned: " + scan.scanned().get("topic records")[0]);
        }
    }

    // --- the producers ------------------------------------------------------------------------

    private int cli(Map<String, String> extraEnv, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put(PseudonymKeys.KEY_ENV, KEY_HEX);
        int code = SpineProducerCli.commandLine(PublisherFactory.kafka(), env, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        cliOutput.append(out).append(err);
        return code;
    }

    /** The sample bundle with its Patient's MRN replaced and a name added (which no event schema has). */
    private static String namedBundle() throws Exception {
        JsonNode bundle = JSON.readTree(Files.readString(SAMPLES.resolve("fhir").resolve("bundle.json")).replace("DEMO-MRN-0042", FHIR_MRN));
        for (JsonNode entry : bundle.get("entry")) {
            if (entry.get("resource").get("resourceType").asText().equals("Patient")) {
                ObjectNode patient = (ObjectNode) entry.get("resource");
                patient.putArray("name").addObject().put("family", "Testperson").putArray("given").add("Annabel");
                patient.put("birthDate", "1948-05-17");
            }
        }
        return JSON.writeValueAsString(bundle);
    }

    private static String postBundle(LocalStack stack, Path bundle) throws Exception {
        Pseudonymiser pseudonymiser = new Pseudonymiser(HexFormat.of().parseHex(KEY_HEX));
        try (SpinePublisher publisher = PublisherFactory.kafka().create(stack.bootstrapServers(), stack.schemaRegistryUrl(), pseudonymiser);
             FhirHttpServer server = new FhirHttpServer(new FhirGateway(publisher, "privacy-e2e", Duration.ofSeconds(30)), "127.0.0.1", 0)) {
            server.start();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/fhir"))
                    .header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofFile(bundle)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), r.body());
            return r.body();
        }
    }

    // --- HTTP ---------------------------------------------------------------------------------

    private static HttpRequest.Builder request(SpineRuntime app, String path) {
        return HttpRequest.newBuilder(app.baseUri().resolve(path)).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN);
    }

    private static HttpResponse<String> send(SpineRuntime app, String method, String path, boolean withToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(app.baseUri().resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (withToken) b.header("Authorization", "Bearer " + TOKEN);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** GET with the token; the answer is scanned and its status kept. */
    private static String get(SpineRuntime app, String path, IdentifierScan scan, Map<String, Integer> statuses) throws Exception {
        HttpResponse<byte[]> r = HTTP.send(request(app, path).build(), HttpResponse.BodyHandlers.ofByteArray());
        statuses.put(path, r.statusCode());
        scan.bytes("http answers", path, r.body());
        r.headers().map().forEach((name, values) -> scan.text("http answers", path + " header " + name, String.join(",", values)));
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private static void checkAccessRules(SpineRuntime app) throws Exception {
        for (String path : List.of("/api/aggregates?population=ITT&window=M3", "/api/patients/x", "/api/stream", "/metrics")) {
            HttpResponse<String> r = send(app, "GET", path, false);
            assertEquals(401, r.statusCode(), path);
            assertEquals("Bearer realm=\"spine\"", r.headers().firstValue("WWW-Authenticate").orElseThrow(), path);
        }
        HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(app.baseUri().resolve("/api/cells"))
                .header("Authorization", "Bearer " + TOKEN + "x").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode(), "a longer token is another token");
        for (String open : List.of("/health", "/ready", "/dashboard/")) {
            assertEquals(200, send(app, "GET", open, false).statusCode(), open + " needs no token");
        }
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> r = send(app, method, "/api/aggregates?population=ITT&window=M3", true);
            assertEquals(405, r.statusCode(), method);
            assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
        }
        HttpResponse<String> twice = send(app, "GET", "/api/aggregates?population=ITT&window=M3&window=M6", true);
        assertEquals(400, twice.statusCode());
        assertEquals(1, twice.body().lines().count(), twice.body());
        assertEquals("parameter window is given more than once: give it once", JSON.readTree(twice.body()).get("error").asText());
        HttpResponse<String> unknown = send(app, "GET", "/api/aggregates?population=ITT&window=M13", true);
        assertEquals(400, unknown.statusCode());
        assertEquals("unknown window 'M13': expected one of BASELINE, D1, W1, M1, M3, M6, M12, M24, POST, OVERALL",
                JSON.readTree(unknown.body()).get("error").asText());
    }

    // --- suppression --------------------------------------------------------------------------

    /** A suppressed record has its key and no numbers; a shown one reaches the threshold, and so does each statistic it shows. */
    private static void assertSuppressedBelowThreshold(JsonNode record, String countField, List<String> lists, List<String> entryCounts) {
        if (record.get("suppressed").asBoolean()) {
            assertFalse(record.has(countField), record.toString());
            for (String list : lists) assertFalse(record.has(list), record.toString());
            assertEquals("fewer than " + MIN_CELL + " patients", record.get("reason").asText());
            return;
        }
        assertTrue(record.get(countField).asLong() >= MIN_CELL, record.toString());
        for (String list : lists) {
            for (JsonNode entry : record.get(list)) {
                if (entry.path("suppressed").asBoolean()) {
                    assertEquals(3, entry.size(), entry.toString()); // its name, suppressed, reason
                    continue;
                }
                for (String count : entryCounts) assertTrue(entry.get(count).asLong() >= MIN_CELL, entry.toString());
            }
        }
    }

    private static void assertComparisonSuppressedBelowThreshold(JsonNode c) {
        List<String> lists = List.of("meanDifferences", "adjustedDifferences", "riskDifferences");
        if (c.get("suppressed").asBoolean()) {
            assertFalse(c.has("firstPatients") || c.has("secondPatients"), c.toString());
            assertTrue(c.get("suppressedArms").size() >= 1, c.toString());
            for (String list : lists) assertFalse(c.has(list), c.toString());
            return;
        }
        assertTrue(c.get("firstPatients").asLong() >= MIN_CELL && c.get("secondPatients").asLong() >= MIN_CELL, c.toString());
        assertSuppressedBelowThreshold(c, "firstPatients", lists, List.of("n1", "n2"));
    }

    // --- the cluster --------------------------------------------------------------------------

    /** The stack, the export's environment, and reading every topic. */
    private static final class Env {
        final LocalStack stack;

        Env(LocalStack stack) {
            this.stack = stack;
        }

        Map<String, Object> consumerConfig() {
            Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted"); // aborted records too
            return c;
        }

        long inputRecords() {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                List<TopicPartition> parts = new ArrayList<>();
                for (var t : List.of(Topics.PROCEDURES, Topics.IMAGING, Topics.FOLLOWUPS)) {
                    for (int p = 0; p < t.partitions(); p++) parts.add(new TopicPartition(t.name(), p));
                }
                return consumer.endOffsets(parts).values().stream().mapToLong(Long::longValue).sum();
            }
        }

        /** Every record (key, value, header names and values) of every topic the broker has, internal topics included. */
        void scanAllTopics(IdentifierScan scan) throws Exception {
            List<TopicPartition> parts = new ArrayList<>();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
                Set<String> names = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get(30, TimeUnit.SECONDS);
                assertTrue(names.contains("__consumer_offsets") && names.contains("__transaction_state")
                        && names.stream().anyMatch(n -> n.startsWith("privacy-e2e-") && n.endsWith("-changelog")), names.toString());
                for (TopicDescription d : admin.describeTopics(names).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
                    d.partitions().forEach(p -> parts.add(new TopicPartition(d.name(), p.partition())));
                }
            }
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.assign(parts);
                consumer.seekToBeginning(parts);
                Map<TopicPartition, Long> end = consumer.endOffsets(parts);
                long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
                while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(300))) {
                        String where = r.topic() + "-" + r.partition() + "@" + r.offset();
                        scan.bytes("topic records", where, concat(r));
                    }
                }
                for (TopicPartition tp : parts) assertTrue(consumer.position(tp) >= end.get(tp), "read to the end of " + tp);
            }
        }

        private static byte[] concat(ConsumerRecord<byte[], byte[]> r) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            if (r.key() != null) b.writeBytes(r.key());
            b.write(0);
            if (r.value() != null) b.writeBytes(r.value());
            for (Header h : r.headers()) {
                b.write(0);
                b.writeBytes(h.key().getBytes(StandardCharsets.UTF_8));
                b.write(0);
                if (h.value() != null) b.writeBytes(h.value());
            }
            return b.toByteArray();
        }
    }

    /** {@code ./spine export} with the given options; its output (stdout and stderr). */
    private static String export(Env env, String... options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportCommand command = new ExportCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
                Map.of("SPINE_BOOTSTRAP_SERVERS", env.stack.bootstrapServers(), "SPINE_SCHEMA_REGISTRY_URL", env.stack.schemaRegistryUrl()));
        int code = new CommandLine(command).execute(options);
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        return text;
    }
}
