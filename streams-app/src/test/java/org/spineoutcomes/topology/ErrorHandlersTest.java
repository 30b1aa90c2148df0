package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.ingest.RegistryGate;
import org.spineoutcomes.serde.IncompatibleSchemaException;
import org.spineoutcomes.serde.SchemaRegistryException;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;

/**
 * What the app's Kafka Streams error handlers answer: our own unexpected failures are dead-lettered
 * (with the source bytes, reason, stage and where from) and processing resumes; Kafka's failures and
 * the registry fail the task, and a registry outage closes the gate (which pauses processing).
 */
class ErrorHandlersTest {
    final byte[] rawKey = "p-1".getBytes(StandardCharsets.UTF_8);
    final byte[] rawValue = {0, 0, 0, 0, 3, 42};

    ErrorHandlerContext context(String node) {
        return new ErrorHandlerContext() {
            @Override public String topic() { return "spine.followups.v1"; }
            @Override public int partition() { return 2; }
            @Override public long offset() { return 17; }
            @Override public Headers headers() { return new RecordHeaders(); }
            @Override public String processorNodeId() { return node; }
            @Override public TaskId taskId() { return new TaskId(1, 2); }
            @Override public long timestamp() { return 1_000L; }
            @Override public byte[] sourceRawKey() { return rawKey; }
            @Override public byte[] sourceRawValue() { return rawValue; }
        };
    }

    @Test
    void processing_ourFailureIsDeadLetteredWithTheSourceBytes_andProcessingResumes() {
        ErrorHandlers.Processing handler = new ErrorHandlers.Processing();
        handler.configure(Map.of());
        ProcessingExceptionHandler.Response r = handler.handleError(context("outcome-value"), new Record<>("p-1", "v", 1_000L),
                new IllegalStateException("bug"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, r.result());
        assertEquals(1, r.deadLetterQueueRecords().size());
        ProducerRecord<byte[], byte[]> dl = r.deadLetterQueueRecords().get(0);
        assertEquals(Topics.REJECTED.name(), dl.topic());
        assertArrayEquals(rawKey, dl.key());
        assertArrayEquals(rawValue, dl.value());
        assertEquals(1_000L, dl.timestamp());
        assertEquals("PROCESSING_ERROR", header(dl, RejectionHeaders.REASON));
        assertEquals("unexpected:outcome-value", header(dl, RejectionHeaders.STAGE));
        assertEquals("IllegalStateException: bug", header(dl, RejectionHeaders.MESSAGE));
        assertEquals("spine.followups.v1", header(dl, RejectionHeaders.SOURCE_TOPIC));
        assertEquals("2", header(dl, RejectionHeaders.SOURCE_PARTITION));
        assertEquals("17", header(dl, RejectionHeaders.SOURCE_OFFSET));

        // In a punctuation there is no record: the dead letter names the node, without bytes.
        ProcessingExceptionHandler.Response p = handler.handleError(context("cell"), null, new ArithmeticException("overflow"));
        assertEquals(ProcessingExceptionHandler.Result.RESUME, p.result());
        assertEquals(null, p.deadLetterQueueRecords().get(0).key());
        assertEquals(null, p.deadLetterQueueRecords().get(0).value());
        assertEquals("unexpected:cell", header(p.deadLetterQueueRecords().get(0), RejectionHeaders.STAGE));
    }

    @Test
    void processing_kafkaAndRegistryFailuresFailTheTask_aRegistryOutageClosesTheGate() {
        RegistryGate gate = new RegistryGate("test registry");
        ErrorHandlers.Processing handler = new ErrorHandlers.Processing();
        handler.configure(Map.of(ErrorHandlers.REGISTRY_GATE_CONFIG, gate));
        ProcessingExceptionHandler.Response kafka = handler.handleError(context("sink-arm-aggregates"), new Record<>("k", "v", 0L),
                new StreamsException("broker gone"));
        assertEquals(ProcessingExceptionHandler.Result.FAIL, kafka.result());
        assertEquals(List.of(), kafka.deadLetterQueueRecords());
        assertFalse(gate.closed(), "not a registry outage");

        ProcessingExceptionHandler.Response registry = handler.handleError(context("outcome-value"), new Record<>("k", "v", 0L),
                new IllegalStateException("wrapped", new SchemaRegistryException("connection refused", 0, 0)));
        assertEquals(ProcessingExceptionHandler.Result.FAIL, registry.result());
        assertEquals(List.of(), registry.deadLetterQueueRecords());
        assertTrue(gate.closed());
        assertEquals("running outcome-value", gate.outage().orElseThrow().where());
    }

    @Test
    void production_aRecordThatCannotBeSerialisedIsDeadLettered_unlessTheRegistryIsTheCause() {
        RegistryGate gate = new RegistryGate("test registry");
        ErrorHandlers.Production handler = new ErrorHandlers.Production();
        handler.configure(Map.of(ErrorHandlers.REGISTRY_GATE_CONFIG, gate));
        ProducerRecord<String, String> record = new ProducerRecord<>(Topics.ARM_AGGREGATES.name(), "ITT/VERTEBROPLASTY/M1/ALL", "value");

        ProductionExceptionHandler.Response bug = handler.handleSerializationError(context("sink-arm-aggregates"), record,
                new IllegalArgumentException("NaN in a non-null field"), ProductionExceptionHandler.SerializationExceptionOrigin.VALUE);
        assertEquals(ProductionExceptionHandler.Result.RESUME, bug.result());
        ProducerRecord<byte[], byte[]> dl = bug.deadLetterQueueRecords().get(0);
        assertArrayEquals("ITT/VERTEBROPLASTY/M1/ALL".getBytes(StandardCharsets.UTF_8), dl.key());
        assertEquals("serialization:spine.arm-aggregates.v1", header(dl, RejectionHeaders.STAGE));
        assertEquals("cannot serialise the value for spine.arm-aggregates.v1: IllegalArgumentException: NaN in a non-null field",
                header(dl, RejectionHeaders.MESSAGE));

        assertEquals(ProductionExceptionHandler.Result.FAIL, handler.handleSerializationError(context("sink-arm-aggregates"), record,
                new IncompatibleSchemaException("refused", 409), ProductionExceptionHandler.SerializationExceptionOrigin.VALUE).result());
        assertFalse(gate.closed());
        assertEquals(ProductionExceptionHandler.Result.FAIL, handler.handleSerializationError(context("sink-arm-aggregates"), record,
                new SchemaRegistryException("503", 503, 0), ProductionExceptionHandler.SerializationExceptionOrigin.VALUE).result());
        assertTrue(gate.closed());
        assertEquals(ProductionExceptionHandler.Result.FAIL, handler.handleError(context("sink"), new ProducerRecord<>("t", new byte[0]),
                new StreamsException("send failed")).result());
    }

    @Test
    void deserialization_aRecordThatDoesNotDeserialiseIsDeadLetteredUndecodableWithItsBytes() {
        ErrorHandlers.Deserialization handler = new ErrorHandlers.Deserialization();
        handler.configure(Map.of());
        ConsumerRecord<byte[], byte[]> record = new ConsumerRecord<>("app-cell-deltas-repartition", 1, 99, rawKey, rawValue);
        DeserializationExceptionHandler.Response r = handler.handleError(context("cell-deltas-repartition-source"), record,
                new java.nio.BufferUnderflowException());
        assertEquals(DeserializationExceptionHandler.Result.RESUME, r.result());
        ProducerRecord<byte[], byte[]> dl = r.deadLetterQueueRecords().get(0);
        assertArrayEquals(rawKey, dl.key());
        assertArrayEquals(rawValue, dl.value());
        assertEquals("UNDECODABLE", header(dl, RejectionHeaders.REASON));
        assertEquals("app-cell-deltas-repartition", header(dl, RejectionHeaders.SOURCE_TOPIC));
        assertEquals("99", header(dl, RejectionHeaders.SOURCE_OFFSET));
    }

    private static String header(ProducerRecord<byte[], byte[]> r, String name) {
        return r.headers().lastHeader(name) == null ? null : new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
