package org.spineoutcomes.producer.cli;

import java.util.Map;
import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;

/** How commands get their publisher; tests substitute one over Kafka's MockProducer. */
@FunctionalInterface
public interface PublisherFactory {
    /** A publisher that does not register schemas (only looks their ids up). */
    SpinePublisher create(String bootstrapServers, String registryUrl, Pseudonymiser pseudonymiser);

    /**
     * A publisher that registers missing schemas when {@code autoRegisterSchemas} (simulator, demo mode,
     * {@code --auto-register-schemas}). Factories without a registry (tests) ignore the choice.
     */
    default SpinePublisher create(String bootstrapServers, String registryUrl, Pseudonymiser pseudonymiser, boolean autoRegisterSchemas) {
        return create(bootstrapServers, registryUrl, pseudonymiser);
    }

    /**
     * As {@link #create(String, String, Pseudonymiser, boolean)}, with Kafka client security settings
     * (security.protocol, sasl.*, ssl.*; from --kafka-config and SPINE_KAFKA__*). Factories without a
     * broker (tests) ignore them.
     */
    default SpinePublisher create(String bootstrapServers, String registryUrl, Pseudonymiser pseudonymiser, boolean autoRegisterSchemas,
                                  Map<String, String> kafkaSettings) {
        return create(bootstrapServers, registryUrl, pseudonymiser, autoRegisterSchemas);
    }

    /** A real Kafka producer and the schema registry at the given URL. */
    static PublisherFactory kafka() {
        return new PublisherFactory() {
            @Override
            public SpinePublisher create(String servers, String registry, Pseudonymiser pseudonymiser) {
                return create(servers, registry, pseudonymiser, false);
            }

            @Override
            public SpinePublisher create(String servers, String registry, Pseudonymiser pseudonymiser, boolean autoRegisterSchemas) {
                return create(servers, registry, pseudonymiser, autoRegisterSchemas, Map.of());
            }

            @Override
            public SpinePublisher create(String servers, String registry, Pseudonymiser pseudonymiser, boolean autoRegisterSchemas,
                                         Map<String, String> kafkaSettings) {
                SpinePublisher.Builder b = SpinePublisher.builder().bootstrapServers(servers).registryUrl(registry).pseudonymiser(pseudonymiser)
                        .autoRegisterSchemas(autoRegisterSchemas);
                kafkaSettings.forEach(b::producerProperty);
                return b.build();
            }
        };
    }
}
