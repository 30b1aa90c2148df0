package org.spineoutcomes.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.spineoutcomes.aggregate.AdjustedComparisonMapper;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.http.BadRequest;
import org.spineoutcomes.http.BearerToken;
import org.spineoutcomes.aggregate.TimeToEventMapper;
import org.spineoutcomes.http.Request;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;
import org.spineoutcomes.outcome.AdjustedContributions;
import org.spineoutcomes.topology.SpineTopology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read-only JSON query API, mounted under {@code /api/} (GET and HEAD only):
 * <ul>
 *   <li>{@code /api/patients/{pseudonym}}: the patient's current outcome, the JSON of a patient-outcomes.ndjson line;</li>
 *   <li>{@code /api/aggregates?population=&window=&stratum=[&asOf=]}: every arm's aggregate of one
 *       population/window/stratum at the current data cut or at {@code asOf};</li>
 *   <li>{@code /api/comparisons?population=&window=&stratum=}: the three arm comparisons;</li>
 *   <li>{@code /api/adjusted-comparisons?population=&window=}: the standardised comparisons (R36) of one population
 *       and follow-up window, every pair and measure;</li>
 *   <li>{@code /api/time-to-event?population=&stratum=}: the Kaplan-Meier cells (R37) of every arm and the
 *       log-rank pairs (R38) of one population and stratum;</li>
 *   <li>{@code /api/cells}: which population/window/stratum cells exist (all instances);</li>
 *   <li>{@code /api/rejections}: dead-lettered records by reason code, summed over all instances;</li>
 *   <li>{@code /api/stream}: server-sent events of aggregate and comparison changes ({@link EventStream}).</li>
 * </ul>
 * A key's state lives on one instance: the one Kafka Streams assigned its partition (patients by
 * pseudonym, cells by population/window). Another instance forwards the request there over HTTP (to
 * its application.server, marked with {@value #FORWARDED_BY}, never forwarded twice) and relays the
 * answer. While no instance can answer (start, rebalance, restore) the request is retried with
 * back-off for {@link #DEFAULT_RETRY}, then answered 503 with Retry-After. Every aggregate and
 * comparison passes {@link Suppression}.
 *
 * <p>Requests run on two small pools of their own, not on the HTTP server's threads: one for
 * clients, one for requests forwarded by another instance. A forwarded request only reads local state,
 * so two instances forwarding to each other can never wait on each other.
 */
public final class QueryApi implements HttpHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(QueryApi.class);

    public static final String PREFIX = "/api/";
    /** Request header of a forwarded request: the forwarding instance's host:port. */
    public static final String FORWARDED_BY = "X-Spine-Forwarded-By";
    /** Response header: the instance whose store answered. */
    public static final String SERVED_BY = "X-Spine-Served-By";
    /** How long a request waits for its state while the instances start or rebalance. */
    public static final Duration DEFAULT_RETRY = Duration.ofSeconds(5);
    /** A forwarded request waits less: the instance that forwarded it looks the owner up again. */
    static final Duration PEER_RETRY = Duration.ofSeconds(1);
    static final int RETRY_AFTER_SECONDS = 5;
    static final String JSON = "application/json; charset=utf-8";

    private final StateAccess state;
    private final Suppression suppression;
    private final HttpHandler stream;
    private final Duration retryFor;
    private final BearerToken peerToken;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final NdjsonCodec codec = new NdjsonCodec();
    private final ObjectMapper mapper = new ObjectMapper();
    private final ThreadPoolExecutor clients = pool("spine-api-", 8);
    private final ThreadPoolExecutor peers = pool("spine-api-peer-", 4);

    /**
     * @param stream   the handler of {@code /api/stream} (server-sent events); null answers 404 there
     * @param retryFor how long to retry while the state is not available (then 503)
     */
    public QueryApi(StateAccess state, Suppression suppression, HttpHandler stream, Duration retryFor) {
        this(state, suppression, stream, retryFor, null);
    }

    /**
     * @param peerToken the bearer token the instances share (spine.http.bearer.token), sent with every
     *                  request forwarded to another instance; null when none is configured
     */
    public QueryApi(StateAccess state, Suppression suppression, HttpHandler stream, Duration retryFor, BearerToken peerToken) {
        this.state = state;
        this.suppression = suppression;
        this.stream = stream;
        this.retryFor = retryFor;
        this.peerToken = peerToken;
    }

    private static ThreadPoolExecutor pool(String name, int threads) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, name + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** One request as the API sees it: path, query, who forwarded it (null: a client), the text to forward. */
    record Call(String path, Map<String, String> query, String forwardedBy, String target) {
        boolean forwarded() {
            return forwardedBy != null;
        }
    }

    /** A complete JSON answer. */
    record Answer(int status, byte[] body, Map<String, String> headers) {
        static Answer json(int status, byte[] body) {
            return new Answer(status, body, Map.of());
        }

        Answer withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Answer(status, body, h);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            send(exchange, error(405, "the query API is read-only: method " + method + " not allowed", path));
            exchange.close();
            return;
        }
        URI uri = exchange.getRequestURI();
        Call call;
        try {
            call = new Call(path, new Request(method, uri, exchange.getRequestHeaders()).query(),
                    exchange.getRequestHeaders().getFirst(FORWARDED_BY), uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            if (path.equals(PREFIX + "stream")) QueryParameters.none(call.query());
        } catch (BadRequest e) {
            send(exchange, Answer.json(400, bytes(e.body())));
            exchange.close();
            return;
        }
        if (path.equals(PREFIX + "stream") && stream != null) {
            stream.handle(exchange);
            return;
        }
        try {
            (call.forwarded() ? peers : clients).execute(() -> serve(exchange, call));
        } catch (RejectedExecutionException e) {
            send(exchange, error(503, "too many requests in progress; retry shortly", path).withHeader("Retry-After", "1"));
            exchange.close();
        }
    }

    private void serve(HttpExchange exchange, Call call) {
        try {
            send(exchange, answer(call));
        } catch (IOException e) {
            LOG.debug("GET {}: the client went away ({})", call.path(), e.toString());
        } catch (RuntimeException e) {
            LOG.warn("GET {} failed", call.path(), e);
            try {
                send(exchange, error(500, e.getClass().getSimpleName() + ": " + e.getMessage(), call.path()));
            } catch (IOException | RuntimeException ignored) {
                // the answer had started; the client sees a broken response
            }
        } finally {
            exchange.close();
        }
    }

    /** The answer to one call (no I/O with the client). */
    Answer answer(Call call) {
        String path = call.path();
        try {
            if (path.equals(PREFIX)) return index(call);
            if (path.startsWith(PREFIX + "patients/") && path.length() > (PREFIX + "patients/").length()
                    && path.indexOf('/', (PREFIX + "patients/").length()) < 0) {
                return patient(call, path.substring((PREFIX + "patients/").length()));
            }
            return switch (path) {
                case PREFIX + "aggregates" -> aggregates(call);
                case PREFIX + "comparisons" -> comparisons(call);
                case PREFIX + "adjusted-comparisons" -> adjustedComparisons(call);
                case PREFIX + "time-to-event" -> timeToEvent(call);
                case PREFIX + "cells" -> cells(call);
                case PREFIX + "rejections" -> rejections(call);
                default -> error(404, "not found; GET " + PREFIX + " lists the endpoints", path);
            };
        } catch (BadRequest e) {
            return Answer.json(400, bytes(e.body()));
        }
    }

    // --- endpoints ------------------------------------------------------------------------------

    private Answer index(Call call) {
        QueryParameters.none(call.query());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("endpoints", List.of(
                PREFIX + "patients/{pseudonym}",
                PREFIX + "aggregates?population=&window=&stratum=[&asOf=]",
                PREFIX + "comparisons?population=&window=&stratum=",
                PREFIX + "adjusted-comparisons?population=&window=",
                PREFIX + "time-to-event?population=&stratum=",
                PREFIX + "cells",
                PREFIX + "rejections[?scope=all|instance]",
                PREFIX + "stream"));
        m.put("populations", QueryParameters.symbols(Population.class));
        m.put("windows", QueryParameters.symbols(Window.class));
        m.put("strata", QueryParameters.symbols(Stratum.class));
        m.put("arms", QueryParameters.symbols(TreatmentArm.class));
        m.put("comparisons", QueryParameters.symbols(Comparison.class));
        m.put("minCellSize", suppression.minCellSize());
        m.put("instance", state.self());
        return Answer.json(200, bytes(m));
    }

    private Answer patient(Call call, String pseudonym) {
        QueryParameters.none(call.query());
        return routed(call, SpineTopology.PATIENT_STORE, pseudonym, call.target(), partition -> state.patient(pseudonym, partition)
                .map(o -> Answer.json(200, codec.formatRecord(o).getBytes(StandardCharsets.UTF_8)))
                // The key asked for is not repeated: whatever was sent (a pseudonym, or by mistake an MRN) stays out of the answer.
                .orElseGet(() -> error(404, "no patient with this pseudonym (or no outcome yet)", PREFIX + "patients/{pseudonym}")));
    }

    private Answer aggregates(Call call) {
        QueryParameters.CellSelection sel = QueryParameters.cellSelection(call.query());
        return routed(call, SpineTopology.CELL_STORE, sel.groupKey(), call.target(), partition -> {
            Instant cut = sel.asOf().orElseGet(() -> state.dataCut().orElse(null));
            ObjectNode out = header(sel, cut);
            ArrayNode list = out.putArray("aggregates");
            for (TreatmentArm arm : TreatmentArm.values()) {
                CellKey key = new CellKey(sel.population().name(), arm.name(), sel.window().name(), sel.stratum().name());
                CellStatistics stats = state.cell(key, partition);
                if (stats != null) list.add(suppression.aggregate(AggregateMapper.toArmAggregate(key, stats, cut)));
            }
            return Answer.json(200, bytes(out));
        });
    }

    private Answer comparisons(Call call) {
        QueryParameters.CellSelection sel = QueryParameters.cellSelection(call.query());
        if (sel.asOf().isPresent()) {
            throw new BadRequest(QueryParameters.AS_OF, call.query().get(QueryParameters.AS_OF), List.of(),
                    "asOf is not taken by comparisons: no comparison depends on the data cut (only completeness does, see /api/aggregates)");
        }
        return routed(call, SpineTopology.CELL_STORE, sel.groupKey(), call.target(), partition -> {
            ObjectNode out = header(sel, null);
            out.remove("dataCut");
            Map<TreatmentArm, CellStatistics> cells = new EnumMap<>(TreatmentArm.class);
            ArrayNode list = out.putArray("comparisons");
            for (Comparison c : Comparison.values()) {
                String p = sel.population().name();
                String w = sel.window().name();
                String s = sel.stratum().name();
                CellStatistics first = cells.computeIfAbsent(c.firstArm(), a -> state.cell(new CellKey(p, a.name(), w, s), partition));
                CellStatistics second = cells.computeIfAbsent(c.secondArm(), a -> state.cell(new CellKey(p, a.name(), w, s), partition));
                if (ComparisonMapper.exists(first, second)) {
                    list.add(suppression.comparison(ComparisonMapper.toArmComparison(p, c, w, s, first, second)));
                }
            }
            return Answer.json(200, bytes(out));
        });
    }

    /** R36: the standardised comparisons of one population and window, from the population's partition of the adjusted-cell step. */
    private Answer adjustedComparisons(Call call) {
        QueryParameters.AdjustedSelection sel = QueryParameters.adjustedSelection(call.query());
        String p = sel.population().name();
        String w = sel.window().name();
        return routed(call, SpineTopology.STANDARDISATION_STORE, p, call.target(), partition -> {
            ObjectNode out = populationHeader(p);
            out.put("window", w);
            Map<TreatmentArm, PatternStatistics> cells = byArm(arm -> state.standardisationCell(new CellKey(p, arm.name(), w, Stratum.ALL.name()), partition));
            ArrayNode list = out.putArray("adjustedComparisons");
            for (Comparison c : Comparison.values()) {
                PatternStatistics first = cells.get(c.firstArm());
                PatternStatistics second = cells.get(c.secondArm());
                for (String measure : AdjustedContributions.STANDARDISED_MEASURES) {
                    if (AdjustedComparisonMapper.exists(first, second, measure)) {
                        list.add(suppression.adjustedComparison(AdjustedComparisonMapper.toAdjustedComparison(p, c, w, measure, first, second)));
                    }
                }
            }
            return Answer.json(200, bytes(out));
        });
    }

    /** R37, R38: every arm's Kaplan-Meier record and the log-rank pairs of one population and stratum. */
    private Answer timeToEvent(Call call) {
        QueryParameters.SurvivalSelection sel = QueryParameters.survivalSelection(call.query());
        String p = sel.population().name();
        String s = sel.stratum().name();
        return routed(call, SpineTopology.SURVIVAL_STORE, p, call.target(), partition -> {
            ObjectNode out = populationHeader(p);
            out.put("stratum", s);
            Map<TreatmentArm, SurvivalCounts> cells = byArm(arm -> state.survivalCell(new CellKey(p, arm.name(), Window.OVERALL.name(), s), partition));
            ArrayNode km = out.putArray("kaplanMeier");
            cells.forEach((arm, counts) -> km.add(suppression.timeToEvent(
                    TimeToEventMapper.toKaplanMeier(new CellKey(p, arm.name(), Window.OVERALL.name(), s), counts))));
            ArrayNode logRank = out.putArray("logRank");
            for (Comparison c : Comparison.values()) {
                if (cells.containsKey(c.firstArm()) && cells.containsKey(c.secondArm())) {
                    logRank.add(suppression.timeToEvent(TimeToEventMapper.toLogRank(p, c, s, cells.get(c.firstArm()), cells.get(c.secondArm()))));
                }
            }
            return Answer.json(200, bytes(out));
        });
    }

    /** The cells that exist, by arm (in the schema's arm order). */
    private static <T> Map<TreatmentArm, T> byArm(java.util.function.Function<TreatmentArm, T> read) {
        Map<TreatmentArm, T> cells = new EnumMap<>(TreatmentArm.class);
        for (TreatmentArm arm : TreatmentArm.values()) {
            T cell = read.apply(arm);
            if (cell != null) cells.put(arm, cell);
        }
        return cells;
    }

    private ObjectNode populationHeader(String population) {
        ObjectNode out = mapper.createObjectNode();
        out.put("population", population);
        out.put("minCellSize", suppression.minCellSize());
        out.put("servedBy", state.self());
        return out;
    }

    private ObjectNode header(QueryParameters.CellSelection sel, Instant cut) {
        ObjectNode out = mapper.createObjectNode();
        out.put("population", sel.population().name());
        out.put("window", sel.window().name());
        out.put("stratum", sel.stratum().name());
        out.put("dataCut", cut == null ? null : cut.toString());
        if (sel.asOf().isPresent()) out.put("dataCutFrom", "asOf");
        out.put("minCellSize", suppression.minCellSize());
        out.put("servedBy", state.self());
        return out;
    }

    private Answer cells(Call call) {
        Optional<QueryParameters.CellSelection> one = QueryParameters.groupSelection(call.query());
        if (one.isPresent()) {
            QueryParameters.CellSelection sel = one.get();
            return routed(call, SpineTopology.CELL_STORE, sel.groupKey(), call.target(), partition -> Answer.json(200, bytes(groupCells(sel, partition))));
        }
        // Every population/window, each read where it lives (20 groups over the instances).
        ObjectNode out = mapper.createObjectNode();
        out.putPOJO("populations", QueryParameters.symbols(Population.class));
        out.putPOJO("windows", QueryParameters.symbols(Window.class));
        out.putPOJO("strata", QueryParameters.symbols(Stratum.class));
        out.putPOJO("arms", QueryParameters.symbols(TreatmentArm.class));
        out.putPOJO("comparisons", QueryParameters.symbols(Comparison.class));
        out.put("minCellSize", suppression.minCellSize());
        ArrayNode all = out.putArray("cells");
        for (Population p : Population.values()) {
            for (Window w : Window.values()) {
                QueryParameters.CellSelection sel = new QueryParameters.CellSelection(p, w, Stratum.ALL, Optional.empty());
                String target = PREFIX + "cells?population=" + p.name() + "&window=" + w.name();
                Answer a = routed(call, SpineTopology.CELL_STORE, sel.groupKey(), target, partition -> Answer.json(200, bytes(groupCells(sel, partition))));
                if (a.status() != 200) return a;
                tree(a.body()).path("cells").forEach(all::add);
            }
        }
        return Answer.json(200, bytes(out));
    }

    /** The existing cells of one population/window from the local partition: per stratum the arms, and which are suppressed. */
    private ObjectNode groupCells(QueryParameters.CellSelection sel, int partition) {
        ObjectNode out = mapper.createObjectNode();
        out.put("population", sel.population().name());
        out.put("window", sel.window().name());
        out.put("servedBy", state.self());
        ArrayNode cells = out.putArray("cells");
        for (Stratum stratum : Stratum.values()) {
            List<String> arms = new ArrayList<>();
            List<String> suppressed = new ArrayList<>();
            for (TreatmentArm arm : TreatmentArm.values()) {
                long n = state.patients(new CellKey(sel.population().name(), arm.name(), sel.window().name(), stratum.name()), partition);
                if (n > 0) {
                    arms.add(arm.name());
                    if (suppression.suppresses(n)) suppressed.add(arm.name());
                }
            }
            if (arms.isEmpty()) continue;
            ObjectNode cell = cells.addObject();
            cell.put("population", sel.population().name());
            cell.put("window", sel.window().name());
            cell.put("stratum", stratum.name());
            cell.putPOJO("arms", arms);
            cell.putPOJO("suppressedArms", suppressed);
        }
        return out;
    }

    private Answer rejections(Call call) {
        boolean instanceOnly = QueryParameters.instanceScope(call.query()) || call.forwarded();
        if (instanceOnly) {
            return Answer.json(200, bytes(counts(state.self(), state.ingestCounts())));
        }
        long in = 0;
        long accepted = 0;
        Map<String, Long> byReason = new LinkedHashMap<>();
        List<Object> instances = new ArrayList<>();
        List<String> unreachable = new ArrayList<>();
        for (String instance : state.instances()) {
            JsonNode counts;
            if (instance.equals(state.self())) {
                counts = mapper.valueToTree(counts(instance, state.ingestCounts()));
            } else {
                Forward f = forward(instance, PREFIX + "rejections?scope=instance");
                if (f.answer() == null || f.answer().status() != 200) {
                    unreachable.add(instance + ": " + (f.answer() == null ? f.failure() : "HTTP " + f.answer().status()));
                    continue;
                }
                counts = tree(f.answer().body());
            }
            instances.add(counts);
            in += counts.path("recordsIn").asLong();
            accepted += counts.path("accepted").asLong();
            counts.path("byReason").fields().forEachRemaining(e -> byReason.merge(e.getKey(), e.getValue().asLong(), Long::sum));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scope", "all instances");
        m.put("recordsIn", in);
        m.put("accepted", accepted);
        m.put("rejected", byReason.values().stream().mapToLong(Long::longValue).sum());
        m.put("byReason", byReason);
        m.put("instances", instances);
        m.put("unreachable", unreachable);
        m.put("note", "Kafka Streams task metrics: each instance counts what its tasks processed since they were assigned to it; a task that moved starts again at 0 on its new instance");
        return Answer.json(200, bytes(m));
    }

    private static Map<String, Object> counts(String instance, StateAccess.IngestCounts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scope", "instance");
        m.put("instance", instance);
        m.put("recordsIn", c.recordsIn());
        m.put("accepted", c.accepted());
        m.put("rejected", c.rejected());
        m.put("byReason", c.rejectedByReason());
        return m;
    }

    // --- routing --------------------------------------------------------------------------------

    /**
     * Answers from the instance that owns {@code key} of {@code store}: here through {@code local}
     * (given the partition), elsewhere by forwarding {@code target}. Retries with back-off while the
     * owner is unknown, its partition is not queryable or it does not answer; 503 after the deadline.
     */
    private Answer routed(Call call, String store, String key, String target, IntFunction<Answer> local) {
        long deadline = System.nanoTime() + (call.forwarded() ? PEER_RETRY : retryFor).toNanos();
        long backoffMs = 50;
        while (true) {
            Owner owner = state.owner(store, key);
            String why;
            switch (owner.kind()) {
                case LOCAL -> {
                    try {
                        return local.apply(owner.partition()).withHeader(SERVED_BY, state.self());
                    } catch (NotAvailable e) {
                        why = e.getMessage();
                    }
                }
                case REMOTE -> {
                    if (call.forwarded()) {
                        why = "by this instance's metadata " + owner.hostPort() + " owns it, but " + call.forwardedBy() + " forwarded it here (the assignment is changing)";
                    } else {
                        Forward f = forward(owner.hostPort(), target);
                        if (f.answer() != null && f.answer().status() != 503) return f.answer();
                        why = f.answer() != null ? "instance " + owner.hostPort() + " answered 503: " + tree(f.answer().body()).path("detail").asText("")
                                : f.failure();
                    }
                }
                default -> why = owner.why();
            }
            if (System.nanoTime() + backoffMs * 1_000_000 > deadline) return unavailable(why);
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return unavailable(why);
            }
            backoffMs = Math.min(backoffMs * 2, 800);
        }
    }

    /** A peer's answer, or why there is none. */
    record Forward(Answer answer, String failure) {}

    private Forward forward(String hostPort, String target) {
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://" + hostPort + target))
                    .timeout(Duration.ofSeconds(15)).header(FORWARDED_BY, state.self()).GET();
            if (peerToken != null) builder.header("Authorization", peerToken.authorization());
            HttpRequest request = builder.build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            Answer a = Answer.json(response.statusCode(), response.body());
            for (String h : List.of("Retry-After", SERVED_BY)) {
                Optional<String> v = response.headers().firstValue(h);
                if (v.isPresent()) a = a.withHeader(h, v.get());
            }
            return new Forward(a, null);
        } catch (IOException e) {
            return new Forward(null, "instance " + hostPort + " did not answer (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Forward(null, "interrupted while asking " + hostPort);
        }
    }

    private Answer unavailable(String why) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", "not available right now: the app is starting or rebalancing (its state is moving between instances); retry in "
                + RETRY_AFTER_SECONDS + " s");
        m.put("detail", why);
        m.put("retryAfterSeconds", RETRY_AFTER_SECONDS);
        return Answer.json(503, bytes(m)).withHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
    }

    private Answer error(int status, String message, String path) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("path", path);
        return Answer.json(status, bytes(m));
    }

    // --- I/O ------------------------------------------------------------------------------------

    private static void send(HttpExchange exchange, Answer a) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", JSON);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        a.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(a.status(), head || a.body().length == 0 ? -1 : a.body().length);
        if (!head && a.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(a.body());
            }
        }
    }

    private byte[] bytes(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    private JsonNode tree(byte[] body) {
        try {
            return mapper.readTree(body);
        } catch (IOException e) {
            return mapper.createObjectNode();
        }
    }

    @Override
    public void close() {
        clients.shutdownNow();
        peers.shutdownNow();
    }
}
