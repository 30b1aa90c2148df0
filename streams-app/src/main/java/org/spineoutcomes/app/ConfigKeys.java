package org.spineoutcomes.app;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.spineoutcomes.kafka.ClientSecurity;

/**
 * The catalogue of configuration keys: every {@code spine.*} key with its default and meaning, the
 * rules for the two pass-through prefixes ({@code streams.*} to Kafka Streams, {@code kafka.*}
 * security settings to every Kafka client), and the checks that refuse unknown keys.
 */
public final class ConfigKeys {
    private ConfigKeys() {
    }

    /** A {@code spine.*} key: its default as a string (null: none) and what it means, for the README and error messages. */
    public record Key(String name, String defaultValue, String defaultText, String meaning) {
        /** The environment variable that sets it. */
        public String envName() {
            return ConfigSources.envName(name);
        }
    }

    /** Every spine.* key, in the order the README lists them. */
    public static final List<Key> SPINE_KEYS = List.of(
            new Key(AppConfig.BOOTSTRAP_SERVERS, null, "(required)", "Kafka brokers, host:port[,host:port...]"),
            new Key(AppConfig.SCHEMA_REGISTRY_URL, null, "(required)", "Confluent-compatible registry base URL(s), comma-separated for failover"),
            new Key(AppConfig.REGISTRY_BASIC_AUTH_USER_INFO, null, "(none)", "registry basic auth, user:password"),
            new Key(AppConfig.REGISTRY_TRUSTSTORE_LOCATION, null, "kafka.ssl.truststore.location", "trust store for an https registry"),
            new Key(AppConfig.REGISTRY_TRUSTSTORE_PASSWORD, null, "kafka.ssl.truststore.password", "its password"),
            new Key(AppConfig.REGISTRY_TRUSTSTORE_TYPE, null, "kafka.ssl.truststore.type, else JKS", "JKS or PKCS12"),
            new Key(AppConfig.APPLICATION_ID, "spine-outcomes", "spine-outcomes", "Kafka Streams application id (consumer group); instances with the same id share the work"),
            new Key(AppConfig.APPLICATION_SERVER, null, "host:http port", "host:port advertised to other instances for interactive queries"),
            new Key(AppConfig.STATE_DIR, null, "(a new temp dir)", "state store directory; keep it across restarts to avoid a full restore"),
            new Key(AppConfig.INSTANCE_ID, null, "(kept in spine.state.dir)", "this instance's name for static group membership: a restart takes its tasks back at once instead of after the session timeout; unique per instance"),
            new Key(AppConfig.PROCESSING_GUARANTEE, "exactly_once_v2", "exactly_once_v2", "exactly_once_v2 or at_least_once"),
            new Key(AppConfig.DATA_CUT, null, "(largest occurred-at, R2)", "fixed data cut, ISO-8601 instant"),
            new Key(AppConfig.CUT_REFRESH_MS, "5000", "5000", "how often a moved data cut re-publishes the aggregates (ms, >= 1)"),
            new Key(AppConfig.PUBLISH_INTERVAL_MS, "1000", "1000", "coalescing of aggregate/comparison publication (ms); 0 = after every record"),
            new Key(AppConfig.ADJUSTED_PUBLISH_INTERVAL_MS, "5000", "5000", "standardised comparisons, Kaplan-Meier and log-rank records: at most one publication round per interval while input flows (ms; never below spine.publish.interval.ms); after the input goes quiet they come out within spine.publish.interval.ms"),
            new Key(AppConfig.DELTA_FLUSH_MS, "100", "100", "how often the patient step hands on its folded cell changes (ms); 0 = one record per patient update"),
            new Key(AppConfig.TOPOLOGY_SPLIT, "true", "true", "true: the patient stage and the cell stage run as two Kafka Streams applications in this process (own threads and commits; see Performance design); false: one application (deployments from before this setting)"),
            new Key(AppConfig.RULES_RECOMPUTE, "false", "false", "true: recompute every stored patient at start under the current rules (same as --recompute)"),
            new Key(AppConfig.HTTP_PORT, "8080", "8080", "port of /health, /ready, /metrics; 0 = any free port"),
            new Key(AppConfig.HTTP_BIND_ADDRESS, "127.0.0.1", "127.0.0.1", "address the HTTP server listens on (127.0.0.1: this machine only; 0.0.0.0: every interface)"),
            new Key(AppConfig.HTTP_BEARER_TOKEN, null, "(none)", "bearer token every HTTP path but /health, /ready and the dashboard's static files requires (>= 16 characters)"),
            new Key(AppConfig.MIN_CELL_SIZE, "11", "11", "query API and dashboard: a cell (or a statistic) over fewer patients is shown as suppressed, without numbers (>= 1)"));

    private static final Map<String, Key> BY_NAME = new LinkedHashMap<>();

    static {
        SPINE_KEYS.forEach(k -> BY_NAME.put(k.name(), k));
    }

    public static Optional<Key> spineKey(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Kafka Streams settings that have a spine.* key of their own; streams.&lt;these&gt; is refused. */
    static final Map<String, String> OWNED_BY_SPINE_KEYS = Map.of(
            StreamsConfig.APPLICATION_ID_CONFIG, AppConfig.APPLICATION_ID,
            StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, AppConfig.BOOTSTRAP_SERVERS,
            StreamsConfig.STATE_DIR_CONFIG, AppConfig.STATE_DIR,
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG, AppConfig.PROCESSING_GUARANTEE,
            StreamsConfig.APPLICATION_SERVER_CONFIG, AppConfig.APPLICATION_SERVER,
            ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, AppConfig.INSTANCE_ID,
            StreamsConfig.consumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), AppConfig.INSTANCE_ID,
            StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), AppConfig.INSTANCE_ID);

    /** The prefixes Kafka Streams accepts in front of a client setting, longest first. */
    private static final List<String> CLIENT_PREFIXES = List.of(
            StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX, StreamsConfig.GLOBAL_CONSUMER_PREFIX,
            StreamsConfig.CONSUMER_PREFIX, StreamsConfig.PRODUCER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX);

    /**
     * Checks one {@code streams.*} key: a Kafka Streams setting, or a client setting with or without a
     * Streams client prefix (consumer., main.consumer., restore.consumer., global.consumer., producer.,
     * admin.), or topic.&lt;topic setting&gt;, or client.tag.&lt;name&gt;; its value must parse as Kafka would.
     */
    static void checkStreamsKey(String key, ConfigValue value) {
        String name = key.substring(AppConfig.STREAMS_PREFIX.length());
        String owner = OWNED_BY_SPINE_KEYS.get(name);
        if (owner != null) {
            throw new InvalidConfigException(key, key + " (from " + value.origin() + "): set " + owner + " instead ("
                    + ConfigSources.envName(owner) + " in the environment)");
        }
        if (name.startsWith(StreamsConfig.CLIENT_TAG_PREFIX) && name.length() > StreamsConfig.CLIENT_TAG_PREFIX.length()) {
            return;
        }
        if (name.startsWith(StreamsConfig.TOPIC_PREFIX) && !StreamsConfig.configDef().names().contains(name)) {
            if (!topicConfigNames().contains(name.substring(StreamsConfig.TOPIC_PREFIX.length()))) {
                throw unknown(key, value, "a topic setting after streams.topic. (e.g. streams.topic.min.insync.replicas)",
                        topicConfigNames().stream().map(n -> AppConfig.STREAMS_PREFIX + StreamsConfig.TOPIC_PREFIX + n).toList());
            }
            return;
        }
        ConfigDef.ConfigKey definition = streamsDefinition(name);
        if (definition == null) {
            throw unknown(key, value, "a Kafka Streams or client setting (StreamsConfig, or a consumer/producer/admin setting, "
                    + "optionally after consumer., main.consumer., restore.consumer., global.consumer., producer. or admin.)", knownStreamsKeys());
        }
        checkKafkaValue(key, value, definition);
        if (name.equals(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG)) checkConfigSetter(key, value);
    }

    /** The class exists (checked above) and is a setter: else every persistent store would fail when its task starts. */
    private static void checkConfigSetter(String key, ConfigValue value) {
        Object type = ConfigDef.parseType(key, value.value().trim(), ConfigDef.Type.CLASS);
        if (!(type instanceof Class<?> c) || !org.apache.kafka.streams.state.RocksDBConfigSetter.class.isAssignableFrom(c)) {
            throw InvalidConfigException.badValue(key, value, "a class implementing org.apache.kafka.streams.state.RocksDBConfigSetter");
        }
    }

    /** Checks one {@code kafka.*} key: a security.*, sasl.* or ssl.* setting that consumer, producer and admin all accept. */
    static void checkKafkaKey(String key, ConfigValue value) {
        ConfigDef.ConfigKey definition = ClientSecurity.definition(key.substring(AppConfig.KAFKA_PREFIX.length()));
        if (definition == null) {
            throw unknown(key, value, "a security setting for every Kafka client: kafka.security.protocol, kafka.sasl.* or kafka.ssl.* "
                    + "(other client settings go under streams.)", ClientSecurity.prefixedNames());
        }
        checkKafkaValue(key, value, definition);
    }

    private static void checkKafkaValue(String key, ConfigValue value, ConfigDef.ConfigKey definition) {
        String problem = ClientSecurity.valueProblem(definition, value.value());
        if (problem != null) throw InvalidConfigException.badValue(key, value, problem);
    }

    private static ConfigDef.ConfigKey streamsDefinition(String name) {
        ConfigDef.ConfigKey own = StreamsConfig.configDef().configKeys().get(name);
        if (own != null) {
            return own;
        }
        for (String prefix : CLIENT_PREFIXES) {
            if (name.startsWith(prefix)) {
                String rest = name.substring(prefix.length());
                ConfigDef client = prefix.equals(StreamsConfig.PRODUCER_PREFIX) ? ProducerConfig.configDef()
                        : prefix.equals(StreamsConfig.ADMIN_CLIENT_PREFIX) ? AdminClientConfig.configDef()
                        : ConsumerConfig.configDef();
                return client.configKeys().get(rest);
            }
        }
        for (ConfigDef client : List.of(ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef())) {
            ConfigDef.ConfigKey k = client.configKeys().get(name);
            if (k != null) {
                return k;
            }
        }
        return null;
    }

    private static Set<String> topicConfigNames() {
        Set<String> names = new TreeSet<>();
        for (Field f : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && f.getName().endsWith("_CONFIG")) {
                try {
                    names.add((String) f.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return names;
    }

    private static List<String> knownStreamsKeys() {
        List<String> names = new ArrayList<>();
        StreamsConfig.configDef().names().forEach(n -> names.add(AppConfig.STREAMS_PREFIX + n));
        for (ConfigDef client : List.of(ConsumerConfig.configDef(), ProducerConfig.configDef(), AdminClientConfig.configDef())) {
            client.names().forEach(n -> names.add(AppConfig.STREAMS_PREFIX + n));
        }
        return names;
    }

    /** An unknown spine.* key. */
    static InvalidConfigException unknownSpineKey(String key, ConfigValue value) {
        return unknown(key, value, "one of the spine.* keys listed in the README (\"Running the app\")",
                SPINE_KEYS.stream().map(Key::name).toList());
    }

    /** A key outside spine.*, streams.* and kafka.*. */
    static InvalidConfigException unknownPrefix(String key, ConfigValue value) {
        return new InvalidConfigException(key, "unknown key " + key + " (from " + value.origin()
                + "): expected a key starting with spine., streams. (Kafka Streams) or kafka. (security settings for every Kafka client)");
    }

    private static InvalidConfigException unknown(String key, ConfigValue value, String expected, Collection<String> known) {
        String hint = closest(key, known).map(s -> "; did you mean " + s + "?").orElse("");
        return new InvalidConfigException(key, "unknown key " + key + " (from " + value.origin() + "): expected " + expected + hint);
    }

    /** The known name nearest to a misspelt one (edit distance at most 3), if any. */
    static Optional<String> closest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = 4;
        for (String k : known) {
            int d = editDistance(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return Optional.ofNullable(best);
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** True for keys whose values are secrets (passwords, JAAS configs, user info, tokens, keys). */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("user.info") || k.contains("secret")
                || k.contains("token") || k.endsWith(".key") || k.contains("keystore.key") || k.contains("credentials");
    }

    /** The value as it may be shown in a message or a log: secrets masked. */
    static String shown(String key, String value) {
        if (isSecret(key)) {
            return "****";
        }
        return value.isEmpty() ? "''" : value;
    }
}
