package org.spineoutcomes.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static group membership: the name comes from spine.instance.id or is kept in the state directory,
 * reaches only the stream threads' main consumers (with Kafka Streams' "-thread" suffix), and is left
 * out where it cannot work (no state directory, the streams rebalance protocol).
 */
class StaticMembershipTest {

    @TempDir
    Path dir;

    private static AppConfig config(String... pairs) {
        Map<String, String> m = new HashMap<>(Map.of(
                AppConfig.BOOTSTRAP_SERVERS, "broker-1:9092",
                AppConfig.SCHEMA_REGISTRY_URL, "http://registry:8081"));
        for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
        return AppConfig.of(m);
    }

    private static StreamsConfig streams(AppConfig c) throws IOException {
        return new StreamsConfig(SpineStreamsApp.streamsProperties(c));
    }

    private static Object instanceIdOfThread(StreamsConfig s, int thread) {
        return s.getMainConsumerConfigs("spine-outcomes", "client", thread).get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    }

    @Test
    void withAStateDirectory_theNameIsKeptThereAndTheSameAfterARestart() throws IOException {
        Path state = dir.resolve("state");
        StreamsConfig first = streams(config(AppConfig.STATE_DIR, state.toString()));
        String kept = Files.readString(state.resolve(StaticMembership.FILE), StandardCharsets.UTF_8).strip();
        assertTrue(kept.matches("spine-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), kept);
        assertEquals(kept + "-1", instanceIdOfThread(first, 1));
        assertEquals(kept + "-2", instanceIdOfThread(first, 2));
        // A restart on the same directory is the same member.
        assertEquals(kept + "-1", instanceIdOfThread(streams(config(AppConfig.STATE_DIR, state.toString())), 1));
        // Only the group members carry it: not the restore or global consumers, the producers or the admin client.
        assertNull(first.getRestoreConsumerConfigs("client").get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        assertNull(first.getGlobalConsumerConfigs("client").get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        assertNull(first.getProducerConfigs("client").get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG));
        // Another state directory (another instance) gets another name.
        Path other = dir.resolve("other-state");
        streams(config(AppConfig.STATE_DIR, other.toString()));
        assertFalse(kept.equals(Files.readString(other.resolve(StaticMembership.FILE), StandardCharsets.UTF_8).strip()));
    }

    @Test
    void aConfiguredName_winsAndNothingIsWritten() throws IOException {
        StreamsConfig s = streams(config(AppConfig.STATE_DIR, dir.toString(), AppConfig.INSTANCE_ID, "spine-0"));
        assertEquals("spine-0-1", instanceIdOfThread(s, 1));
        assertFalse(Files.exists(dir.resolve(StaticMembership.FILE)));
    }

    @Test
    void withoutAStateDirectory_membershipIsDynamic() throws IOException {
        assertNull(instanceIdOfThread(streams(config()), 1));
    }

    @Test
    void theStreamsRebalanceProtocol_hasNoStaticMembership() throws IOException {
        StreamsConfig s = streams(config(AppConfig.STATE_DIR, dir.toString(), "streams.group.protocol", "streams"));
        assertNull(instanceIdOfThread(s, 1));
        assertFalse(Files.exists(dir.resolve(StaticMembership.FILE)));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> config(AppConfig.INSTANCE_ID, "spine-0", "streams.group.protocol", "streams"));
        assertEquals("spine.instance.id=spine-0 (from code): expected no value with streams.group.protocol=streams "
                + "(the streams rebalance protocol of Kafka 4.3 has no static membership)", e.getMessage());
    }

    @Test
    void badNamesAndTheKafkaSetting_areRefused() throws IOException {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> config(AppConfig.INSTANCE_ID, "spine 0"));
        assertEquals("spine.instance.id=spine 0 (from code): expected letters, digits, '.', '_' or '-' only, at most 200", e.getMessage());
        for (String key : new String[] {"streams.group.instance.id", "streams.main.consumer.group.instance.id", "streams.consumer.group.instance.id"}) {
            e = assertThrows(InvalidConfigException.class, () -> config(key, "x"));
            assertEquals(key + " (from code): set spine.instance.id instead (SPINE_INSTANCE_ID in the environment)", e.getMessage());
        }
        Files.writeString(dir.resolve(StaticMembership.FILE), "not a name\n");
        IOException io = assertThrows(IOException.class, () -> StaticMembership.keptIn(dir));
        assertTrue(io.getMessage().startsWith(dir.resolve(StaticMembership.FILE) + " does not hold an instance name"), io.getMessage());
    }
}
