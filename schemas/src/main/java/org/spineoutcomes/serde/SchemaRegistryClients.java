package org.spineoutcomes.serde;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registry clients for serdes created reflectively by Kafka: one client per distinct registry
 * setting (URLs, credentials, truststore, timeouts), shared by every serde in the JVM so their
 * caches are shared too. {@code mock://<scope>} gives the shared in-memory registry of that scope.
 */
public final class SchemaRegistryClients {
    private static final Map<String, SchemaRegistryClient> SHARED = new ConcurrentHashMap<>();

    private SchemaRegistryClients() {
    }

    public static SchemaRegistryClient fromConfig(Map<String, ?> configs) {
        return fromConfig(new SerdeConfig(configs));
    }

    public static SchemaRegistryClient fromConfig(SerdeConfig config) {
        var urls = config.registryUrls();
        if (urls.isEmpty()) {
            throw new IllegalArgumentException(SerdeConfig.SCHEMA_REGISTRY_URL + " is not set; give the registry base URL, e.g. "
                    + "http://127.0.0.1:8081 (Confluent) or http://127.0.0.1:8080/apis/ccompat/v7 (Apicurio), or mock://<scope> for tests");
        }
        if (urls.get(0).startsWith(SerdeConfig.MOCK_URL_SCHEME)) {
            if (urls.size() > 1) {
                throw new IllegalArgumentException(SerdeConfig.SCHEMA_REGISTRY_URL + ": a mock:// URL cannot be combined with others: " + urls);
            }
            return InMemorySchemaRegistryClient.forScope(urls.get(0).substring(SerdeConfig.MOCK_URL_SCHEME.length()));
        }
        // The key holds the secrets only as part of an in-memory map key, never logged.
        String key = String.join(",", urls) + '|' + config.basicAuthUserInfo().orElse("") + '|' + config.bearerToken().orElse("")
                + '|' + config.truststoreLocation().orElse("") + '|' + config.truststorePassword().orElse("") + '|' + config.truststoreType()
                + '|' + config.connectTimeout().toMillis() + '|' + config.requestTimeout().toMillis();
        return SHARED.computeIfAbsent(key, k -> RestSchemaRegistryClient.fromConfig(config));
    }
}
