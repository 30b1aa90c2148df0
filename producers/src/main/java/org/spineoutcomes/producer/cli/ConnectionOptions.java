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
            description = "Demo mode: without SPINE_PSEUDONYM_KEY(_FILE), generate a throwaway pseudonym key and print it.")
    boolean demo;
}
