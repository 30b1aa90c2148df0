package org.spineoutcomes.serde;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.config.types.Password;

/**
 * Serde and registry-client settings under Confluent's key names, so an existing producer or
 * Streams config file works unchanged. Values may be strings (from a properties file) or typed
 * objects (Boolean, Integer, Class, List).
 */
public final class SerdeConfig {
    /** Comma-separated base URLs, tried in order on connection failure; a path prefix such as {@code /apis/ccompat/v7} belongs in the URL. {@code mock://scope} selects a shared in-memory registry. */
    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";
    public static final String USE_LATEST_VERSION = "use.latest.version";
    public static final String KEY_SUBJECT_NAME_STRATEGY = "key.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY = "value.subject.name.strategy";
    /** {@code USER_INFO} (use {@link #BASIC_AUTH_USER_INFO}) or {@code URL} (user info inside the URL). */
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE = "basic.auth.credentials.source";
    /** {@code user:password}. */
    public static final String BASIC_AUTH_USER_INFO = "basic.auth.user.info";
    /** Older spelling Confluent still accepts. */
    public static final String BASIC_AUTH_USER_INFO_LEGACY = "schema.registry.basic.auth.user.info";
    /** Only {@code STATIC_TOKEN} is supported. */
    public static final String BEARER_AUTH_CREDENTIALS_SOURCE = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_TOKEN = "bearer.auth.token";
    public static final String TRUSTSTORE_LOCATION = "schema.registry.ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "schema.registry.ssl.truststore.password";
    public static final String TRUSTSTORE_TYPE = "schema.registry.ssl.truststore.type";
    /** Connect timeout in milliseconds (default 10,000). */
    public static final String CONNECT_TIMEOUT_MS = "spine.registry.connect.timeout.ms";
    /** Per-request timeout in milliseconds (default 30,000). */
    public static final String REQUEST_TIMEOUT_MS = "spine.registry.request.timeout.ms";
    /** Class name (or Class) of the SpecificRecord a value deserializer produces when created reflectively. */
    public static final String VALUE_TYPE = "spine.avro.value.type";
    /** Class name (or Class) of the SpecificRecord a key deserializer produces when created reflectively. */
    public static final String KEY_TYPE = "spine.avro.key.type";

    public static final String MOCK_URL_SCHEME = "mock://";

    private final Map<String, ?> values;

    public SerdeConfig(Map<String, ?> values) {
        this.values = values == null ? Map.of() : values;
    }

    /** The base URLs, each without a trailing slash; empty when none is configured. */
    public List<String> registryUrls() {
        Object raw = values.get(SCHEMA_REGISTRY_URL);
        List<String> urls = new ArrayList<>();
        if (raw instanceof Collection<?> collection) {
            for (Object item : collection) {
                addUrls(urls, String.valueOf(item));
            }
        } else if (raw != null) {
            addUrls(urls, String.valueOf(raw));
        }
        return urls;
    }

    private static void addUrls(List<String> urls, String commaSeparated) {
        for (String part : commaSeparated.split(",")) {
            String url = part.trim();
            while (url.endsWith("/")) {
                url = url.substring(0, url.length() - 1);
            }
            if (!url.isEmpty()) {
                urls.add(url);
            }
        }
    }

    public boolean autoRegisterSchemas() {
        return bool(AUTO_REGISTER_SCHEMAS, true);
    }

    public boolean useLatestVersion() {
        return bool(USE_LATEST_VERSION, false);
    }

    public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
        Object raw = values.get(isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY);
        if (raw == null) {
            return SubjectNameStrategy.TOPIC_NAME;
        }
        if (raw instanceof SubjectNameStrategy strategy) {
            return strategy;
        }
        String text = raw instanceof Class<?> c ? c.getName() : String.valueOf(raw);
        try {
            return SubjectNameStrategy.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException((isKey ? KEY_SUBJECT_NAME_STRATEGY : VALUE_SUBJECT_NAME_STRATEGY) + ": " + e.getMessage(), e);
        }
    }

    /** {@code user:password} for basic auth, from the configured credentials source; empty when none. */
    public Optional<String> basicAuthUserInfo() {
        String source = string(BASIC_AUTH_CREDENTIALS_SOURCE).map(s -> s.toUpperCase(Locale.ROOT)).orElse("USER_INFO");
        switch (source) {
            case "USER_INFO": {
                Optional<String> info = string(BASIC_AUTH_USER_INFO);
                return info.isPresent() ? info : string(BASIC_AUTH_USER_INFO_LEGACY);
            }
            case "URL":
                // RestSchemaRegistryClient takes user info from each URL itself.
                return Optional.empty();
            default:
                throw new IllegalArgumentException(BASIC_AUTH_CREDENTIALS_SOURCE + " '" + source + "' is not supported; use USER_INFO or URL");
        }
    }

    public Optional<String> bearerToken() {
        Optional<String> source = string(BEARER_AUTH_CREDENTIALS_SOURCE);
        if (source.isPresent() && !source.get().equalsIgnoreCase("STATIC_TOKEN")) {
            throw new IllegalArgumentException(BEARER_AUTH_CREDENTIALS_SOURCE + " '" + source.get() + "' is not supported; use STATIC_TOKEN with " + BEARER_AUTH_TOKEN);
        }
        return string(BEARER_AUTH_TOKEN);
    }

    public Optional<String> truststoreLocation() {
        return string(TRUSTSTORE_LOCATION);
    }

    public Optional<String> truststorePassword() {
        return string(TRUSTSTORE_PASSWORD);
    }

    /** Default {@code JKS}, as in Confluent's client; Java also reads PKCS12 files through it. */
    public String truststoreType() {
        return string(TRUSTSTORE_TYPE).orElse("JKS");
    }

    public Duration connectTimeout() {
        return Duration.ofMillis(positiveLong(CONNECT_TIMEOUT_MS, 10_000));
    }

    public Duration requestTimeout() {
        return Duration.ofMillis(positiveLong(REQUEST_TIMEOUT_MS, 30_000));
    }

    /** The configured SpecificRecord class for keys or values, loaded by name; empty when not set. */
    public Optional<Class<?>> recordType(boolean isKey) {
        String key = isKey ? KEY_TYPE : VALUE_TYPE;
        Object raw = values.get(key);
        if (raw == null || (raw instanceof String s && s.isBlank())) {
            return Optional.empty();
        }
        if (raw instanceof Class<?> c) {
            return Optional.of(c);
        }
        String name = String.valueOf(raw).trim();
        try {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            return Optional.of(Class.forName(name, true, loader != null ? loader : SerdeConfig.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException(key + ": class '" + name + "' not found on the classpath", e);
        }
    }

    private Optional<String> string(String key) {
        Object raw = values.get(key);
        if (raw == null) {
            return Optional.empty();
        }
        String text = raw instanceof Password p ? p.value() : String.valueOf(raw);
        return text.isBlank() ? Optional.empty() : Optional.of(text.trim());
    }

    private boolean bool(String key, boolean defaultValue) {
        Object raw = values.get(key);
        if (raw == null) {
            return defaultValue;
        }
        if (raw instanceof Boolean b) {
            return b;
        }
        String text = String.valueOf(raw).trim();
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException(key + " must be true or false, got '" + text + "'");
    }

    private long positiveLong(String key, long defaultValue) {
        Object raw = values.get(key);
        if (raw == null) {
            return defaultValue;
        }
        long value;
        try {
            value = raw instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(raw).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number of milliseconds, got '" + raw + "'", e);
        }
        if (value <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + value);
        }
        return value;
    }
}
