package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.Alert;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.UnexpectedAlertBehaviour;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.query.QueryApi;
import org.spineoutcomes.query.Suppression;
import org.spineoutcomes.runtime.SpineRuntime;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.TimeToEvent;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.testing.EventFixtures;
import org.spineoutcomes.topology.SpineTopology;

/**
 * The query API and the dashboard on the real stack (KRaft broker + Apicurio registry) with TWO app
 * instances of one application id (own state dirs, HTTP port 0, application.server = each one's own
 * address, one bearer token for both), over a small simulated cohort:
 * <ol>
 *   <li>each instance is asked for patients and cells the OTHER instance owns (ownership checked with
 *       queryMetadataForKey) and answers what the batch computation gives for those keys (forwarded with
 *       the token);</li>
 *   <li>a server-sent-events client gets an aggregate event after new input, and is removed after it disconnects;</li>
 *   <li>the dashboard in headless Chromium (Debian's chromium + chromium-driver; skipped when absent):
 *       the page asks for the token, then shows the arms with non-empty charts and goes live on the event
 *       stream, a small stratum shown as suppressed, a filter change redraws;
 *       a screenshot goes to target/dashboard.png.</li>
 * </ol>
 * Its own stack, so that the input topics hold only this cohort.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QueryApiEndToEndTest {
    private static final int PATIENTS = 300;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APPLICATION_ID = "query-e2e";
    /** Both instances require it (and send it to each other when they forward a request). */
    private static final String TOKEN = "query-e2e-shared-token-0123456789";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private static LocalStack stack;
    private static SpineRuntime a;
    private static SpineRuntime b;
    private static BatchComputation.Result expected;

    @BeforeAll
    static void startTwoInstancesAndProcessACohort() throws Exception {
        stack = LocalStack.start();
        a = SpineRuntime.start(config("a"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        b = SpineRuntime.start(config("b"), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertTrue(a.awaitRunning(Duration.ofMinutes(3)) && b.awaitRunning(Duration.ofMinutes(3)), "both instances RUNNING");
        // Both in the group and the assignment settled before the input arrives (no task moves mid-way).
        awaitBothRunningWithTasks(Duration.ofMinutes(2));

        List<SpecificRecord> events = StackOutputs.simulatedCohort(PATIENTS, 23);
        StackOutputs.produce(stack, new RestSchemaRegistryClient(stack.schemaRegistryUrl()), events);
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (recordsIn() < events.size() && System.nanoTime() < deadline) Thread.sleep(250);
        // At least: a task that moves between the instances counts again what it re-reads after its last commit.
        assertTrue(recordsIn() >= events.size(), "every event consumed by the two instances: " + recordsIn() + " of " + events.size());
        StackOutputs.waitUntilQuiet(stack, Duration.ofSeconds(4), Duration.ofMinutes(5));

        BatchComputation batch = new BatchComputation();
        events.forEach(batch::add);
        expected = batch.result(null);
    }

    private static AppConfig config(String name) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(AppConfig.APPLICATION_ID, APPLICATION_ID);
        m.put(AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        m.put(AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl());
        m.put(AppConfig.STATE_DIR, Files.createTempDirectory(stack.workDir(), "query-" + name + "-state").toString());
        m.put(AppConfig.HTTP_PORT, "0");
        m.put(AppConfig.HTTP_BIND_ADDRESS, "127.0.0.1");
        m.put(AppConfig.PUBLISH_INTERVAL_MS, "300");
        m.put(AppConfig.CUT_REFRESH_MS, "500");
        m.put(AppConfig.STREAM_THREADS, "1");
        m.put(AppConfig.HTTP_BEARER_TOKEN, TOKEN);
        return AppConfig.of(m);
    }

    private static long recordsIn() {
        return IngestMetrics.total(a.app().streams().metrics(), "records-in-total") + IngestMetrics.total(b.app().streams().metrics(), "records-in-total");
    }

    private static void awaitBothRunningWithTasks(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (a.state() == KafkaStreams.State.RUNNING && b.state() == KafkaStreams.State.RUNNING
                    && hasActiveTasks(a) && hasActiveTasks(b)) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("the two instances did not share the tasks: " + a.state() + " / " + b.state());
    }

    private static boolean hasActiveTasks(SpineRuntime r) {
        // both stages of the split app
        return r.app().allStreams().stream().allMatch(s -> s.metadataForLocalThreads().stream().anyMatch(t -> !t.activeTasks().isEmpty()));
    }

    @AfterAll
    static void stop() {
        if (a != null) a.close();
        if (b != null) b.close();
        if (stack != null) stack.close();
    }

    private static HttpResponse<String> get(SpineRuntime r, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(r.baseUri().resolve(path)).timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static HostInfo owner(SpineRuntime asked, String store, String key) {
        KeyQueryMetadata m = asked.app().streamsWithStore(store).queryMetadataForKey(store, key, new StringSerializer());
        return m.activeHost();
    }

    private static HostInfo hostOf(SpineRuntime r) {
        AppConfig.HostAndPort s = r.config().applicationServer().orElseThrow();
        return new HostInfo(s.host(), s.port());
    }

    @Test
    @Order(1)
    void eachInstance_answersForTheOtherOnesKeys_asTheBatchComputes() throws Exception {
        assertEquals("127.0.0.1:" + a.httpPort(), a.config().applicationServer().orElseThrow().toString());
        assertEquals("127.0.0.1:" + b.httpPort(), b.config().applicationServer().orElseThrow().toString());
        NdjsonCodec codec = new NdjsonCodec();
        Suppression suppression = new Suppression(Suppression.DEFAULT_MIN_CELL_SIZE);

        // Patients: ask the instance that does NOT own the pseudonym.
        int askedA = 0;
        int askedB = 0;
        for (String patient : expected.outcomes().keySet()) {
            HostInfo owner = owner(a, SpineTopology.PATIENT_STORE, patient);
            assertEquals(owner, owner(b, SpineTopology.PATIENT_STORE, patient), "both instances agree on the owner");
            SpineRuntime other = owner.equals(hostOf(a)) ? b : a;
            if (other == a) askedA++;
            else askedB++;
            HttpResponse<String> r = get(other, "/api/patients/" + patient);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(codec.formatRecord(expected.outcomes().get(patient)), r.body(), "patient " + patient);
            assertEquals(owner.host() + ":" + owner.port(), r.headers().firstValue(QueryApi.SERVED_BY).orElseThrow(), "answered by the owner");
        }
        assertTrue(askedA > 0 && askedB > 0, "each instance was asked for patients of the other: " + askedA + " / " + askedB);
        assertEquals(404, get(a, "/api/patients/no-such-pseudonym").statusCode());

        // Cells: per population/window group, ask the non-owner for every stratum's aggregates and comparisons.
        int groupsA = 0;
        int groupsB = 0;
        int aggregatesChecked = 0;
        int suppressedSeen = 0;
        for (Population p : Population.values()) {
            for (Window w : Window.values()) {
                String group = p.name() + "/" + w.name();
                HostInfo owner = owner(a, SpineTopology.CELL_STORE, group);
                SpineRuntime other = owner.equals(hostOf(a)) ? b : a;
                if (other == a) groupsA++;
                else groupsB++;
                for (String stratum : List.of("ALL", "SEX_F", "AGE_LT_65", "BASELINE_PAIN_GE_8")) {
                    String q = "?population=" + p + "&window=" + w + "&stratum=" + stratum;
                    JsonNode aggs = JSON.readTree(get(other, "/api/aggregates" + q).body());
                    assertEquals(owner.host() + ":" + owner.port(), aggs.get("servedBy").asText());
                    assertEquals(expected.dataCut().toString(), aggs.get("dataCut").asText());
                    List<JsonNode> want = new ArrayList<>();
                    for (ArmAggregate e : expected.aggregates().values()) {
                        if (e.getPopulation() == p && e.getWindow() == w && e.getStratum().name().equals(stratum)) {
                            want.add(suppression.aggregate(e));
                        }
                    }
                    want.sort((x, y) -> Integer.compare(armOrder(x), armOrder(y)));
                    List<JsonNode> got = new ArrayList<>();
                    aggs.get("aggregates").forEach(got::add);
                    assertEquals(want, got, "aggregates " + q);
                    aggregatesChecked += got.size();
                    suppressedSeen += (int) got.stream().filter(n -> n.get("suppressed").asBoolean()).count();

                    JsonNode cmps = JSON.readTree(get(other, "/api/comparisons" + q).body());
                    List<JsonNode> wantC = new ArrayList<>();
                    for (Comparison c : Comparison.values()) {
                        ArmComparison e = expected.comparisons().get(p + "/" + c.name() + "/" + w + "/" + stratum);
                        if (e != null) wantC.add(suppression.comparison(e));
                    }
                    List<JsonNode> gotC = new ArrayList<>();
                    cmps.get("comparisons").forEach(gotC::add);
                    assertEquals(wantC, gotC, "comparisons " + q);
                }
            }
        }
        assertTrue(groupsA > 0 && groupsB > 0, "each instance was asked for cells of the other: " + groupsA + " / " + groupsB);
        assertTrue(aggregatesChecked > 100, "aggregates compared: " + aggregatesChecked);
        assertTrue(suppressedSeen > 0, "some small cells were suppressed");

        // R36-R38: per population, ask the instance that does not own it; answers equal the batch's records, suppressed.
        int adjustedChecked = 0;
        int timeToEventChecked = 0;
        for (Population p : Population.values()) {
            HostInfo owner = owner(a, SpineTopology.STANDARDISATION_STORE, p.name());
            assertEquals(owner, owner(a, SpineTopology.SURVIVAL_STORE, p.name()), "one task holds both stores of a population");
            SpineRuntime other = owner.equals(hostOf(a)) ? b : a;
            for (Window w : List.of(Window.D1, Window.M1, Window.M12)) {
                JsonNode adjusted = JSON.readTree(get(other, "/api/adjusted-comparisons?population=" + p + "&window=" + w).body());
                assertEquals(owner.host() + ":" + owner.port(), adjusted.get("servedBy").asText());
                List<JsonNode> want = new ArrayList<>();
                for (Comparison c : Comparison.values()) {
                    for (String m : org.spineoutcomes.outcome.AdjustedContributions.STANDARDISED_MEASURES) {
                        AdjustedComparison e = expected.adjustedComparisons().get(p + "/" + c.name() + "/" + w + "/" + m);
                        if (e != null) want.add(suppression.adjustedComparison(e));
                    }
                }
                List<JsonNode> got = new ArrayList<>();
                adjusted.get("adjustedComparisons").forEach(got::add);
                assertEquals(want, got, "adjusted comparisons " + p + " " + w);
                adjustedChecked += got.size();
            }
            for (String stratum : List.of("ALL", "SEX_M", "AGE_GE_85")) {
                JsonNode tte = JSON.readTree(get(other, "/api/time-to-event?population=" + p + "&stratum=" + stratum).body());
                List<JsonNode> want = new ArrayList<>();
                for (org.spineoutcomes.schema.TreatmentArm arm : org.spineoutcomes.schema.TreatmentArm.values()) {
                    TimeToEvent e = expected.timeToEvent().get(p + "/" + arm + "/" + stratum);
                    if (e != null) want.add(suppression.timeToEvent(e));
                }
                List<JsonNode> got = new ArrayList<>();
                tte.get("kaplanMeier").forEach(got::add);
                assertEquals(want, got, "Kaplan-Meier " + p + " " + stratum);
                List<JsonNode> wantLr = new ArrayList<>();
                for (Comparison c : Comparison.values()) {
                    TimeToEvent e = expected.timeToEvent().get(p + "/" + c.name() + "/" + stratum);
                    if (e != null) wantLr.add(suppression.timeToEvent(e));
                }
                List<JsonNode> gotLr = new ArrayList<>();
                tte.get("logRank").forEach(gotLr::add);
                assertEquals(wantLr, gotLr, "log-rank " + p + " " + stratum);
                timeToEventChecked += got.size() + gotLr.size();
            }
        }
        assertTrue(adjustedChecked > 10 && timeToEventChecked > 20, "R36-R38 answers compared: " + adjustedChecked + ", " + timeToEventChecked);

        // The cell list (fanned out over both instances) names exactly the batch's cells.
        JsonNode cells = JSON.readTree(get(a, "/api/cells").body());
        java.util.Set<String> listed = new java.util.TreeSet<>();
        cells.get("cells").forEach(c -> c.get("arms").forEach(arm ->
                listed.add(c.get("population").asText() + "/" + arm.asText() + "/" + c.get("window").asText() + "/" + c.get("stratum").asText())));
        assertEquals(expected.aggregates().keySet(), listed);

        // Rejections summed over both instances: the cohort had no invalid events.
        JsonNode rejections = JSON.readTree(get(b, "/api/rejections").body());
        assertEquals(2, rejections.get("instances").size(), rejections.toString());
        assertEquals(recordsIn(), rejections.get("recordsIn").asLong());
        assertEquals(0, rejections.get("rejected").asLong());

        HttpResponse<String> bad = get(a, "/api/aggregates?population=ITT&window=M2");
        assertEquals(400, bad.statusCode());
        assertEquals("window", JSON.readTree(bad.body()).get("parameter").asText());
    }

    private static int armOrder(JsonNode aggregate) {
        return org.spineoutcomes.schema.TreatmentArm.valueOf(aggregate.get("arm").asText()).ordinal();
    }

    @Test
    @Order(2)
    void eventStream_deliversAnAggregateAfterNewInput_andDropsAClientThatLeft() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(b.baseUri().resolve("/api/stream"))
                        .header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        InputStream body = response.body();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) lines.add(line);
            } catch (IOException ignored) {
                // closed by the test
            }
        }, "sse-test-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            assertNotNull(awaitLine(lines, "event: hello", Duration.ofSeconds(60)), "hello once the tail is in place");
            assertEquals(1, b.events().clientCount());

            // New input: one more vertebroplasty patient with a 30-day pain score.
            String patient = "sse-test-patient";
            StackOutputs.produce(stack, new RestSchemaRegistryClient(stack.schemaRegistryUrl()), List.of(
                    EventFixtures.vertebroplasty(patient, "sse-proc-1", EventFixtures.day(0)),
                    EventFixtures.nrs(patient, "sse-fu-1", EventFixtures.day(30), 2)));
            // Its aggregates change, and so does the Kaplan-Meier record of ITT vertebroplasty (one more patient
            // censored at day 30, R37): both reach the client, in whichever order they were published.
            Map<String, List<JsonNode>> events = awaitEvents(lines, e -> e.containsKey("aggregate")
                    && e.getOrDefault("time-to-event", List.of()).stream().anyMatch(d -> d.get("key").asText().equals("ITT/VERTEBROPLASTY/ALL")),
                    Duration.ofSeconds(90));
            JsonNode aggregate = events.get("aggregate").get(0);
            assertEquals(4, aggregate.get("key").asText().split("/").length, aggregate.toString());
            assertTrue(aggregate.get("value").isNull() || aggregate.get("value").has("suppressed"), aggregate.toString());
            JsonNode km = events.get("time-to-event").stream().filter(d -> d.get("key").asText().equals("ITT/VERTEBROPLASTY/ALL")).findFirst().orElseThrow();
            // Shown as /api/time-to-event shows it (suppressed or not, it says which).
            assertEquals("VERTEBROPLASTY", km.get("value").get("arm").asText(), km.toString());
            assertTrue(km.get("value").has("suppressed"), km.toString());
        } finally {
            body.close();
        }
        // The server notices on its next write (an event or the keep-alive comment every 15 s).
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (b.events().clientCount() > 0 && System.nanoTime() < deadline) Thread.sleep(250);
        assertEquals(0, b.events().clientCount(), "a client that disconnected is removed");
    }

    /** Reads events ("event: name" then "data: json") until {@code done} holds for what was read; fails after the timeout. */
    private static Map<String, List<JsonNode>> awaitEvents(BlockingQueue<String> lines, java.util.function.Predicate<Map<String, List<JsonNode>>> done,
                                                          Duration timeout) throws Exception {
        Map<String, List<JsonNode>> events = new java.util.HashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        String name = null;
        while (!done.test(events)) {
            assertTrue(System.nanoTime() < deadline, "events read so far: " + events.keySet());
            String line = lines.poll(500, TimeUnit.MILLISECONDS);
            if (line == null) continue;
            if (line.startsWith("event: ")) {
                name = line.substring("event: ".length());
            } else if (line.startsWith("data: ") && name != null) {
                events.computeIfAbsent(name, k -> new ArrayList<>()).add(JSON.readTree(line.substring("data: ".length())));
                name = null;
            }
        }
        return events;
    }

    private static String awaitLine(BlockingQueue<String> lines, String wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(500, TimeUnit.MILLISECONDS);
            if (line != null && line.equals(wanted)) return line;
        }
        return null;
    }

    @Test
    @Order(3)
    void dashboard_showsTheArms_suppressesASmallStratum_andRedrawsOnAFilterChange() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Debian's chromium and chromium-driver are not installed (apt-get install -y chromium chromium-driver)");
        // A stratum of the ITT population where one of the three main arms has 1-10 patients at M1, and
        // as many arms as possible are shown (the screenshot then has charts and a suppressed arm).
        String smallStratum = null;
        String smallArm = null;
        long bestShown = -1;
        for (org.spineoutcomes.schema.Stratum stratum : org.spineoutcomes.schema.Stratum.values()) {
            String small = null;
            long shown = 0;
            for (ArmAggregate e : expected.aggregates().values()) {
                if (e.getPopulation() != Population.ITT || e.getWindow() != Window.M1 || e.getStratum() != stratum) continue;
                if (e.getPatients() >= 11) shown++;
                else if (e.getArm() != org.spineoutcomes.schema.TreatmentArm.OPEN_SURGERY) small = e.getArm().name();
            }
            if (stratum != org.spineoutcomes.schema.Stratum.ALL && small != null && shown > bestShown) {
                smallStratum = stratum.name();
                smallArm = small;
                bestShown = shown;
            }
        }
        assertNotNull(smallStratum, "the cohort has a small stratum cell");

        System.setProperty("SE_OFFLINE", "true");
        Path profile = Files.createTempDirectory(stack.workDir(), "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setUnhandledPromptBehaviour(UnexpectedAlertBehaviour.IGNORE); // the test answers the token prompt itself
        // get() must not wait for the page's load event: the token prompt can open before it and would block it.
        options.setPageLoadStrategy(org.openqa.selenium.PageLoadStrategy.NONE);
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,2600");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(a.baseUri().toString());
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(90));
            // The API answers 401 until the page shows the token: the page asks for it once and keeps it in a cookie,
            // which its fetch calls and its EventSource (which cannot send headers) both send.
            Alert ask = wait.until(ExpectedConditions.alertIsPresent());
            assertTrue(ask.getText().contains("spine.http.bearer.token"), ask.getText());
            ask.sendKeys(TOKEN);
            ask.accept();
            assertTrue(driver.getCurrentUrl().endsWith("/dashboard/"), "GET / redirects to the dashboard: " + driver.getCurrentUrl());
            wait.until(d -> loads(driver) >= 1);
            wait.until(d -> String.valueOf(js(driver, "return document.getElementById('live-status').textContent;")).startsWith("live ("));
            assertEquals("null", String.valueOf(js(driver, "return window.spineDashboard.state.lastError;")));

            // The arms, with non-empty chart datasets (read from chart.js).
            JsonNode charts = datasets(driver);
            for (String chart : List.of("chart-pain", "chart-responders", "chart-imaging", "chart-safety", "chart-forest", "chart-completeness",
                    "chart-survival", "chart-adjusted")) {
                assertTrue(charts.get(chart).size() > 0, chart + ": " + charts);
                int values = 0;
                for (JsonNode d : charts.get(chart)) values += d.get("values").asInt();
                assertTrue(values > 0, chart + " has values: " + charts);
            }
            List<String> painArms = new ArrayList<>();
            charts.get("chart-pain").forEach(d -> painArms.add(d.get("label").asText()));
            assertTrue(painArms.containsAll(List.of("Vertebroplasty", "Kyphoplasty", "Conservative care")), painArms.toString());
            String table = driver.findElement(By.id("arm-table")).getText();
            assertTrue(table.contains("Vertebroplasty") && table.contains("Kyphoplasty") && table.contains("Conservative care"), table);
            assertEquals("11", driver.findElement(By.id("min-cell-size")).getText(), "the threshold is stated on the page");
            // Kaplan-Meier curves of the three main arms (ITT, ALL: every arm has more than 11 patients), and the log-rank lines.
            List<String> survivalArms = new ArrayList<>();
            charts.get("chart-survival").forEach(d -> survivalArms.add(d.get("label").asText().replaceAll(" \\(n = .*", "")));
            assertTrue(survivalArms.containsAll(List.of("Vertebroplasty", "Kyphoplasty", "Conservative care")), survivalArms.toString());
            assertTrue(driver.findElement(By.id("log-rank")).getText().contains("Kyphoplasty − vertebroplasty: observed"),
                    driver.findElement(By.id("log-rank")).getText());
            List<String> adjustedSeries = new ArrayList<>();
            charts.get("chart-adjusted").forEach(d -> adjustedSeries.add(d.get("label").asText()));
            assertEquals(List.of("Crude (Welch)", "Standardised"), adjustedSeries);
            JsonNode painAll = charts.get("chart-pain");
            screenshot(driver, "dashboard-all.png"); // ITT, all patients: every main arm's curves

            // A filter change: the small stratum; its small arm shows as suppressed, and the charts are redrawn.
            long before = loads(driver);
            new Select(driver.findElement(By.id("stratum"))).selectByValue(smallStratum);
            wait.until(d -> loads(driver) > before);
            String armLabel = Map.of("VERTEBROPLASTY", "Vertebroplasty", "KYPHOPLASTY", "Kyphoplasty", "CONSERVATIVE", "Conservative care").get(smallArm);
            WebElement row = driver.findElements(By.cssSelector("#arm-table tbody tr")).stream()
                    .filter(r -> r.getText().startsWith(armLabel)).findFirst().orElseThrow(() -> new AssertionError("no row for " + armLabel));
            assertTrue(row.getText().contains("suppressed (< 11 patients)"), row.getText());
            assertTrue(driver.findElement(By.id("suppressed-pain")).getText().startsWith("suppressed (< 11 patients): "),
                    driver.findElement(By.id("suppressed-pain")).getText());
            assertNotEquals(painAll, datasets(driver).get("chart-pain"), "the pain chart was redrawn for " + smallStratum);

            screenshot(driver, "dashboard.png");
            assertFalse(driver.getPageSource().contains("could not load"));
        } finally {
            driver.quit();
        }
    }

    /** The whole page in the picture (the window as tall as the document), saved under target/. */
    private static void screenshot(ChromeDriver driver, String name) throws IOException, InterruptedException {
        long height = ((Number) js(driver, "return document.documentElement.scrollHeight;")).longValue();
        driver.manage().window().setSize(new org.openqa.selenium.Dimension(1400, (int) Math.min(6000, height + 40)));
        Thread.sleep(500);
        Path png = Path.of("target", name);
        Files.createDirectories(png.getParent());
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), png, StandardCopyOption.REPLACE_EXISTING);
        assertTrue(Files.size(png) > 10_000, "screenshot written: " + png);
    }

    private static Object js(ChromeDriver driver, String script) {
        return ((JavascriptExecutor) driver).executeScript(script);
    }

    private static long loads(ChromeDriver driver) {
        Object n = js(driver, "return window.spineDashboard ? window.spineDashboard.state.loads : 0;");
        return n == null ? 0 : ((Number) n).longValue();
    }

    /** Per chart, its (non-band) datasets: label and number of non-null values. */
    private static JsonNode datasets(ChromeDriver driver) throws IOException {
        String json = (String) js(driver, "const out = {};"
                + "for (const [id, c] of Object.entries(window.spineDashboard.charts)) {"
                + "  out[id] = c.data.datasets.filter(d => !d.band).map(d => ({label: d.label,"
                + "    values: d.data.filter(v => v !== null && v !== undefined).length, data: d.data}));"
                + "}"
                + "return JSON.stringify(out);");
        return JSON.readTree(json);
    }
}
