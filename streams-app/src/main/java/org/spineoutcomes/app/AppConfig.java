package org.spineoutcomes.app;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.streams.StreamsConfig;
import org.spineoutcomes.http.BearerToken;
import org.spineoutcomes.serde.RestSchemaRegistryClient;

/**
 * Configuration of the streams app, typed and validated when it is built. Layers, lowest first:
 * defaults in code, a properties file ({@code --config FILE} or SPINE_CONFIG_FILE), environment
 * variables (see {@link ConfigSources} for the names). Three kinds of keys:
 * <ul>
 *   <li>{@code spine.*}: the keys of {@link ConfigKeys#SPINE_KEYS}; any other spine.* key is refused;</li>
 *   <li>{@code streams.*}: passed to Kafka Streams without the prefix, checked against the Kafka
 *       Streams and client config definitions (name and value);</li>
 *   <li>{@code kafka.*}: security settings (security.protocol, sasl.*, ssl.*) for every Kafka client of
 *       the process; kafka.ssl.truststore.* also serves the schema registry unless it has its own.</li>
 * </ul>
 * A bad key or value throws {@link InvalidConfigException} naming the key, the value, where it came
 * from and what is expected.
 */
public final class AppConfig {

    public static final String BOOTSTRAP_SERVERS = "spine.bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "spine.schema.registry.url";
    public static final String REGISTRY_BASIC_AUTH_USER_INFO = "spine.schema.registry.basic.auth.user.info";
    public static final String REGISTRY_TRUSTSTORE_LOCATION = "spine.schema.registry.ssl.truststore.location";
    public static final String REGISTRY_TRUSTSTORE_PASSWORD = "spine.schema.registry.ssl.truststore.password";
    public static final String REGISTRY_TRUSTSTORE_TYPE = "spine.schema.registry.ssl.truststore.type";
    public static final String APPLICATION_ID = "spine.application.id";
    /** host:port advertised for interactive queries (Kafka Streams' application.server). */
    public static final String APPLICATION_SERVER = "spine.application.server";
    public static final String STATE_DIR = "spine.state.dir";
    /** This instance's name for static group membership (Kafka's group.instance.id, per stream thread "-1", "-2", ...). */
    public static final String INSTANCE_ID = "spine.instance.id";
    public static final String DATA_CUT = "spine.data.cut";
    public static final String CUT_REFRESH_MS = "spine.data.cut.refresh.ms";
    public static final String PUBLISH_INTERVAL_MS = "spine.publish.interval.ms";
    public static final String DELTA_FLUSH_MS = "spine.cell.delta.flush.ms";
    public static final String ADJUSTED_PUBLISH_INTERVAL_MS = "spine.adjusted.publish.interval.ms";
    public static final String PROCESSING_GUARANTEE = "spine.processing.guarantee";
    public static final String HTTP_PORT = "spine.http.port";
    public static final String HTTP_BIND_ADDRESS = "spine.http.bind.address";
    /** When set, every HTTP path but /health, /ready and the dashboard's static files requires this bearer token. */
    public static final String HTTP_BEARER_TOKEN = "spine.http.bearer.token";
    /** Small-cell suppression of the query API and dashboard: cells (and statistics) over fewer patients show no numbers. */
    public static final String MIN_CELL_SIZE = "spine.dashboard.min.cell.size";
    /** true: recompute every stored patient at start under the current rules, whatever their stored rules version. */
    public static final String RULES_RECOMPUTE = "spine.rules.recompute";
    public static final String TOPOLOGY_SPLIT = "spine.topology.split";
    /** Kafka Streams settings, prefix removed (e.g. streams.num.stream.threads=2). */
    public static final String STREAMS_PREFIX = "streams.";
    /** Security settings for every Kafka client, prefix removed (e.g. kafka.security.protocol=SASL_SSL). */
    public static final String KAFKA_PREFIX = "kafka.";
    /** The Streams thread count, the one streams.* key with a default of ours (the number of cores). */
    public static final String STREAM_THREADS = STREAMS_PREFIX + StreamsConfig.NUM_STREAM_THREADS_CONFIG;

    private static final Pattern APPLICATION_ID_CHARS = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern HOST_CHARS = Pattern.compile("[A-Za-z0-9._:%-]+");
    private static final Pattern INSTANCE_ID_CHARS = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    /** host:port; an IPv6 host is written in brackets ([::1]:9092). */
    public record HostAndPort(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    private final Map<String, ConfigValue> raw;
    private final String bootstrapServers;
    private final List<URI> schemaRegistryUrls;
    private final Optional<String> registryBasicAuth;
    private final Optional<Path> registryTruststore;
    private final Optional<String> registryTruststorePassword;
    private final String registryTruststoreType;
    private final String applicationId;
    private final Optional<HostAndPort> applicationServer;
    private final Optional<Path> stateDir;
    private final Optional<String> instanceId;
    private final boolean streamsRebalanceProtocol;
    private final String processingGuarantee;
    private final Optional<Instant> dataCut;
    private final Duration cutRefresh;
    private final Duration publishInterval;
    private final Duration adjustedPublishInterval;
    private final Duration deltaFlushInterval;
    private final boolean topologySplit;
    private final boolean rulesRecompute;
    private final int httpPort;
    private final String httpBindAddress;
    private final Optional<BearerToken> httpBearerToken;
    private final int minCellSize;
    private final OptionalInt streamThreads;
    private final Map<String, String> streamsOverrides;
    private final Map<String, String> kafkaClientSettings;

    private AppConfig(Map<String, ConfigValue> values) {
        this.raw = Collections.unmodifiableMap(new TreeMap<>(values));
        checkKeys();
        this.bootstrapServers = hostPortList(BOOTSTRAP_SERVERS);
        this.schemaRegistryUrls = registryUrls();
        this.registryBasicAuth = optional(REGISTRY_BASIC_AUTH_USER_INFO).map(v -> {
            if (v.value().indexOf(':') <= 0) throw InvalidConfigException.badValue(REGISTRY_BASIC_AUTH_USER_INFO, v, "user:password");
            return v.value();
        });
        ConfigValue truststore = optional(REGISTRY_TRUSTSTORE_LOCATION).or(() -> fallback(REGISTRY_TRUSTSTORE_LOCATION)).orElse(null);
        this.registryTruststore = Optional.ofNullable(truststore).map(v -> readableFile(REGISTRY_TRUSTSTORE_LOCATION, v));
        this.registryTruststorePassword = optional(REGISTRY_TRUSTSTORE_PASSWORD).or(() -> fallback(REGISTRY_TRUSTSTORE_PASSWORD)).map(ConfigValue::value);
        this.registryTruststoreType = optional(REGISTRY_TRUSTSTORE_TYPE).or(() -> fallback(REGISTRY_TRUSTSTORE_TYPE))
                .map(v -> oneOf(REGISTRY_TRUSTSTORE_TYPE, v, List.of("JKS", "PKCS12"), true)).orElse("JKS");
        this.applicationId = matching(APPLICATION_ID, APPLICATION_ID_CHARS, "letters, digits, '.', '_' or '-' only");
        this.applicationServer = optional(APPLICATION_SERVER).map(v -> hostAndPort(APPLICATION_SERVER, v, v.value()));
        this.stateDir = optional(STATE_DIR).map(v -> path(STATE_DIR, v));
        this.streamsRebalanceProtocol = optional(STREAMS_PREFIX + StreamsConfig.GROUP_PROTOCOL_CONFIG)
                .map(v -> v.value().trim().equalsIgnoreCase("streams")).orElse(false);
        this.instanceId = optional(INSTANCE_ID).map(v -> {
            if (!INSTANCE_ID_CHARS.matcher(v.value()).matches()) {
                throw InvalidConfigException.badValue(INSTANCE_ID, v, "letters, digits, '.', '_' or '-' only, at most 200");
            }
            if (streamsRebalanceProtocol) {
                throw InvalidConfigException.badValue(INSTANCE_ID, v, "no value with streams.group.protocol=streams "
                        + "(the streams rebalance protocol of Kafka 4.3 has no static membership)");
            }
            return v.value();
        });
        this.processingGuarantee = oneOf(PROCESSING_GUARANTEE, required(PROCESSING_GUARANTEE),
                List.of(StreamsConfig.EXACTLY_ONCE_V2, StreamsConfig.AT_LEAST_ONCE), false);
        this.dataCut = optional(DATA_CUT).map(v -> instant(DATA_CUT, v));
        this.cutRefresh = millis(CUT_REFRESH_MS, 1);
        this.publishInterval = millis(PUBLISH_INTERVAL_MS, 0);
        this.deltaFlushInterval = millis(DELTA_FLUSH_MS, 0);
        this.adjustedPublishInterval = millis(ADJUSTED_PUBLISH_INTERVAL_MS, 0);
        this.rulesRecompute = bool(RULES_RECOMPUTE);
        this.topologySplit = bool(TOPOLOGY_SPLIT);
        this.httpPort = integer(HTTP_PORT, 0, 65_535, "a port number 0-65535 (0 = any free port)");
        this.httpBindAddress = matching(HTTP_BIND_ADDRESS, HOST_CHARS, "an IP address or host name (0.0.0.0 = every interface)");
        this.httpBearerToken = optional(HTTP_BEARER_TOKEN).map(v -> {
            String problem = BearerToken.problem(v.value());
            if (problem != null) throw InvalidConfigException.badValue(HTTP_BEARER_TOKEN, v, problem);
            return new BearerToken(v.value());
        });
        this.minCellSize = integer(MIN_CELL_SIZE, 1, 1_000_000, "a whole number of patients, at least 1 (1 = nothing suppressed)");
        this.streamThreads = raw.containsKey(STREAM_THREADS)
                ? OptionalInt.of(integer(STREAM_THREADS, 1, 1_000, "a whole number of threads, at least 1")) : OptionalInt.empty();
        this.streamsOverrides = withoutPrefix(STREAMS_PREFIX);
        this.kafkaClientSettings = withoutPrefix(KAFKA_PREFIX);
    }

    /** Loads the layers: defaults, then {@code file} (or the file SPINE_CONFIG_FILE names), then SPINE_* variables of {@code env}. */
    public static AppConfig load(Path file, Map<String, String> env) {
        return new AppConfig(ConfigSources.layered(file, env));
    }

    /** Defaults plus values set by a program (origin "code"); for tests, the demo and the benchmark. */
    public static AppConfig of(Map<String, String> overrides) {
        Map<String, ConfigValue> v = ConfigSources.defaults();
        overrides.forEach((k, val) -> v.put(k, new ConfigValue(val, "code")));
        return new AppConfig(v);
    }

    /** A copy with one value set by a program. */
    public AppConfig with(String key, String value) {
        return with(key, value, "code");
    }

    /** A copy with one value set, naming where it came from (e.g. "option --recompute"). */
    public AppConfig with(String key, String value, String origin) {
        Map<String, ConfigValue> v = new TreeMap<>(raw);
        v.put(key, new ConfigValue(value, origin));
        return new AppConfig(v);
    }

    // --- checks -------------------------------------------------------------------------------

    private void checkKeys() {
        for (Map.Entry<String, ConfigValue> e : raw.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("spine.")) {
                if (ConfigKeys.spineKey(key).isEmpty()) throw ConfigKeys.unknownSpineKey(key, e.getValue());
            } else if (key.startsWith(STREAMS_PREFIX)) {
                ConfigKeys.checkStreamsKey(key, e.getValue());
            } else if (key.startsWith(KAFKA_PREFIX)) {
                ConfigKeys.checkKafkaKey(key, e.getValue());
            } else {
                throw ConfigKeys.unknownPrefix(key, e.getValue());
            }
        }
    }

    private ConfigValue required(String key) {
        ConfigValue v = raw.get(key);
        if (v == null || v.value().isBlank()) {
            String from = v == null ? "" : " (empty in " + v.origin() + ")";
            throw new InvalidConfigException(key, key + " is not set" + from + ": expected " + expectedOf(key)
                    + " (in the --config file, or " + ConfigSources.envName(key) + " in the environment)");
        }
        return v;
    }

    private static String expectedOf(String key) {
        return ConfigKeys.spineKey(key).map(ConfigKeys.Key::meaning).orElse("a value");
    }

    /** An optional value; blank counts as not set (so the environment can clear a file's value). */
    private Optional<ConfigValue> optional(String key) {
        return Optional.ofNullable(raw.get(key)).filter(v -> !v.value().isBlank());
    }

    /** The registry trust store falls back to kafka.ssl.truststore.*. */
    private Optional<ConfigValue> fallback(String registryKey) {
        String kafkaKey = KAFKA_PREFIX + registryKey.substring("spine.schema.registry.".length());
        return optional(kafkaKey).map(v -> new ConfigValue(v.value(), v.origin() + " via " + kafkaKey));
    }

    private String hostPortList(String key) {
        ConfigValue v = required(key);
        List<String> parts = new ArrayList<>();
        for (String part : v.value().split(",")) {
            if (!part.isBlank()) parts.add(hostAndPort(key, v, part.trim()).toString());
        }
        return String.join(",", parts);
    }

    private static HostAndPort hostAndPort(String key, ConfigValue v, String text) {
        String expected = "host:port (e.g. broker-1.example.org:9092)";
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) throw InvalidConfigException.badValue(key, v, expected);
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (!HOST_CHARS.matcher(host).matches()) throw InvalidConfigException.badValue(key, v, expected);
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 1 || port > 65_535) throw InvalidConfigException.badValue(key, v, expected + " with a port 1-65535");
            return new HostAndPort(host, port);
        } catch (NumberFormatException e) {
            throw InvalidConfigException.badValue(key, v, expected);
        }
    }

    private List<URI> registryUrls() {
        ConfigValue v = required(SCHEMA_REGISTRY_URL);
        List<URI> urls = new ArrayList<>();
        String expected = "http(s)://host[:port][/path], comma-separated for failover (e.g. http://registry:8081 or http://host:8080/apis/ccompat/v7)";
        for (String part : v.value().split(",")) {
            if (part.isBlank()) continue;
            try {
                URI uri = new URI(part.trim());
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                    throw InvalidConfigException.badValue(SCHEMA_REGISTRY_URL, v, expected);
                }
                urls.add(uri);
            } catch (URISyntaxException e) {
                throw InvalidConfigException.badValue(SCHEMA_REGISTRY_URL, v, expected);
            }
        }
        if (urls.isEmpty()) throw InvalidConfigException.badValue(SCHEMA_REGISTRY_URL, v, expected);
        return List.copyOf(urls);
    }

    private String matching(String key, Pattern pattern, String expected) {
        ConfigValue v = required(key);
        if (!pattern.matcher(v.value()).matches()) throw InvalidConfigException.badValue(key, v, expected);
        return v.value();
    }

    private static String oneOf(String key, ConfigValue v, List<String> allowed, boolean ignoreCase) {
        for (String a : allowed) {
            if (ignoreCase ? a.equalsIgnoreCase(v.value()) : a.equals(v.value())) return a;
        }
        throw InvalidConfigException.badValue(key, v, String.join(" or ", allowed));
    }

    private Duration millis(String key, long min) {
        ConfigValue v = required(key);
        String expected = "a whole number of milliseconds, " + min + " or more";
        try {
            long ms = Long.parseLong(v.value());
            if (ms < min) throw InvalidConfigException.badValue(key, v, expected);
            return Duration.ofMillis(ms);
        } catch (NumberFormatException e) {
            throw InvalidConfigException.badValue(key, v, expected);
        }
    }

    private int integer(String key, int min, int max, String expected) {
        ConfigValue v = required(key);
        try {
            int n = Integer.parseInt(v.value());
            if (n < min || n > max) throw InvalidConfigException.badValue(key, v, expected);
            return n;
        } catch (NumberFormatException e) {
            throw InvalidConfigException.badValue(key, v, expected);
        }
    }

    private boolean bool(String key) {
        ConfigValue v = required(key);
        return switch (v.value().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw InvalidConfigException.badValue(key, v, "true or false");
        };
    }

    private static Instant instant(String key, ConfigValue v) {
        try {
            return Instant.parse(v.value());
        } catch (DateTimeParseException e) {
            throw InvalidConfigException.badValue(key, v, "an ISO-8601 instant in UTC, e.g. 2025-01-31T00:00:00Z");
        }
    }

    private static Path path(String key, ConfigValue v) {
        try {
            return Path.of(v.value());
        } catch (InvalidPathException e) {
            throw InvalidConfigException.badValue(key, v, "a file system path");
        }
    }

    private static Path readableFile(String key, ConfigValue v) {
        Path p = path(key, v);
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) throw InvalidConfigException.badValue(key, v, "a readable trust store file");
        return p;
    }

    private Map<String, String> withoutPrefix(String prefix) {
        Map<String, String> m = new TreeMap<>();
        raw.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v.value());
        });
        return Collections.unmodifiableMap(m);
    }

    // --- typed values -------------------------------------------------------------------------

    /** Comma-separated host:port list. */
    public String bootstrapServers() { return bootstrapServers; }

    public List<URI> schemaRegistryUrls() { return schemaRegistryUrls; }

    public Optional<String> registryBasicAuthUserInfo() { return registryBasicAuth; }

    public Optional<Path> registryTruststore() { return registryTruststore; }

    public String applicationId() { return applicationId; }

    /** Configured application.server; when empty the runtime advertises its HTTP address. */
    public Optional<HostAndPort> applicationServer() { return applicationServer; }

    /** Configured state directory; when empty a new temporary directory is used. */
    public Optional<Path> stateDir() { return stateDir; }

    /** Configured spine.instance.id; when empty the app takes the one kept in the state directory (see {@link StaticMembership}). */
    public Optional<String> instanceId() { return instanceId; }

    /** True with streams.group.protocol=streams (KIP-1071), which has no static membership. */
    public boolean streamsRebalanceProtocol() { return streamsRebalanceProtocol; }

    public String processingGuarantee() { return processingGuarantee; }

    public Optional<Instant> dataCut() { return dataCut; }

    public Duration cutRefresh() { return cutRefresh; }

    public Duration publishInterval() { return publishInterval; }

    /** spine.adjusted.publish.interval.ms: how often the R36-R38 records are published while input flows. */
    public Duration adjustedPublishInterval() { return adjustedPublishInterval; }

    public Duration deltaFlushInterval() { return deltaFlushInterval; }

    /** True: the patient stage and the cell stage run as two Kafka Streams applications (own threads, own commits). */
    public boolean topologySplit() { return topologySplit; }

    /** spine.rules.recompute. */
    public boolean forceRecompute() { return rulesRecompute; }

    /** 0 = any free port. */
    public int httpPort() { return httpPort; }

    public String httpBindAddress() { return httpBindAddress; }

    /** spine.http.bearer.token: when present, the HTTP data endpoints require it. */
    public Optional<BearerToken> httpBearerToken() { return httpBearerToken; }

    /** spine.dashboard.min.cell.size: cells and statistics over fewer patients are suppressed by the query API and dashboard. */
    public int minCellSize() { return minCellSize; }

    /** streams.num.stream.threads when set; the app uses one thread per core otherwise. */
    public OptionalInt streamThreads() { return streamThreads; }

    /** Everything under {@code streams.}, prefix removed. */
    public Properties streamsOverrides() {
        Properties p = new Properties();
        p.putAll(streamsOverrides);
        return p;
    }

    /** Everything under {@code kafka.} (security settings for every Kafka client), prefix removed. */
    public Map<String, String> kafkaClientSettings() { return kafkaClientSettings; }

    /** Where a key's value came from ("default", "file ...", "env ...", "code"); empty when not set. */
    public Optional<String> originOf(String key) {
        return Optional.ofNullable(raw.get(key)).map(ConfigValue::origin);
    }

    /**
     * How long the app's registry client waits for a connection and for an answer: a stream thread that
     * asks must not hold its transaction open near Kafka Streams' 10 s transaction timeout.
     */
    public static final java.time.Duration REGISTRY_TIMEOUT = java.time.Duration.ofSeconds(5);

    /** A schema-registry client with the configured URLs, basic auth and trust store (timeouts {@link #REGISTRY_TIMEOUT}). */
    public RestSchemaRegistryClient registryClient() {
        RestSchemaRegistryClient.Builder b = RestSchemaRegistryClient.builder()
                .baseUrls(schemaRegistryUrls.stream().map(URI::toString).toList())
                .connectTimeout(REGISTRY_TIMEOUT)
                .requestTimeout(REGISTRY_TIMEOUT);
        registryBasicAuth.ifPresent(b::basicAuth);
        registryTruststore.ifPresent(p -> b.truststore(p, registryTruststorePassword.orElse(null), registryTruststoreType));
        return b.build();
    }

    /** Every value with its origin, secrets masked; one key per line. */
    public String describe() {
        return raw.entrySet().stream()
                .map(e -> e.getKey() + "=" + ConfigKeys.shown(e.getKey(), e.getValue().value()) + "  (" + e.getValue().origin() + ")")
                .collect(Collectors.joining("\n"));
    }

    @Override
    public String toString() {
        return raw.entrySet().stream().map(e -> e.getKey() + "=" + ConfigKeys.shown(e.getKey(), e.getValue().value()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
