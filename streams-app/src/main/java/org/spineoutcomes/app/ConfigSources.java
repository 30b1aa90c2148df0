package org.spineoutcomes.app;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The three layers of configuration, lowest first: defaults in code, a properties file
 * ({@code --config FILE}, else the file named by SPINE_CONFIG_FILE), environment variables.
 *
 * <p>Environment names: {@code SPINE_} followed by the key without its {@code spine.} prefix, upper
 * case, dots as underscores ({@code SPINE_PUBLISH_INTERVAL_MS} sets {@code spine.publish.interval.ms}).
 * The pass-through prefixes are written with a double underscore after them:
 * {@code SPINE_STREAMS__NUM_STREAM_THREADS} sets {@code streams.num.stream.threads},
 * {@code SPINE_KAFKA__SASL_JAAS_CONFIG} sets {@code kafka.sasl.jaas.config}. Kafka's and our keys are
 * lower case with dots only, so the mapping is one-to-one.
 */
public final class ConfigSources {
    public static final String CONFIG_FILE_ENV = "SPINE_CONFIG_FILE";
    static final String ENV_PREFIX = "SPINE_";

    /** SPINE_* variables that other parts of the project read; they are not configuration keys. */
    static final Set<String> NOT_KEYS = Set.of(CONFIG_FILE_ENV, "SPINE_JAVA_OPTS", "SPINE_PSEUDONYM_KEY", "SPINE_PSEUDONYM_KEY_FILE");

    private static final Map<String, String> PASS_THROUGH = Map.of("STREAMS", AppConfig.STREAMS_PREFIX, "KAFKA", AppConfig.KAFKA_PREFIX);

    private ConfigSources() {
    }

    /** The environment variable that sets a key. */
    public static String envName(String key) {
        for (Map.Entry<String, String> p : PASS_THROUGH.entrySet()) {
            if (key.startsWith(p.getValue())) {
                return ENV_PREFIX + p.getKey() + "__" + upper(key.substring(p.getValue().length()));
            }
        }
        String rest = key.startsWith("spine.") ? key.substring("spine.".length()) : key;
        return ENV_PREFIX + upper(rest);
    }

    private static String upper(String dotted) {
        return dotted.replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** The key an environment variable sets. */
    static String keyOf(String envName) {
        String rest = envName.substring(ENV_PREFIX.length());
        int split = rest.indexOf("__");
        if (split < 0) {
            return "spine." + lower(rest);
        }
        String prefix = PASS_THROUGH.get(rest.substring(0, split));
        if (prefix == null || split + 2 >= rest.length()) {
            throw new InvalidConfigException(envName, "unknown environment variable " + envName
                    + ": a double underscore only follows SPINE_STREAMS or SPINE_KAFKA (e.g. SPINE_STREAMS__NUM_STREAM_THREADS)");
        }
        return prefix + lower(rest.substring(split + 2));
    }

    private static String lower(String underscored) {
        return underscored.toLowerCase(Locale.ROOT).replace('_', '.');
    }

    /** Defaults, then the file, then the environment: the effective raw values with their origins. */
    static Map<String, ConfigValue> layered(Path file, Map<String, String> env) {
        Map<String, ConfigValue> values = defaults();
        Path configFile = file;
        String fileOrigin = "file " + file;
        if (configFile == null && env.get(CONFIG_FILE_ENV) != null && !env.get(CONFIG_FILE_ENV).isBlank()) {
            configFile = Path.of(env.get(CONFIG_FILE_ENV).trim());
            fileOrigin = "file " + configFile + " (" + CONFIG_FILE_ENV + ")";
        }
        if (configFile != null) {
            Properties p = read(configFile, file != null ? "--config" : CONFIG_FILE_ENV);
            for (String k : p.stringPropertyNames()) {
                values.put(k.trim(), new ConfigValue(p.getProperty(k).trim(), fileOrigin));
            }
        }
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String name = e.getKey();
            if (name.startsWith(ENV_PREFIX) && !NOT_KEYS.contains(name)) {
                values.put(keyOf(name), new ConfigValue(e.getValue().trim(), "env " + name));
            }
        }
        return values;
    }

    static Map<String, ConfigValue> defaults() {
        Map<String, ConfigValue> values = new TreeMap<>();
        for (ConfigKeys.Key k : ConfigKeys.SPINE_KEYS) {
            if (k.defaultValue() != null) {
                values.put(k.name(), new ConfigValue(k.defaultValue(), "default"));
            }
        }
        return values;
    }

    private static Properties read(Path file, String via) {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigException(file.toString(), "config file " + file + " (from " + via + "): not found");
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigException(file.toString(), "config file " + file + " (from " + via + "): cannot be read as a properties file: " + e.getMessage());
        }
        return p;
    }
}
