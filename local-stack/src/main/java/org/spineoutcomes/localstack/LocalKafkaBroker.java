package org.spineoutcomes.localstack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool$;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker in KRaft mode (one process acting as broker and
 * controller), started inside this JVM from Kafka's own server classes: the storage is formatted
 * as {@code kafka-storage.sh format --standalone} would, then {@link KafkaRaftServer} starts.
 * Listens on 127.0.0.1 only, on free ports; its data lives in a folder that {@link #close()} removes.
 * {@link #stop()} and {@link #restart()} take it down and bring it back on the same ports with the
 * same data, as a broker restart in production would (crash tests).
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalKafkaBroker.class);
    private static final int NODE_ID = 1;

    private final Path workDir;
    private final BrokerSecurity security;
    private final int brokerPort;
    private final int controllerPort;
    private final Map<String, String> config;
    /** The running server; null between {@link #stop()} and {@link #restart()}. */
    private KafkaRaftServer server;
    private boolean closed;

    private LocalKafkaBroker(Path workDir, BrokerSecurity security, int brokerPort, int controllerPort, Map<String, String> config,
                             KafkaRaftServer server) {
        this.workDir = workDir;
        this.security = security;
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.config = config;
        this.server = server;
    }

    /** Formats storage under {@code workDir/kafka} and starts the broker; returns once it accepts clients. */
    public static LocalKafkaBroker start(Path workDir) {
        return start(workDir, null);
    }

    /**
     * As {@link #start(Path)}; with {@code security} the client listener is SASL_SSL (SCRAM-SHA-512 over
     * TLS, {@link BrokerSecurity}) instead of PLAINTEXT, and the broker's own SCRAM credential is written
     * when the storage is formatted.
     */
    public static LocalKafkaBroker start(Path workDir, BrokerSecurity security) {
        int brokerPort = FreePorts.pick();
        int controllerPort = FreePorts.pick();
        while (controllerPort == brokerPort) {
            controllerPort = FreePorts.pick();
        }
        Path kafkaDir = workDir.resolve("kafka");
        Path dataDir = kafkaDir.resolve("data");
        Path configFile = kafkaDir.resolve("server.properties");
        Map<String, String> config = serverConfig(brokerPort, controllerPort, dataDir);
        if (security != null) {
            config.putAll(security.brokerSettings(brokerPort, controllerPort));
        }
        try {
            Files.createDirectories(dataDir);
            Properties props = new Properties();
            props.putAll(config);
            try (OutputStream out = Files.newOutputStream(configFile)) {
                props.store(out, "Local single-node KRaft broker (generated)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not prepare broker folder " + kafkaDir, e);
        }

        formatStorage(configFile, security == null ? List.of() : security.formatArguments());

        KafkaRaftServer server = startServer(config, configFile);
        log.debug("Kafka broker listening on 127.0.0.1:{} ({}; controller {})", brokerPort, security == null ? "PLAINTEXT" : "SASL_SSL", controllerPort);
        return new LocalKafkaBroker(workDir, security, brokerPort, controllerPort, config, server);
    }

    /** Starts a server on formatted storage; returns once it accepts clients. */
    private static KafkaRaftServer startServer(Map<String, String> config, Path configFile) {
        KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(toProperties(config)), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            try {
                server.shutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("Kafka broker failed to start; config in " + configFile, e);
        }
        return server;
    }

    /**
     * Stops the broker in order, keeping its data and ports: clients see it as gone until
     * {@link #restart()}. Does nothing when it is already stopped.
     */
    public synchronized void stop() {
        if (closed) {
            throw new IllegalStateException("broker closed");
        }
        if (server == null) {
            return;
        }
        KafkaRaftServer running = server;
        server = null;
        running.shutdown();
        running.awaitShutdown();
        log.debug("Kafka broker on 127.0.0.1:{} stopped (data kept)", brokerPort);
    }

    /**
     * Starts the broker again after {@link #stop()}: the same node, ports, log directory and cluster,
     * so topics, committed offsets, consumer groups and transactions are as they were. Returns once
     * it accepts clients. Does nothing when it is running.
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("broker closed");
        }
        if (server != null) {
            return;
        }
        server = startServer(config, workDir.resolve("kafka").resolve("server.properties"));
        log.debug("Kafka broker on 127.0.0.1:{} started again", brokerPort);
    }

    /** True between start (or {@link #restart()}) and {@link #stop()} or {@link #close()}. */
    public synchronized boolean isRunning() {
        return server != null && !closed;
    }

    /** The broker settings: loopback listeners, single-replica internal topics, small cleaner buffer. */
    static Map<String, String> serverConfig(int brokerPort, int controllerPort, Path dataDir) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("process.roles", "broker,controller");
        c.put("node.id", String.valueOf(NODE_ID));
        c.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        c.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        c.put("controller.listener.names", "CONTROLLER");
        c.put("inter.broker.listener.name", "PLAINTEXT");
        c.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        c.put("log.dirs", dataDir.toAbsolutePath().toString());
        // One node: every internal topic must accept a single replica.
        c.put("offsets.topic.replication.factor", "1");
        c.put("offsets.topic.num.partitions", "5");
        c.put("transaction.state.log.replication.factor", "1");
        c.put("transaction.state.log.min.isr", "1");
        c.put("transaction.state.log.num.partitions", "5");
        c.put("share.coordinator.state.topic.replication.factor", "1");
        c.put("share.coordinator.state.topic.min.isr", "1");
        c.put("default.replication.factor", "1");
        c.put("min.insync.replicas", "1");
        // Topics come from the contract (Topics.ALL); a typo in a topic name should fail, not create one.
        c.put("auto.create.topics.enable", "false");
        c.put("group.initial.rebalance.delay.ms", "0");
        // The default 128 MB dedupe buffer is most of the broker's memory; compacted topics here are small.
        c.put("log.cleaner.dedupe.buffer.size", "2097152");
        c.put("num.network.threads", "2");
        c.put("num.io.threads", "4");
        c.put("num.recovery.threads.per.data.dir", "1");
        return c;
    }

    private static void formatStorage(Path configFile, List<String> extraArguments) {
        String clusterId = Uuid.randomUuid().toString();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("format", "--config", configFile.toString(), "--cluster-id", clusterId, "--standalone"));
        args.addAll(extraArguments);
        int exitCode;
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            exitCode = StorageTool$.MODULE$.execute(args.toArray(String[]::new), out);
        }
        if (exitCode != 0) {
            throw new IllegalStateException("kafka storage format failed (exit " + exitCode + "): "
                    + captured.toString(StandardCharsets.UTF_8));
        }
    }

    private static Properties toProperties(Map<String, String> config) {
        Properties props = new Properties();
        props.putAll(config);
        return props;
    }

    /** {@code 127.0.0.1:port} for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The security of the client listener; null for PLAINTEXT. */
    public BrokerSecurity security() {
        return security;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int controllerPort() {
        return controllerPort;
    }

    /** Stops the broker and deletes its data. Close every client first, or shutdown waits for them. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
                server = null;
            }
        } finally {
            TempDirs.deleteRecursively(workDir.resolve("kafka"));
        }
    }
}
