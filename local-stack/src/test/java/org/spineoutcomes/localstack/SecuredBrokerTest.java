package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.testing.LogCapture;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/**
 * The secured local broker ({@link LocalStack#startSecured()}): its one client listener speaks
 * SASL_SSL with SCRAM-SHA-512; the contract topics were created through it; a user made with the
 * Admin API can write and read; a wrong password, a client that does not trust the certificate and a
 * PLAINTEXT client are all refused.
 */
class SecuredBrokerTest {
    private static LocalStack stack;

    @BeforeAll
    static void start() {
        stack = LocalStack.startSecured();
        stack.addScramUser("alice", "alice-secret-0123");
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
    }

    private static Map<String, Object> client(Map<String, String> security) {
        Map<String, Object> c = new HashMap<>(security);
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        return c;
    }

    /** Why describeCluster fails; the client's own error lines about it are kept off the console. */
    private static Throwable describeClusterFailure(Map<String, String> security) {
        try (LogCapture quiet = LogCapture.start().at("org.apache.kafka.clients", Level.OFF); Admin admin = Admin.create(client(security))) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
            return e.getCause();
        }
    }

    @Test
    void aScramUserOverTls_seesTheContractTopics_andWritesAndReadsARecord() throws Exception {
        Map<String, String> alice = stack.clientSettings("alice", "alice-secret-0123");
        assertEquals("SASL_SSL", alice.get("security.protocol"));
        assertEquals("SCRAM-SHA-512", alice.get("sasl.mechanism"));
        try (Admin admin = Admin.create(client(alice))) {
            Set<String> topics = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertTrue(topics.containsAll(Topics.ALL.stream().map(SpineTopic::name).toList()), topics.toString());
            assertEquals(ScramMechanism.SCRAM_SHA_512, admin.describeUserScramCredentials(List.of("alice")).all().get(30, TimeUnit.SECONDS)
                    .get("alice").credentialInfos().get(0).mechanism());
        }
        String topic = Topics.REJECTED.name();
        Map<String, Object> p = client(alice);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, 0, "secured-key", "over TLS".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
        Map<String, Object> c = client(alice);
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            String value = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (value == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.key().equals("secured-key")) value = new String(r.value(), StandardCharsets.UTF_8);
                }
            }
            assertEquals("over TLS", value);
        }
    }

    @Test
    void aWrongPassword_isRefusedByScram() {
        Throwable cause = describeClusterFailure(stack.clientSettings("alice", "not-alices-password"));
        assertInstanceOf(SaslAuthenticationException.class, cause);
        assertTrue(cause.getMessage().contains("invalid credentials with SASL mechanism SCRAM-SHA-512"), cause.getMessage());
    }

    @Test
    void aClientThatDoesNotTrustTheCertificate_failsTheTlsHandshake() {
        Map<String, String> noTrust = new HashMap<>(stack.clientSettings("alice", "alice-secret-0123"));
        noTrust.remove("ssl.truststore.location");
        noTrust.remove("ssl.truststore.password");
        noTrust.remove("ssl.truststore.type");
        assertInstanceOf(SslAuthenticationException.class, describeClusterFailure(noTrust));
    }

    @Test
    void aPlaintextClient_getsNoAnswer() {
        Map<String, Object> plain = client(Map.of());
        plain.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        plain.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        try (Admin admin = Admin.create(plain)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> admin.describeCluster().nodes().get(30, TimeUnit.SECONDS));
            assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause(), e.toString());
        }
    }
}
