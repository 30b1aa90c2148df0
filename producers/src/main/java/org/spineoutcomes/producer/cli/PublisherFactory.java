package org.spineoutcomes.producer.cli;

import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;

/** How commands get their publisher; tests substitute one over Kafka's MockProducer. */
@FunctionalInterface
public interface PublisherFactory {
    SpinePublisher create(String bootstrapServers, String registryUrl, Pseudonymiser pseudonymiser);

    /** A real Kafka producer and the schema registry at the given URL. */
    static PublisherFactory kafka() {
        return (servers, registry, pseudonymiser) -> SpinePublisher.builder()
                .bootstrapServers(servers).registryUrl(registry).pseudonymiser(pseudonymiser).build();
    }
}
