package org.spineoutcomes.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SchemaGovernance;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/**
 * The embedded default environment: a real single-node KRaft Kafka broker and a real schema
 * registry (Confluent API), both on 127.0.0.1 with free ports, with every topic of the contract
 * ({@link Topics#ALL}) created and their registry subjects set to BACKWARD compatibility. State
 * lives in one temp folder that {@link #close()} removes.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.start()) {
 *     props.put("bootstrap.servers", stack.bootstrapServers());
 *     props.put("schema.registry.url", stack.schemaRegistryUrl());
 * }
 * }</pre>
 * Close your producers, consumers and Streams instances before closing the stack.
 */
public final class LocalStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

    private final Path workDir;
    private final LocalKafkaBroker broker;
    private final LocalSchemaRegistry registry;
    private final Duration brokerStartTime;
    private final Duration registryStartTime;
    private final Duration totalStartTime;
    private boolean closed;

    private LocalStack(Path workDir, LocalKafkaBroker broker, LocalSchemaRegistry registry,
                       Duration brokerStartTime, Duration registryStartTime, Duration totalStartTime) {
        this.workDir = workDir;
        this.broker = broker;
        this.registry = registry;
        this.brokerStartTime = brokerStartTime;
        this.registryStartTime = registryStartTime;
        this.totalStartTime = totalStartTime;
    }

    /** Starts broker and registry in parallel, creates the contract's topics, and returns when all are ready. */
    public static LocalStack start() {
        return start(false);
    }

    /**
     * As {@link #start()} with a secured broker: its only client listener is SASL_SSL, SCRAM-SHA-512 over
     * TLS with a self-signed certificate for 127.0.0.1 ({@link BrokerSecurity}). Clients need
     * {@link #clientSettings} of a user made with {@link #addScramUser}, or {@link #adminSettings}.
     */
    public static LocalStack startSecured() {
        return start(true);
    }

    private static LocalStack start(boolean secured) {
        long t0 = System.nanoTime();
        Path workDir;
        try {
            workDir = Files.createTempDirectory("spine-local-stack-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the local stack's temp folder", e);
        }
        // The registry is a separate JVM that needs seconds to boot: launch it first, start the broker meanwhile.
        CompletableFuture<Timed<LocalSchemaRegistry>> registryFuture =
                CompletableFuture.supplyAsync(() -> Timed.of(() -> LocalSchemaRegistry.start(workDir)));
        LocalKafkaBroker broker = null;
        try {
            BrokerSecurity security = secured ? BrokerSecurity.generate(workDir.resolve("tls")) : null;
            Timed<LocalKafkaBroker> timedBroker = Timed.of(() -> LocalKafkaBroker.start(workDir, security));
            broker = timedBroker.value();
            createTopics(broker.bootstrapServers(), security == null ? Map.of() : security.adminSettings(), Topics.ALL, (short) 1);
            Timed<LocalSchemaRegistry> timedRegistry = registryFuture.join();
            governContractSubjects(timedRegistry.value().confluentUrl());
            Duration total = Duration.ofNanos(System.nanoTime() - t0);
            LocalStack stack = new LocalStack(workDir, broker, timedRegistry.value(),
                    timedBroker.elapsed(), timedRegistry.elapsed(), total);
            log.info("Local stack up in {} ms (broker {} ms, registry {} ms): kafka {}, registry {}",
                    total.toMillis(), timedBroker.elapsed().toMillis(), timedRegistry.elapsed().toMillis(),
                    broker.bootstrapServers(), stack.schemaRegistryUrl());
            return stack;
        } catch (RuntimeException e) {
            registryFuture.thenAccept(timed -> timed.value().close());
            try {
                registryFuture.join();
            } catch (CompletionException registryFailedToo) {
                e.addSuppressed(registryFailedToo.getCause());
            }
            if (broker != null) {
                broker.close();
            }
            TempDirs.deleteRecursively(workDir);
            throw unwrap(e);
        }
    }

    /**
     * Creates every topic of {@link Topics#ALL} on any cluster (e.g. the docker-compose one), with
     * the given replication factor; topics that already exist are left as they are.
     */
    public static void createContractTopics(String bootstrapServers, short replicationFactor) {
        createContractTopics(bootstrapServers, Map.of(), replicationFactor);
    }

    /** As {@link #createContractTopics(String, short)} with client security settings (security.protocol, sasl.*, ssl.*). */
    public static void createContractTopics(String bootstrapServers, Map<String, String> clientSettings, short replicationFactor) {
        createTopics(bootstrapServers, clientSettings, Topics.ALL, replicationFactor);
    }

    /**
     * Sets the compatibility level BACKWARD on the registry subject of every Avro-valued contract topic
     * ({@code <topic>-value}) that has no level of its own, so the registry refuses a schema the topic's
     * readers could not read, e.g. a ProcedureEvent as the next version of {@code spine.followups.v1-value}.
     * Part of creating the contract's topics: call it next to {@link #createContractTopics} on any cluster.
     *
     * @param registryUrl Confluent-API base URL (Apicurio: {@code .../apis/ccompat/v7})
     * @return the subjects whose level was set
     */
    public static List<String> governContractSubjects(String registryUrl) {
        List<String> set = SchemaGovernance.requireBackward(new RestSchemaRegistryClient(registryUrl), Topics.valueSubjects());
        log.info("compatibility {} on {}", SchemaGovernance.BACKWARD, set);
        return set;
    }

    static void createTopics(String bootstrapServers, Map<String, String> clientSettings, List<SpineTopic<?, ?>> topics, short replicationFactor) {
        try (Admin admin = admin(bootstrapServers, clientSettings, "spine-topic-setup")) {
            List<NewTopic> newTopics = topics.stream()
                    .map(spec -> new NewTopic(spec.name(), spec.partitions(), replicationFactor).configs(spec.config()))
                    .toList();
            for (Map.Entry<String, KafkaFuture<Void>> result : admin.createTopics(newTopics).values().entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Could not create topic " + result.getKey() + ": " + e.getCause().getMessage(), e.getCause());
                    }
                }
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating the contract's topics on " + bootstrapServers, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        }
    }

    private static Admin admin(String bootstrapServers, Map<String, String> clientSettings, String clientId) {
        Map<String, Object> config = new HashMap<>(clientSettings);
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return Admin.create(config);
    }

    /**
     * Creates (or replaces) the SCRAM-SHA-512 credential of {@code user} on the secured broker through the
     * Admin API, as the broker's administrator; a new connection can log in with it at once.
     */
    public void addScramUser(String user, String password) {
        BrokerSecurity security = requireSecured();
        try (Admin admin = admin(bootstrapServers(), security.adminSettings(), "spine-scram-setup")) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), password))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not create the SCRAM user " + user + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating the SCRAM user " + user, e);
        }
    }

    /** Client settings (security.protocol, sasl.*, ssl.*) of {@code user} for the secured broker. */
    public Map<String, String> clientSettings(String user, String password) {
        return requireSecured().clientSettings(user, password);
    }

    /** Client settings of the secured broker's administrator; empty for a PLAINTEXT broker. */
    public Map<String, String> adminSettings() {
        return broker.security() == null ? Map.of() : broker.security().adminSettings();
    }

    /** The secured broker's TLS and SASL setup; null for a PLAINTEXT broker. */
    public BrokerSecurity security() {
        return broker.security();
    }

    private BrokerSecurity requireSecured() {
        if (broker.security() == null) throw new IllegalStateException("this stack's broker is PLAINTEXT: start it with LocalStack.startSecured()");
        return broker.security();
    }

    private static RuntimeException unwrap(RuntimeException e) {
        return e instanceof CompletionException && e.getCause() instanceof RuntimeException cause ? cause : e;
    }

    /** {@code bootstrap.servers} for clients, e.g. {@code 127.0.0.1:41234}. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    /** {@code schema.registry.url} for Confluent-API clients (the project's serdes). */
    public String schemaRegistryUrl() {
        return registry.confluentUrl();
    }

    /** Apicurio's native API, for Apicurio's own serdes. */
    public String apicurioRegistryUrl() {
        return registry.apicurioUrl();
    }

    public LocalKafkaBroker broker() {
        return broker;
    }

    public LocalSchemaRegistry registry() {
        return registry;
    }

    /** The temp folder holding broker data and the registry log; removed on close. */
    public Path workDir() {
        return workDir;
    }

    public Duration brokerStartTime() {
        return brokerStartTime;
    }

    public Duration registryStartTime() {
        return registryStartTime;
    }

    /** Wall time of {@link #start()}, broker and registry overlapping, topics included. */
    public Duration totalStartTime() {
        return totalStartTime;
    }

    /** Stops registry and broker and removes the temp folder. Close all clients first. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        try {
            registry.close();
        } finally {
            try {
                broker.close();
            } finally {
                TempDirs.deleteRecursively(workDir);
            }
        }
        log.info("Local stack stopped in {} ms", Duration.ofNanos(System.nanoTime() - t0).toMillis());
    }

    /** A value and how long it took to produce. */
    private record Timed<T>(T value, Duration elapsed) {
        static <T> Timed<T> of(java.util.function.Supplier<T> action) {
            long start = System.nanoTime();
            T value = action.get();
            return new Timed<>(value, Duration.ofNanos(System.nanoTime() - start));
        }
    }
}
