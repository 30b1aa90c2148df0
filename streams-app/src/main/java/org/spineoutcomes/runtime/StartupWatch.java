package org.spineoutcomes.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.kafka.ClientSecurity;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/**
 * Says why the app is not RUNNING, so an unreachable broker never means silence: each time it is
 * called while the state has not been RUNNING for a whole interval it asks the brokers (an admin
 * client with the app's own security settings) and reports one line: brokers unreachable (what to
 * check), contract topics missing (which), or brokers fine and the group still rebalancing/restoring, then for
 * each stage that waits its group's state as the coordinator sees it and its stream threads' states.
 * The runtime also has it ask the brokers every few seconds ({@link #checkBrokers()}) for the readiness check.
 */
final class StartupWatch implements AutoCloseable {
    static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

    private final AppConfig config;
    private final Supplier<KafkaStreams.State> state;
    private final Consumer<String> report;
    private final Duration interval;
    private final Duration askTimeout;
    /** The app's Kafka Streams applications with their groups, to say which one waits and on what. */
    private final Supplier<List<SpineStreamsApp.Stage>> stages;
    private Admin admin;
    private long notRunningSinceNanos = System.nanoTime();
    private volatile String brokerProblem;

    StartupWatch(AppConfig config, Supplier<KafkaStreams.State> state, Supplier<List<SpineStreamsApp.Stage>> stages, Consumer<String> report,
                 Duration interval) {
        this(config, state, stages, report, interval, ASK_TIMEOUT);
    }

    StartupWatch(AppConfig config, Supplier<KafkaStreams.State> state, Supplier<List<SpineStreamsApp.Stage>> stages, Consumer<String> report,
                 Duration interval, Duration askTimeout) {
        this.config = config;
        this.stages = stages;
        this.state = state;
        this.report = report;
        this.interval = interval;
        this.askTimeout = askTimeout;
    }

    /** Called on every state change: the clock restarts when the app leaves RUNNING. */
    synchronized void stateChanged(KafkaStreams.State newState, KafkaStreams.State oldState) {
        if (oldState == KafkaStreams.State.RUNNING && newState != KafkaStreams.State.RUNNING) {
            notRunningSinceNanos = System.nanoTime();
        }
    }

    /** Called every interval by the runtime's scheduler. */
    void check() {
        KafkaStreams.State s = state.get();
        long waitedNanos;
        synchronized (this) {
            waitedNanos = System.nanoTime() - notRunningSinceNanos;
        }
        boolean waiting = s == KafkaStreams.State.CREATED || s == KafkaStreams.State.REBALANCING;
        if (!waiting || waitedNanos < interval.toNanos()) {
            return;
        }
        report.accept("not running after " + waitedNanos / 1_000_000_000L + " s (state " + s + "): " + diagnose());
    }

    /** Asks the brokers now (the runtime does every few seconds) and remembers the answer for {@link #brokerProblem()}. */
    void checkBrokers() {
        String brokers = config.bootstrapServers();
        try {
            admin().describeCluster().nodes().get(askTimeout.toMillis(), TimeUnit.MILLISECONDS);
            brokerProblem = null;
        } catch (TimeoutException | ExecutionException e) {
            brokerProblem = noBrokerAnswers(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            brokerProblem = "cannot ask the brokers at " + brokers + ": " + e;
        }
    }

    /** What the last {@link #checkBrokers()} found wrong; empty when a broker answered (or none was asked yet). */
    Optional<String> brokerProblem() {
        return Optional.ofNullable(brokerProblem);
    }

    private String noBrokerAnswers(Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return "no Kafka broker answers at " + config.bootstrapServers() + " within " + askTimeout.toSeconds() + " s; check "
                + AppConfig.BOOTSTRAP_SERVERS + ", that the brokers are up and reachable from this host, and the kafka.security.protocol / "
                + "kafka.sasl.* / kafka.ssl.* settings (" + cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()) + ")";
    }

    String diagnose() {
        String brokers = config.bootstrapServers();
        try {
            int nodes = admin().describeCluster().nodes().get(askTimeout.toMillis(), TimeUnit.MILLISECONDS).size();
            Set<String> existing = admin().listTopics().names().get(askTimeout.toMillis(), TimeUnit.MILLISECONDS);
            Set<String> missing = new TreeSet<>(Topics.ALL.stream().map(SpineTopic::name).toList());
            missing.removeAll(existing);
            if (!missing.isEmpty()) {
                return "the brokers at " + brokers + " answer, but these topics are missing: " + String.join(", ", missing)
                        + " (create them with the partitions and configs of org.spineoutcomes.topics.Topics)";
            }
            return "the brokers at " + brokers + " answer (" + nodes + " broker" + (nodes == 1 ? "" : "s")
                    + ") and the topics exist; the consumer group is still rebalancing or state is being restored" + waitingStages();
        } catch (TimeoutException | ExecutionException e) {
            return noBrokerAnswers(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while asking the brokers";
        } catch (RuntimeException e) {
            return "cannot ask the brokers at " + brokers + ": " + e;
        }
    }

    /**
     * For each stage not RUNNING: its state, its group's state and members as the coordinator sees them, and its
     * stream threads' states with their active tasks (a thread in PARTITIONS_ASSIGNED is restoring state or
     * waiting for its tasks' locks; a group in PREPARING_REBALANCE waits for a member to join).
     */
    String waitingStages() {
        List<SpineStreamsApp.Stage> waiting = stages.get().stream().filter(st -> st.streams().state() != KafkaStreams.State.RUNNING).toList();
        if (waiting.isEmpty()) return "";
        Map<String, KafkaFuture<ConsumerGroupDescription>> groups;
        try {
            groups = admin().describeConsumerGroups(waiting.stream().map(SpineStreamsApp.Stage::groupId).toList()).describedGroups();
        } catch (RuntimeException e) {
            groups = Map.of();
        }
        StringBuilder out = new StringBuilder();
        for (SpineStreamsApp.Stage st : waiting) {
            out.append("; ").append(st.name()).append(' ').append(st.streams().state()).append(" (group ").append(st.groupId())
                    .append(' ').append(group(groups.get(st.groupId()))).append(')');
            out.append(", threads: ").append(threads(st.streams()));
        }
        return out.toString();
    }

    /** "STABLE, 2 members" as the group coordinator sees the group, or why that is not known. */
    private String group(KafkaFuture<ConsumerGroupDescription> described) {
        if (described == null) return "not described";
        try {
            ConsumerGroupDescription g = described.get(askTimeout.toMillis(), TimeUnit.MILLISECONDS);
            int members = g.members().size();
            return g.groupState() + ", " + members + (members == 1 ? " member" : " members");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) return "not known to the coordinator yet";
            return "not described: " + (e.getCause() == null ? e : e.getCause()).getClass().getSimpleName();
        } catch (TimeoutException e) {
            return "not described within " + askTimeout.toSeconds() + " s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not described (interrupted)";
        }
    }

    /** "StreamThread-1 PARTITIONS_ASSIGNED with 3 active tasks, StreamThread-2 RUNNING with 2 active tasks"; "none" without threads. */
    static String threads(KafkaStreams streams) {
        List<String> parts = new ArrayList<>();
        try {
            for (ThreadMetadata t : streams.metadataForLocalThreads()) {
                String name = t.threadName();
                int at = name.lastIndexOf("StreamThread-");
                parts.add((at >= 0 ? name.substring(at) : name) + " " + t.threadState() + " with " + t.activeTasks().size() + " active tasks");
            }
        } catch (RuntimeException e) {
            return "not known (" + e.getClass().getSimpleName() + ")";
        }
        Collections.sort(parts);
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = admin(config, "-startup-watch", askTimeout);
        }
        return admin;
    }

    /** An admin client with the app's brokers and kafka.* security settings, answering within {@code timeout}. */
    private static Admin admin(AppConfig config, String clientIdSuffix, Duration timeout) {
        Properties p = new Properties();
        p.putAll(config.kafkaClientSettings());
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, config.applicationId() + clientIdSuffix);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return Admin.create(p);
    }

    /**
     * Asks the brokers once, before Kafka Streams starts, whether they accept this app's credentials: the
     * authentication failure when they refuse them (a wrong password, a TLS handshake that fails), else
     * null, also when no broker answers within {@code timeout} (then Kafka Streams waits for them and the
     * watch reports). A refused login would not heal by waiting; the runtime stops with one line instead.
     */
    static AuthenticationException refusedCredentials(AppConfig config, Duration timeout) {
        try (Admin check = admin(config, "-credential-check", timeout)) {
            check.describeCluster().clusterId().get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return ClientSecurity.authenticationFailure(e.getCause());
        } catch (TimeoutException | RuntimeException e) {
            return ClientSecurity.authenticationFailure(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
            admin = null;
        }
    }
}
