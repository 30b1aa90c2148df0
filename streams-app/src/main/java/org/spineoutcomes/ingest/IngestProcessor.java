package org.spineoutcomes.ingest;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
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
 *
 * <p>A registry outage is not bad input. When the writer schema cannot be fetched because the
 * registry does not answer (or answers 5xx), the record is <em>held</em>: kept as it came in a logged
 * store (so exactly-once covers it) and reported to the {@link RegistryGate}, which pauses
 * processing. Every later record of the task is held behind it, so the task's order is kept and the
 * registry is not asked once per record. Held records are decoded again, oldest first, when the gate
 * reopens, or, without anyone to reopen it, after a back-off (0.5 s doubling to 10 s); then the task
 * goes on as if they had just arrived. Nothing is dead-lettered for an outage.
 */
public final class IngestProcessor implements Processor<byte[], byte[], String, Ingested> {

    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofSeconds(10);
    /** Held records decoded per attempt; the rest wait for the next record or punctuation (keeps one call short). */
    static final int DRAIN_PER_ATTEMPT = 2_000;

    private final Map<EventType, Deserializer<? extends SpecificRecord>> deserializers;
    private final String heldStore;
    private final RegistryGate gate;
    private final EventValidator validator = new EventValidator();
    private ProcessorContext<String, Ingested> context;
    private IngestMetrics metrics;
    private KeyValueStore<String, HeldRecord> held;
    /** Held records of this task (the store's entries), and the sequence number of the next one. */
    private long heldCount;
    private long nextSequence;
    private long nextAttemptMs;
    private long retryMs = FIRST_RETRY.toMillis();

    /**
     * @param heldStore a key-value store (String keys, {@link HeldRecord#serde()} values) where records wait for the registry
     */
    public IngestProcessor(Map<EventType, Deserializer<? extends SpecificRecord>> deserializers, String heldStore, RegistryGate gate) {
        this.deserializers = deserializers;
        this.heldStore = heldStore;
        this.gate = gate;
    }

    @Override
    public void init(ProcessorContext<String, Ingested> context) {
        this.context = context;
        this.metrics = new IngestMetrics(context.metrics(), context.taskId().toString());
        this.held = context.getStateStore(heldStore);
        heldCount = 0;
        nextSequence = 0;
        try (KeyValueIterator<String, HeldRecord> it = held.all()) {
            while (it.hasNext()) {
                heldCount++;
                nextSequence = Long.parseLong(it.next().key) + 1;
            }
        }
        // Without records arriving (the outage hit the last ones), a punctuation retries the held records.
        context.schedule(FIRST_RETRY, PunctuationType.WALL_CLOCK_TIME, now -> {
            if (heldCount > 0) drainHeld(now);
        });
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        metrics.recordIn();
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        HeldRecord in = new HeldRecord(meta.topic(), meta.partition(), meta.offset(), record.timestamp(), record.key(), record.value(), record.headers());
        if (heldCount > 0 && !drainHeld(context.currentSystemTimeMs())) {
            hold(in);
            return;
        }
        Decoded decoded = decode(in);
        if (decoded.registryDown() != null) {
            hold(in);
            registryUnavailable(in, decoded.registryDown());
            return;
        }
        forward(decoded, in);
    }

    /**
     * Decodes the held records, oldest first, while the registry answers. True when none is left
     * (the registry answered for all of them); false when it is still down or more are left, or when
     * the back-off says not yet (only while the gate is closed: a reopened gate means try now).
     */
    private boolean drainHeld(long now) {
        if (gate.closed() && now < nextAttemptMs) return false;
        List<KeyValue<String, HeldRecord>> batch = new ArrayList<>();
        try (KeyValueIterator<String, HeldRecord> it = held.all()) {
            while (it.hasNext() && batch.size() < DRAIN_PER_ATTEMPT) batch.add(it.next());
        }
        for (KeyValue<String, HeldRecord> kv : batch) {
            Decoded decoded = decode(kv.value);
            if (decoded.registryDown() != null) {
                registryUnavailable(kv.value, decoded.registryDown());
                return false;
            }
            forward(decoded, kv.value);
            held.delete(kv.key);
            heldCount--;
        }
        retryMs = FIRST_RETRY.toMillis();
        nextAttemptMs = 0;
        if (heldCount > 0) return false;
        gate.reportAnswered();
        return true;
    }

    private void hold(HeldRecord in) {
        // Zero-padded, so the store's key order is the arrival order.
        held.put(String.format("%019d", nextSequence++), in);
        heldCount++;
        metrics.recordHeld();
    }

    private void registryUnavailable(HeldRecord in, SchemaRegistryException e) {
        nextAttemptMs = context.currentSystemTimeMs() + retryMs;
        retryMs = Math.min(2 * retryMs, MAX_RETRY.toMillis());
        gate.reportUnavailable("decoding " + in.topic() + "-" + in.partition() + "@" + in.offset(), e);
    }

    /** The outcome of decoding one record: an event or a dead letter (with its reason) to forward, or the registry outage that prevented it. */
    private record Decoded(Ingested result, ReasonCode reason, SchemaRegistryException registryDown) {
        static Decoded accepted(IngestedEvent event) {
            return new Decoded(new Ingested.Accepted(event), null, null);
        }
    }

    /** Decodes, checks and validates one record; touches no state and forwards nothing. */
    private Decoded decode(HeldRecord r) {
        try {
            return decodeOrThrow(r);
        } catch (RuntimeException e) {
            // A bug or an unforeseen input must not stop the partition: dead-letter it with its bytes.
            return rejection(r, ReasonCode.PROCESSING_ERROR, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private Decoded decodeOrThrow(HeldRecord r) {
        Optional<EventType> source = EventType.ofTopic(r.topic());
        if (source.isEmpty()) {
            return rejection(r, ReasonCode.WRONG_EVENT_TYPE, null, "records from topic " + r.topic() + " are not input events");
        }
        if (r.value() == null || r.value().length == 0) {
            return rejection(r, ReasonCode.UNDECODABLE, null, "empty value (tombstones are not events)");
        }
        SpecificRecord event;
        try {
            event = deserializers.get(source.get()).deserialize(r.topic(), r.headers(), r.value());
        } catch (WrongRecordTypeException e) {
            // decodes completely with the writer schema its id names, but that is another event type
            return rejection(r, ReasonCode.WRONG_EVENT_TYPE, null, e.getMessage() + "; " + r.topic() + " carries "
                    + source.get().avroClass().getSimpleName() + " records");
        } catch (SchemaRegistryException e) {
            if (RegistryGate.unavailable(e)) {
                return new Decoded(null, null, e);
            }
            return rejection(r, ReasonCode.UNDECODABLE, null, e.getMessage());
        } catch (SerializationException | org.apache.avro.AvroRuntimeException e) {
            return rejection(r, ReasonCode.UNDECODABLE, null, e.getMessage());
        }
        if (!source.get().avroClass().isInstance(event)) {
            return rejection(r, ReasonCode.WRONG_EVENT_TYPE, null,
                    "expected " + source.get().avroClass().getSimpleName() + " on " + r.topic());
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
            return rejection(r, first.reason(), first.field(), msg.toString());
        }
        String patientId = EventFields.patientId(event);
        String key = r.key() == null ? null : new String(r.key(), java.nio.charset.StandardCharsets.UTF_8);
        if (!patientId.equals(key)) {
            return rejection(r, ReasonCode.KEY_PATIENT_MISMATCH, "patientId",
                    "record key must equal the event's patientId (the pseudonym) so a patient's events meet in one partition");
        }
        return Decoded.accepted(new IngestedEvent(source.get(), event, r.key(), r.value(), r.topic(), r.partition(), r.offset()));
    }

    private static Decoded rejection(HeldRecord r, ReasonCode reason, String field, String message) {
        return new Decoded(new Ingested.Rejected(DeadLetter.of(r.key(), r.value(), r.headers(), reason, field, message,
                r.topic(), r.partition(), r.offset())), reason, null);
    }

    private void forward(Decoded decoded, HeldRecord r) {
        if (decoded.result() instanceof Ingested.Accepted accepted) {
            context.forward(new Record<>(EventFields.patientId(accepted.event().event()), decoded.result(), r.timestamp(), r.headers()));
        } else {
            metrics.recordRejected(decoded.reason());
            context.forward(new Record<>(null, decoded.result(), r.timestamp(), ((Ingested.Rejected) decoded.result()).deadLetter().headers()));
        }
    }
}
