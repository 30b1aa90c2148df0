package org.spineoutcomes.producer.publish;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.kafka.ClientSecurity;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.serde.SchemaGovernance;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryClients;
import org.spineoutcomes.serde.SerdeConfig;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.validation.EventValidator;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.ReasonCode;
import org.spineoutcomes.validation.Violation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed producer hospitals embed. Input events carry the hospital patient identifier (MRN) in
 * {@code patientId}; the publisher replaces it by the keyed pseudonym, validates the result with the
 * stream's own {@link EventValidator}, and only then sends it, keyed by the pseudonym, to the
 * event's topic. The caller's event object is never modified.
 *
 * <p>Delivery: idempotent producer ({@code enable.idempotence=true}, {@code acks=all}), so broker
 * retries neither lose nor duplicate; order per patient is kept (same key, same partition).
 * {@link #close()} flushes everything in flight.
 *
 * <p>Schemas: by default the publisher does not register schemas; it looks up the id of its event
 * schema under {@code <topic>-value}, so the contract owner decides what a subject holds and a send
 * fails ("not registered") rather than adding a version. {@link Builder#autoRegisterSchemas(boolean)}
 * turns registration on (the simulator and the demo do); the publisher then first makes sure the input
 * subjects have the compatibility level BACKWARD ({@link SchemaGovernance}).
 *
 * <pre>{@code
 * try (SpinePublisher publisher = SpinePublisher.builder()
 *         .bootstrapServers("localhost:9092").registryUrl("http://localhost:8081")
 *         .pseudonymiser(PseudonymKeys.fromEnvironment(false, System.err)).build()) {
 *     publisher.publish(procedureEvent).whenComplete((result, error) -> ...);
 * }
 * }</pre>
 */
public final class SpinePublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpinePublisher.class);

    private final Producer<String, SpecificRecord> producer;
    private final Pseudonymiser pseudonymiser;
    private final EventValidator validator;
    private final Clock clock;
    private final PublisherCounters counters = new PublisherCounters();
    private final AtomicBoolean authFailureLogged = new AtomicBoolean();

    /** For tests and callers that manage their own producer (e.g. Kafka's MockProducer). */
    public SpinePublisher(Producer<String, SpecificRecord> producer, Pseudonymiser pseudonymiser, EventValidator validator, Clock clock) {
        this.producer = Objects.requireNonNull(producer, "producer");
        this.pseudonymiser = Objects.requireNonNull(pseudonymiser, "pseudonymiser");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static Builder builder() {
        return new Builder();
    }

    public CompletableFuture<PublishResult> publish(ProcedureEvent event) { return publishAny(event); }

    public CompletableFuture<PublishResult> publish(ImagingEvent event) { return publishAny(event); }

    public CompletableFuture<PublishResult> publish(FollowUpEvent event) { return publishAny(event); }

    /**
     * Any input event. The future completes with where it landed, or exceptionally with
     * {@link RejectedEventException} (invalid: nothing sent) or the Kafka / registry error.
     */
    public CompletableFuture<PublishResult> publishAny(SpecificRecord event) {
        PreparedEvent prepared;
        try {
            prepared = prepare(event);
        } catch (RejectedEventException e) {
            return CompletableFuture.failedFuture(e);
        }
        return send(prepared);
    }

    /**
     * Pseudonymises and validates without sending; counts a rejection.
     *
     * @throws RejectedEventException when the event is not valid
     */
    public PreparedEvent prepare(SpecificRecord event) throws RejectedEventException {
        if (event == null) {
            throw reject(null, List.of(new Violation(ReasonCode.WRONG_EVENT_TYPE, null, "The event is null.")));
        }
        EventType type;
        try {
            type = EventType.of(event);
        } catch (IllegalArgumentException e) {
            throw reject(null, List.of(new Violation(ReasonCode.WRONG_EVENT_TYPE, null, e.getMessage())));
        }
        Schema schema = event.getSchema();
        SpecificRecord copy = (SpecificRecord) SpecificData.getForSchema(schema).deepCopy(schema, event);
        int patientField = schema.getField("patientId").pos();
        int idField = schema.getField("eventId").pos();
        Object mrn = copy.get(patientField);
        String pseudonym = null;
        if (mrn != null && !mrn.toString().isBlank()) {
            // The MRN is checked before it is hashed: a pseudonym of a zero-width space or of a megabyte
            // would be a perfectly valid-looking id. The message names the character, not the MRN.
            Violation badMrn = InputLimits.identifierProblem("patientId", mrn.toString());
            if (badMrn != null) {
                Object eventId = copy.get(idField);
                throw reject(eventId == null ? null : eventId.toString(), List.of(badMrn));
            }
            pseudonym = pseudonymiser.pseudonymise(mrn.toString());
            copy.put(patientField, pseudonym);
        }
        // Validated after pseudonymising, so no violation message can quote the MRN.
        List<Violation> violations = validator.validate(copy, clock.instant());
        Object eventId = copy.get(idField);
        String id = eventId == null ? null : eventId.toString();
        if (!violations.isEmpty()) throw reject(id, violations);
        return new PreparedEvent(type.topic().name(), pseudonym, id, copy);
    }

    private RejectedEventException reject(String eventId, List<Violation> violations) {
        counters.rejected(violations.get(0).reason());
        return new RejectedEventException(eventId, violations);
    }

    /** Sends an event {@link #prepare prepared} by this publisher. */
    public CompletableFuture<PublishResult> send(PreparedEvent prepared) {
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        try {
            producer.send(new ProducerRecord<>(prepared.topic(), prepared.pseudonym(), prepared.value()), (metadata, error) -> {
                if (error != null) {
                    counters.failed();
                    if (ClientSecurity.authenticationFailure(error) == null) {
                        LOG.warn("event {} not delivered to {}: {}", prepared.eventId(), prepared.topic(), error.toString());
                    } else if (!authFailureLogged.getAndSet(true)) {
                        // Every event fails alike while Kafka refuses the credentials: said once.
                        LOG.warn("Kafka refused this producer ({}); events are not delivered", error.toString());
                    }
                    result.completeExceptionally(error);
                } else {
                    counters.sent();
                    result.complete(new PublishResult(prepared.eventId(), metadata.topic(), metadata.partition(),
                            metadata.offset(), prepared.pseudonym()));
                }
            });
        } catch (RuntimeException e) {
            // send() itself throws for serialisation, registry and metadata-timeout failures
            counters.failed();
            result.completeExceptionally(e);
        }
        return result;
    }

    public PublisherCounters counters() { return counters; }

    /** Blocks until every event sent so far is acknowledged or failed. */
    public void flush() { producer.flush(); }

    /** Flushes, then closes the producer (waiting at most 30 s). */
    @Override
    public void close() {
        try {
            producer.flush();
        } finally {
            producer.close(Duration.ofSeconds(30));
        }
    }

    /** Configuration of a publisher with a real Kafka producer. */
    public static final class Builder {
        private String bootstrapServers;
        private String registryUrl;
        private SchemaRegistryClient registryClient;
        private Pseudonymiser pseudonymiser;
        private Clock clock = Clock.systemUTC();
        private EventValidator validator = new EventValidator();
        private final Map<String, Object> producerProperties = new HashMap<>();
        private final Map<String, Object> serdeProperties = new HashMap<>();
        private Boolean autoRegisterSchemas;

        public Builder bootstrapServers(String servers) { this.bootstrapServers = servers; return this; }

        /** Schema registry base URL (Confluent API; Apicurio at .../apis/ccompat/v7). */
        public Builder registryUrl(String url) { this.registryUrl = url; return this; }

        /** A registry client to use instead of a URL (e.g. InMemorySchemaRegistryClient in tests). */
        public Builder registryClient(SchemaRegistryClient client) { this.registryClient = client; return this; }

        public Builder pseudonymiser(Pseudonymiser p) { this.pseudonymiser = p; return this; }

        public Builder clock(Clock c) { this.clock = c; return this; }

        public Builder validator(EventValidator v) { this.validator = v; return this; }

        /** Extra Kafka producer settings (security, timeouts); idempotence and acks cannot be weakened. */
        public Builder producerProperty(String key, Object value) { producerProperties.put(key, value); return this; }

        /** Extra serializer settings with Confluent names (basic.auth.user.info, bearer.auth.token, ...). */
        public Builder serdeProperty(String key, Object value) { serdeProperties.put(key, value); return this; }

        /**
         * Whether a schema missing from its subject is registered on first use. Default false (also when
         * {@code auto.register.schemas} is not given as a serde property): production producers only look
         * schema ids up. True for simulators and demos; the input subjects are then set to BACKWARD first
         * (unless they have a level of their own).
         */
        public Builder autoRegisterSchemas(boolean on) { this.autoRegisterSchemas = on; return this; }

        public SpinePublisher build() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) throw new IllegalStateException("bootstrapServers is required");
            if (pseudonymiser == null) throw new IllegalStateException("pseudonymiser is required: no event may leave with its MRN");
            if (registryClient == null && (registryUrl == null || registryUrl.isBlank())) {
                throw new IllegalStateException("registryUrl or registryClient is required");
            }
            SpineAvroSerializer<SpecificRecord> values = valueSerializer();
            Map<String, Object> props = new HashMap<>();
            props.put(ProducerConfig.CLIENT_ID_CONFIG, "spine-producer");
            props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
            props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
            props.putAll(producerProperties);
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            Producer<String, SpecificRecord> producer = new KafkaProducer<>(props, new StringSerializer(), values);
            return new SpinePublisher(producer, pseudonymiser, validator, clock);
        }

        /** The value serializer {@link #build()} gives the producer: registry, subject strategy, auto-registration. */
        SpineAvroSerializer<SpecificRecord> valueSerializer() {
            Map<String, Object> serde = new HashMap<>(serdeProperties);
            serde.put(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
            boolean autoRegister = autoRegisterSchemas != null ? autoRegisterSchemas
                    : serdeProperties.containsKey(SerdeConfig.AUTO_REGISTER_SCHEMAS) && new SerdeConfig(serdeProperties).autoRegisterSchemas();
            serde.put(SerdeConfig.AUTO_REGISTER_SCHEMAS, autoRegister);
            SchemaRegistryClient client = registryClient != null ? registryClient : SchemaRegistryClients.fromConfig(new SerdeConfig(serde));
            if (autoRegister) governInputSubjects(client);
            SerdeConfig config = new SerdeConfig(serde);
            SpineAvroSerializer<SpecificRecord> values = new SpineAvroSerializer<>(client, false,
                    config.subjectNameStrategy(false), autoRegister, config.useLatestVersion());
            return values;
        }

        /** Before registering anything: the input subjects at least BACKWARD, so a wrong schema is refused. */
        private static void governInputSubjects(SchemaRegistryClient client) {
            List<String> subjects = Topics.INPUTS.stream().flatMap(t -> t.valueSubject().stream()).toList();
            try {
                List<String> set = SchemaGovernance.requireBackward(client, subjects);
                if (!set.isEmpty()) LOG.info("set compatibility {} on {}", SchemaGovernance.BACKWARD, set);
            } catch (RuntimeException e) {
                // the registry may be down now and up by the first send; registering then still works
                LOG.warn("could not check the compatibility level of {}: {}", subjects, e.toString());
            }
        }
    }
}
