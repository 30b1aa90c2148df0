package org.spineoutcomes.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.http.BearerToken;
import org.spineoutcomes.http.HttpRoutes;
import org.spineoutcomes.http.SpineHttpServer;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;
import org.spineoutcomes.testing.EventFixtures;
import org.spineoutcomes.topology.SpineTopology;

/**
 * The query API on real JDK HTTP servers over hand-made state (no broker): answers, 400/404/405, the
 * 503 after the retries, suppression in the answers, and forwarding between two instances.
 */
class QueryApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant CUT = SuppressionTest.CUT;

    private final List<AutoCloseable> open = new java.util.ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) c.close();
    }

    /** Hand-made state of one instance; {@code owners} says where a (store, key) lives. */
    static final class FakeState implements StateAccess {
        String self;
        final Map<String, PatientOutcome> patients = new HashMap<>();
        final Map<CellKey, CellStatistics> cells = new HashMap<>();
        final Map<CellKey, PatternStatistics> standardisation = new HashMap<>();
        final Map<CellKey, SurvivalCounts> survival = new HashMap<>();
        BiFunction<String, String, Owner> owners = (store, key) -> Owner.local(self, 0);
        IngestCounts counts = new IngestCounts(0, 0, Map.of());
        List<String> instances;
        final AtomicInteger localReads = new AtomicInteger();

        @Override public String self() { return self; }
        @Override public Owner owner(String store, String key) { return owners.apply(store, key); }
        @Override public Optional<PatientOutcome> patient(String pseudonym, int partition) {
            localReads.incrementAndGet();
            return Optional.ofNullable(patients.get(pseudonym));
        }
        @Override public CellStatistics cell(CellKey key, int partition) {
            localReads.incrementAndGet();
            CellStatistics s = cells.get(key);
            return s == null ? null : s.copy();
        }
        @Override public PatternStatistics standardisationCell(CellKey key, int partition) {
            localReads.incrementAndGet();
            PatternStatistics s = standardisation.get(key);
            return s == null ? null : s.copy();
        }
        @Override public SurvivalCounts survivalCell(CellKey key, int partition) {
            localReads.incrementAndGet();
            SurvivalCounts s = survival.get(key);
            return s == null ? null : s.copy();
        }
        @Override public long patients(CellKey key, int partition) {
            CellStatistics s = cells.get(key);
            return s == null ? 0 : s.patients();
        }
        @Override public Optional<Instant> dataCut() { return Optional.of(CUT); }
        @Override public IngestCounts ingestCounts() { return counts; }
        @Override public List<String> instances() { return instances == null ? List.of(self) : instances; }
    }

    /** A server with the API mounted; its host:port becomes the state's self. */
    private SpineHttpServer serve(FakeState state, Duration retry) throws Exception {
        return serve(state, retry, null);
    }

    /** As {@link #serve(FakeState, Duration)}, requiring {@code token} when not null (and sending it to peers). */
    private SpineHttpServer serve(FakeState state, Duration retry, BearerToken token) throws Exception {
        HttpRoutes routes = new HttpRoutes();
        if (token != null) routes.requireToken(token, List.of());
        SpineHttpServer server = SpineHttpServer.start("127.0.0.1", 0, routes);
        state.self = "127.0.0.1:" + server.port();
        QueryApi api = new QueryApi(state, new Suppression(11), null, retry, token);
        routes.mount(QueryApi.PREFIX, api);
        open.add(server);
        open.add(api);
        return server;
    }

    private static HttpResponse<String> get(SpineHttpServer server, String path) throws Exception {
        return send(server, "GET", path);
    }

    private static HttpResponse<String> send(SpineHttpServer server, String method, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static PatientOutcome outcome(String patient) {
        BatchComputation batch = new BatchComputation();
        batch.add(EventFixtures.vertebroplasty(patient, patient + "-proc", EventFixtures.day(0)));
        batch.add(EventFixtures.nrs(patient, patient + "-fu", EventFixtures.day(30), 3));
        return batch.result(null).outcomes().get(patient);
    }

    @Test
    void patient_isTheNdjsonLine_unknownIs404() throws Exception {
        FakeState state = new FakeState();
        PatientOutcome o = outcome("p-1");
        state.patients.put("p-1", o);
        SpineHttpServer server = serve(state, Duration.ofMillis(200));

        HttpResponse<String> r = get(server, "/api/patients/p-1");
        assertEquals(200, r.statusCode());
        assertEquals(new NdjsonCodec().formatRecord(o), r.body());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(state.self, r.headers().firstValue(QueryApi.SERVED_BY).orElseThrow());

        HttpResponse<String> unknown = get(server, "/api/patients/p-2");
        assertEquals(404, unknown.statusCode());
        assertEquals("{\"error\":\"no patient with this pseudonym (or no outcome yet)\",\"path\":\"/api/patients/{pseudonym}\"}", unknown.body());
    }

    @Test
    void aggregatesAndComparisons_areSuppressedBelowEleven() throws Exception {
        FakeState state = new FakeState();
        CellKey vp = new CellKey("ITT", "VERTEBROPLASTY", "M3", "ALL");
        CellKey cons = new CellKey("ITT", "CONSERVATIVE", "M3", "ALL");
        state.cells.put(vp, SuppressionTest.twelveMixed(12));
        state.cells.put(cons, SuppressionTest.cell(5, 6, 5));
        SpineHttpServer server = serve(state, Duration.ofMillis(200));

        JsonNode aggs = JSON.readTree(get(server, "/api/aggregates?population=ITT&window=M3&stratum=ALL").body());
        assertEquals("2024-05-11T08:00:00Z", aggs.get("dataCut").asText());
        assertEquals(11, aggs.get("minCellSize").asInt());
        assertEquals(2, aggs.get("aggregates").size()); // VP and conservative; no kyphoplasty or open-surgery cell
        JsonNode shown = aggs.get("aggregates").get(0);
        assertEquals("VERTEBROPLASTY", shown.get("arm").asText());
        assertEquals(new Suppression(11).aggregate(AggregateMapper.toArmAggregate(vp, SuppressionTest.twelveMixed(12), CUT)), shown);
        assertEquals("{\"population\":\"ITT\",\"arm\":\"CONSERVATIVE\",\"window\":\"M3\",\"stratum\":\"ALL\",\"dataCut\":\"2024-05-11T08:00:00Z\","
                + "\"suppressed\":true,\"reason\":\"fewer than 11 patients\"}", aggs.get("aggregates").get(1).toString());

        // asOf replaces the cut (completeness is judged there): one day before the window's last date nothing is due.
        JsonNode early = JSON.readTree(get(server, "/api/aggregates?population=ITT&window=M3&asOf=2024-05-01T00:00:00Z").body());
        assertEquals("2024-05-01T00:00:00Z", early.get("dataCut").asText());
        assertEquals(0, early.get("aggregates").get(0).get("completeness").get("due").asLong());

        JsonNode cmps = JSON.readTree(get(server, "/api/comparisons?population=ITT&window=M3&stratum=ALL").body());
        assertEquals(1, cmps.get("comparisons").size()); // VP vs conservative only: kyphoplasty has no cell
        JsonNode c = cmps.get("comparisons").get(0);
        assertEquals("VP_vs_CONSERVATIVE", c.get("comparison").asText());
        assertTrue(c.get("suppressed").asBoolean());
        assertEquals("[\"CONSERVATIVE\"]", c.get("suppressedArms").toString());
        assertFalse(c.has("meanDifferences"));

        JsonNode cells = JSON.readTree(get(server, "/api/cells").body());
        assertEquals(1, cells.get("cells").size());
        assertEquals("{\"population\":\"ITT\",\"window\":\"M3\",\"stratum\":\"ALL\",\"arms\":[\"VERTEBROPLASTY\",\"CONSERVATIVE\"],"
                + "\"suppressedArms\":[\"CONSERVATIVE\"]}", cells.get("cells").get(0).toString());
    }

    @Test
    void adjustedComparisonsAndTimeToEvent_areReadFromThePopulationsPartition_andSuppressed() throws Exception {
        FakeState state = new FakeState();
        java.util.List<String> asked = new java.util.ArrayList<>();
        state.owners = (store, key) -> {
            asked.add(store + " " + key);
            return Owner.local(state.self, 2);
        };
        // M1: KP 15 patients (12 HIGH relief 4, 3 LOW relief 2), VP 14 (12 HIGH relief 3, 2 LOW relief 1); no conservative cell.
        state.standardisation.put(new CellKey("ITT", "KYPHOPLASTY", "M1", "ALL"),
                SuppressionTest.pattern(SuppressionTest.pattern(new PatternStatistics(), SuppressionTest.HIGH, 12, 4), SuppressionTest.LOW, 3, 2));
        state.standardisation.put(new CellKey("ITT", "VERTEBROPLASTY", "M1", "ALL"),
                SuppressionTest.pattern(SuppressionTest.pattern(new PatternStatistics(), SuppressionTest.HIGH, 12, 3), SuppressionTest.LOW, 2, 1));
        // Kaplan-Meier: KP 20 patients, VP 10 (suppressed), conservative 12.
        state.survival.put(new CellKey("ITT", "KYPHOPLASTY", "OVERALL", "SEX_F"),
                SuppressionTest.times(SuppressionTest.times(new SurvivalCounts(), 10, 2, 2), 60, 18, 0));
        state.survival.put(new CellKey("ITT", "VERTEBROPLASTY", "OVERALL", "SEX_F"), SuppressionTest.times(new SurvivalCounts(), 40, 10, 1));
        state.survival.put(new CellKey("ITT", "CONSERVATIVE", "OVERALL", "SEX_F"), SuppressionTest.times(new SurvivalCounts(), 400, 12, 0));
        SpineHttpServer server = serve(state, Duration.ofMillis(200));

        JsonNode adjusted = JSON.readTree(get(server, "/api/adjusted-comparisons?population=itt&window=M1").body());
        assertEquals("ITT", adjusted.get("population").asText());
        assertEquals("M1", adjusted.get("window").asText());
        assertEquals(1, adjusted.get("adjustedComparisons").size(), "KP vs VP pain relief only: " + adjusted);
        JsonNode c = adjusted.get("adjustedComparisons").get(0);
        assertEquals("painRelief", c.get("measure").asText());
        assertEquals(15, c.get("n1").asLong());
        assertTrue(c.get("patterns").get(1).get("suppressed").asBoolean());

        JsonNode tte = JSON.readTree(get(server, "/api/time-to-event?population=ITT&stratum=sex_f").body());
        assertEquals("SEX_F", tte.get("stratum").asText());
        assertEquals(List.of("VERTEBROPLASTY", "KYPHOPLASTY", "CONSERVATIVE"), // schema order of the arms
                java.util.stream.StreamSupport.stream(tte.get("kaplanMeier").spliterator(), false).map(k -> k.get("arm").asText()).toList());
        JsonNode kp = tte.get("kaplanMeier").get(1);
        assertEquals(0.9, kp.get("kaplanMeier").get("reported").get(0).get("survival").asDouble(), 1e-15); // 18 / 20 after day 10
        assertTrue(tte.get("kaplanMeier").get(0).get("suppressed").asBoolean());
        // KP vs VP (VP suppressed), KP vs conservative (shown: 2 events against none), VP vs conservative (VP suppressed).
        JsonNode lr = tte.get("logRank");
        assertEquals(3, lr.size());
        assertEquals("KP_vs_CONSERVATIVE", lr.get(1).get("comparison").asText());
        assertFalse(lr.get(1).get("suppressed").asBoolean());
        assertEquals(2, lr.get(1).get("logRank").get("observed1").asLong());
        assertTrue(lr.get(0).get("suppressed").asBoolean() && lr.get(2).get("suppressed").asBoolean());
        assertEquals(List.of(SpineTopology.STANDARDISATION_STORE + " ITT", SpineTopology.SURVIVAL_STORE + " ITT"), asked);

        HttpResponse<String> baseline = get(server, "/api/adjusted-comparisons?population=ITT&window=BASELINE");
        assertEquals(400, baseline.statusCode());
        assertEquals("{\"error\":\"window BASELINE has no standardised comparison (R36 compares follow-up windows): expected one of "
                + "D1, W1, M1, M3, M6, M12, M24\",\"parameter\":\"window\",\"value\":\"BASELINE\",\"allowed\":[\"D1\",\"W1\",\"M1\","
                + "\"M3\",\"M6\",\"M12\",\"M24\"]}", baseline.body());
        assertEquals(400, get(server, "/api/time-to-event?population=ITT&window=M1").statusCode());
        assertEquals(400, get(server, "/api/time-to-event").statusCode());
    }

    @Test
    void badParameters_are400_writes_are405() throws Exception {
        SpineHttpServer server = serve(new FakeState(), Duration.ofMillis(200));
        HttpResponse<String> r = get(server, "/api/aggregates?population=ITX&window=M1");
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"unknown population 'ITX': expected one of ITT, AS_TREATED\",\"parameter\":\"population\","
                + "\"value\":\"ITX\",\"allowed\":[\"ITT\",\"AS_TREATED\"]}", r.body());
        HttpResponse<String> asOf = get(server, "/api/aggregates?population=ITT&window=M1&asOf=yesterday");
        assertEquals(400, asOf.statusCode());
        assertEquals("asOf", JSON.readTree(asOf.body()).get("parameter").asText());
        assertEquals(400, get(server, "/api/comparisons?population=ITT").statusCode());
        HttpResponse<String> twice = get(server, "/api/aggregates?population=ITT&window=M1&window=M3");
        assertEquals(400, twice.statusCode());
        assertEquals("{\"error\":\"parameter window is given more than once: give it once\",\"parameter\":\"window\",\"value\":\"M3\","
                + "\"allowed\":[]}", twice.body());
        assertEquals(1, twice.body().lines().count(), "one line");
        HttpResponse<String> unknown = get(server, "/api/cells?populaton=ITT");
        assertEquals(400, unknown.statusCode());
        assertEquals("unknown parameter 'populaton': expected population, window", JSON.readTree(unknown.body()).get("error").asText());
        HttpResponse<String> streamParam = get(server, "/api/stream?since=5");
        assertEquals(400, streamParam.statusCode());
        assertEquals("unknown parameter 'since': this endpoint takes no parameters", JSON.readTree(streamParam.body()).get("error").asText());
        assertEquals(404, get(server, "/api/nothing-here").statusCode());

        HttpResponse<String> post = send(server, "POST", "/api/aggregates?population=ITT&window=M1");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void whileNoInstanceOwnsTheKey_retriesThenAnswers503WithRetryAfter() throws Exception {
        FakeState state = new FakeState();
        AtomicInteger lookups = new AtomicInteger();
        state.owners = (store, key) -> {
            lookups.incrementAndGet();
            return Owner.unavailable("no instance owns the key yet (state REBALANCING: starting or rebalancing)");
        };
        SpineHttpServer server = serve(state, Duration.ofMillis(600));
        long t0 = System.nanoTime();
        HttpResponse<String> r = get(server, "/api/patients/p-1");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(503, r.statusCode());
        assertEquals("5", r.headers().firstValue("Retry-After").orElseThrow());
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.get("error").asText().startsWith("not available right now: the app is starting or rebalancing"), r.body());
        assertEquals("no instance owns the key yet (state REBALANCING: starting or rebalancing)", body.get("detail").asText());
        assertTrue(lookups.get() >= 3, "retried with back-off: " + lookups.get() + " lookups");
        assertTrue(ms >= 300, "waited for the retries: " + ms + " ms");
    }

    @Test
    void withABearerToken_aForwardedRequestCarriesIt_toTheOwner() throws Exception {
        BearerToken token = new BearerToken("shared-instance-token-0123");
        FakeState a = new FakeState();
        FakeState b = new FakeState();
        SpineHttpServer serverA = serve(a, Duration.ofMillis(1500), token);
        SpineHttpServer serverB = serve(b, Duration.ofMillis(1500), token);
        PatientOutcome o = outcome("p-7");
        b.patients.put("p-7", o);
        a.owners = (store, key) -> Owner.remote(b.self, 1);

        assertEquals(401, get(serverA, "/api/patients/p-7").statusCode(), "the client shows no token");
        assertEquals(401, get(serverB, "/api/patients/p-7").statusCode());
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + serverA.port() + "/api/patients/p-7"))
                .header("Authorization", "Bearer shared-instance-token-0123").build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(new NdjsonCodec().formatRecord(o), r.body());
        assertEquals(b.self, r.headers().firstValue(QueryApi.SERVED_BY).orElseThrow(), "read on B, which accepted A's token");
        assertEquals(1, b.localReads.get());
    }

    @Test
    void aRequestForAKeyOwnedElsewhere_isForwardedThere_andTheAnswerRelayed() throws Exception {
        FakeState a = new FakeState();
        FakeState b = new FakeState();
        SpineHttpServer serverA = serve(a, Duration.ofMillis(1500));
        SpineHttpServer serverB = serve(b, Duration.ofMillis(1500));
        // B holds the patient and the cells; A knows B owns them.
        PatientOutcome o = outcome("p-9");
        b.patients.put("p-9", o);
        b.cells.put(new CellKey("ITT", "VERTEBROPLASTY", "M3", "ALL"), SuppressionTest.twelveMixed(12));
        a.owners = (store, key) -> Owner.remote(b.self, 1);
        a.instances = List.of(a.self, b.self);
        a.counts = new StateAccess.IngestCounts(10, 8, new LinkedHashMap<>(Map.of("INVALID_PAIN_NRS", 2L)));
        b.counts = new StateAccess.IngestCounts(5, 4, new LinkedHashMap<>(Map.of("INVALID_PAIN_NRS", 1L)));

        HttpResponse<String> r = get(serverA, "/api/patients/p-9");
        assertEquals(200, r.statusCode());
        assertEquals(new NdjsonCodec().formatRecord(o), r.body());
        assertEquals(b.self, r.headers().firstValue(QueryApi.SERVED_BY).orElseThrow());
        assertEquals(0, a.localReads.get());

        JsonNode aggs = JSON.readTree(get(serverA, "/api/aggregates?population=ITT&window=M3").body());
        assertEquals(b.self, aggs.get("servedBy").asText());
        assertEquals(12, aggs.get("aggregates").get(0).get("patients").asLong());

        JsonNode rejections = JSON.readTree(get(serverA, "/api/rejections").body());
        assertEquals("all instances", rejections.get("scope").asText());
        assertEquals(15, rejections.get("recordsIn").asLong());
        assertEquals(12, rejections.get("accepted").asLong());
        assertEquals(3, rejections.get("byReason").get("INVALID_PAIN_NRS").asLong());
        assertEquals(2, rejections.get("instances").size());
        assertEquals(0, rejections.get("unreachable").size());

        // While the two disagree (B thinks A owns it), B does not forward again: the answer is a 503, not a loop.
        b.owners = (store, key) -> Owner.remote(a.self, 1);
        HttpResponse<String> moving = get(serverA, "/api/patients/p-9");
        assertEquals(503, moving.statusCode());
        assertTrue(JSON.readTree(moving.body()).get("detail").asText().contains("answered 503"), moving.body());
    }
}
