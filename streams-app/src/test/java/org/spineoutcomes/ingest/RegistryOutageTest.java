package org.spineoutcomes.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.serde.SchemaRegistryException;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;

/**
 * A registry that cannot be asked is an infrastructure failure, not bad input (issue: 32,984 valid
 * records were dead-lettered during an outage): the ingest step fails the task, so the record is read
 * again, and forwards nothing. A registry that answers "no such schema" is the record's fault: dead letter.
 */
class RegistryOutageTest {

    private static MockProcessorContext<String, Ingested> run(SchemaRegistryException failure, IngestProcessor[] processorOut) {
        Map<EventType, Deserializer<? extends SpecificRecord>> deserializers = new EnumMap<>(EventType.class);
        for (EventType t : EventType.values()) {
            deserializers.put(t, (topic, bytes) -> { throw failure; });
        }
        IngestProcessor processor = new IngestProcessor(deserializers, java.time.Duration.ZERO);
        MockProcessorContext<String, Ingested> context = new MockProcessorContext<>();
        context.setRecordMetadata(Topics.FOLLOWUPS.name(), 1, 42);
        processor.init(context);
        processorOut[0] = processor;
        return context;
    }

    private static Record<byte[], byte[]> record() {
        return new Record<>("p-0001".getBytes(StandardCharsets.UTF_8), new byte[] {0, 0, 0, 0, 7, 2, 4}, 0L);
    }

    @Test
    void registryUnreachable_failsTheTaskAndForwardsNothing() {
        IngestProcessor[] p = new IngestProcessor[1];
        MockProcessorContext<String, Ingested> context = run(new SchemaRegistryException("schema registry unreachable", 0, 0), p);
        IngestProcessor.RegistryUnavailableException e = assertThrows(IngestProcessor.RegistryUnavailableException.class, () -> p[0].process(record()));
        assertTrue(e.getMessage().contains("spine.followups.v1-1@42"), e.getMessage());
        assertEquals(0, context.forwarded().size(), "no dead letter, no event");
    }

    @Test
    void registryServerError_failsTheTaskToo() {
        IngestProcessor[] p = new IngestProcessor[1];
        MockProcessorContext<String, Ingested> context = run(new SchemaRegistryException("503 from the registry", 503, 0), p);
        assertThrows(IngestProcessor.RegistryUnavailableException.class, () -> p[0].process(record()));
        assertEquals(0, context.forwarded().size());
    }

    @Test
    void unknownSchemaId_isTheRecordsFault_deadLettered() {
        IngestProcessor[] p = new IngestProcessor[1];
        MockProcessorContext<String, Ingested> context = run(new SchemaRegistryException("schema 7 not found", 404, 40403), p);
        p[0].process(record());
        assertEquals(1, context.forwarded().size());
        Ingested out = context.forwarded().get(0).record().value();
        assertTrue(out instanceof Ingested.Rejected, "a dead letter");
        assertEquals("UNDECODABLE", new String(((Ingested.Rejected) out).deadLetter().headers().lastHeader(RejectionHeaders.REASON).value(),
                StandardCharsets.UTF_8));
    }
}
