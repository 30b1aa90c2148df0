package org.spineoutcomes.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineCli;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.producer.simulate.CohortSimulator;
import org.spineoutcomes.producer.simulate.SimulationParameters;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.topics.Topics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Benchmark of the streaming pipeline on the embedded real broker and registry (not a test: it
 * prints numbers). All measurements in one run, so the ratio is fair on a noisy machine:
 * <ol>
 *   <li>baseline: a one-stage exactly-once Streams copy of the preloaded cohort (the ceiling for any
 *       topology on this machine);</li>
 *   <li>throughput: the Spine topology over the same preloaded cohort, until all input is consumed and
 *       every output settled;</li>
 *   <li>latency: a second cohort published at a fixed rate while the app runs; from an input's send to
 *       (a) the patient outcome it changed and (b) the first aggregate publication that folded it in;</li>
 *   <li>memory and storage after the throughput phase settled: heap, resident set, state directory.</li>
 * </ol>
 * Results go to stdout as one table and to {@code target/bench-<utc>.json} and
 * {@code target/bench-latest.json} (relative to the current directory). Progress goes to stderr.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the streams app against an exactly-once copy baseline (throughput, latency, memory).")
public final class StreamBenchmark implements Callable<Integer> {

    static final int QUICK_PATIENTS = 2_000;
    static final int QUICK_LATENCY_SECONDS = 15;

    @Option(names = "--patients", defaultValue = "100000",
            description = "Patients in the throughput cohort, about 11 events each (default: ${DEFAULT-VALUE}; --quick: " + QUICK_PATIENTS + ").")
    int patients;

    @Option(names = "--order", defaultValue = "patient",
            description = "Order of the throughput cohort: patient (the simulator's: each patient's events together, a few late) or"
                    + " recorded (by recorded-at, patients interleaved, as a replay of a registry's history; spooled to a"
                    + " temporary file first) (default: ${DEFAULT-VALUE}).")
    org.spineoutcomes.producer.simulate.CohortOrder order;

    @Option(names = "--instances", defaultValue = "1",
            description = "App instances (same application id, own state directories) sharing the work (default: ${DEFAULT-VALUE}).")
    int instances;

    @Option(names = "--no-baselines",
            description = "Skip the two baselines (for a long run of the topology alone; the ratios are then absent).")
    boolean noBaselines;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "An app setting for the topology run, as in the properties file (repeatable), e.g. --set spine.publish.interval.ms=2000.")
    Map<String, String> settings = new java.util.LinkedHashMap<>();

    @Option(names = "--rate", defaultValue = "1000", description = "Events/s sent during the latency phase (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--latency-seconds", defaultValue = "30",
            description = "Length of the latency phase; it sends rate x seconds events (default: ${DEFAULT-VALUE}; --quick: " + QUICK_LATENCY_SECONDS + ").")
    int latencySeconds;

    @Option(names = "--latency-warmup-seconds", defaultValue = "0",
            description = "Seconds at the rate before the measured latency phase (default: ${DEFAULT-VALUE}): events sent in them are not"
                    + " counted (the 5 s table shows them). Right after a backfill the JIT compiler still works on the live paths for minutes.")
    int latencyWarmupSeconds;

    @Option(names = "--latency-linger-ms", defaultValue = "5",
            description = "linger.ms of the latency phase's sender (default: ${DEFAULT-VALUE}, as the spine publisher sends; 0 sends each event"
                    + " in a request of its own). The linger counts in the latency: it runs from the send call.")
    int latencyLingerMs;

    @Option(names = "--quick", description = "About a minute: " + QUICK_PATIENTS + " patients and a " + QUICK_LATENCY_SECONDS
            + " s latency phase (explicit --patients / --latency-seconds still win).")
    boolean quick;

    @Option(names = "--verbose", description = "On a failure, the whole stack trace (by default one line says what failed).")
    boolean verbose;

    @Spec
    CommandSpec spec;

    private static final String BASELINE_SINK = "bench.baseline-copy";
    private static final String STATE_IO_SINK = "bench.baseline-state-io";
    private static final Duration SETTLE_QUIET = Duration.ofSeconds(3);
    private static final Duration SETTLE_MAX = Duration.ofMinutes(30);
    private static final Duration STALL = Duration.ofMinutes(5);
    private static final String LATENCY_INPUTS = "all types, not only follow-ups";

    private final ProgressLine progress = new ProgressLine(Duration.ofSeconds(2), Duration.ofSeconds(2), false);

    @Override
    public Integer call() throws Exception {
        if (quick) {
            if (!spec.commandLine().getParseResult().hasMatchedOption("--patients")) patients = QUICK_PATIENTS;
            if (!spec.commandLine().getParseResult().hasMatchedOption("--latency-seconds")) latencySeconds = QUICK_LATENCY_SECONDS;
        }
        if (latencyWarmupSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--latency-warmup-seconds must not be negative");
        }
        if (patients < 1 || rate < 1 || latencySeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--patients, --rate and --latency-seconds must be positive");
        }
        ZonedDateTime startedUtc = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
        BenchReport report = new BenchReport();
        Pseudonymiser pseudonymiser = new Pseudonymiser("benchmark-key-not-secret-0123456789".getBytes(StandardCharsets.UTF_8));
        long events;
        try (LocalStack stack = LocalStack.start()) {
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(BASELINE_SINK, Topics.INPUT_PARTITIONS, (short) 1),
                        new NewTopic(STATE_IO_SINK, Topics.INPUT_PARTITIONS, (short) 1))).all().get();
            }

            long t = System.nanoTime();
            events = produceCohort(stack, registry, pseudonymiser);
            double produceSeconds = seconds(t);
            status(String.format(Locale.ROOT, "cohort: %,d patients, %,d events, produced in %.1f s", patients, events, produceSeconds));

            double baselineSeconds = Double.NaN;
            double stateIoSeconds = Double.NaN;
            if (noBaselines) {
                baselineCpuNanos = -1;
                stateIoCpuNanos = -1;
                status("baselines skipped (--no-baselines)");
            } else {
                baselineSeconds = baseline(stack, events);
                status(String.format(Locale.ROOT, "baseline (exactly-once one-stage copy): %.1f s, %,.0f events/s", baselineSeconds, events / baselineSeconds));
                stateIoSeconds = stateIoBaseline(stack, events);
                status(String.format(Locale.ROOT, "state-I/O baseline (per-patient stores and output, no clinical work): %.1f s, %,.0f events/s",
                        stateIoSeconds, events / stateIoSeconds));
            }

            Memory beforeApp = Memory.sample();
            Path state = Files.createTempDirectory(stack.workDir(), "bench-state");
            List<SpineStreamsApp> apps = new java.util.ArrayList<>();
            try (AutoCloseable closeAll = () -> { for (SpineStreamsApp a : apps) a.close(); }) {
                for (int i = 0; i < instances; i++) {
                    // Scale-out as an operator would do it: same application id, a state directory each.
                    Map<String, String> values = new java.util.LinkedHashMap<>(settings);
                    values.putAll(Map.of(
                            AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                            AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                            AppConfig.STATE_DIR, Files.createDirectories(state.resolve("instance-" + i)).toString(),
                            AppConfig.APPLICATION_ID, "bench-spine"));
                    AppConfig config = AppConfig.of(values);
                    apps.add(new SpineStreamsApp(config, registry));
                }
                t = System.nanoTime();
                long topologyCpu = processCpuNanos();
                ThreadCpu threadCpuAtStart = ThreadCpu.sample();
                BrokerTraffic trafficAtStart = BrokerTraffic.sample();
                for (SpineStreamsApp a : apps) a.start();
                waitConsumed(apps, events, t);
                double consumed = seconds(t);
                status(String.format(Locale.ROOT, "topology: all input consumed in %.1f s; waiting until the outputs settle", consumed));
                boolean quiet = new ResultsPrinter(stack.bootstrapServers(), stack.schemaRegistryUrl(), System.out)
                        .waitUntilQuiet(SETTLE_QUIET, SETTLE_MAX);
                double settled = seconds(t) - (quiet ? SETTLE_QUIET.toNanos() / 1e9 : 0);
                topologyCpu = processCpuNanos() - topologyCpu;
                Map<String, Long> cpuByGroup = ThreadCpu.sample().since(threadCpuAtStart);
                BrokerTraffic trafficAtEnd = BrokerTraffic.sample();
                Map<String, long[]> traffic = trafficAtEnd.since(trafficAtStart);
                double na = trafficAtEnd.available() ? 1 : Double.NaN;
                if (trafficAtEnd.available()) status("topology: records the broker took, busiest topics: " + trafficAtEnd.busiestTopics(trafficAtStart, 8));
                if (!quiet) status("WARNING: outputs still growing after " + SETTLE_MAX.toMinutes() + " min; 'settled' is a lower bound");
                status(String.format(Locale.ROOT, "topology: outputs settled in %.1f s, %,.0f events/s", settled, events / settled));

                long stateBytes = directorySize(state);
                List<KafkaStreams> streamsOfApps = apps.stream().flatMap(a -> a.allStreams().stream()).toList();
                StreamThreadTime threadsBefore = StreamThreadTime.sample(streamsOfApps);
                long latencyCpu = processCpuNanos();
                long latencyGc = gcMillis();
                long latencyWall = System.nanoTime();
                ThreadCpu latencyThreadsAtStart = ThreadCpu.sample();
                Map<String, Long> latencyRequestsAtStart = BrokerTraffic.requestCounts();
                Latency latency = latency(stack, registry, pseudonymiser, (double) events / patients);
                double latencyWallNanos = System.nanoTime() - latencyWall;
                double latencyCores = (processCpuNanos() - latencyCpu) / latencyWallNanos;
                double latencyGcShare = (gcMillis() - latencyGc) * 1e6 / latencyWallNanos;
                // Live, fixed costs per commit and per publication round weigh more than per event: cores, not us per event.
                Map<String, Long> latencyCpuByGroup = ThreadCpu.sample().since(latencyThreadsAtStart);
                Map<String, Long> latencyRequests = BrokerTraffic.requestCounts();
                if (!latencyRequests.isEmpty()) status("latency: broker requests per second by type: "
                        + BrokerTraffic.requestRates(latencyRequestsAtStart, latencyRequests, latencyWallNanos / 1e9));
                StreamThreadTime threadsAfter = StreamThreadTime.sample(streamsOfApps);
                status("latency: stream threads over the phase (Kafka Streams' thread metrics, last 30-60 s):\n" + threadsAfter.describe().stripTrailing());
                // Heap and RSS after the latency phase, not before it: the full collections of the sample (System.gc())
                // would otherwise run seconds before the live input starts, which no deployment does.
                Memory afterSettle = Memory.sample();

                double per100k = 100_000.0 / patients;
                report.text("mode", "mode", quick ? "quick" : "full")
                        .text("startedUtc", "started (UTC)", startedUtc.format(DateTimeFormatter.ISO_INSTANT))
                        .text("commit", "git commit", gitCommit())
                        .count("cores", "cores", Runtime.getRuntime().availableProcessors(), "")
                        .count("instances", "app instances", instances, "")
                        .text("settings", "app settings (--set)", settings.isEmpty() ? "defaults" : settings.toString())
                        .count("maxHeapMb", "max heap (-Xmx)", Runtime.getRuntime().maxMemory() / 1_000_000, "MB")
                        .count("patients", "patients (throughput cohort)", patients, "")
                        .text("order", "order of the throughput cohort (--order)", order.name())
                        .count("events", "events (throughput cohort)", events, "")
                        .number("produceSeconds", "input produced in", produceSeconds, "s", 1)
                        .number("baselineSeconds", "baseline: copied in", baselineSeconds, "s", 1)
                        .number("baselineEventsPerSec", "baseline: throughput", events / baselineSeconds, "events/s", 0)
                        .number("consumedSeconds", "topology: all input consumed in", consumed, "s", 1)
                        .number("settledSeconds", "topology: outputs settled in", settled, "s", 1)
                        .flag("outputsSettled", "topology: outputs settled (not timed out)", quiet)
                        .number("topologyEventsPerSec", "topology: throughput (to settled)", events / settled, "events/s", 0)
                        .number("ratioTopologyToBaseline", "ratio topology / baseline", baselineSeconds / settled, "x", 3)
                        .number("stateIoSeconds", "state-I/O baseline: done in", stateIoSeconds, "s", 1)
                        .number("stateIoEventsPerSec", "state-I/O baseline: throughput", events / stateIoSeconds, "events/s", 0)
                        .number("ratioTopologyToStateIo", "ratio topology / state-I/O baseline", stateIoSeconds / settled, "x", 3)
                        .number("baselineCpuMicrosPerEvent", "baseline: process CPU per event", microsPerEvent(baselineCpuNanos, events), "us", 1)
                        .number("stateIoCpuMicrosPerEvent", "state-I/O baseline: process CPU per event", microsPerEvent(stateIoCpuNanos, events), "us", 1)
                        .number("topologyCpuMicrosPerEvent", "topology: process CPU per event", topologyCpu / 1e3 / events, "us", 1)
                        .each(cpuByGroup.entrySet(), (r, group) -> r.number(ThreadCpu.JSON_KEYS.get(group.getKey()),
                                "topology CPU per event: " + group.getKey(), group.getValue() / 1e3 / events, "us", 1))
                        .each(traffic.entrySet(), (r, kind) -> r
                                .number(BrokerTraffic.KINDS.get(kind.getKey()) + "RecordsPerEvent", "topology: broker records written per event, " + kind.getKey(),
                                        na * kind.getValue()[0] / events, "", 3)
                                .number(BrokerTraffic.KINDS.get(kind.getKey()) + "BytesPerEvent", "topology: broker bytes written per event, " + kind.getKey(),
                                        na * kind.getValue()[1] / events, "B", 0))
                        .number("brokerProduceRequestsPer1000Events", "topology: produce requests per 1,000 events",
                                na * traffic.values().stream().mapToLong(v -> v[2]).sum() * 1000.0 / events, "", 1)
                        .number("ratioCpuBaselineToTopology", "ratio CPU per event baseline / topology", (baselineCpuNanos < 0 ? Double.NaN : (double) baselineCpuNanos / topologyCpu), "x", 3)
                        .count("latencyRate", "latency: target rate", rate, "events/s")
                        .count("latencyLingerMs", "latency: sender's linger.ms", latencyLingerMs, "ms")
                        .count("latencyWarmupSeconds", "latency: warm-up at the rate, not counted", latencyWarmupSeconds, "s")
                        .number("latencyAchievedRate", "latency: achieved send rate", latency.achievedRate(), "events/s", 0)
                        .count("latencyEvents", "latency: events sent (warm-up included)", latency.sent(), "")
                        .text("latencyInputs", "latency: inputs counted", LATENCY_INPUTS)
                        .count("latencyOutcomeRecords", "sent -> outcome: records", latency.outcome().size(), "")
                        .count("latencyOutcomeP50Ms", "sent -> outcome: p50", pct(latency.outcome(), 0.50), "ms")
                        .count("latencyOutcomeP99Ms", "sent -> outcome: p99", pct(latency.outcome(), 0.99), "ms")
                        .count("latencyOutcomeMaxMs", "sent -> outcome: max", max(latency.outcome()), "ms")
                        .count("latencyAggregateRecords", "sent -> aggregate: records", latency.aggregate().size(), "")
                        .count("latencyAggregateP50Ms", "sent -> aggregate: p50", pct(latency.aggregate(), 0.50), "ms")
                        .count("latencyAggregateP99Ms", "sent -> aggregate: p99", pct(latency.aggregate(), 0.99), "ms")
                        .count("latencyAggregateMaxMs", "sent -> aggregate: max", max(latency.aggregate()), "ms")
                        .number("latencyCpuCores", "latency phase: process CPU (broker, app, bench)", latencyCores, "cores", 2)
                        .each(latencyCpuByGroup.entrySet(), (r, group) -> r.number(
                                ThreadCpu.JSON_KEYS.get(group.getKey()).replace("CpuMicrosPerEvent", "LatencyCores"),
                                "latency phase cores: " + group.getKey(), group.getValue() / latencyWallNanos, "cores", 3))
                        .number("latencyGcShare", "latency phase: time in garbage collection", latencyGcShare, "", 3)
                        .number("latencyProcessRatio", "latency phase: stream threads processing (mean)", threadsAfter.mean("process-ratio"), "", 3)
                        .number("latencyPunctuateRatio", "latency phase: stream threads punctuating (mean)", threadsAfter.mean("punctuate-ratio"), "", 3)
                        .number("latencyPollRatio", "latency phase: stream threads polling (mean)", threadsAfter.mean("poll-ratio"), "", 3)
                        .number("latencyCommitRatio", "latency phase: stream threads committing (mean)", threadsAfter.mean("commit-ratio"), "", 3)
                        .number("latencyCommits", "latency phase: commits (all threads)", threadsAfter.sumSince(threadsBefore, "commit-total"), "", 0)
                        .number("latencyCommitMaxMs", "latency phase: longest commit", threadsAfter.max("commit-latency-max"), "ms", 0)
                        .number("latencyPunctuateMaxMs", "latency phase: longest punctuation", threadsAfter.max("punctuate-latency-max"), "ms", 0)
                        .number("heapBeforeAppMb", "heap used before app (after GC)", beforeApp.heapMb(), "MB", 0)
                        .number("heapMb", "heap used after the latency phase (after GC)", afterSettle.heapMb(), "MB", 0)
                        .number("heapAppMb", "heap used by app (difference)", afterSettle.heapMb() - beforeApp.heapMb(), "MB", 0)
                        .number("heapAppMbPer100kPatients", "heap used by app, scaled to 100k patients", (afterSettle.heapMb() - beforeApp.heapMb()) * per100k, "MB", 0)
                        .number("rssBeforeAppMb", "RSS before app (broker, registry)", beforeApp.rssMb(), "MB", 0)
                        .number("rssMb", "RSS after the latency phase", afterSettle.rssMb(), "MB", 0)
                        .number("rssAppMb", "RSS added by app (difference)", afterSettle.rssMb() - beforeApp.rssMb(), "MB", 0)
                        .number("rssAppMbPer100kPatients", "RSS added by app, scaled to 100k patients", (afterSettle.rssMb() - beforeApp.rssMb()) * per100k, "MB", 0)
                        .number("stateDirMb", "state directory after settle", stateBytes / 1e6, "MB", 1)
                        .number("stateDirMbPer100kPatients", "state directory, scaled to 100k patients", stateBytes / 1e6 * per100k, "MB", 1);
            }
        }
        if (!noBaselines) {
            // Last, with the broker stopped: nothing else runs, and its heap does not count in the memory rows above.
            ComputationBaseline.Measurement computation = computationBaseline(pseudonymiser);
            status(String.format(Locale.ROOT, "computation alone (no Kafka, %,d patients, warm): %,.0f events/s, %.1f us of CPU per event"
                            + " (computing threads %.1f, garbage collector %.1f)",
                    computation.patients(), computation.eventsPerSecond(), computation.cpuMicrosPerEvent(),
                    computation.computingCpuMicrosPerEvent(), computation.collectorCpuMicrosPerEvent()));
            double copyCpu = microsPerEvent(baselineCpuNanos, events);
            report.number("computationPatients", "computation alone: patients (sample of the cohort, seed 11)", computation.patients(), "", 0)
                    .number("computationEventsPerSec", "computation alone: throughput (no Kafka, warm)", computation.eventsPerSecond(), "events/s", 0)
                    .number("computationCpuMicrosPerEvent", "computation alone: process CPU per event", computation.cpuMicrosPerEvent(), "us", 1)
                    .number("computationThreadsCpuMicrosPerEvent", "computation alone: of which the computing threads (caller, fork-join workers)",
                            computation.computingCpuMicrosPerEvent(), "us", 1)
                    .number("computationGcCpuMicrosPerEvent", "computation alone: of which the garbage collector", computation.collectorCpuMicrosPerEvent(), "us", 1)
                    .number("ratioCeilingToBaseline", "ratio ceiling: copy CPU / (copy CPU + computation CPU)",
                            ComputationBaseline.ratioCeiling(copyCpu, computation.cpuMicrosPerEvent()), "x", 3)
                    .number("ratioBoundWithStateToBaseline", "ratio bound with per-patient state: copy CPU / (state-I/O CPU + computation CPU)",
                            ComputationBaseline.ratioBoundWithState(copyCpu, microsPerEvent(stateIoCpuNanos, events), computation.cpuMicrosPerEvent()), "x", 3);
        }
        progress.done(null);
        report.printTable(System.out);
        Path json = report.writeJson(Path.of("target"), startedUtc.format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")));
        System.out.println();
        System.out.println("JSON: " + json + " (and target/bench-latest.json)");
        return 0;
    }

    /** Patient outcome and aggregate latencies (ms, sorted) of the latency phase. */
    record Latency(int sent, double achievedRate, List<Long> outcome, List<Long> aggregate) {}

    private Latency latency(LocalStack stack, RestSchemaRegistryClient registry, Pseudonymiser pseudonymiser, double eventsPerPatient) throws Exception {
        int target = (int) Math.min(Integer.MAX_VALUE, (long) rate * (latencyWarmupSeconds + latencySeconds));
        // Enough patients for the target (with a margin), then cut to exactly rate x seconds events.
        List<SpecificRecord> events = cohort((int) Math.ceil(target / eventsPerPatient * 1.2) + 1, 12, pseudonymiser);
        if (events.size() > target) events = new ArrayList<>(events.subList(0, target));
        int total = events.size();

        List<Long> outcome = new ArrayList<>();
        List<Long> aggregate = new ArrayList<>();
        List<long[]> timeline = new ArrayList<>(); // read ms since the phase started, latency ms, 1 if an outcome
        Properties p = consumerProps(stack);
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            // Start at the end: the throughput phase's outputs are not part of this measurement.
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.PATIENT_OUTCOMES.name(), Topics.ARM_AGGREGATES.name())) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);

            AtomicLong sent = new AtomicLong();
            AtomicReference<Exception> failure = new AtomicReference<>();
            long start = System.currentTimeMillis();
            PhaseTimeline machine = new PhaseTimeline(start);
            long measuredFrom = start + latencyWarmupSeconds * 1_000L;
            long sendStart = System.nanoTime();
            AtomicLong sendNanos = new AtomicLong();
            final List<SpecificRecord> toSend = events;
            Thread producer = new Thread(() -> {
                try {
                    produceAtRate(stack, registry, toSend, rate, latencyLingerMs, sent, failure);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                }
                sendNanos.set(System.nanoTime() - sendStart);
            }, "bench-latency-producer");
            producer.start();

            long deadline = System.nanoTime() + Duration.ofSeconds(total / rate + 60).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                var records = consumer.poll(Duration.ofMillis(100));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    // Patient outcomes keep the input record's timestamp (the producer's send time); aggregates
                    // carry the newest input timestamp folded into the publication. Earlier inputs are skipped.
                    countLatency(r.topic().equals(Topics.PATIENT_OUTCOMES.name()), r.timestamp(), now, start, measuredFrom,
                            outcome, aggregate, timeline);
                }
                if (!records.isEmpty()) quietSince = System.nanoTime();
                machine.tick(now);
                progress.update(String.format(Locale.ROOT, "latency: %,d / %,d events sent at %d/s; read %,d outcomes, %,d aggregates",
                        sent.get(), total, rate, outcome.size(), aggregate.size()));
                if (!producer.isAlive() && System.nanoTime() - quietSince > Duration.ofSeconds(5).toNanos()) break;
            }
            producer.join();
            if (failure.get() != null) throw new IllegalStateException("latency phase: sending failed", failure.get());
            status("latency: by 5 s of the phase (read time), sent -> outcome p50 / p99 / max (records); sent -> aggregate p99 / max (records):\n"
                    + timelineTable(timeline).stripTrailing());
            machine.close();
            status("latency: by 5 s of the phase (wall time), process CPU in cores by thread group (those at 0.05 or more) | the garbage collector's pauses:\n"
                    + machine.table().stripTrailing());
            Collections.sort(outcome);
            Collections.sort(aggregate);
            double achieved = sent.get() / Math.max(1e-9, sendNanos.get() / 1e9);
            status(String.format(Locale.ROOT, "latency: %,d events sent at %,.0f/s; %,d outcome and %,d aggregate records counted",
                    sent.get(), achieved, outcome.size(), aggregate.size()));
            return new Latency((int) sent.get(), achieved, outcome, aggregate);
        }
    }

    /**
     * Counts one output record read at {@code readMs} stamped {@code sentMs}: records of inputs from before the
     * phase ({@code phaseStartMs}) not at all; those of inputs sent during the warm-up (before {@code measuredFromMs})
     * in the 5 s table only; the rest also in the outcome or aggregate latencies.
     */
    static void countLatency(boolean isOutcome, long sentMs, long readMs, long phaseStartMs, long measuredFromMs,
                             List<Long> outcome, List<Long> aggregate, List<long[]> timeline) {
        if (sentMs < phaseStartMs) return;
        if (sentMs >= measuredFromMs) (isOutcome ? outcome : aggregate).add(readMs - sentMs);
        timeline.add(new long[] {readMs - phaseStartMs, readMs - sentMs, isOutcome ? 1 : 0});
    }

    /** The latencies of the phase by 5 s of read time, so a slow start or a pause shows where it happened. */
    static String timelineTable(List<long[]> timeline) {
        java.util.TreeMap<Long, List<List<Long>>> windows = new java.util.TreeMap<>();
        for (long[] t : timeline) {
            List<List<Long>> w = windows.computeIfAbsent(t[0] / 5_000, k -> List.of(new ArrayList<>(), new ArrayList<>()));
            w.get((int) t[2]).add(t[1]);
        }
        StringBuilder b = new StringBuilder();
        windows.forEach((k, w) -> {
            List<Long> agg = w.get(0);
            List<Long> out = w.get(1);
            Collections.sort(agg);
            Collections.sort(out);
            b.append(String.format(Locale.ROOT, "  %3d-%3d s: outcome %5d / %5d / %5d ms (%5d); aggregate %5d / %5d ms (%4d)%n",
                    k * 5, k * 5 + 5, pct(out, 0.5), pct(out, 0.99), max(out), out.size(), pct(agg, 0.99), max(agg), agg.size()));
        });
        return b.toString();
    }

    /** Nearest-rank percentile of a sorted list; -1 when empty. */
    static long pct(List<Long> sorted, double q) {
        if (sorted.isEmpty()) return -1;
        return sorted.get((int) Math.max(0, Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1)));
    }

    static long max(List<Long> sorted) {
        return sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1);
    }

    /** Waits until the apps have consumed {@code events} input records together; fails if one stops or they stall. */
    private void waitConsumed(List<SpineStreamsApp> apps, long events, long startNanos) throws InterruptedException {
        long last = -1;
        long lastChange = System.nanoTime();
        long in;
        while ((in = apps.stream().mapToLong(a -> IngestMetrics.total(a.streams().metrics(), "records-in-total")).sum()) < events) {
            for (SpineStreamsApp app : apps) {
                KafkaStreams.State s = app.state();
                if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR || s == KafkaStreams.State.NOT_RUNNING) {
                    throw new IllegalStateException("streams app stopped (" + s + ") after " + in + " of " + events + " events");
                }
            }
            if (in != last) {
                last = in;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > STALL.toNanos()) {
                throw new IllegalStateException("streams app stalled at " + in + " of " + events + " events");
            }
            progress.update(String.format(Locale.ROOT, "topology: %,d / %,d events consumed (%.0f%%), %.0f s",
                    in, events, 100.0 * in / events, seconds(startNanos)));
            Thread.sleep(100);
        }
    }

    /**
     * The second baseline: the state I/O the patient step cannot avoid, without any clinical work. Per
     * input record: one write to a logged events store (its own entry), a read and a write of a
     * logged per-patient store with a value the size of an outcome, and one output record of that
     * size. No decoding, no outcome, no cells. Its throughput bounds what any topology that keeps
     * events and outcomes per patient can reach here.
     */
    private static final class StateIoProcessor implements org.apache.kafka.streams.processor.api.Processor<byte[], byte[], byte[], byte[]> {
        static final int OUTCOME_BYTES = 1_200;
        private org.apache.kafka.streams.processor.api.ProcessorContext<byte[], byte[]> context;
        private org.apache.kafka.streams.state.KeyValueStore<String, byte[]> events;
        private org.apache.kafka.streams.state.KeyValueStore<String, byte[]> patients;

        @Override
        public void init(org.apache.kafka.streams.processor.api.ProcessorContext<byte[], byte[]> context) {
            this.context = context;
            this.events = context.getStateStore("bench-events");
            this.patients = context.getStateStore("bench-patients");
        }

        @Override
        public void process(org.apache.kafka.streams.processor.api.Record<byte[], byte[]> record) {
            String patient = new String(record.key(), StandardCharsets.UTF_8);
            var meta = context.recordMetadata().orElseThrow();
            events.put(patient + '\u0000' + meta.topic() + '/' + meta.offset(), record.value());
            byte[] before = patients.get(patient);
            byte[] after = before == null ? new byte[OUTCOME_BYTES] : before.clone();
            after[(int) (meta.offset() % OUTCOME_BYTES)]++;
            patients.put(patient, after);
            context.forward(record.withValue(after));
        }
    }

    private double stateIoBaseline(LocalStack stack, long expected) throws Exception {
        StreamsBuilder b = new StreamsBuilder();
        for (String store : List.of("bench-events", "bench-patients")) {
            b.addStateStore(org.apache.kafka.streams.state.Stores.keyValueStoreBuilder(
                    org.apache.kafka.streams.state.Stores.persistentKeyValueStore(store), Serdes.String(), Serdes.ByteArray()));
        }
        b.stream(List.of(Topics.PROCEDURES.name(), Topics.IMAGING.name(), Topics.FOLLOWUPS.name()),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-state-source"))
                .process(StateIoProcessor::new, org.apache.kafka.streams.kstream.Named.as("bench-state-io"), "bench-events", "bench-patients")
                .to(STATE_IO_SINK, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-state-sink"));
        long[] cpu = new long[1];
        double s = runBaseline(stack, b, "bench-state-io", STATE_IO_SINK, expected, "state-I/O baseline", cpu);
        stateIoCpuNanos = cpu[0];
        return s;
    }

    private double baseline(LocalStack stack, long expected) throws Exception {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(List.of(Topics.PROCEDURES.name(), Topics.IMAGING.name(), Topics.FOLLOWUPS.name()),
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-source"))
                .to(BASELINE_SINK, Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName("bench-sink"));
        long[] cpu = new long[1];
        double s = runBaseline(stack, b, "bench-baseline", BASELINE_SINK, expected, "baseline", cpu);
        baselineCpuNanos = cpu[0];
        return s;
    }

    /** Runs a baseline topology until its sink holds {@code expected} records; returns seconds, CPU ns in cpuOut[0]. */
    private double runBaseline(LocalStack stack, StreamsBuilder b, String applicationId, String sink, long expected, String label,
                               long[] cpuOut) throws Exception {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory(stack.workDir(), applicationId).toString());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Runtime.getRuntime().availableProcessors());
        // As the app does (SpineTopology): opts in to the Kafka 5.0 default instead of a WARN per start.
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, true);
        // The app's producer batching too, so that the ratio compares the topologies, not client settings.
        p.put(StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.BATCH_SIZE_CONFIG), SpineStreamsApp.PRODUCER_BATCH_BYTES);
        try (KafkaStreams streams = new KafkaStreams(b.build(), p)) {
            long t = System.nanoTime();
            long cpu = processCpuNanos();
            streams.start();
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(stack), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                c.subscribe(List.of(sink));
                long seen = 0;
                long lastChange = System.nanoTime();
                while (seen < expected) {
                    int n = c.poll(Duration.ofMillis(100)).count();
                    seen += n;
                    if (n > 0) lastChange = System.nanoTime();
                    else if (System.nanoTime() - lastChange > STALL.toNanos()) {
                        throw new IllegalStateException(label + " stalled at " + seen + " of " + expected + " events");
                    }
                    progress.update(String.format(Locale.ROOT, "%s: %,d / %,d events (%.0f%%), %.0f s",
                            label, seen, expected, 100.0 * seen / expected, seconds(t)));
                }
            }
            double s = seconds(t);
            cpuOut[0] = processCpuNanos() - cpu;
            streams.close(Duration.ofSeconds(30));
            return s;
        }
    }

    /** Time spent in garbage collection by this JVM so far (all collectors), in ms. */
    static long gcMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).filter(t -> t > 0).sum();
    }

    /** The name HotSpot gives the common fork-join pool's threads, which run the batch engine's parallel stream. */
    private static final String COMMON_POOL_WORKER = "ForkJoinPool.commonPool-worker-";

    /** Generates a sample of the throughput cohort (same seed and parameters) and times the batch engine over it. */
    private ComputationBaseline.Measurement computationBaseline(Pseudonymiser pseudonymiser) {
        int sample = Math.min(patients, ComputationBaseline.SAMPLE_PATIENTS);
        progress.update(String.format(Locale.ROOT, "computation alone: generating %,d patients", sample));
        List<SpecificRecord> events = cohort(sample, 11, pseudonymiser);
        progress.update(String.format(Locale.ROOT, "computation alone: %,d events, warming up and timing", events.size()));
        long caller = Thread.currentThread().getId();
        return ComputationBaseline.measure(events, sample, () -> {
            ThreadCpu now = ThreadCpu.sample();
            return new ComputationBaseline.CpuReading(now.processNanos(),
                    now.javaThreadsNanos((id, name) -> id == caller || name.startsWith(COMMON_POOL_WORKER)), now.systemGroupNanos(ThreadCpu.GC));
        });
    }

    /** CPU per event in us, NaN for a phase that did not run (CPU time -1). */
    private static double microsPerEvent(long cpuNanos, long events) {
        return cpuNanos < 0 ? Double.NaN : cpuNanos / 1e3 / events;
    }

    /** CPU time of the baseline phases (whole process: broker, streams threads, the bench's reader). */
    private long baselineCpuNanos;
    private long stateIoCpuNanos;

    /**
     * CPU time used by this process so far (broker, streams app, bench), in ns. CPU per event depends
     * far less on what else runs on the machine than wall-clock throughput does.
     */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static Properties consumerProps(LocalStack stack) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-reader-" + System.nanoTime());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    private static SimulationParameters parameters(int patients, long seed) {
        return SimulationParameters.defaults(patients, seed).withInvalidShare(0);
    }

    /** The simulator's event with its patient id pseudonymised (prefixed with the seed: cohorts do not overlap). */
    private static SpecificRecord pseudonymised(SpecificRecord e, long seed, Pseudonymiser pseudonymiser) {
        SpecificRecord copy = (SpecificRecord) SpecificData.getForSchema(e.getSchema()).deepCopy(e.getSchema(), e);
        int field = copy.getSchema().getField("patientId").pos();
        copy.put(field, pseudonymiser.pseudonymise(seed + ":" + copy.get(field)));
        return copy;
    }

    private static List<SpecificRecord> cohort(int patients, long seed, Pseudonymiser pseudonymiser) {
        List<SpecificRecord> events = new ArrayList<>();
        new CohortSimulator(parameters(patients, seed)).run(e -> events.add(pseudonymised(e, seed, pseudonymiser)));
        return events;
    }

    /** Generates the throughput cohort (seed 11) and sends it as fast as possible, without holding it in memory. */
    private long produceCohort(LocalStack stack, RestSchemaRegistryClient registry, Pseudonymiser pseudonymiser) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long t = System.nanoTime();
        long[] sent = {0};
        long events;
        try (KafkaProducer<String, SpecificRecord> producer = producer(stack, registry, 20)) {
            events = order.emit(new CohortSimulator(parameters(patients, 11)), e -> {
                send(producer, pseudonymised(e, 11, pseudonymiser), failure);
                sent[0]++;
                progress.update(String.format(Locale.ROOT, "cohort: %,d events generated and sent (~%,d expected), %.0f s",
                        sent[0], Math.round(patients * 11.2), seconds(t)));
            });
            producer.flush();
        }
        if (failure.get() != null) throw new IllegalStateException("sending the cohort failed", failure.get());
        return events;
    }

    /** Sends events in order at {@code rate} events/s, counting them in {@code sent}. */
    private static void produceAtRate(LocalStack stack, RestSchemaRegistryClient registry, List<SpecificRecord> events, int rate, int lingerMs,
                                      AtomicLong sent, AtomicReference<Exception> failure) {
        try (KafkaProducer<String, SpecificRecord> producer = producer(stack, registry, lingerMs)) {
            long start = System.nanoTime();
            for (int i = 0; i < events.size(); i++) {
                long wait = start + (long) (i * 1e9 / rate) - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                send(producer, events.get(i), failure);
                sent.incrementAndGet();
            }
        }
    }

    private static KafkaProducer<String, SpecificRecord> producer(LocalStack stack, RestSchemaRegistryClient registry, int lingerMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        return new KafkaProducer<>(p, new StringSerializer(), new SpineAvroSerializer<>(registry));
    }

    private static void send(KafkaProducer<String, SpecificRecord> producer, SpecificRecord e, AtomicReference<Exception> failure) {
        producer.send(new ProducerRecord<>(EventType.of(e).topic().name(), EventFields.patientId(e), e), (metadata, ex) -> {
            if (ex != null) failure.compareAndSet(null, ex);
        });
    }

    /** Heap used after a full GC and the process's resident set, in MB (10^6 bytes). */
    record Memory(double heapMb, double rssMb) {
        static Memory sample() {
            System.gc();
            System.gc();
            Runtime rt = Runtime.getRuntime();
            return new Memory((rt.totalMemory() - rt.freeMemory()) / 1e6, residentBytes() / 1e6);
        }
    }

    /** VmRSS from /proc/self/status (Linux); NaN elsewhere. */
    static double residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return Double.NaN;
    }

    /** Bytes in regular files under {@code dir}; files that vanish during the walk (RocksDB compactions) are skipped. */
    static long directorySize(Path dir) throws IOException {
        long[] bytes = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) bytes[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        return bytes[0];
    }

    /** {@code git rev-parse --short HEAD} in the current directory, or "unknown". */
    static String gitCommit() {
        try {
            Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) return out;
        } catch (IOException e) {
            // no git
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "unknown";
    }

    private void status(String line) {
        progress.done(null);
        System.err.println(line);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    public static void main(String[] args) {
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES",
                System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "org.spineoutcomes"));
        // The benchmark's own logging (before the first logger is created): WARN, and no topology dump.
        if (System.getProperty("log4j2.configurationFile") == null) System.setProperty("log4j2.configurationFile", "log4j2-bench.xml");
        CommandLine cli = new CommandLine(new StreamBenchmark());
        // One line per failure (e.g. the registry jar not built yet), the stack trace only with --verbose.
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.hasMatchedOption("--verbose");
            commandLine.getErr().println("bench: failed: " + SpineCli.Run.oneLine(ex) + (verbose ? "" : " (--verbose shows the stack trace)"));
            if (verbose) ex.printStackTrace(commandLine.getErr());
            return 1;
        });
        System.exit(cli.execute(args));
    }
}
