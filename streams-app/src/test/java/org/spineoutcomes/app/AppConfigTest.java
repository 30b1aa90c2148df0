package org.spineoutcomes.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed configuration: layering, the environment mapping, and one clear message per mistake. */
class AppConfigTest {

    private static final Map<String, String> REQUIRED_ENV = Map.of(
            "SPINE_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2:9092",
            "SPINE_SCHEMA_REGISTRY_URL", "http://registry:8081");

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("app.properties");
        Files.write(f, List.of(lines), StandardCharsets.UTF_8);
        return f;
    }

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new java.util.HashMap<>(REQUIRED_ENV);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void defaults_areTyped() {
        AppConfig c = AppConfig.load(null, env());
        assertEquals("broker-1:9092,broker-2:9092", c.bootstrapServers());
        assertEquals("http://registry:8081", c.schemaRegistryUrls().get(0).toString());
        assertEquals("spine-outcomes", c.applicationId());
        assertEquals(8080, c.httpPort());
        assertEquals("127.0.0.1", c.httpBindAddress(), "this machine only unless asked");
        assertTrue(c.httpBearerToken().isEmpty());
        assertEquals(Duration.ofMillis(1000), c.publishInterval());
        assertEquals(Duration.ofMillis(5000), c.cutRefresh());
        assertEquals(Duration.ofMillis(100), c.deltaFlushInterval());
        assertEquals("exactly_once_v2", c.processingGuarantee());
        assertEquals(false, c.forceRecompute());
        assertTrue(c.dataCut().isEmpty());
        assertTrue(c.applicationServer().isEmpty());
        assertEquals("default", c.originOf(AppConfig.HTTP_PORT).orElseThrow());
    }

    @Test
    void bearerToken_fromEnvironment_isChecked_andMaskedInEveryMessage() {
        AppConfig c = AppConfig.load(null, env("SPINE_HTTP_BEARER_TOKEN", "s3cret-token-0123456789"));
        assertTrue(c.httpBearerToken().orElseThrow().matches("s3cret-token-0123456789"));
        assertFalse(c.toString().contains("s3cret"), c.toString());
        assertTrue(c.describe().contains("spine.http.bearer.token=****  (env SPINE_HTTP_BEARER_TOKEN)"), c.describe());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AppConfig.load(null, env("SPINE_HTTP_BEARER_TOKEN", "short-s3cret")));
        assertEquals("spine.http.bearer.token=**** (from env SPINE_HTTP_BEARER_TOKEN): expected at least 16 characters "
                + "(e.g. the output of: openssl rand -hex 32)", e.getMessage());
    }

    @Test
    void unknownSpineKeyInFile_isRefused_namingKeyAndFile() throws IOException {
        Path f = file("spine.publsh.interval.ms=500");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(f, env()));
        assertEquals("unknown key spine.publsh.interval.ms (from file " + f + "): expected one of the spine.* keys listed in the README "
                + "(\"Running the app\"); did you mean spine.publish.interval.ms?", e.getMessage());
    }

    @Test
    void badNumber_isRefused_namingKeyValueAndOrigin() throws IOException {
        Path f = file("spine.publish.interval.ms=abc");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(f, env()));
        assertEquals("spine.publish.interval.ms=abc (from file " + f + "): expected a whole number of milliseconds, 0 or more", e.getMessage());
    }

    @Test
    void negativeInterval_fromEnvironment_isRefused_namingTheVariable() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AppConfig.load(null, env("SPINE_DATA_CUT_REFRESH_MS", "-5")));
        assertEquals("spine.data.cut.refresh.ms=-5 (from env SPINE_DATA_CUT_REFRESH_MS): expected a whole number of milliseconds, 1 or more",
                e.getMessage());
    }

    @Test
    void recomputeMaybe_isRefused() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AppConfig.load(null, env("SPINE_RULES_RECOMPUTE", "maybe")));
        assertEquals("spine.rules.recompute=maybe (from env SPINE_RULES_RECOMPUTE): expected true or false", e.getMessage());
    }

    @Test
    void missingRequiredKey_saysWhereToSetIt() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AppConfig.load(null, Map.of("SPINE_SCHEMA_REGISTRY_URL", "http://registry:8081")));
        assertEquals("spine.bootstrap.servers is not set: expected Kafka brokers, host:port[,host:port...] "
                + "(in the --config file, or SPINE_BOOTSTRAP_SERVERS in the environment)", e.getMessage());
    }

    @Test
    void environmentWinsOverFile_whichWinsOverDefaults() throws IOException {
        Path f = file("spine.publish.interval.ms=500", "spine.http.port=9000");
        AppConfig c = AppConfig.load(f, env("SPINE_PUBLISH_INTERVAL_MS", "700"));
        assertEquals(Duration.ofMillis(700), c.publishInterval());
        assertEquals("env SPINE_PUBLISH_INTERVAL_MS", c.originOf(AppConfig.PUBLISH_INTERVAL_MS).orElseThrow());
        assertEquals(9000, c.httpPort());
        assertEquals("file " + f, c.originOf(AppConfig.HTTP_PORT).orElseThrow());
    }

    @Test
    void configFileFromEnvironment_isNamedAsSuch() throws IOException {
        Path f = file("spine.rules.recompute=yes");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AppConfig.load(null, env("SPINE_CONFIG_FILE", f.toString())));
        assertEquals("spine.rules.recompute=yes (from file " + f + " (SPINE_CONFIG_FILE)): expected true or false", e.getMessage());
    }

    @Test
    void missingConfigFile_isOneLine() {
        Path missing = dir.resolve("nope.properties");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(missing, env()));
        assertEquals("config file " + missing + " (from --config): not found", e.getMessage());
    }

    @Test
    void environmentOverrideOfAStreamsKey_reachesTheStreamsProperties() throws IOException {
        AppConfig c = AppConfig.load(file("streams.num.stream.threads=2"), env(
                "SPINE_STREAMS__NUM_STREAM_THREADS", "3",
                "SPINE_STREAMS__MAIN_CONSUMER_MAX_POLL_RECORDS", "250",
                "SPINE_STATE_DIR", dir.toString()));
        Properties p = SpineStreamsApp.streamsProperties(c);
        StreamsConfig streams = new StreamsConfig(p);
        assertEquals(3, streams.getInt(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        assertEquals("250", String.valueOf(streams.getMainConsumerConfigs("spine", "c", 0).get("max.poll.records")));
        assertEquals(dir.toString(), streams.getString(StreamsConfig.STATE_DIR_CONFIG));
        assertEquals("broker-1:9092,broker-2:9092", String.join(",", streams.getList(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)));
    }

    /** The stores read it from the app's configs (CommittedOnlyStoreTest shows what a store does with it). */
    @Test
    void aRocksDbConfigSetter_reachesTheStreamsProperties() throws IOException {
        AppConfig c = AppConfig.load(null, env("SPINE_STREAMS__ROCKSDB_CONFIG_SETTER", FourWriteBuffers.class.getName(), "SPINE_STATE_DIR", dir.toString()));
        StreamsConfig streams = new StreamsConfig(SpineStreamsApp.streamsProperties(c));
        assertEquals(FourWriteBuffers.class, streams.getClass(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG));
    }

    public static final class FourWriteBuffers implements org.apache.kafka.streams.state.RocksDBConfigSetter {
        @Override
        public void setConfig(String storeName, org.rocksdb.Options options, Map<String, Object> configs) {
            options.setMaxWriteBufferNumber(4);
        }

        @Override
        public void close(String storeName, org.rocksdb.Options options) {
        }
    }

    @Test
    void producersBatchUpTo256KiB_unlessStreamsSettingsSayOtherwise() throws IOException {
        StreamsConfig defaults = new StreamsConfig(SpineStreamsApp.streamsProperties(AppConfig.load(null, env("SPINE_STATE_DIR", dir.toString()))));
        assertEquals(262_144, ((Number) defaults.getProducerConfigs("p").get("batch.size")).intValue(), "16 x the client's 16,384");
        StreamsConfig overridden = new StreamsConfig(SpineStreamsApp.streamsProperties(
                AppConfig.load(file("streams.producer.batch.size=65536"), env("SPINE_STATE_DIR", dir.toString()))));
        assertEquals("65536", String.valueOf(overridden.getProducerConfigs("p").get("batch.size")));
    }

    @Test
    void environmentNames_mapOneToOne() {
        assertEquals("SPINE_PUBLISH_INTERVAL_MS", ConfigSources.envName("spine.publish.interval.ms"));
        assertEquals("SPINE_STREAMS__NUM_STREAM_THREADS", ConfigSources.envName("streams.num.stream.threads"));
        assertEquals("SPINE_KAFKA__SASL_JAAS_CONFIG", ConfigSources.envName("kafka.sasl.jaas.config"));
        assertEquals("spine.schema.registry.basic.auth.user.info", ConfigSources.keyOf("SPINE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO"));
        assertEquals("streams.num.stream.threads", ConfigSources.keyOf("SPINE_STREAMS__NUM_STREAM_THREADS"));
        for (ConfigKeys.Key k : ConfigKeys.SPINE_KEYS) {
            assertEquals(k.name(), ConfigSources.keyOf(k.envName()));
        }
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_FOO__BAR", "1")));
        assertEquals("unknown environment variable SPINE_FOO__BAR: a double underscore only follows SPINE_STREAMS or SPINE_KAFKA "
                + "(e.g. SPINE_STREAMS__NUM_STREAM_THREADS)", e.getMessage());
    }

    @Test
    void unknownSpineKeyInEnvironment_isRefused_namingTheVariable() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AppConfig.load(null, env("SPINE_STREAMS_NUM_STREAM_THREADS", "2", "SPINE_PSEUDONYM_KEY", "not a config key")));
        assertTrue(e.getMessage().startsWith("unknown key spine.streams.num.stream.threads (from env SPINE_STREAMS_NUM_STREAM_THREADS): "), e.getMessage());
    }

    @Test
    void unknownOrOwnedKafkaKeys_areRefused() throws IOException {
        Path typo = file("streams.num.stream.thread=2");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(typo, env()));
        assertTrue(e.getMessage().startsWith("unknown key streams.num.stream.thread (from file " + typo + "): expected a Kafka Streams or client setting"), e.getMessage());
        assertTrue(e.getMessage().endsWith("did you mean streams.num.stream.threads?"), e.getMessage());

        e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_STREAMS__APPLICATION_ID", "other")));
        assertEquals("streams.application.id (from env SPINE_STREAMS__APPLICATION_ID): set spine.application.id instead "
                + "(SPINE_APPLICATION_ID in the environment)", e.getMessage());

        e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_KAFKA__MAX_POLL_RECORDS", "5")));
        assertTrue(e.getMessage().startsWith("unknown key kafka.max.poll.records (from env SPINE_KAFKA__MAX_POLL_RECORDS): expected a security setting"), e.getMessage());

        e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_STREAMS__NUM_STREAM_THREADS", "abc")));
        assertEquals("streams.num.stream.threads=abc (from env SPINE_STREAMS__NUM_STREAM_THREADS): expected a Kafka int value for num.stream.threads",
                e.getMessage());

        e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_STREAMS__NUM_STREAM_THREADS", "0")));
        assertEquals("streams.num.stream.threads=0 (from env SPINE_STREAMS__NUM_STREAM_THREADS): expected a whole number of threads, at least 1",
                e.getMessage());

        e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_STREAMS__ROCKSDB_CONFIG_SETTER", "java.lang.String")));
        assertEquals("streams.rocksdb.config.setter=java.lang.String (from env SPINE_STREAMS__ROCKSDB_CONFIG_SETTER): expected a class "
                + "implementing org.apache.kafka.streams.state.RocksDBConfigSetter", e.getMessage());

        Path other = file("bootstrap.servers=x:9092");
        e = assertThrows(InvalidConfigException.class, () -> AppConfig.load(other, env()));
        assertTrue(e.getMessage().startsWith("unknown key bootstrap.servers (from file " + other + "): expected a key starting with spine."), e.getMessage());
    }

    @Test
    void saslSettings_reachConsumerProducerAndAdmin() throws IOException {
        Path truststore = Files.writeString(dir.resolve("truststore.jks"), "not read here");
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"spine\" password=\"s3cret\";";
        AppConfig c = AppConfig.load(file(
                "kafka.security.protocol=SASL_SSL",
                "kafka.sasl.mechanism=PLAIN",
                "kafka.ssl.truststore.location=" + truststore,
                "kafka.ssl.truststore.password=changeit"), env("SPINE_KAFKA__SASL_JAAS_CONFIG", jaas, "SPINE_STATE_DIR", dir.toString()));
        StreamsConfig streams = new StreamsConfig(SpineStreamsApp.streamsProperties(c));
        for (Map<String, Object> client : List.of(
                streams.getMainConsumerConfigs("spine", "c", 0), streams.getRestoreConsumerConfigs("c"),
                streams.getProducerConfigs("p"), streams.getAdminConfigs("a"))) {
            assertEquals("SASL_SSL", client.get("security.protocol"));
            assertEquals("PLAIN", client.get("sasl.mechanism"));
            assertEquals(jaas, String.valueOf(client.get("sasl.jaas.config")));
            assertEquals(truststore.toString(), client.get("ssl.truststore.location"));
        }
        // The registry client falls back to the Kafka trust store.
        assertEquals(truststore, c.registryTruststore().orElseThrow());
        // Secrets never show in toString or describe().
        assertTrue(!c.toString().contains("s3cret") && !c.describe().contains("s3cret") && !c.describe().contains("changeit"), c.describe());
    }

    @Test
    void badBasicAuth_isRefused_withTheSecretMasked() {
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> AppConfig.load(null, env("SPINE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "onlyapassword")));
        assertEquals("spine.schema.registry.basic.auth.user.info=**** (from env SPINE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO): expected user:password",
                e.getMessage());
    }

    @Test
    void otherBadValues_areRefused() {
        assertEquals("spine.schema.registry.url=ftp://registry (from env SPINE_SCHEMA_REGISTRY_URL): expected http(s)://host[:port][/path], "
                        + "comma-separated for failover (e.g. http://registry:8081 or http://host:8080/apis/ccompat/v7)",
                assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_SCHEMA_REGISTRY_URL", "ftp://registry"))).getMessage());
        assertEquals("spine.bootstrap.servers=broker-1 (from env SPINE_BOOTSTRAP_SERVERS): expected host:port (e.g. broker-1.example.org:9092)",
                assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_BOOTSTRAP_SERVERS", "broker-1"))).getMessage());
        assertEquals("spine.http.port=70000 (from env SPINE_HTTP_PORT): expected a port number 0-65535 (0 = any free port)",
                assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_HTTP_PORT", "70000"))).getMessage());
        assertEquals("spine.data.cut=2025-01-31 (from env SPINE_DATA_CUT): expected an ISO-8601 instant in UTC, e.g. 2025-01-31T00:00:00Z",
                assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_DATA_CUT", "2025-01-31"))).getMessage());
        assertEquals("spine.processing.guarantee=exactly_once (from env SPINE_PROCESSING_GUARANTEE): expected exactly_once_v2 or at_least_once",
                assertThrows(InvalidConfigException.class, () -> AppConfig.load(null, env("SPINE_PROCESSING_GUARANTEE", "exactly_once"))).getMessage());
        assertEquals(Instant.parse("2025-01-31T00:00:00Z"), AppConfig.load(null, env("SPINE_DATA_CUT", "2025-01-31T00:00:00Z")).dataCut().orElseThrow());
    }

    @Test
    void applicationServer_reachesStreams() throws IOException {
        AppConfig c = AppConfig.load(null, env("SPINE_APPLICATION_SERVER", "spine-0.spine:8080", "SPINE_STATE_DIR", dir.toString()));
        assertEquals("spine-0.spine:8080", new StreamsConfig(SpineStreamsApp.streamsProperties(c)).getString(StreamsConfig.APPLICATION_SERVER_CONFIG));
    }

    @Test
    void registryBasicAuth_reachesTheRegistry() throws Exception {
        HttpServer registry = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> authorization = new CopyOnWriteArrayList<>();
        registry.createContext("/", exchange -> {
            authorization.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        registry.start();
        try {
            AppConfig c = AppConfig.load(null, env(
                    "SPINE_SCHEMA_REGISTRY_URL", "http://127.0.0.1:" + registry.getAddress().getPort(),
                    "SPINE_SCHEMA_REGISTRY_BASIC_AUTH_USER_INFO", "spine:pa:ss"));
            assertEquals(List.of(), c.registryClient().getAllSubjects());
            assertEquals(List.of("Basic " + Base64.getEncoder().encodeToString("spine:pa:ss".getBytes(StandardCharsets.UTF_8))), authorization);
        } finally {
            registry.stop(0);
        }
    }

    @Test
    void readmeDocumentsEveryKeyWithItsEnvironmentName() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (ConfigKeys.Key k : ConfigKeys.SPINE_KEYS) {
            assertTrue(readme.contains("| `" + k.name() + "` | `" + k.envName() + "` |"), "README row for " + k.name());
        }
    }
}
