package org.spineoutcomes.ingest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.serde.SchemaRegistryException;
import org.spineoutcomes.serde.WrongRecordTypeException;
import org.spineoutcomes.validation.EventValidator;
import org.spineoutcomes.validation.ReasonCode;
import org.spineoutcomes.validation.Violation;

/**
 * First step for every input record: decode the Confluent-wire Avro bytes ourselves (so undecodable
 * bytes become a dead letter with the original bytes instead of a crash), check the key is the
 * event's patient pseudonym (co-partitioning depends on it), and validate the fields with the
 * shared {@link EventValidator}. A record that decodes completely with the writer schema its id names,
 * when that schema is another event type than the topic's, is WRONG_EVENT_TYPE (not UNDECODABLE). Valid events go on keyed by patient; everything else becomes a
 * {@link DeadLetter}.
 */
public final class IngestProcessor implements Processor<byte[], byte[], String, Ingested> {

    private final Map<EventType, Deserializer<? extends SpecificRecord>> deserializers;
    private final EventValidator validator = new EventValidator();
    private ProcessorContext<String, Ingested> context;
    private IngestMetrics metrics;

    /** How long the thread waits before failing the task on a registry outage (so retries do not spin). */
    static final java.time.Duration REGISTRY_RETRY_PAUSE = java.time.Duration.ofSeconds(5);
    private final java.time.Duration registryRetryPause;

    /** No answer at all (connection refused, timeout: status 0) or a server error (5xx): the registry, not the record. */
    static boolean registryUnavailable(SchemaRegistryException e) {
        return e.httpStatus() == 0 || e.httpStatus() >= 500;
    }

    private void pauseBeforeRetry() {
        try {
            Thread.sleep(registryRetryPause.toMillis());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The task fails and its record is read again: an infrastructure failure, never a rejection. */
    public static final class RegistryUnavailableException extends RuntimeException {
        RegistryUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public IngestProcessor(Map<EventType, Deserializer<? extends SpecificRecord>> deserializers) {
        this(deserializers, REGISTRY_RETRY_PAUSE);
    }

    /** With another pause before a registry outage fails the task (tests). */
    IngestProcessor(Map<EventType, Deserializer<? extends SpecificRecord>> deserializers, java.time.Duration registryRetryPause) {
        this.registryRetryPause = registryRetryPause;
        this.deserializers = deserializers;
    }

    @Override
    public void init(ProcessorContext<String, Ingested> context) {
        this.context = context;
        this.metrics = new IngestMetrics(context.metrics(), context.taskId().toString());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.recordIn();
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        Optional<EventType> source = EventType.ofTopic(meta.topic());
        if (source.isEmpty()) {
            reject(record, meta, ReasonCode.WRONG_EVENT_TYPE, null, "records from topic " + meta.topic() + " are not input events");
            return;
        }
        if (record.value() == null || record.value().length == 0) {
            reject(record, meta, ReasonCode.UNDECODABLE, null, "empty value (tombstones are not events)");
            return;
        }
        SpecificRecord event;
        try {
            event = deserializers.get(source.get()).deserialize(meta.topic(), record.headers(), record.value());
        } catch (WrongRecordTypeException e) {
            // decodes completely with the writer schema its id names, but that is another event type
            reject(record, meta, ReasonCode.WRONG_EVENT_TYPE, null, e.getMessage() + "; " + meta.topic() + " carries "
                    + source.get().avroClass().getSimpleName() + " records");
            return;
        } catch (SchemaRegistryException e) {
            if (registryUnavailable(e)) {
                // Not bad input: the registry could not be asked. Fail the task after a pause, so nothing of
                // this transaction commits and the record is read again when the thread is replaced; no valid
                // record is dead-lettered for an outage.
                pauseBeforeRetry();
                throw new RegistryUnavailableException("schema registry unavailable while decoding " + meta.topic() + "-"
                        + meta.partition() + "@" + meta.offset() + "; the record will be read again: " + e.getMessage(), e);
            }
            reject(record, meta, ReasonCode.UNDECODABLE, null, e.getMessage());
            return;
        } catch (SerializationException | org.apache.avro.AvroRuntimeException e) {
            reject(record, meta, ReasonCode.UNDECODABLE, null, e.getMessage());
            return;
        }
        if (!source.get().avroClass().isInstance(event)) {
            reject(record, meta, ReasonCode.WRONG_EVENT_TYPE, null,
                    "expected " + source.get().avroClass().getSimpleName() + " on " + meta.topic());
            return;
        }
        Instant clock = Instant.ofEpochMilli(context.currentSystemTimeMs());
        List<Violation> violations = validator.validate(event, clock);
        if (!violations.isEmpty()) {
            Violation first = violations.get(0);
            StringBuilder msg = new StringBuilder();
            for (Violation v : violations) {
                if (msg.length() > 0) msg.append("; ");
                msg.append(v.field()).append(": ").append(v.message()).append(" [").append(v.reason()).append(']');
            }
            reject(record, meta, first.reason(), first.field(), msg.toString());
            return;
        }
        String patientId = EventFields.patientId(event);
        String key = record.key() == null ? null : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        if (!patientId.equals(key)) {
            reject(record, meta, ReasonCode.KEY_PATIENT_MISMATCH, "patientId",
                    "record key must equal the event's patientId (the pseudonym) so a patient's events meet in one partition");
            return;
        }
        IngestedEvent ingested = new IngestedEvent(source.get(), event, record.key(), record.value(),
                meta.topic(), meta.partition(), meta.offset());
        context.forward(new Record<>(patientId, new Ingested.Accepted(ingested), record.timestamp(), record.headers()));
    }

    private void reject(Record<byte[], byte[]> record, RecordMetadata meta, ReasonCode reason, String field, String message) {
        metrics.recordRejected(reason);
        DeadLetter dl = DeadLetter.of(record.key(), record.value(), record.headers(), reason, field, message,
                meta.topic(), meta.partition(), meta.offset());
        context.forward(new Record<>(null, new Ingested.Rejected(dl), record.timestamp(), dl.headers()));
    }
}
