package org.spineoutcomes.app;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.spineoutcomes.ingest.RegistryGate;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.topology.ErrorHandlers;
import org.spineoutcomes.topology.HandOnTopics;
import org.spineoutcomes.topology.PatientProcessor;
import org.spineoutcomes.topology.SpineTopology;
import org.spineoutcomes.topology.TopologySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the topology: wires configuration and lifecycle only (the topology itself is built by
 * {@link SpineTopology}). By default as two Kafka Streams applications in this process, the patient stage
 * and the cell stage, each on its own threads ({@code spine.topology.split}; {@link HandOnTopics}); with
 * the setting false, as one. The process around it (HTTP endpoints, metrics, state log, signals) is
 * {@link org.spineoutcomes.runtime.SpineRuntime}.
 */
public final class SpineStreamsApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpineStreamsApp.class);

    private final KafkaStreams streams;
    private final Topology topology;
    /** The cell stage when the app runs split (spine.topology.split), else null. */
    private final KafkaStreams cellStreams;
    private final Topology cellTopology;
    private final HandOnTopics handOn;
    private final HandOnPurge purge;
    private final Map<String, Object> adminConfig;
    private final long taskTimeoutMs;
    /** The patient stage and, when split, the cell stage, with their consumer groups. */
    private final List<Stage> stages;
    private volatile KafkaStreams.State combinedState = KafkaStreams.State.CREATED;
    private final RegistryGate registryGate;
    private final RegistryWatch registryWatch;
    private final java.util.List<KafkaStreams.StateListener> stateListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean pauseRequested;
    /** Set by close, so that a start still waiting for the brokers gives up. */
    private volatile boolean closing;

    public SpineStreamsApp(AppConfig config, SchemaRegistryClient registry) throws java.io.IOException {
        this(config, registry, org.spineoutcomes.outcome.OutcomeRules.CURRENT);
    }

    /** With other outcome rules than this release's (tests stand in an older release with them). */
    public SpineStreamsApp(AppConfig config, SchemaRegistryClient registry, org.spineoutcomes.outcome.OutcomeRules rules) throws java.io.IOException {
        TopologySettings settings = TopologySettings.defaults().withRules(rules).withDataCut(config.dataCut().orElse(null)).withCutRefresh(config.cutRefresh())
                .withPublishInterval(config.publishInterval()).withAdjustedPublishInterval(config.adjustedPublishInterval())
                .withDeltaFlushInterval(config.deltaFlushInterval()).withForcedRecompute(config.forceRecompute());
        this.registryGate = new RegistryGate(registry instanceof org.spineoutcomes.serde.RestSchemaRegistryClient rest
                ? String.join(", ", rest.baseUrls()) : registry.toString());
        SpineTopology spine = new SpineTopology(registry, settings, registryGate);
        Properties properties = streamsProperties(config);
        properties.put(ErrorHandlers.REGISTRY_GATE_CONFIG, registryGate);
        StreamsConfig streamsConfig = new StreamsConfig(properties);
        this.adminConfig = streamsConfig.getAdminConfigs(config.applicationId() + "-hand-on-admin");
        this.taskTimeoutMs = streamsConfig.getLong(StreamsConfig.TASK_TIMEOUT_MS_CONFIG);
        if (config.topologySplit()) {
            this.handOn = HandOnTopics.forApplication(config.applicationId());
            this.topology = spine.buildPatientStage(handOn);
            this.cellTopology = spine.buildCellStage(handOn);
            Properties cellProperties = new Properties();
            cellProperties.putAll(properties);
            cellProperties.put(StreamsConfig.APPLICATION_ID_CONFIG, HandOnTopics.cellStageApplicationId(config.applicationId()));
            if (!config.streamsOverrides().containsKey(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG)) {
                // The cell stage's publication rounds ask for their commits (at least one per publish interval
                // while input flows), so the interval is a backstop; each commit writes every cell changed since
                // the last one, so a backfill (rounds ten intervals apart) writes them a fifth as often. Publishing
                // after every record (interval 0), the commits alone make the records visible: every second.
                cellProperties.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG,
                        config.publishInterval().isZero() ? 1_000L : CELL_STAGE_COMMIT_INTERVAL_MS);
            }
            this.streams = new KafkaStreams(topology, properties);
            this.cellStreams = new KafkaStreams(cellTopology, cellProperties);
            this.purge = new HandOnPurge(adminConfig, HandOnTopics.cellStageApplicationId(config.applicationId()), handOn);
        } else {
            this.handOn = null;
            this.topology = spine.build();
            this.cellTopology = null;
            this.streams = new KafkaStreams(topology, properties);
            this.cellStreams = null;
            this.purge = null;
        }
        this.stages = cellStreams == null ? List.of(new Stage("topology", config.applicationId(), streams))
                : List.of(new Stage("patient stage", config.applicationId(), streams),
                        new Stage("cell stage", HandOnTopics.cellStageApplicationId(config.applicationId()), cellStreams));
        this.registryWatch = new RegistryWatch(registry, registryGate);
        // A registry outage pauses processing (the tasks' state and the consumer group stay); the watch resumes it.
        // Kafka Streams does not restore the state of paused tasks, so the pause applies only while RUNNING: a
        // rebalance or a restore meanwhile runs unpaused (the ingest step holds what needs the registry).
        registryGate.addListener(new RegistryGate.Listener() {
            @Override
            public void paused() {
                pauseRequested = true;
                for (KafkaStreams s : allStreams()) {
                    if (s.state() == KafkaStreams.State.RUNNING) s.pause();
                }
            }

            @Override
            public void resumed() {
                pauseRequested = false;
                allStreams().forEach(KafkaStreams::resume);
            }
        });
        for (KafkaStreams s : allStreams()) {
            s.setStateListener((newState, oldState) -> {
                if (pauseRequested) {
                    if (newState == KafkaStreams.State.RUNNING) s.pause();
                    else if (oldState == KafkaStreams.State.RUNNING) s.resume();
                }
                stateChanged();
            });
            s.setUncaughtExceptionHandler(this::replaceThread);
        }
    }

    /** Tells the listeners when the state of the whole (both stages when split) changes. */
    private synchronized void stateChanged() {
        KafkaStreams.State old = combinedState;
        KafkaStreams.State now = state();
        if (now == old) return;
        combinedState = now;
        stateListeners.forEach(l -> l.onChange(now, old));
    }

    private StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse replaceThread(Throwable e) {
        if (RegistryGate.unavailableCause(e).isPresent()) {
            // reported by the gate already (one WARN per outage); processing stays paused until the registry answers
            LOG.info("stream thread stopped while the schema registry cannot be asked; replacing it");
        } else {
            // The console shows an exception as one line (its own message): name the root cause in it too.
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            LOG.error("stream thread failed{}; replacing it", root == e ? "" : " (cause: " + root + ")", e);
        }
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * The state of the app: that of its Kafka Streams application, or when split the least advanced of the
     * two (ERROR if either failed, RUNNING only when both run).
     */
    public KafkaStreams.State state() {
        if (cellStreams == null) return streams.state();
        return combine(streams.state(), cellStreams.state());
    }

    static KafkaStreams.State combine(KafkaStreams.State a, KafkaStreams.State b) {
        for (KafkaStreams.State s : List.of(KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.NOT_RUNNING,
                KafkaStreams.State.PENDING_SHUTDOWN, KafkaStreams.State.CREATED, KafkaStreams.State.REBALANCING)) {
            if (a == s || b == s) return s;
        }
        return KafkaStreams.State.RUNNING;
    }

    /** One Kafka Streams application of the app: a name for people, its consumer group (its application id), the instance. */
    public record Stage(String name, String groupId, KafkaStreams streams) {}

    /** The stages with their consumer groups: the patient stage and, when split, the cell stage. */
    public List<Stage> stages() {
        return stages;
    }

    /** Both Kafka Streams applications when split (patient stage first), else the one. */
    public List<KafkaStreams> allStreams() {
        return cellStreams == null ? List.of(streams) : List.of(streams, cellStreams);
    }

    /** The Kafka Streams application that holds a store of {@link SpineTopology} (by name). */
    public KafkaStreams streamsWithStore(String storeName) {
        return cellStreams != null && SpineTopology.CELL_STAGE_STORES.contains(storeName) ? cellStreams : streams;
    }

    /**
     * Trims the hand-on topics now (the app does it every 30 s by itself): deletes what the cell stage has
     * committed past. Returns the new start offset of every partition it trimmed; empty when not split.
     */
    public Map<org.apache.kafka.common.TopicPartition, Long> trimHandOnTopics() throws Exception {
        return purge == null ? Map.of() : purge.trim();
    }

    /** The topics between the two stages when split. */
    public Optional<HandOnTopics> handOnTopics() { return Optional.ofNullable(handOn); }

    /**
     * The cell stage's commit interval unless streams.commit.interval.ms says otherwise: well inside the
     * transaction timeout Kafka Streams gives its producers under exactly-once (10 s).
     */
    static final long CELL_STAGE_COMMIT_INTERVAL_MS = 5_000;

    /**
     * The patient stage's least commit interval when it hands on its batches (and commits) itself: longer than its
     * hand-ons while catching up (ten flush intervals), so a commit of the interval rarely falls between two of
     * them and writes the pending batches; inside the 10 s transaction timeout.
     */
    static final long PATIENT_STAGE_COMMIT_BACKSTOP_MS = 3_000;

    /**
     * The producers' batch size unless streams.producer.batch.size says otherwise: 256 KiB instead of the
     * client's 16 KiB. A backfill writes a changelog record per event and an outcome per patient, each a few
     * hundred bytes; in batches of 16 KiB the broker spent as much CPU per event on appending them as the
     * whole exactly-once copy baseline, and the producers' network threads a third of that again. Measured
     * (./spine bench, 100,000 patients): broker 35 -> 19 us per event, producers 12.5 -> 4 us. A batch is
     * filled only as far as a partition's records allow before the linger or the commit sends it, so live
     * input still leaves in small batches; a batch stays well below the broker's default largest batch
     * (message.max.bytes, 1 MiB).
     */
    public static final int PRODUCER_BATCH_BYTES = 256 * 1024;

    /** The Kafka Streams properties: what the topology requires, the typed spine.* values, kafka.* security settings, then streams.* overrides. */
    public static Properties streamsProperties(AppConfig config) throws java.io.IOException {
        Properties p = SpineTopology.requiredStreamsConfig();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.processingGuarantee());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().isPresent()
                ? config.stateDir().get().toString()
                : Files.createTempDirectory("spine-streams-state").toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        // One stream thread per core by default (override with streams.num.stream.threads).
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.streamThreads().orElse(Runtime.getRuntime().availableProcessors()));
        if (!config.deltaFlushInterval().isZero()) {
            // The patient step asks for a commit after each hand-on of its folded cell changes (every
            // spine.cell.delta.flush.ms, every ten of them while catching up), so those commits set the pace; the
            // interval is a backstop (an extra commit between two hand-ons would write the pending batches to
            // their changelog).
            p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Math.max(PATIENT_STAGE_COMMIT_BACKSTOP_MS,
                    2 * PatientProcessor.CATCH_UP_FLUSH_INTERVALS * config.deltaFlushInterval().toMillis()));
        }
        config.applicationServer().ifPresent(server -> p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, server.toString()));
        // Static membership: a restart after a crash takes its tasks back at once instead of waiting for
        // the dead member's session to time out (StaticMembership says why and where the name comes from).
        StaticMembership.instanceId(config).ifPresent(id ->
                p.put(StreamsConfig.mainConsumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), id));
        p.put(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG), PRODUCER_BATCH_BYTES);
        // Unprefixed settings reach every client Kafka Streams creates (consumers, producers, admin).
        p.putAll(config.kafkaClientSettings());
        p.putAll(config.streamsOverrides());
        return p;
    }

    /** The topology (the patient stage's when split). */
    public Topology topology() { return topology; }

    /** The Kafka Streams application (the patient stage's when split: ingest, patient outcomes, dead letters). */
    public KafkaStreams streams() { return streams; }

    /**
     * Resolves the schemas the app writes (see {@link RegistryWatch}), then starts Kafka Streams: paused
     * if the registry could not be asked, until it answers.
     */
    public void start() {
        LOG.debug("topology:\n{}", topology.describe());
        registryWatch.prepare();
        if (handOn != null) {
            LOG.debug("cell stage topology:\n{}", cellTopology.describe());
            // As Kafka Streams' own start, wait for the brokers at most task.timeout.ms (then ERROR, exit 1).
            long giveUpAt = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(taskTimeoutMs);
            HandOnPurge.createTopics(adminConfig, handOn, () -> closing || System.nanoTime() > giveUpAt);
        }
        for (KafkaStreams s : allStreams()) s.start();
        if (purge != null) purge.start();
        registryWatch.start();
    }

    /** Told of every Kafka Streams state change (use this, not KafkaStreams#setStateListener, which the app needs itself). */
    public void addStateListener(KafkaStreams.StateListener listener) {
        stateListeners.add(listener);
    }

    /** Whether processing waits for the schema registry, and since when. */
    public RegistryGate registryGate() { return registryGate; }

    /** The registry as the last probe saw it. */
    public RegistryWatch registryWatch() { return registryWatch; }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * Stops within {@code timeout}, leaving the consumer group: the next instance (or a restart) is
     * assigned the partitions at once instead of after the session timeout (45 s by default).
     * False when the threads did not stop in time.
     */
    public boolean close(Duration timeout) {
        closing = true;
        registryWatch.close();
        if (purge != null) purge.close();
        org.apache.kafka.streams.CloseOptions options = org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(timeout);
        if (cellStreams == null) return streams.close(options);
        // Both at once, so that the timeout holds for the pair.
        java.util.concurrent.CompletableFuture<Boolean> cells = java.util.concurrent.CompletableFuture.supplyAsync(() -> cellStreams.close(options));
        boolean patientStopped = streams.close(options);
        return cells.join() && patientStopped;
    }
}
