package org.spineoutcomes.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * The security settings every Kafka client of the project takes the same way (the streams app, the
 * producer CLI, the export): {@code kafka.security.protocol}, {@code kafka.sasl.*} and {@code kafka.ssl.*},
 * the settings that consumer, producer and admin client all accept, written with the prefix
 * {@value #PREFIX} in a properties file and as {@code SPINE_KAFKA__<NAME>} in the environment
 * ({@code SPINE_KAFKA__SASL_JAAS_CONFIG} sets {@code sasl.jaas.config}). Credentials come from there only,
 * never from a command-line option (which other users of the machine can read in the process list).
 */
public final class ClientSecurity {
    private ClientSecurity() {
    }

    /** Prefix of the settings in a properties file. */
    public static final String PREFIX = "kafka.";
    /** Prefix of the environment variables. */
    public static final String ENV_PREFIX = "SPINE_KAFKA__";
    /** Keys of the app's own configuration that may share the file and are not Kafka client settings. */
    private static final List<String> OTHER_APP_PREFIXES = List.of("spine.", "streams.");
    private static final List<String> SECURITY_STARTS = List.of("security.", "sasl.", "ssl.");

    /** True for a security setting (security.*, sasl.*, ssl.*) that consumer, producer and admin client all accept. */
    public static boolean isSecuritySetting(String name) {
        return SECURITY_STARTS.stream().anyMatch(name::startsWith) && ConsumerConfig.configNames().contains(name)
                && ProducerConfig.configNames().contains(name) && AdminClientConfig.configNames().contains(name);
    }

    /** Kafka's definition of a security setting; null when {@link #isSecuritySetting} is false. */
    public static ConfigDef.ConfigKey definition(String name) {
        return isSecuritySetting(name) ? ConsumerConfig.configDef().configKeys().get(name) : null;
    }

    /** Every security setting, prefixed with {@value #PREFIX}. */
    public static List<String> prefixedNames() {
        return ConsumerConfig.configNames().stream().filter(ClientSecurity::isSecuritySetting).sorted().map(n -> PREFIX + n).toList();
    }

    /** Why {@code value} is not a valid value of the setting (what is expected), or null when it is. */
    public static String valueProblem(ConfigDef.ConfigKey definition, String value) {
        try {
            Object parsed = ConfigDef.parseType(definition.name, value.trim(), definition.type);
            if (definition.validator != null) definition.validator.ensureValid(definition.name, parsed);
            return null;
        } catch (ConfigException | IllegalArgumentException e) {
            return "a Kafka " + definition.type.name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + (definition.validator != null ? " " + definition.validator : "") + " value for " + definition.name;
        }
    }

    /** The environment variable of a setting: {@code sasl.jaas.config} -> {@code SPINE_KAFKA__SASL_JAAS_CONFIG}. */
    public static String envName(String name) {
        return ENV_PREFIX + name.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /**
     * The client settings, without prefix, from {@code file} (may be null; its {@code kafka.*} keys, the
     * app's {@code spine.*} and {@code streams.*} keys being ignored) and then {@code SPINE_KAFKA__*}
     * variables of {@code env}, which win. An unknown key or a bad value throws
     * {@link IllegalArgumentException} with one line naming the key, where it came from and what is
     * expected; a secret value is never repeated.
     */
    public static Map<String, String> load(Path file, Map<String, String> env) {
        Map<String, String> settings = new TreeMap<>();
        if (file != null) {
            Properties p = read(file);
            for (String key : new TreeMap<>(p).keySet().stream().map(Object::toString).toList()) {
                String k = key.trim();
                if (OTHER_APP_PREFIXES.stream().anyMatch(k::startsWith)) continue;
                if (!k.startsWith(PREFIX)) {
                    throw new IllegalArgumentException("unknown key " + k + " in " + file + ": expected kafka.security.protocol, kafka.sasl.* "
                            + "or kafka.ssl.* (Kafka client security settings)");
                }
                put(settings, k.substring(PREFIX.length()), p.getProperty(key), "in " + file, k);
            }
        }
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            if (!e.getKey().startsWith(ENV_PREFIX) || e.getKey().length() == ENV_PREFIX.length()) continue;
            String name = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
            put(settings, name, e.getValue(), "from env " + e.getKey(), e.getKey());
        }
        return settings;
    }

    private static void put(Map<String, String> settings, String name, String value, String origin, String given) {
        ConfigDef.ConfigKey definition = definition(name);
        if (definition == null) {
            throw new IllegalArgumentException("unknown Kafka client security setting " + given + " (" + origin + "): expected "
                    + "kafka.security.protocol, kafka.sasl.* or kafka.ssl.* (in a file; SPINE_KAFKA__SASL_JAAS_CONFIG and the like in the environment)");
        }
        String v = value.trim();
        if (v.isEmpty()) {
            settings.remove(name); // the environment can clear a file's value
            return;
        }
        String problem = valueProblem(definition, v);
        if (problem != null) {
            // Only a password-type value could be a secret (and those take any text, so they never get here).
            throw new IllegalArgumentException(given + "=" + (definition.type == ConfigDef.Type.PASSWORD ? "****" : v) + " (" + origin
                    + "): expected " + problem);
        }
        settings.put(name, v);
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("Kafka client settings file " + file + ": not found");
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("Kafka client settings file " + file + ": cannot be read as a properties file: " + e.getMessage());
        }
        return p;
    }

    /**
     * One line for a refused connection: a wrong user or password (SASL), a TLS handshake that failed
     * (a broker certificate the trust store does not trust, a host name it does not name), or another
     * authentication failure, with what to check.
     */
    public static String explain(AuthenticationException e, String bootstrapServers) {
        String cause = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage().replaceAll("\\s+", " "));
        if (e instanceof SaslAuthenticationException) {
            return "Kafka at " + bootstrapServers + " refused the credentials (" + cause + "): check the user and password in "
                    + PREFIX + "sasl.jaas.config (" + envName("sasl.jaas.config") + ") and " + PREFIX + "sasl.mechanism";
        }
        if (e instanceof SslAuthenticationException) {
            return "the TLS handshake with Kafka at " + bootstrapServers + " failed (" + cause + "): check " + PREFIX
                    + "ssl.truststore.location and its password, and that the broker's certificate names the host you connect to";
        }
        return "Kafka at " + bootstrapServers + " refused the connection (" + cause + "): check " + PREFIX + "security.protocol, "
                + PREFIX + "sasl.* and " + PREFIX + "ssl.*";
    }

    /** The authentication failure in {@code t}'s cause chain, if any. */
    public static AuthenticationException authenticationFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof AuthenticationException a) return a;
        }
        return null;
    }
}
