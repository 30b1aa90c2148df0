package org.spineoutcomes.producer.publish;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.serde.InMemorySchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.validation.EventValidator;

/** A publisher over Kafka's MockProducer with the real Avro serializer and an in-memory registry. */
public final class MockPublishers {
    private MockPublishers() {}

    public static final Instant NOW = Instant.parse("2026-11-26T00:00:00Z");
    public static final byte[] KEY = new byte[32];
    static { Arrays.fill(KEY, (byte) 0x5a); }

    public static MockProducer<String, SpecificRecord> producer() {
        return new MockProducer<>(true, null, new StringSerializer(), new SpineAvroSerializer<>(new InMemorySchemaRegistryClient()));
    }

    public static SpinePublisher publisher(MockProducer<String, SpecificRecord> producer) {
        return new SpinePublisher(producer, new Pseudonymiser(KEY), new EventValidator(), Clock.fixed(NOW, ZoneOffset.UTC));
    }
}
