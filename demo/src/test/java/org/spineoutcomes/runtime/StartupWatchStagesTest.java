package org.spineoutcomes.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.serde.RestSchemaRegistryClient;

/**
 * The start-up watch on the real stack names each stage that is not running, with its consumer group as the
 * broker's group coordinator sees it and its stream threads: what an operator (or a failed crash test) needs to
 * tell a stuck rebalance from a long restore. Once both stages run it adds nothing.
 */
class StartupWatchStagesTest {

    @Test
    void namesEachWaitingStage_withItsGroupAndThreads_andNothingOnceRunning() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            AppConfig config = AppConfig.of(Map.of(
                    AppConfig.APPLICATION_ID, "watch-stages",
                    AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                    AppConfig.STATE_DIR, Files.createTempDirectory(stack.workDir(), "watch-stages").toString(),
                    AppConfig.STREAM_THREADS, "2"));
            List<String> lines = new CopyOnWriteArrayList<>();
            try (SpineStreamsApp app = new SpineStreamsApp(config, new RestSchemaRegistryClient(stack.schemaRegistryUrl()));
                 StartupWatch watch = new StartupWatch(config, app::state, app::stages, lines::add, Duration.ZERO)) {
                // Not started: both stages CREATED, neither group has ever had a member.
                assertEquals("; patient stage CREATED (group watch-stages not known to the coordinator yet), threads: "
                                + "StreamThread-1 CREATED with 0 active tasks, StreamThread-2 CREATED with 0 active tasks"
                                + "; cell stage CREATED (group watch-stages-cells not known to the coordinator yet), threads: "
                                + "StreamThread-1 CREATED with 0 active tasks, StreamThread-2 CREATED with 0 active tasks",
                        watch.waitingStages());
                watch.check();
                assertEquals(1, lines.size());
                assertTrue(lines.get(0).startsWith("not running after 0 s (state CREATED): the brokers at " + stack.bootstrapServers()
                        + " answer (1 broker) and the topics exist; the consumer group is still rebalancing or state is being restored"
                        + "; patient stage CREATED (group watch-stages "), lines.get(0));

                app.start();
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (app.state() != KafkaStreams.State.RUNNING && System.nanoTime() < deadline) Thread.sleep(100);
                assertEquals(KafkaStreams.State.RUNNING, app.state());
                assertEquals("", watch.waitingStages(), "nothing waits once both stages run");
            }
        }
    }
}
