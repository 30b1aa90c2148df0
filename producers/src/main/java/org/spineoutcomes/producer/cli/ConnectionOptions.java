package org.spineoutcomes.producer.cli;

import java.nio.file.Path;
import java.util.Map;
import org.spineoutcomes.kafka.ClientSecurity;
import picocli.CommandLine.Option;

/** Kafka, registry and pseudonym-key options shared by the publishing commands. */
public final class ConnectionOptions {
    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--registry-url", defaultValue = "http://localhost:8081", paramLabel = "URL",
            description = "Schema registry base URL, Confluent API (Apicurio: .../apis/ccompat/v7) (default: ${DEFAULT-VALUE}).")
    String registryUrl;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "Properties file with Kafka client security settings: kafka.security.protocol, kafka.sasl.*, kafka.ssl.* "
                    + "(the keys of ./spine run's file; its spine.* and streams.* keys are ignored). SPINE_KAFKA__* variables override it "
                    + "(e.g. SPINE_KAFKA__SASL_JAAS_CONFIG). Credentials are taken from there only, never from an option.")
    Path kafkaConfig;

    @Option(names = "--demo",
            description = "Demo mode: without SPINE_PSEUDONYM_KEY(_FILE), generate a throwaway pseudonym key and print it; "
                    + "schemas are registered when missing.")
    boolean demo;

    @Option(names = "--auto-register-schemas", negatable = true,
            description = "Register an event schema missing from its subject (setting the subject to BACKWARD first). "
                    + "Default: on for simulate and in demo mode, off otherwise (the contract owner registers the schemas; "
                    + "a producer only looks their ids up).")
    Boolean autoRegisterSchemas;

    /** The Kafka client security settings of --kafka-config and the SPINE_KAFKA__* variables of {@code env}. */
    Map<String, String> kafkaSettings(Map<String, String> env) {
        return ClientSecurity.load(kafkaConfig, env);
    }

    /** The explicit --[no-]auto-register-schemas, else {@code defaultOn} or demo mode. */
    boolean autoRegister(boolean defaultOn) {
        return autoRegisterSchemas != null ? autoRegisterSchemas : defaultOn || demo;
    }
}
