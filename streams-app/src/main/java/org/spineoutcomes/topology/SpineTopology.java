package org.spineoutcomes.topology;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.ingest.DeadLetter;
import org.spineoutcomes.ingest.HeldRecord;
import org.spineoutcomes.ingest.IngestProcessor;
import org.spineoutcomes.ingest.RegistryGate;
import org.spineoutcomes.ingest.Ingested;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.topics.Topics;

/**
 * Builds the Spine Outcomes topology; running it is {@code SpineStreamsApp}'s job.
 *
 * <pre>
 * procedures ┐                                   ┌─► spine.patient-outcomes.v1
 * imaging    ├─► ingest ─► patient (store) ──────┼─► spine.rejected.v1 (also from ingest)
 * followups  ┘   decode,   events in any order,  ├─► spine.data-cut.v1 ─► global store data-cut
 *                validate  outcome, cell deltas  ├─► [cell-deltas, key population/window] ─► cell (store) ─┬─► spine.arm-aggregates.v1
 *                                                │                                                         └─► spine.arm-comparisons.v1
 *                                                └─► [adjusted-deltas, key population] ─► adjusted-cell (store) ─┬─► spine.adjusted-comparisons.v1
 *                                                                                                                └─► spine.time-to-event.v1
 * </pre>
 * Every operator, store and internal topic is named, so the topology can evolve without
 * renaming state (ensure.explicit.internal.resource.naming).
 */
public final class SpineTopology {

    public static final String PATIENT_STORE = "patient-state";
    public static final String EVENTS_STORE = "patient-events";
    /**
     * Length of the pseudonyms the producers make (HMAC-SHA256 in hex). The events store's keys start with the patient's
     * pseudonym, and reading a patient's events back scans that prefix: RocksDB keeps a Bloom filter of these first
     * characters, so a scan skips the sorted runs without the patient. Other patient keys work as well, unfiltered when
     * shorter.
     */
    static final int PSEUDONYM_LENGTH = 64;
    public static final String PARTITION_CUT_STORE = "partition-data-cut";
    public static final String DATA_CUT_STORE = "data-cut";
    public static final String RULES_STORE = "patient-rules-version";
    public static final String PENDING_STORE = "pending-cell-deltas";
    /** Patients with events logged since their outcome was last computed (folded mode). */
    public static final String TO_COMPUTE_STORE = "patients-to-compute";
    public static final String CELL_STORE = "cell-statistics";
    public static final String DIRTY_STORE = "cells-to-publish";
    /** Fingerprint of the value last published per aggregate and comparison key (identical values are not re-sent). */
    public static final String PUBLISHED_STORE = "published-fingerprints";
    public static final String COMPLETENESS_STORE = "cell-completeness";
    public static final String CELL_DELTAS_TOPIC = "cell-deltas";
    /** Input records waiting for the schema registry (see {@link IngestProcessor}). */
    public static final String HELD_STORE = "ingest-held";
    /** R36 standardisation cells (population/arm/window/ALL): per-pattern exact sums. */
    public static final String STANDARDISATION_STORE = "standardisation-cells";
    /** R37 Kaplan-Meier cells (population/arm/OVERALL/stratum): per-day counts. */
    public static final String SURVIVAL_STORE = "survival-cells";
    public static final String ADJUSTED_DIRTY_STORE = "adjusted-to-publish";
    public static final String ADJUSTED_DELTAS_TOPIC = "adjusted-deltas";

    /** The stores of the cell stage (the cell and adjusted-cell steps); the rest belong to the patient stage. */
    public static final java.util.Set<String> CELL_STAGE_STORES = java.util.Set.of(CELL_STORE, DIRTY_STORE, PUBLISHED_STORE,
            COMPLETENESS_STORE, STANDARDISATION_STORE, SURVIVAL_STORE, ADJUSTED_DIRTY_STORE);

    /** Values kept deserialised per store and task after a read (bounds the heap; the store below holds all). */
    static final int RECENTLY_READ_PER_STORE = 10_000;

    private final SchemaRegistryClient registry;
    private final TopologySettings settings;
    private final RegistryGate gate;

    /** @param registry where the Avro serdes of the topics ({@link Topics}) find and register schemas */
    public SpineTopology(SchemaRegistryClient registry, TopologySettings settings) {
        this(registry, settings, new RegistryGate(registry.toString()));
    }

    /** @param gate told when the registry cannot be asked, so that the app can pause (see {@link RegistryGate}) */
    public SpineTopology(SchemaRegistryClient registry, TopologySettings settings, RegistryGate gate) {
        this.registry = registry;
        this.settings = settings;
        this.gate = gate;
    }

    /** Streams settings the topology relies on; the runtime adds bootstrap servers and the like. */
    public static Properties requiredStreamsConfig() {
        Properties p = new Properties();
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        p.put(StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.NO_OPTIMIZATION);
        // Opt in now to the Kafka 5.0 default (the handler also covers the global data-cut store).
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // Unexpected failures are dead-lettered and skipped, outages fail the task: nothing loops (ErrorHandlers).
        ErrorHandlers.configure(p);
        // Dead letters may be as large as their topic allows (an input record of the broker's default 1 MB
        // plus headers): the producer must be able to send them.
        p.put(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                Topics.DEAD_LETTER_MAX_MESSAGE_BYTES + 64 * 1024);
        return p;
    }

    /** The whole pipeline as one topology (the cell steps read the patient step's batches from repartition topics). */
    public Topology build() {
        StreamsBuilder builder = new StreamsBuilder();
        addPatientStores(builder);
        addCellStores(builder);
        addDataCutStore(builder);
        patientStage(builder,
                deltas -> cells(deltas.repartition(Repartitioned.<String, CellDeltaBatch>as(CELL_DELTAS_TOPIC)
                        .withKeySerde(Serdes.String()).withValueSerde(CellDeltaBatch.serde())), false),
                changes -> adjusted(changes.repartition(Repartitioned.<String, AdjustedDeltaBatch>as(ADJUSTED_DELTAS_TOPIC)
                        .withKeySerde(Serdes.String()).withValueSerde(AdjustedDeltaBatch.serde())), false));
        return builder.build();
    }

    /**
     * The patient stage alone, for a Kafka Streams application of its own: ingest, the patient step, the
     * outcomes, the data cut and the dead letters; the cell batches go to the hand-on topics
     * ({@link HandOnTopics}) instead of repartition topics, so that the cell stage can run on other threads.
     */
    public Topology buildPatientStage(HandOnTopics handOn) {
        StreamsBuilder builder = new StreamsBuilder();
        addPatientStores(builder);
        addDataCutStore(builder);
        patientStage(builder,
                deltas -> deltas.to(handOn.cellDeltas(), Produced.with(Serdes.String(), CellDeltaBatch.serde()).withName("sink-cell-deltas")),
                changes -> changes.to(handOn.adjustedDeltas(), Produced.with(Serdes.String(), AdjustedDeltaBatch.serde()).withName("sink-adjusted-deltas")));
        return builder.build();
    }

    /** The cell stage alone: the cell and adjusted-cell steps, reading the patient stage's hand-on topics. */
    public Topology buildCellStage(HandOnTopics handOn) {
        StreamsBuilder builder = new StreamsBuilder();
        addCellStores(builder);
        addDataCutStore(builder);
        cells(builder.stream(handOn.cellDeltas(), Consumed.with(Serdes.String(), CellDeltaBatch.serde()).withName("source-cell-deltas")), true);
        adjusted(builder.stream(handOn.adjustedDeltas(), Consumed.with(Serdes.String(), AdjustedDeltaBatch.serde()).withName("source-adjusted-deltas")), true);
        return builder.build();
    }

    private void addPatientStores(StreamsBuilder builder) {
        // The patient step keeps its own recent patients whole (with their logs, PatientProcessor.RECENT_PATIENTS); a
        // second LRU here kept the same objects twice as long and a miss there reads the log from below anyway.
        builder.addStateStore(store(PATIENT_STORE, Serdes.String(), PatientState.serde(), 0, 0, true));
        // Read only by prefix scans (a patient's log), so no recently-read values: kept after each write-through,
        // they were never read again, and live they were promoted to the old generation and died there.
        builder.addStateStore(store(EVENTS_STORE, Serdes.String(), Serdes.ByteArray(), 0, PSEUDONYM_LENGTH, true));
        builder.addStateStore(store(PARTITION_CUT_STORE, Serdes.String(), Serdes.Long()));
        builder.addStateStore(store(RULES_STORE, Serdes.String(), Serdes.Long()));
        builder.addStateStore(store(PENDING_STORE, Serdes.String(), CellDeltaBatch.serde()));
        builder.addStateStore(store(TO_COMPUTE_STORE, Serdes.String(), Serdes.Long()));
        // Held records are whole input records: the changelog takes what the input topics and dead letters do.
        builder.addStateStore(Stores.keyValueStoreBuilder(supplier(HELD_STORE, 0, false), Serdes.String(), HeldRecord.serde())
                .withLoggingEnabled(Map.of("max.message.bytes", String.valueOf(Topics.DEAD_LETTER_MAX_MESSAGE_BYTES))));
    }

    private void addCellStores(StreamsBuilder builder) {
        builder.addStateStore(store(CELL_STORE, Serdes.String(), StoreSerdes.cellStatistics()));
        builder.addStateStore(store(DIRTY_STORE, Serdes.String(), Serdes.String()));
        builder.addStateStore(store(PUBLISHED_STORE, Serdes.String(), Serdes.Long()));
        builder.addStateStore(store(COMPLETENESS_STORE, Serdes.String(), CompletenessEntries.serde()));
        builder.addStateStore(store(STANDARDISATION_STORE, Serdes.String(), StoreSerdes.patternStatistics()));
        builder.addStateStore(store(SURVIVAL_STORE, Serdes.String(), StoreSerdes.survivalCounts()));
        builder.addStateStore(store(ADJUSTED_DIRTY_STORE, Serdes.String(), Serdes.String()));
    }

    private void addDataCutStore(StreamsBuilder builder) {
        builder.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(DATA_CUT_STORE), Serdes.String(), Serdes.Long())
                        .withLoggingDisabled(),
                Topics.DATA_CUT.name(),
                Consumed.with(Topics.DATA_CUT.keySerde(registry), Topics.DATA_CUT.valueSerde(registry)).withName("source-data-cut"),
                () -> new DataCut.GlobalUpdater(DATA_CUT_STORE));
    }

    private void patientStage(StreamsBuilder builder, java.util.function.Consumer<KStream<String, CellDeltaBatch>> cellDeltas,
                              java.util.function.Consumer<KStream<String, AdjustedDeltaBatch>> adjustedDeltas) {
        // 1. Ingest: the three co-partitioned input topics, read as raw bytes and decoded by the ingest
        //    step, so that undecodable records can be dead-lettered with their original bytes.
        KStream<byte[], byte[]> raw = builder.stream(Topics.INPUTS.stream().map(SpineTopic::name).toList(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("source-inputs"));
        KStream<String, Ingested> ingested = raw.process(() -> new IngestProcessor(inputDeserializers(), HELD_STORE, gate),
                Named.as("ingest"), HELD_STORE);

        // The patient step ignores the ingest dead letters itself, so no operator sits in between.
        KStream<String, PatientOutput> patientOut = ingested.process(
                () -> new PatientProcessor(PATIENT_STORE, EVENTS_STORE, PARTITION_CUT_STORE, RULES_STORE, PENDING_STORE, TO_COMPUTE_STORE,
                        settings.rules(), settings.forceRecompute(), settings.deltaFlushInterval(), inputReencoder()),
                Named.as("patient"), PATIENT_STORE, EVENTS_STORE, PARTITION_CUT_STORE, RULES_STORE, PENDING_STORE, TO_COMPUTE_STORE);

        // Each stage's dead letters are picked out (0 or 1 per record) as the common DeadLetter type,
        // so the two streams can merge; the operator names are those of the deployed topology.
        ingested.flatMapValues(v -> v instanceof Ingested.Rejected r ? List.of(r.deadLetter()) : List.<DeadLetter>of(),
                        Named.as("ingest-rejected"))
                .merge(patientOut.flatMapValues(v -> v instanceof PatientOutput.Rejected r ? List.of(r.deadLetter()) : List.<DeadLetter>of(),
                        Named.as("patient-rejected")), Named.as("all-rejected"))
                .map((k, dl) -> KeyValue.pair(dl.key(), dl.value()), Named.as("dead-letter-bytes"))
                .to(Topics.REJECTED.name(), produced(Topics.REJECTED, "sink-rejected"));

        patientOut.split(Named.as("patient-"))
                .branch((k, v) -> v instanceof PatientOutput.OutcomeChanged, Branched.withConsumer(s -> s
                        .mapValues(new OutcomeValue(), Named.as("outcome-value"))
                        .to(Topics.PATIENT_OUTCOMES.name(), Produced.with(Topics.PATIENT_OUTCOMES.keySerde(registry), Serdes.ByteArray())
                                .withName("sink-patient-outcomes")),
                        "outcomes"))
                .branch((k, v) -> v instanceof PatientOutput.DataCutAdvanced, Branched.withConsumer(s -> s
                        .mapValues(v -> ((PatientOutput.DataCutAdvanced) v).maxOccurredAtMs(), Named.as("data-cut-value"))
                        .to(Topics.DATA_CUT.name(), produced(Topics.DATA_CUT, "sink-data-cut")),
                        "data-cut"))
                .branch((k, v) -> v instanceof PatientOutput.CellChanged, Branched.withConsumer(s -> cellDeltas.accept(s
                        .mapValues(v -> ((PatientOutput.CellChanged) v).batch(), Named.as("cell-delta-value"))), "cell-deltas"))
                .branch((k, v) -> v instanceof PatientOutput.AdjustedChanged, Branched.withConsumer(s -> adjustedDeltas.accept(s
                        .mapValues(v -> ((PatientOutput.AdjustedChanged) v).batch(), Named.as("adjusted-delta-value"))), "adjusted-deltas"))
                .noDefaultBranch();

    }

    private void cells(KStream<String, CellDeltaBatch> deltas, boolean ownThreads) {
        deltas.process(() -> new CellAggregateProcessor(CELL_STORE, COMPLETENESS_STORE, DIRTY_STORE, DATA_CUT_STORE, PUBLISHED_STORE,
                                settings.configuredDataCut(), settings.cutRefresh(), settings.publishInterval(), ownThreads),
                        Named.as("cell"), CELL_STORE, COMPLETENESS_STORE, DIRTY_STORE, PUBLISHED_STORE)
                .split(Named.as("cell-"))
                .branch((k, v) -> v instanceof CellOutput.AggregateChanged, Branched.withConsumer(s -> s
                        .mapValues(v -> ((CellOutput.AggregateChanged) v).aggregate(), Named.as("aggregate-value"))
                        .to(Topics.ARM_AGGREGATES.name(), produced(Topics.ARM_AGGREGATES, "sink-arm-aggregates")),
                        "aggregates"))
                .branch((k, v) -> v instanceof CellOutput.ComparisonChanged, Branched.withConsumer(s -> s
                        .mapValues(v -> ((CellOutput.ComparisonChanged) v).comparison(), Named.as("comparison-value"))
                        .to(Topics.ARM_COMPARISONS.name(), produced(Topics.ARM_COMPARISONS, "sink-arm-comparisons")),
                        "comparisons"))
                .branch((k, v) -> v instanceof CellOutput.Failed, Branched.withConsumer(s -> s
                        .map((k, v) -> KeyValue.pair(((CellOutput.Failed) v).deadLetter().key(), ((CellOutput.Failed) v).deadLetter().value()),
                                Named.as("cell-dead-letter-bytes"))
                        .to(Topics.REJECTED.name(), produced(Topics.REJECTED, "sink-cell-rejected")),
                        "failed"))
                .noDefaultBranch();
    }

    /**
     * R36-R38: the patients' changes of the standardisation and Kaplan-Meier cells (folded per population
     * by the patient step over each of its calls), repartitioned by population (a comparison's two arms
     * meet in one task), merged and published to spine.adjusted-comparisons.v1 and spine.time-to-event.v1.
     */
    private void adjusted(KStream<String, AdjustedDeltaBatch> changes, boolean ownThreads) {
        changes.process(() -> new AdjustedCellProcessor(STANDARDISATION_STORE, SURVIVAL_STORE, ADJUSTED_DIRTY_STORE, settings.publishInterval(),
                                settings.effectiveAdjustedPublishInterval(), ownThreads),
                        Named.as("adjusted-cell"), STANDARDISATION_STORE, SURVIVAL_STORE, ADJUSTED_DIRTY_STORE)
                .split(Named.as("adjusted-"))
                .branch((k, v) -> v instanceof AdjustedOutput.AdjustedComparisonChanged, Branched.withConsumer(s -> s
                        .mapValues(v -> ((AdjustedOutput.AdjustedComparisonChanged) v).comparison(), Named.as("adjusted-comparison-value"))
                        .to(Topics.ADJUSTED_COMPARISONS.name(), produced(Topics.ADJUSTED_COMPARISONS, "sink-adjusted-comparisons")),
                        "comparisons"))
                .branch((k, v) -> v instanceof AdjustedOutput.TimeToEventChanged, Branched.withConsumer(s -> s
                        .mapValues(v -> ((AdjustedOutput.TimeToEventChanged) v).record(), Named.as("time-to-event-value"))
                        .to(Topics.TIME_TO_EVENT.name(), produced(Topics.TIME_TO_EVENT, "sink-time-to-event")),
                        "time-to-event"))
                .noDefaultBranch();
    }

    /**
     * The outcome's topic bytes from the encoding the patient step made. One instance for all threads,
     * as a sink's serializer is: separate serializers registered the schema concurrently and the
     * registry refused the second ("already exists").
     */
    private final class OutcomeValue implements org.apache.kafka.streams.kstream.ValueMapperWithKey<String, PatientOutput, byte[]> {
        private final OutcomeWireBytes wire = new OutcomeWireBytes(Topics.PATIENT_OUTCOMES.name(),
                Topics.PATIENT_OUTCOMES.valueSerde(registry).serializer());

        @Override
        public byte[] apply(String key, PatientOutput value) {
            PatientOutput.OutcomeChanged changed = (PatientOutput.OutcomeChanged) value;
            return wire.apply(changed.outcome(), changed.singleObject());
        }
    }

    private <K, V> Produced<K, V> produced(SpineTopic<K, V> topic, String sinkName) {
        return Produced.with(topic.keySerde(registry), topic.valueSerde(registry)).withName(sinkName);
    }

    /** Value deserializers of the three input topics, for the ingest step. */
    private Map<EventType, Deserializer<? extends SpecificRecord>> inputDeserializers() {
        Map<EventType, Deserializer<? extends SpecificRecord>> deserializers = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            deserializers.put(type, type.topic().valueSerde(registry).deserializer());
        }
        return deserializers;
    }

    /**
     * The Confluent-wire bytes of an input event under the current schema (subject of its input topic),
     * for dead-lettering a version that is no longer held as original bytes (R9 displaced re-sends).
     */
    @SuppressWarnings("unchecked")
    private BiFunction<EventType, SpecificRecord, byte[]> inputReencoder() {
        Map<EventType, Serializer<SpecificRecord>> serializers = new EnumMap<>(EventType.class);
        for (EventType type : EventType.values()) {
            serializers.put(type, (Serializer<SpecificRecord>) type.topic().valueSerde(registry).serializer());
        }
        return (type, event) -> serializers.get(type).serialize(type.topic().name(), event);
    }

    /**
     * Persistent: RocksDB holding committed writes only, so a crash does not wipe the task's state under
     * exactly-once (CommittedOnlyStore); every store of a task must be of this kind for that, since Kafka
     * Streams wipes the whole task when one store cannot be trusted.
     */
    private KeyValueBytesStoreSupplier supplier(String name, int scanPrefixLength, boolean growsWithCohort) {
        return settings.persistentStores() ? CommittedOnlyStore.supplier(name, scanPrefixLength, growsWithCohort)
                : Stores.inMemoryKeyValueStore(name);
    }

    private <K, V> StoreBuilder<KeyValueStore<K, V>> store(String name, Serde<K> keySerde, Serde<V> valueSerde) {
        return store(name, keySerde, valueSerde, RECENTLY_READ_PER_STORE, 0, false);
    }

    /** {@code growsWithCohort}: an entry per patient or per event (larger RocksDB write buffers, CommittedOnlyStore). */
    private <K, V> StoreBuilder<KeyValueStore<K, V>> store(String name, Serde<K> keySerde, Serde<V> valueSerde, int recentlyRead,
                                                           int scanPrefixLength, boolean growsWithCohort) {
        KeyValueBytesStoreSupplier supplier = supplier(name, scanPrefixLength, growsWithCohort);
        // Values kept as objects between commits: repeated writes of a key (a busy cell, a patient with
        // several events in a batch) are serialised and reach the changelog once per commit.
        return ObjectCachingStore.builder(Stores.keyValueStoreBuilder(supplier, keySerde, valueSerde), recentlyRead);
    }
}
