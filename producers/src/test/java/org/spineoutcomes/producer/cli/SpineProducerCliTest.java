package org.spineoutcomes.producer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.producer.publish.MockPublishers;
import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.producer.pseudonym.PseudonymKeys;
import org.spineoutcomes.producer.simulate.RecordedOrder;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.producer.simulate.SimulationParameters;

class SpineProducerCliTest {
    private static final Map<String, String> ENV = Map.of(PseudonymKeys.KEY_ENV, "hex:" + HexFormat.of().formatHex(MockPublishers.KEY));
    private static final Path SAMPLES = Path.of("..", "samples");

    private final MockProducer<String, SpecificRecord> producer = MockPublishers.producer();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        PublisherFactory factory = (servers, registry, pseudonymiser) ->
                new SpinePublisher(producer, pseudonymiser, new org.spineoutcomes.validation.EventValidator(),
                        java.time.Clock.fixed(MockPublishers.NOW, java.time.ZoneOffset.UTC));
        return SpineProducerCli.commandLine(factory, env, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(strings = {"simulate", "replay", "fhir"})
    void everyCommandHasHelp(String command) {
        assertEquals(0, run(ENV, command, "--help"));
        assertTrue(out.toString().startsWith("Usage: spine-producer " + command), out.toString());
    }

    @Test
    void unknownOptionIsAUsageError() {
        assertEquals(2, run(ENV, "simulate", "--patiens", "3"));
        assertTrue(err.toString().contains("Unknown options: '--patiens'"), err.toString());
    }

    @Test
    void missingPseudonymKeyIsAUsageErrorAndNothingIsSent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("one.ndjson");
        Files.copy(SAMPLES.resolve("events.ndjson"), file);
        assertEquals(2, run(Map.of(), "replay", file.toString()));
        assertTrue(err.toString().contains("No pseudonym key: set SPINE_PSEUDONYM_KEY_FILE"), err.toString());
        assertEquals(List.of(), producer.history());
    }

    @Test
    void kafkaSecuritySettings_comeFromTheFileAndTheEnvironment_andABadOneIsAUsageErrorInOneLine(@TempDir Path dir) throws Exception {
        Path settings = dir.resolve("kafka.properties");
        Files.write(settings, List.of("kafka.security.protocol=SASL_SSL", "kafka.sasl.mechanism=SCRAM-SHA-512"));
        Map<String, String> env = new java.util.HashMap<>(ENV);
        env.put("SPINE_KAFKA__SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"a\" password=\"b\";");
        List<Map<String, String>> given = new ArrayList<>();
        PublisherFactory factory = new PublisherFactory() {
            @Override
            public SpinePublisher create(String servers, String registry, org.spineoutcomes.producer.pseudonym.Pseudonymiser pseudonymiser) {
                throw new AssertionError("the settings are handed on");
            }

            @Override
            public SpinePublisher create(String servers, String registry, org.spineoutcomes.producer.pseudonym.Pseudonymiser pseudonymiser,
                                         boolean autoRegister, Map<String, String> kafkaSettings) {
                given.add(kafkaSettings);
                return new SpinePublisher(producer, pseudonymiser, new org.spineoutcomes.validation.EventValidator(),
                        java.time.Clock.fixed(MockPublishers.NOW, java.time.ZoneOffset.UTC));
            }
        };
        int code = SpineProducerCli.commandLine(factory, env, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("replay", SAMPLES.resolve("events.ndjson").toString(), "--kafka-config", settings.toString());
        assertEquals(0, code, err.toString());
        assertEquals(List.of(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512",
                "sasl.jaas.config", env.get("SPINE_KAFKA__SASL_JAAS_CONFIG"))), given);

        Files.write(settings, List.of("kafka.sasl.mechansim=SCRAM-SHA-512"));
        StringWriter badErr = new StringWriter();
        assertEquals(2, SpineProducerCli.commandLine(factory, env, new PrintWriter(new StringWriter(), true), new PrintWriter(badErr, true))
                .execute("replay", SAMPLES.resolve("events.ndjson").toString(), "--kafka-config", settings.toString()));
        assertEquals(List.of("replay: unknown Kafka client security setting kafka.sasl.mechansim (in " + settings + "): expected "
                + "kafka.security.protocol, kafka.sasl.* or kafka.ssl.* (in a file; SPINE_KAFKA__SASL_JAAS_CONFIG and the like in the environment)"),
                badErr.toString().lines().toList());
    }

    @Test
    void everySampleLinePasses() {
        Path sample = SAMPLES.resolve("events.ndjson");
        assertEquals(0, run(ENV, "replay", sample.toString()), err.toString());
        long lines = 0;
        try {
            lines = Files.readAllLines(sample).stream().filter(l -> !l.isBlank() && !l.strip().startsWith("#")).count();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertEquals(lines, producer.history().size());
        assertTrue(out.toString().contains("sent " + lines + ", rejected 0"), out.toString());
    }

    @Test
    void rejectedLinesAreReportedWithFileLineFieldAndNotPublished(@TempDir Path dir) throws Exception {
        NdjsonCodec codec = new NdjsonCodec();
        List<String> lines = new ArrayList<>();
        new CohortSimulator(SimulationParameters.defaults(3, 9).clean()).run(e -> lines.add(codec.format(e)));
        int valid = lines.size();
        String template = lines.get(1);
        lines.add("{not json");                                                             // bad JSON
        lines.add(template.replaceFirst("\"type\":\"[a-z]+\"", "\"type\":\"surgery\""));   // wrong type
        lines.add("{\"type\":\"followup\",\"eventId\":\"x1\",\"patientId\":\"MRN-1\",\"recordedAt\":\"2024-01-01T00:00:00Z\",\"sourceSystem\":\"t\"}"); // missing occurredAt
        lines.add("{\"type\":\"followup\",\"eventId\":\"x2\",\"patientId\":\"MRN-1\",\"occurredAt\":\"2024-01-01T00:00:00Z\",\"recordedAt\":\"2024-01-01T00:00:00Z\",\"sourceSystem\":\"t\",\"painNrs\":11}"); // out of range
        lines.add("{\"type\":\"procedure\",\"eventId\":\"x3\",\"patientId\":\"MRN-1\",\"occurredAt\":\"2024-01-01T00:00:00Z\",\"recordedAt\":\"2024-01-01T00:00:00Z\",\"sourceSystem\":\"t\",\"codes\":[\"99999\"]}"); // unknown code
        Path file = dir.resolve("mixed.ndjson");
        Files.write(file, lines, StandardCharsets.UTF_8);

        assertEquals(1, run(ENV, "replay", file.toString()));
        String errors = err.toString();
        int n = valid;
        assertTrue(errors.contains(file + ":" + (n + 1) + ": "), errors);
        assertTrue(errors.contains("[UNDECODABLE]"), errors);
        assertTrue(errors.contains(file + ":" + (n + 2) + ": field type: ") && errors.contains("[WRONG_EVENT_TYPE]"), errors);
        assertTrue(errors.contains(file + ":" + (n + 3) + ": field occurredAt: "), errors);
        assertTrue(errors.contains(file + ":" + (n + 4) + ": field painNrs: ") && errors.contains("[INVALID_PAIN_NRS]"), errors);
        assertTrue(errors.contains(file + ":" + (n + 5) + ": field codes: ") && errors.contains("[UNKNOWN_CODE]"), errors);
        assertFalse(errors.contains("MRN-1"), "no MRN in error output");
        assertEquals(valid, producer.history().size(), "exactly the valid lines are published, in order");
        for (int i = 0; i < valid; i++) {
            assertEquals(lines.get(i).replaceAll(".*\"eventId\":\"([^\"]+)\".*", "$1"), producer.history().get(i).value().get(0).toString());
        }
        assertTrue(out.toString().contains("sent " + valid + ", rejected 5"), out.toString());
    }

    @Test
    void simulateToFileIsReproducibleAndReplayable(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.ndjson"), b = dir.resolve("b.ndjson");
        String[] args = {"simulate", "--patients", "20", "--seed", "3", "--invalid-share", "0.2", "--no-progress", "--out"};
        assertEquals(0, run(ENV, concat(args, a.toString())));
        assertEquals(0, run(ENV, concat(args, b.toString())));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b)));
        // ~15 events per patient x 20 patients x 0.2 = ~60 invalid lines: replay must reject them (exit 1) and send the rest.
        long invalidLines = Files.readAllLines(a).stream().filter(l -> l.contains("-invalid")).count();
        assertTrue(invalidLines > 20, "invalid lines " + invalidLines);
        assertEquals(1, run(ENV, "replay", a.toString()));
        assertEquals(Files.readAllLines(a).size() - invalidLines, producer.history().size());
    }

    /**
     * --order recorded writes the same lines, patients interleaved by recorded-at: with 30 patients whose index dates
     * spread over two years, the first patient's events no longer come together, and the file holds exactly the
     * lines of the patient-order file, in RecordedOrder's order.
     */
    @Test
    void simulateInRecordedOrderInterleavesPatients(@TempDir Path dir) throws Exception {
        Path byPatient = dir.resolve("p.ndjson"), byRecorded = dir.resolve("r.ndjson");
        String[] args = {"simulate", "--patients", "30", "--seed", "5", "--invalid-share", "0", "--no-progress"};
        assertEquals(0, run(ENV, concat(args, "--out=" + byPatient)));
        assertEquals(0, run(ENV, concat(concat(args, "--order=recorded"), "--out=" + byRecorded)));
        List<String> p = Files.readAllLines(byPatient), r = Files.readAllLines(byRecorded);
        assertEquals(new java.util.TreeSet<>(p), new java.util.TreeSet<>(r));
        assertEquals(p.size(), r.size());
        List<SpecificRecord> expected = RecordedOrder.of(new CohortSimulator(SimulationParameters.defaults(30, 5).withInvalidShare(0)).events());
        for (int i = 0; i < r.size(); i++) {
            assertEquals(expected.get(i).get(0).toString(), r.get(i).replaceAll(".*\"eventId\": ?\"([^\"]+)\".*", "$1"), "line " + (i + 1));
        }
        String firstPatient = p.get(0).replaceAll(".*\"patientId\": ?\"([^\"]+)\".*", "$1");
        int firstPatientsEvents = (int) p.stream().filter(l -> l.contains("\"" + firstPatient + "\"")).count();
        assertFalse(r.subList(0, firstPatientsEvents).stream().allMatch(l -> l.contains("\"" + firstPatient + "\"")));
    }

    private static String[] concat(String[] head, String last) {
        String[] all = java.util.Arrays.copyOf(head, head.length + 1);
        all[head.length] = last;
        return all;
    }

    @Test
    void simulateToKafkaRejectsOnlyTheInvalidEvents() {
        int code = run(ENV, "simulate", "--patients", "50", "--seed", "4", "--invalid-share", "0", "--no-progress");
        assertEquals(0, code, err.toString());
        long mrnLeaks = producer.history().stream().filter(r -> r.value().toString().contains("SIMMRN") || r.key().contains("SIMMRN")).count();
        assertEquals(0, mrnLeaks);
        assertTrue(producer.history().size() > 50 * 10, "about 15 events per patient, got " + producer.history().size());
    }
}
