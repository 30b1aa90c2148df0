package org.spineoutcomes.runtime;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.app.StaticMembership;
import org.spineoutcomes.dashboard.DashboardFiles;
import org.spineoutcomes.http.HttpRoutes;
import org.spineoutcomes.ingest.RegistryGate;
import org.spineoutcomes.http.Reply;
import org.spineoutcomes.http.SpineHttpServer;
import org.spineoutcomes.kafka.ClientSecurity;
import org.spineoutcomes.query.EventStream;
import org.spineoutcomes.query.KafkaStateAccess;
import org.spineoutcomes.query.QueryApi;
import org.spineoutcomes.query.Suppression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running streams app as an operable process ({@code ./spine run}): the HTTP server with
 * {@code /health}, {@code /ready} and {@code /metrics} (more routes mount on {@link #routes()}), the
 * Kafka Streams app, the query API under {@code /api/} and the dashboard under {@code /dashboard/}
 * ({@code GET /} redirects there), Micrometer metrics (Kafka Streams' own, the ingest counters, JVM), one INFO line
 * per state change, "ready: http://host:port/" on stdout the first time the app is RUNNING, a line
 * every 30 s saying what to check while it is not, and an orderly {@link #close()}.
 *
 * <p>The HTTP server starts first, so its port (also when spine.http.port is 0) is known and becomes
 * the default {@code application.server} advertised for interactive queries.
 */
public final class SpineRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpineRuntime.class);

    /** How long the app may be not RUNNING before the runtime says what to check (and again every as long). */
    public static final Duration WATCH_INTERVAL = Duration.ofSeconds(30);
    /** Kafka Streams gets this long to stop (leaving the group) on close. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(25);
    /** How often the brokers are asked for the readiness check. */
    public static final Duration BROKER_CHECK_EVERY = Duration.ofSeconds(5);
    /** The paths that need no bearer token when spine.http.bearer.token is set: probes, the redirect, the dashboard's files. */
    public static final List<String> OPEN_WITH_TOKEN = List.of("/health", "/ready", "/", "/dashboard", DashboardFiles.PREFIX + "*");

    private final AppConfig config;
    private final HttpRoutes routes;
    private final SpineHttpServer http;
    private final SpineStreamsApp app;
    private final PrometheusMeterRegistry meters;
    private final List<KafkaStreamsMetrics> kafkaMetrics;
    private final ScheduledExecutorService scheduler;
    private final StartupWatch watch;
    private final EventStream events;
    private final QueryApi query;
    private final URI baseUri;
    private final CountDownLatch running = new CountDownLatch(1);
    private final CompletableFuture<KafkaStreams.State> failed = new CompletableFuture<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** True while KafkaStreams#start() has not returned (it holds the lock close needs). */
    private final AtomicBoolean starting = new AtomicBoolean(true);

    private SpineRuntime(AppConfig config, PrintStream out, Duration watchInterval, HttpRoutes routes, SpineHttpServer http,
                         PrometheusMeterRegistry meters, URI baseUri) throws IOException {
        this.config = config;
        this.routes = routes;
        this.http = http;
        this.meters = meters;
        this.baseUri = baseUri;
        this.app = new SpineStreamsApp(config, config.registryClient());
        KafkaStreams streams = app.streams();
        this.watch = new StartupWatch(config, app::state, app::stages, LOG::warn, watchInterval);
        RuntimeEndpoints.register(routes, app::state, this::dependencyProblem, meters);
        // Query API and dashboard: the state of this instance, and forwarding to the others by application.server.
        AppConfig.HostAndPort server = config.applicationServer().orElseThrow();
        Suppression suppression = new Suppression(config.minCellSize());
        this.events = EventStream.forApp(config, config.registryClient(), suppression, server.toString());
        this.query = new QueryApi(new KafkaStateAccess(streams, app::streamsWithStore, new HostInfo(server.host(), server.port()), config.dataCut().orElse(null)),
                suppression, events, QueryApi.DEFAULT_RETRY, config.httpBearerToken().orElse(null));
        routes.mount(QueryApi.PREFIX, query);
        routes.mount(DashboardFiles.PREFIX, new DashboardFiles());
        routes.get("/dashboard", request -> Reply.redirect(DashboardFiles.PREFIX, Map.of()));
        routes.get("/", request -> Reply.redirect(DashboardFiles.PREFIX, Map.of("paths", List.copyOf(routes.paths()))));
        // The probes and the dashboard's static files (no data in them) stay open; the data needs the token.
        config.httpBearerToken().ifPresent(token -> routes.requireToken(token, OPEN_WITH_TOKEN));
        RestoreLog restoreLog = new RestoreLog();
        app.allStreams().forEach(s -> s.setGlobalStateRestoreListener(restoreLog));
        app.addStateListener((newState, oldState) -> {
            LOG.info("state {} -> {}", oldState, newState);
            if (newState == KafkaStreams.State.RUNNING) {
                restoreLog.takeSummary().ifPresent(LOG::info);
            }
            watch.stateChanged(newState, oldState);
            if (newState == KafkaStreams.State.RUNNING && running.getCount() > 0) {
                running.countDown();
                out.println("ready: " + baseUri);
                out.flush();
            }
            if (newState == KafkaStreams.State.ERROR) {
                LOG.error("Kafka Streams stopped processing (state ERROR); the errors above say why");
                failed.complete(newState);
            }
        });
        this.kafkaMetrics = app.allStreams().stream().map(KafkaStreamsMetrics::new).toList();
        kafkaMetrics.forEach(m -> m.bindTo(meters));
        new IngestMeters(streams).bindTo(meters);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "spine-startup-watch");
            t.setDaemon(true);
            return t;
        });
        long everyMs = watchInterval.toMillis();
        scheduler.scheduleWithFixedDelay(watch::check, everyMs, everyMs, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(watch::checkBrokers, 0, BROKER_CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Why this instance should not get traffic although Kafka Streams may be RUNNING (GET /ready): no
     * broker answers, processing is paused for the schema registry, or the registry does not answer;
     * empty when none.
     */
    Optional<String> dependencyProblem() {
        Optional<String> brokers = watch.brokerProblem();
        if (brokers.isPresent()) return brokers;
        Optional<RegistryGate.Outage> outage = app.registryGate().outage();
        if (outage.isPresent()) {
            RegistryGate.Outage o = outage.get();
            return Optional.of("processing is paused since " + o.since() + ": the schema registry could not be asked while " + o.where()
                    + " (" + o.cause() + "); it resumes where it stopped when the registry answers");
        }
        return app.registryWatch().problem().map(p -> "the schema registry cannot be asked or refuses: " + p
                + " (a record with a schema id not seen yet would wait for it)");
    }

    /** Starts the HTTP server and the streams app with the watch interval of {@link #WATCH_INTERVAL}. */
    public static SpineRuntime start(AppConfig config, PrintStream out) throws IOException {
        return start(config, out, WATCH_INTERVAL);
    }

    /** As {@link #start(AppConfig, PrintStream)}, with another interval for the not-running report (tests). */
    public static SpineRuntime start(AppConfig config, PrintStream out, Duration watchInterval) throws IOException {
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // The generic Kafka binder would copy the ingest sensors as kafka.spine.ingest.*; IngestMeters
        // publishes them summed over tasks under spine.ingest.* instead.
        meters.config().meterFilter(MeterFilter.denyNameStartsWith("kafka.spine.ingest"));
        HttpRoutes routes = new HttpRoutes();
        SpineHttpServer http = SpineHttpServer.start(config.httpBindAddress(), config.httpPort(), routes);
        try {
            String host = httpHost(config.httpBindAddress());
            URI baseUri = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + http.port() + "/");
            AppConfig effective = config.applicationServer().isPresent() ? config
                    : config.with(AppConfig.APPLICATION_SERVER, new AppConfig.HostAndPort(host, http.port()).toString(),
                            "derived from the HTTP address");
            SpineRuntime runtime = new SpineRuntime(effective, out, watchInterval, routes, http, meters, baseUri);
            LOG.info("starting: application id {}{}, brokers {}, registry {}, {} stream thread(s){}, {}, http {}{}",
                    effective.applicationId(),
                    effective.topologySplit() ? " (cell stage " + org.spineoutcomes.topology.HandOnTopics.cellStageApplicationId(effective.applicationId()) + ")" : "",
                    effective.bootstrapServers(), effective.schemaRegistryUrls().get(0),
                    effective.streamThreads().orElse(Runtime.getRuntime().availableProcessors()),
                    effective.topologySplit() ? " per stage" : "",
                    StaticMembership.instanceId(effective).map(id -> "static member " + id).orElse("dynamic membership"), baseUri,
                    effective.httpBearerToken().isPresent() ? " (bearer token required)" : "");
            if (effective.httpBearerToken().isEmpty() && !http.address().getAddress().isLoopbackAddress()) {
                LOG.warn("the HTTP endpoints listen on {} without {}: whoever reaches this port reads the results",
                        effective.httpBindAddress(), AppConfig.HTTP_BEARER_TOKEN);
            }
            runtime.startStreams();
            return runtime;
        } catch (IOException | RuntimeException e) {
            http.close();
            meters.close();
            throw e;
        }
    }

    /**
     * Starts Kafka Streams on a thread of its own: {@code KafkaStreams#start()} blocks until the global
     * data-cut store is restored, which never ends while no broker answers (until task.timeout.ms,
     * 5 minutes by default). Meanwhile the endpoints answer, the watch reports, and close works. First
     * the brokers are asked once whether they accept the credentials: when they refuse them, one ERROR
     * line says so and what to check, and the runtime fails (exit code 1 of {@code ./spine run}).
     */
    private void startStreams() {
        Thread starter = new Thread(() -> {
            try {
                AuthenticationException refused = StartupWatch.refusedCredentials(config, StartupWatch.ASK_TIMEOUT);
                if (refused != null) {
                    LOG.error("cannot start: {}", ClientSecurity.explain(refused, config.bootstrapServers()));
                    failed.complete(state());
                    return;
                }
                if (closed.get()) return;
                app.start();
            } catch (RuntimeException e) {
                starting.set(false);
                if (!closed.get()) {
                    Throwable root = e;
                    while (root.getCause() != null && root.getCause() != root) {
                        root = root.getCause();
                    }
                    LOG.error("Kafka Streams failed to start{}", root == e ? "" : " (cause: " + root + ")", e);
                    failed.complete(state());
                }
            } finally {
                starting.set(false);
            }
        }, "spine-streams-start");
        starter.setDaemon(true);
        starter.start();
    }

    /** The host in the HTTP address: the bind address, or this host's name when bound to every interface. */
    static String httpHost(String bindAddress) {
        if (!bindAddress.equals("0.0.0.0") && !bindAddress.equals("::") && !bindAddress.equals("[::]")) {
            return bindAddress.startsWith("[") ? bindAddress.substring(1, bindAddress.length() - 1) : bindAddress;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /** The routing table of the HTTP server: mount more endpoints here (see {@link HttpRoutes}). */
    public HttpRoutes routes() {
        return routes;
    }

    /** The port the HTTP server listens on (the chosen one when spine.http.port is 0). */
    public int httpPort() {
        return http.port();
    }

    /** http://host:port/ as printed in the "ready:" line. */
    public URI baseUri() {
        return baseUri;
    }

    /** The configuration in effect (with the derived application.server). */
    public AppConfig config() {
        return config;
    }

    public SpineStreamsApp app() {
        return app;
    }

    public KafkaStreams.State state() {
        return app.state();
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** The server-sent events of {@code /api/stream}. */
    public EventStream events() {
        return events;
    }

    /** Waits until Kafka Streams is RUNNING for the first time; false on timeout. */
    public boolean awaitRunning(Duration timeout) throws InterruptedException {
        return running.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes when Kafka Streams reaches ERROR (processing stopped for good). */
    public CompletableFuture<KafkaStreams.State> failure() {
        return failed;
    }

    /**
     * Stops in order, at most about 30 s: the watch, Kafka Streams (leaving the group; {@code /health}
     * answers 503 meanwhile), the metrics, the HTTP server. True when Kafka Streams stopped in time.
     * A second call returns at once.
     */
    @Override
    public void close() {
        closeInTime();
    }

    public boolean closeInTime() {
        if (!closed.compareAndSet(false, true)) {
            return true;
        }
        long t0 = System.nanoTime();
        scheduler.shutdownNow();
        events.close();
        query.close();
        boolean stopped;
        if (starting.get()) {
            // start() still waits for the global data-cut store (no broker answered yet) and holds the lock
            // close() needs; no stream thread has started, so there is nothing to commit or leave. Close
            // in the background once start() gives up, and stop the rest now.
            LOG.info("Kafka Streams is still starting (waiting for the brokers): no task has run, nothing to commit; stopping without waiting");
            Thread closer = new Thread(() -> app.close(CLOSE_TIMEOUT), "spine-close-after-start");
            closer.setDaemon(true);
            closer.start();
            stopped = true;
        } else {
            stopped = app.close(CLOSE_TIMEOUT);
        }
        kafkaMetrics.forEach(KafkaStreamsMetrics::close);
        watch.close();
        http.close();
        meters.close();
        if (stopped) {
            LOG.info("stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } else {
            LOG.warn("Kafka Streams did not stop within {} s", CLOSE_TIMEOUT.toSeconds());
        }
        return stopped;
    }
}
