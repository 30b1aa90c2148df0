package org.spineoutcomes.producer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.localstack.LocalStackExtension;
import org.spineoutcomes.producer.cli.PublisherFactory;
import org.spineoutcomes.producer.cli.SpineProducerCli;
import org.spineoutcomes.producer.fhir.FhirGateway;
import org.spineoutcomes.producer.fhir.FhirHttpServer;
import org.spineoutcomes.producer.pseudonym.PseudonymKeys;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/**
 * The three entry points against the real local stack (KRaft broker + schema registry), then a
 * scan of every topic of the contract for raw MRN bytes in keys, values and headers.
 */
@ExtendWith(LocalStackExtension.class)
class ProducersOnLocalStackTest {
    private static final String KEY_HEX = "3c".repeat(32);
    private static final Map<String, String> ENV = Map.of(PseudonymKeys.KEY_ENV, KEY_HEX);
    private static final Path SAMPLES = Path.of("..", "samples");
    private static final int PATIENTS = 40;

    private int cli(LocalStack stack, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--bootstrap-servers";
        all[args.length + 1] = stack.bootstrapServers();
        all[args.length + 2] = "--registry-url";
        all[args.length + 3] = stack.schemaRegistryUrl();
        int code = SpineProducerCli.commandLine(PublisherFactory.kafka(), ENV, new PrintWriter(out, true), new PrintWriter(err, true)).execute(all);
        System.out.println(out);
        System.out.println(err);
        return code;
    }

    @Test
    void simulateReplayAndGatewayPublishAndNoMrnReachesAnyTopic(LocalStack stack) throws Exception {
        assertEquals(0, cli(stack, "simulate", "--patients", String.valueOf(PATIENTS), "--seed", "17", "--invalid-share", "0", "--no-progress"));
        assertEquals(0, cli(stack, "replay", SAMPLES.resolve("events.ndjson").toString()));

        Pseudonymiser pseudonymiser = new Pseudonymiser(HexFormat.of().parseHex(KEY_HEX));
        try (SpinePublisher publisher = PublisherFactory.kafka().create(stack.bootstrapServers(), stack.schemaRegistryUrl(), pseudonymiser);
             FhirHttpServer server = new FhirHttpServer(new FhirGateway(publisher, "it", Duration.ofSeconds(30)), "127.0.0.1", 0)) {
            server.start();
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/fhir"))
                    .header("Content-Type", "application/fhir+json")
                    .POST(HttpRequest.BodyPublishers.ofString(Files.readString(SAMPLES.resolve("fhir").resolve("bundle.json")))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.body().contains("\"resourceType\": \"OperationOutcome\""), response.body());
        }

        Set<String> mrns = new TreeSet<>();
        for (int n = 1; n <= PATIENTS; n++) mrns.add(CohortSimulator.mrnOf(n));
        Matcher m = Pattern.compile("\"patientId\"\\s*:\\s*\"([^\"]+)\"").matcher(Files.readString(SAMPLES.resolve("events.ndjson")));
        while (m.find()) mrns.add(m.group(1));
        mrns.add("DEMO-MRN-0042");

        Map<String, Integer> counts = new HashMap<>();
        List<String> leaks = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : consumeEverything(stack.bootstrapServers())) {
            counts.merge(r.topic(), 1, Integer::sum);
            List<byte[]> parts = new ArrayList<>();
            parts.add(r.key());
            parts.add(r.value());
            for (Header h : r.headers()) { parts.add(h.key().getBytes(StandardCharsets.UTF_8)); parts.add(h.value()); }
            for (byte[] part : parts) {
                if (part == null) continue;
                String text = new String(part, StandardCharsets.ISO_8859_1); // byte-for-byte, any encoding of ASCII MRNs
                for (String mrn : mrns) if (text.contains(mrn)) leaks.add(r.topic() + "@" + r.offset() + " contains " + mrn);
            }
        }
        System.out.println("records per topic: " + counts);
        assertEquals(List.of(), leaks);
        // the simulator sends one index treatment per patient, the sample file and the bundle add more
        assertTrue(counts.getOrDefault(Topics.PROCEDURES.name(), 0) >= PATIENTS + 1, counts.toString());
        assertTrue(counts.getOrDefault(Topics.IMAGING.name(), 0) >= 2, counts.toString());
        assertTrue(counts.getOrDefault(Topics.FOLLOWUPS.name(), 0) >= PATIENTS * 3, counts.toString());
    }

    /** Every record of every contract topic, up to the end offsets taken now. */
    private static List<ConsumerRecord<byte[], byte[]>> consumeEverything(String bootstrap) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (SpineTopic<?, ?> t : Topics.ALL) for (int p = 0; p < t.partitions(); p++) partitions.add(new TopicPartition(t.name(), p));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.currentTimeMillis() + 60_000;
            while (System.currentTimeMillis() < deadline) {
                boolean done = true;
                for (TopicPartition tp : partitions) if (consumer.position(tp) < end.get(tp)) done = false;
                if (done) break;
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                batch.forEach(all::add);
            }
        }
        return all;
    }
}
