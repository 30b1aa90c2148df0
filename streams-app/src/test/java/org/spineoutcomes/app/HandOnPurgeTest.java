package org.spineoutcomes.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.topology.HandOnTopics;

/**
 * Creating the hand-on topics while no broker answers: the app keeps asking, as Kafka Streams' own start
 * waits for the brokers, instead of failing after the admin client's timeout; a close makes it give up.
 * (With a broker, creation and trimming are checked end to end in the demo module's EndToEndTest.)
 */
class HandOnPurgeTest {

    @Test
    void withoutABrokerItKeepsAskingUntilToldToGiveUp() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, Object> admin = Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        AtomicInteger asked = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> HandOnPurge.createTopics(admin,
                HandOnTopics.forApplication("no-broker"), () -> asked.incrementAndGet() >= 3, Duration.ofMillis(200)));
        assertEquals("stopped before the hand-on topics could be created (no broker answered)", e.getMessage());
        assertEquals(3, asked.get(), "asked again twice after the first attempt timed out");
        assertTrue(e.getCause() == null);
    }
}
