package org.spineoutcomes.app;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.topology.SpineTopology;
import org.spineoutcomes.topology.TopologySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the topology: wires configuration and lifecycle only (the topology itself is built by
 * {@link SpineTopology}). Closes cleanly on SIGTERM / Ctrl-C.
 */
public final class SpineStreamsApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpineStreamsApp.class);

    private final KafkaStreams streams;
    private final Topology topology;

    public SpineStreamsApp(AppConfig config, SchemaRegistryClient registry) throws java.io.IOException {
        this(config, registry, org.spineoutcomes.outcome.OutcomeRules.CURRENT);
    }

    /** With other outcome rules than this release's (tests stand in an older release with them). */
    public SpineStreamsApp(AppConfig config, SchemaRegistryClient registry, org.spineoutcomes.outcome.OutcomeRules rules) throws java.io.IOException {
        TopologySettings settings = TopologySettings.defaults().withRules(rules).withDataCut(config.dataCut()).withCutRefresh(config.cutRefresh())
                .withPublishInterval(config.publishInterval()).withDeltaFlushInterval(config.deltaFlushInterval()).withForcedRecompute(config.forceRecompute());
        this.topology = new SpineTopology(registry, settings).build();
        this.streams = new KafkaStreams(topology, streamsProperties(config));
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
    }

    public static Properties streamsProperties(AppConfig config) throws java.io.IOException {
        Properties p = SpineTopology.requiredStreamsConfig();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.get(AppConfig.APPLICATION_ID));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(AppConfig.BOOTSTRAP_SERVERS));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, config.get(AppConfig.PROCESSING_GUARANTEE));
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.has(AppConfig.STATE_DIR)
                ? config.get(AppConfig.STATE_DIR)
                : Files.createTempDirectory("spine-streams-state").toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, -1);
        // One stream thread per core by default (override with streams.num.stream.threads).
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
        if (!config.deltaFlushInterval().isZero()) {
            // The patient step asks for a commit after each hand-on of its folded cell changes (every
            // spine.cell.delta.flush.ms), so those commits set the pace; the interval is a backstop
            // (an extra commit between two hand-ons would write the pending batches to their changelog).
            p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Math.max(1_000L, 10 * config.deltaFlushInterval().toMillis()));
        }
        p.putAll(config.streamsOverrides());
        return p;
    }

    public Topology topology() { return topology; }

    public KafkaStreams streams() { return streams; }

    public void start() {
        LOG.info("topology:\n{}", topology.describe());
        streams.start();
    }

    @Override
    public void close() {
        // A graceful stop leaves the consumer group, so the next instance (or a restart) is assigned the
        // partitions at once instead of after the session timeout (45 s by default).
        streams.close(org.apache.kafka.streams.CloseOptions.groupMembershipOperation(
                org.apache.kafka.streams.CloseOptions.GroupMembershipOperation.LEAVE_GROUP).withTimeout(Duration.ofSeconds(30)));
    }

    public static void main(String[] args) throws Exception {
        java.util.List<String> argList = java.util.List.of(args);
        int configAt = argList.indexOf("--config");
        AppConfig config = AppConfig.load(configAt >= 0 && configAt + 1 < args.length ? java.nio.file.Path.of(args[configAt + 1]) : null, System.getenv());
        if (argList.contains("--recompute")) config = config.with(AppConfig.RULES_RECOMPUTE, "true");
        if (!config.has(AppConfig.BOOTSTRAP_SERVERS) || !config.has(AppConfig.SCHEMA_REGISTRY_URL)) {
            System.err.println("spine.bootstrap.servers and spine.schema.registry.url are required "
                    + "(set SPINE_BOOTSTRAP_SERVERS / SPINE_SCHEMA_REGISTRY_URL, or use ./demo.sh for the embedded stack)");
            System.exit(2);
        }
        SchemaRegistryClient registry = new RestSchemaRegistryClient(config.get(AppConfig.SCHEMA_REGISTRY_URL));
        CountDownLatch stopped = new CountDownLatch(1);
        try (SpineStreamsApp app = new SpineStreamsApp(config, registry)) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                app.close();
                stopped.countDown();
            }, "spine-shutdown"));
            app.start();
            stopped.await();
        }
    }
}
