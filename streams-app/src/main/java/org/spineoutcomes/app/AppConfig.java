package org.spineoutcomes.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Configuration of the streams app: defaults in code, overridden by a properties file
 * ({@code --config FILE} or SPINE_CONFIG_FILE), overridden by environment variables
 * (SPINE_FOO_BAR sets spine.foo.bar). Keys under {@code streams.} are passed to Kafka Streams
 * verbatim (e.g. streams.num.stream.threads=2).
 */
public final class AppConfig {

    public static final String BOOTSTRAP_SERVERS = "spine.bootstrap.servers";
    public static final String SCHEMA_REGISTRY_URL = "spine.schema.registry.url";
    public static final String APPLICATION_ID = "spine.application.id";
    public static final String STATE_DIR = "spine.state.dir";
    public static final String DATA_CUT = "spine.data.cut";
    public static final String CUT_REFRESH_MS = "spine.data.cut.refresh.ms";
    public static final String PUBLISH_INTERVAL_MS = "spine.publish.interval.ms";
    public static final String DELTA_FLUSH_MS = "spine.cell.delta.flush.ms";
    public static final String PROCESSING_GUARANTEE = "spine.processing.guarantee";
    public static final String HTTP_PORT = "spine.http.port";
    /** true: recompute every stored patient at start under the current rules, whatever their stored rules version. */
    public static final String RULES_RECOMPUTE = "spine.rules.recompute";
    public static final String STREAMS_PREFIX = "streams.";

    private static final Map<String, String> DEFAULTS = Map.of(
            APPLICATION_ID, "spine-outcomes",
            PROCESSING_GUARANTEE, "exactly_once_v2",
            CUT_REFRESH_MS, "5000",
            PUBLISH_INTERVAL_MS, "1000",
            DELTA_FLUSH_MS, "100",
            RULES_RECOMPUTE, "false",
            HTTP_PORT, "8080");

    private final Map<String, String> values;

    private AppConfig(Map<String, String> values) {
        this.values = values;
    }

    public static AppConfig load(Path file, Map<String, String> env) throws IOException {
        Map<String, String> v = new TreeMap<>(DEFAULTS);
        Path configFile = file != null ? file : (env.containsKey("SPINE_CONFIG_FILE") ? Path.of(env.get("SPINE_CONFIG_FILE")) : null);
        if (configFile != null) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(configFile)) {
                p.load(in);
            }
            p.stringPropertyNames().forEach(k -> v.put(k, p.getProperty(k).trim()));
        }
        env.forEach((k, val) -> {
            if (k.startsWith("SPINE_") && !k.equals("SPINE_CONFIG_FILE")) {
                v.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), val);
            }
        });
        return new AppConfig(v);
    }

    public static AppConfig of(Map<String, String> overrides) {
        Map<String, String> v = new TreeMap<>(DEFAULTS);
        v.putAll(overrides);
        return new AppConfig(v);
    }

    public AppConfig with(String key, String value) {
        Map<String, String> v = new TreeMap<>(values);
        v.put(key, value);
        return new AppConfig(v);
    }

    public String get(String key) { return values.get(key); }

    public boolean has(String key) { return values.get(key) != null && !values.get(key).isBlank(); }

    public int getInt(String key) { return Integer.parseInt(values.get(key)); }

    public Instant dataCut() { return has(DATA_CUT) ? Instant.parse(get(DATA_CUT)) : null; }

    public Duration cutRefresh() { return Duration.ofMillis(Long.parseLong(get(CUT_REFRESH_MS))); }

    public Duration publishInterval() { return Duration.ofMillis(Long.parseLong(get(PUBLISH_INTERVAL_MS))); }

    public Duration deltaFlushInterval() { return Duration.ofMillis(Long.parseLong(get(DELTA_FLUSH_MS))); }

    public boolean forceRecompute() {
        String v = get(RULES_RECOMPUTE).strip().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) throw new IllegalArgumentException(RULES_RECOMPUTE + " must be true or false, not '" + v + "'");
        return v.equals("true");
    }

    /** Everything under {@code streams.}, prefix removed. */
    public Properties streamsOverrides() {
        Properties p = new Properties();
        values.forEach((k, v) -> {
            if (k.startsWith(STREAMS_PREFIX)) p.put(k.substring(STREAMS_PREFIX.length()), v);
        });
        return p;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
