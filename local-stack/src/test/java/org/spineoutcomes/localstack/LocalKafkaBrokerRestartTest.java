package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * A broker-only stack (no registry): {@link LocalKafkaBroker#stop()} closes its port and
 * {@link LocalKafkaBroker#restart()} brings it back on the same port with the same data: a record
 * written before the stop is read after it, and new records are accepted.
 */
class LocalKafkaBrokerRestartTest {

    @Test
    void restartKeepsPortsAndData() throws Exception {
        Path workDir = Files.createTempDirectory("spine-broker-restart-");
        LocalKafkaBroker broker = LocalKafkaBroker.start(workDir);
        try {
            String topic = "restart-test";
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            }
            byte[] before = "written before the stop".getBytes(StandardCharsets.UTF_8);
            KafkaTestClients.produce(broker.bootstrapServers(), topic, "before", before, new ByteArraySerializer());
            int port = broker.brokerPort();
            assertTrue(broker.isRunning());

            broker.stop();
            assertFalse(broker.isRunning());
            assertFalse(LocalStackLifecycleTest.accepts(port), "port closed while stopped");
            broker.stop(); // already stopped: nothing happens

            broker.restart();
            assertTrue(broker.isRunning());
            assertEquals(port, broker.brokerPort());
            assertEquals("127.0.0.1:" + port, broker.bootstrapServers());
            assertArrayEquals(before, KafkaTestClients.consumeValueBytes(broker.bootstrapServers(), topic, "before"),
                    "a record written before the stop is still there");
            byte[] after = "written after the restart".getBytes(StandardCharsets.UTF_8);
            KafkaTestClients.produce(broker.bootstrapServers(), topic, "after", after, new ByteArraySerializer());
            assertArrayEquals(after, KafkaTestClients.consumeValueBytes(broker.bootstrapServers(), topic, "after"));
        } finally {
            broker.close();
        }
        assertFalse(Files.exists(workDir.resolve("kafka")), "close removes the data");
        assertThrows(IllegalStateException.class, broker::restart, "no restart after close");
        TempDirs.deleteRecursively(workDir);
    }
}
