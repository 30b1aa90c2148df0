package org.spineoutcomes.topology;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.spineoutcomes.ingest.DeadLetter;
import org.spineoutcomes.ingest.FailureStage;
import org.spineoutcomes.ingest.RegistryGate;
import org.spineoutcomes.serde.SchemaRegistryException;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.validation.ReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka Streams' error handlers as this app sets them: nothing loops on a bad record, nothing valid is
 * dropped for an outage.
 * <ul>
 *   <li>An unexpected exception in a processor or punctuator that no step handled itself is our bug or
 *       an unforeseen record: the record (its source bytes, or none for a punctuation) is dead-lettered
 *       as PROCESSING_ERROR with {@code spine.stage=unexpected:<node>} and processing goes on
 *       ({@link Processing}).</li>
 *   <li>A schema registry that cannot be asked, and Kafka's own failures (broker, state store), are not
 *       bad data: the task fails and exactly-once rolls it back; a registry outage also closes the
 *       {@link RegistryGate} (if one is configured), which pauses processing until the registry answers,
 *       so a replaced thread does not spin.</li>
 *   <li>A record that cannot be serialised for other reasons is dead-lettered ({@link Production}), and
 *       one that cannot be deserialised (an internal topic's corrupt record, foreign bytes on the data-cut
 *       topic) is dead-lettered as UNDECODABLE ({@link Deserialization}).</li>
 * </ul>
 * Each failure is logged as one WARN line without a stack trace, at most once a minute per node and
 * exception type (with the number left out).
 */
public final class ErrorHandlers {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorHandlers.class);

    /** Streams config key carrying the app's {@link RegistryGate} (an object) to the handlers; optional. */
    public static final String REGISTRY_GATE_CONFIG = "spine.registry.gate";
    static final long LOG_EVERY_MS = 60_000;

    private static final Map<String, long[]> LOGGED = new ConcurrentHashMap<>();

    private ErrorHandlers() {}

    /** Sets the three handlers in a Kafka Streams configuration. */
    static void configure(Properties p) {
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, Processing.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, Production.class.getName());
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, Deserialization.class.getName());
    }

    /**
     * Kafka's own failures (broker, producer, state store; the registry client's errors are serialization
     * exceptions, a kind of KafkaException): never handled as bad data, the task fails instead.
     */
    public static boolean infrastructure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof KafkaException) return true;
        }
        return false;
    }

    /** One line per failure: at most once a minute per key, with how many were not logged since. */
    static void warn(String key, String line) {
        long now = System.currentTimeMillis();
        long[] state = LOGGED.computeIfAbsent(key, k -> new long[] {Long.MIN_VALUE / 2, 0});
        long skipped;
        synchronized (state) {
            if (now - state[0] < LOG_EVERY_MS) {
                state[1]++;
                return;
            }
            skipped = state[1];
            state[0] = now;
            state[1] = 0;
        }
        LOG.warn(skipped == 0 ? line : line + " (" + skipped + " more like it in the last minute, not logged)");
    }

    static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    static ProducerRecord<byte[], byte[]> toRejectedTopic(DeadLetter dl, long timestamp) {
        return new ProducerRecord<>(Topics.REJECTED.name(), null, timestamp < 0 ? null : timestamp, dl.key(), dl.value(), dl.headers());
    }

    /** A handler told of the app's {@link RegistryGate} through {@link #REGISTRY_GATE_CONFIG}, if any. */
    private abstract static class GateAware implements org.apache.kafka.common.Configurable {
        Optional<RegistryGate> gate = Optional.empty();

        @Override
        public void configure(Map<String, ?> configs) {
            gate = configs.get(REGISTRY_GATE_CONFIG) instanceof RegistryGate g ? Optional.of(g) : Optional.empty();
        }
    }

    /** True (the task must fail) for a registry outage, reported to the gate, or another infrastructure failure. */
    private static boolean failsTheTask(Optional<RegistryGate> gate, String where, Exception e) {
        Optional<SchemaRegistryException> down = RegistryGate.unavailableCause(e);
        if (down.isPresent()) {
            gate.ifPresent(g -> g.reportUnavailable(where, down.get()));
            return true;
        }
        return infrastructure(e);
    }

    /** Exceptions from processors and punctuators that no step handled itself. */
    public static final class Processing extends GateAware implements ProcessingExceptionHandler {

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            String node = context.processorNodeId();
            if (failsTheTask(gate, "running " + node, exception)) {
                return Response.fail();
            }
            boolean punctuation = record == null;
            String what = punctuation ? "a punctuation of " + node
                    : "a record of " + context.topic() + "-" + context.partition() + "@" + context.offset() + " in " + node;
            warn("processing:" + node + ":" + exception.getClass().getName(), "unexpected failure in " + what + ", dead-lettered as "
                    + ReasonCode.PROCESSING_ERROR + " and skipped: " + describe(exception));
            DeadLetter dl = DeadLetter.processingError(FailureStage.UNEXPECTED, node,
                    punctuation ? null : context.sourceRawKey(), punctuation ? null : context.sourceRawValue(),
                    describe(exception), context.topic(), context.partition(), context.offset());
            return Response.resume(List.of(toRejectedTopic(dl, context.timestamp())));
        }
    }

    /** Send failures fail the task (Kafka's default); a record that cannot be serialised is dead-lettered, unless the registry is the cause. */
    public static final class Production extends GateAware implements ProductionExceptionHandler {

        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
            return Response.fail();
        }

        @Override
        @SuppressWarnings("rawtypes")
        public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                                 SerializationExceptionOrigin origin) {
            String topic = record.topic();
            Optional<SchemaRegistryException> down = RegistryGate.unavailableCause(exception);
            if (down.isPresent()) {
                gate.ifPresent(g -> g.reportUnavailable("writing to " + topic, down.get()));
                return Response.fail();
            }
            if (exception instanceof SchemaRegistryException) {
                // the registry refused (auth, incompatible schema): a setting to fix, not a record to drop
                return Response.fail();
            }
            warn("serialization:" + topic + ":" + exception.getClass().getName(), "cannot serialise the " + origin.name().toLowerCase()
                    + " of a record for " + topic + " (from " + context.processorNodeId() + "), dead-lettered as "
                    + ReasonCode.PROCESSING_ERROR + " and not written: " + describe(exception));
            Object key = record.key();
            byte[] keyBytes = key instanceof byte[] b ? b : key == null ? null : String.valueOf(key).getBytes(StandardCharsets.UTF_8);
            DeadLetter dl = DeadLetter.processingError(FailureStage.SERIALIZATION, topic, keyBytes, null,
                    "cannot serialise the " + origin.name().toLowerCase() + " for " + topic + ": " + describe(exception),
                    context.topic(), context.partition(), context.offset());
            return Response.resume(List.of(toRejectedTopic(dl, context.timestamp())));
        }
    }

    /** A record of an internal or the data-cut topic that does not deserialise: dead-lettered with its bytes (none for a global store). */
    public static final class Deserialization implements DeserializationExceptionHandler {
        @Override
        public void configure(Map<String, ?> configs) {
        }

        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
            warn("deserialization:" + record.topic() + ":" + exception.getClass().getName(), "cannot deserialise the record "
                    + record.topic() + "-" + record.partition() + "@" + record.offset() + ", dead-lettered as " + ReasonCode.UNDECODABLE
                    + " and skipped: " + describe(exception));
            DeadLetter dl = DeadLetter.of(record.key(), record.value(), record.headers(), ReasonCode.UNDECODABLE, null, describe(exception),
                    record.topic(), record.partition(), record.offset());
            return Response.resume(List.of(toRejectedTopic(dl, record.timestamp())));
        }
    }
}
