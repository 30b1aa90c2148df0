package org.spineoutcomes.producer.cli;

import picocli.CommandLine.Option;

/** Kafka, registry and pseudonym-key options shared by the publishing commands. */
public final class ConnectionOptions {
    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--registry-url", defaultValue = "http://localhost:8081", paramLabel = "URL",
            description = "Schema registry base URL, Confluent API (Apicurio: .../apis/ccompat/v7) (default: ${DEFAULT-VALUE}).")
    String registryUrl;

    @Option(names = "--demo",
            description = "Demo mode: without SPINE_PSEUDONYM_KEY(_FILE), generate a throwaway pseudonym key and print it; "
                    + "schemas are registered when missing.")
    boolean demo;

    @Option(names = "--auto-register-schemas", negatable = true,
            description = "Register an event schema missing from its subject (setting the subject to BACKWARD first). "
                    + "Default: on for simulate and in demo mode, off otherwise (the contract owner registers the schemas; "
                    + "a producer only looks their ids up).")
    Boolean autoRegisterSchemas;

    /** The explicit --[no-]auto-register-schemas, else {@code defaultOn} or demo mode. */
    boolean autoRegister(boolean defaultOn) {
        return autoRegisterSchemas != null ? autoRegisterSchemas : defaultOn || demo;
    }
}
