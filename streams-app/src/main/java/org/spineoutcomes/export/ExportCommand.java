package org.spineoutcomes.export;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.spineoutcomes.aggregate.AdjustedComparisonMapper;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.kafka.ClientSecurity;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.TimeToEventMapper;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.outcome.AdjustedContributions;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.query.Suppression;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.TimeToEvent;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryClients;
import org.spineoutcomes.serde.SchemaRegistryException;
import org.spineoutcomes.serde.SerdeConfig;
import org.spineoutcomes.serde.SpineAvroDeserializer;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code export}: what the pipeline has published, as files for analysts. Reads the five
 * compacted output topics to the end they had at start (last value per key, tombstones delete) and
 * writes the files {@code ./spine batch} writes, with the same code ({@link ResultFiles}): for the
 * same events and data cut the NDJSON files are byte-identical.
 *
 * <p>Data cut (R2, R33). Only completeness depends on the cut. An aggregate computed by the stream
 * at another cut than the export's (an {@code --as-of} of its own, or a cell not re-published since
 * the cut moved) has its completeness re-judged at the export's cut from the completeness counts of
 * the patient outcomes read in the same export ({@link AggregateMapper#atDataCut}); every other
 * number is written as published. docs/exports.md explains it.
 *
 * <p>Exit codes: 0 written; 1 written, but the topics were not settled (aggregates disagree with the
 * patient outcomes, the stream is still publishing: export again when it is idle); 2 bad input; 3 the
 * broker, the registry or a topic could not be read, or the files could not be written.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write the pipeline's published results (spine.patient-outcomes.v1, spine.arm-aggregates.v1, "
                + "spine.arm-comparisons.v1, spine.adjusted-comparisons.v1, spine.time-to-event.v1) as the files ./spine batch "
                + "writes, plus CSV tables (docs/exports.md).",
                "Exit codes: 0 written, 1 written but the topics were not settled (stream still publishing), "
                + "2 bad input, 3 broker/registry/topic unreadable or files not writable."})
public final class ExportCommand implements Callable<Integer> {

    static final String ENV_BOOTSTRAP = "SPINE_BOOTSTRAP_SERVERS";
    static final String ENV_REGISTRY = "SPINE_SCHEMA_REGISTRY_URL";
    /** The app's threshold variable (spine.dashboard.min.cell.size), so the export suppresses what the API does. */
    static final String ENV_MIN_CELL_SIZE = "SPINE_DASHBOARD_MIN_CELL_SIZE";
    /** Where a lifted suppression is recorded (one WARN line per export). */
    public static final String AUDIT_LOGGER = "org.spineoutcomes.audit";
    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka brokers (default: $" + ENV_BOOTSTRAP + ").")
    String bootstrapServers;

    @Option(names = "--schema-registry-url", paramLabel = "URL", description = "Confluent-compatible schema registry, "
            + "e.g. http://host:8081 or http://host:8080/apis/ccompat/v7 (default: $" + ENV_REGISTRY + ").")
    String registryUrl;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "export-out", description = "Output directory (default: ${DEFAULT-VALUE}).")
    Path outDir;

    @Option(names = "--as-of", paramLabel = "T", description = "Data cut for completeness (R2, R33), an ISO-8601 instant such as "
            + "2025-01-31T00:00:00Z, taken to the millisecond (default: the cut the pipeline published on spine.data-cut.v1).")
    String asOf;

    @Option(names = "--format", paramLabel = "ndjson|csv|both", defaultValue = "both",
            description = "Files to write: NDJSON as ./spine batch, CSV tables, or both (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the broker or for a read making no progress (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--min-cell-size", paramLabel = "N", description = "Small-cell suppression: aggregates, comparisons and "
            + "statistics over fewer than N patients are written without numbers, as the query API shows them (default: $"
            + ENV_MIN_CELL_SIZE + ", else " + Suppression.DEFAULT_MIN_CELL_SIZE + "; at least 2).")
    Integer minCellSize;

    @Option(names = "--no-suppression", description = "Lift small-cell suppression: write every cell's numbers and the "
            + "patient-level files (patient-outcomes.ndjson, patient-windows.csv), as ./spine batch does. "
            + "For analysts allowed to see them; logged as a warning (logger " + AUDIT_LOGGER + ").")
    boolean noSuppression;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = "Properties file with Kafka client security settings: "
            + "kafka.security.protocol, kafka.sasl.*, kafka.ssl.* (./spine run's file works: its spine.* and streams.* keys are ignored). "
            + "SPINE_KAFKA__* variables override it (e.g. SPINE_KAFKA__SASL_JAAS_CONFIG).")
    Path kafkaConfig;

    @Option(names = "--verbose", description = "Print stack traces with errors.")
    boolean verbose;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private Function<Properties, Consumer<String, byte[]>> consumers =
            p -> new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());

    /** Tests: consumers from elsewhere (a MockConsumer) instead of a KafkaConsumer of the given properties. */
    ExportCommand withConsumers(Function<Properties, Consumer<String, byte[]>> consumers) {
        this.consumers = consumers;
        return this;
    }

    public ExportCommand() {
        this(System.out, System.err, System.getenv());
    }

    public ExportCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    /** A usage or input problem: exit code 2. */
    private static final class BadInput extends Exception {
        BadInput(String message) {
            super(message);
        }
    }

    /** What the export read and wrote (after a run; null before or after a failure): for the summary and the tests. */
    public record Summary(Instant publishedCut, Instant cut, long outcomes, long patientWindows, long aggregates, long comparisons,
                   long adjustedComparisons, long timeToEvent, long aggregatesRejudged, long unsettledCells,
                   long aggregatesSuppressed, long comparisonsSuppressed, long adjustedSuppressed, long timeToEventSuppressed) {}

    private Summary summary;

    public Summary summary() {
        return summary;
    }

    @Override
    public Integer call() {
        try {
            return run();
        } catch (BadInput e) {
            return fail(2, e.getMessage(), e);
        } catch (TopicSnapshot.ReadException e) {
            return fail(3, e.getMessage(), e);
        } catch (AuthenticationException e) {
            // One line says it all: which broker refused what, and which setting to check.
            err.println("error: " + ClientSecurity.explain(e, bootstrapServers));
            if (verbose) e.printStackTrace(err);
            return 3;
        } catch (TimeoutException e) {
            return fail(3, "no answer from Kafka at " + bootstrapServers + " within " + timeoutSeconds + " s: check --bootstrap-servers (or $"
                    + ENV_BOOTSTRAP + "), that the broker runs and that its advertised listeners are reachable from here", e);
        } catch (SchemaRegistryException e) {
            return fail(3, "cannot use the schema registry: " + e.getMessage() + ": check --schema-registry-url (or $" + ENV_REGISTRY
                    + "; for Apicurio the URL ends in /apis/ccompat/v7) and that the registry runs", e);
        } catch (IOException e) {
            return fail(3, "cannot write to " + outDir + ": " + e, e);
        } catch (KafkaException e) {
            return fail(3, "Kafka: " + e.getMessage() + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""), e);
        } catch (RuntimeException e) {
            return fail(3, "export failed: " + e, e);
        }
    }

    private int fail(int code, String message, Exception e) {
        err.println("error: " + message);
        if (verbose) e.printStackTrace(err);
        else if (code == 3) err.println("(--verbose prints the stack trace)");
        return code;
    }

    private int run() throws BadInput, IOException {
        String bootstrap = orEnv(bootstrapServers, ENV_BOOTSTRAP, "--bootstrap-servers");
        String registryUrlGiven = orEnv(registryUrl, ENV_REGISTRY, "--schema-registry-url");
        bootstrapServers = bootstrap;
        ResultFiles.Format fileFormat;
        try {
            fileFormat = ResultFiles.Format.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadInput("--format must be ndjson, csv or both, not " + format);
        }
        Instant givenCut = null;
        if (asOf != null) {
            try {
                // Avro keeps the cut in milliseconds (timestamp-millis); so does the export.
                givenCut = Instant.parse(asOf).truncatedTo(ChronoUnit.MILLIS);
            } catch (DateTimeParseException e) {
                throw new BadInput("--as-of must be an ISO-8601 instant such as 2025-01-31T00:00:00Z, not " + asOf);
            }
        }
        if (timeoutSeconds < 1) throw new BadInput("--timeout must be at least 1 second");
        Suppression suppression = suppression();
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new BadInput("cannot create the output directory " + outDir + ": " + e.getMessage());
        }
        if (!Files.isWritable(outDir)) throw new BadInput("cannot write to the output directory " + outDir);

        SchemaRegistryClient registry;
        try {
            registry = SchemaRegistryClients.fromConfig(Map.of(SerdeConfig.SCHEMA_REGISTRY_URL, registryUrlGiven));
        } catch (IllegalArgumentException | ConfigException e) {
            throw new BadInput("--schema-registry-url: " + e.getMessage());
        }
        registry.getAllSubjects(); // fails fast with the registry's own message when it cannot be reached

        Map<String, String> security;
        try {
            security = ClientSecurity.load(kafkaConfig, env);
        } catch (IllegalArgumentException e) {
            throw new BadInput(e.getMessage());
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        Properties p = new Properties();
        p.putAll(security);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "spine-export");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        if (suppression == null) {
            AUDIT.warn("small-cell suppression lifted (--no-suppression): export of {} by user {} writes every cell's numbers and the "
                    + "patient-level files to {}", bootstrap, System.getProperty("user.name"), outDir.toAbsolutePath());
        }
        try (QuietLogger quiet = verbose ? null : QuietLogger.quiet("org.apache.kafka.clients.NetworkClient")) {
            return read(bootstrap, p, timeout, givenCut, new ResultFiles(outDir, fileFormat, new NdjsonCodec(), suppression), registry);
        }
    }

    /** The suppression of this export: null when lifted by --no-suppression. */
    private Suppression suppression() throws BadInput {
        if (noSuppression) {
            if (minCellSize != null) throw new BadInput("--min-cell-size and --no-suppression contradict each other: give one");
            return null;
        }
        int n;
        if (minCellSize != null) {
            n = minCellSize;
        } else if (env.get(ENV_MIN_CELL_SIZE) != null && !env.get(ENV_MIN_CELL_SIZE).isBlank()) {
            try {
                n = Integer.parseInt(env.get(ENV_MIN_CELL_SIZE).trim());
            } catch (NumberFormatException e) {
                throw new BadInput("$" + ENV_MIN_CELL_SIZE + " must be a whole number of patients, not " + env.get(ENV_MIN_CELL_SIZE));
            }
        } else {
            n = Suppression.DEFAULT_MIN_CELL_SIZE;
        }
        if (n < 2) {
            throw new BadInput("the minimum cell size must be at least 2, not " + n + " (to write every cell's numbers use --no-suppression, which is logged)");
        }
        return new Suppression(n);
    }

    private int read(String bootstrap, Properties p, Duration timeout, Instant givenCut, ResultFiles files,
                     SchemaRegistryClient registry) throws BadInput, IOException {
        Consumer<String, byte[]> consumer;
        try {
            consumer = consumers.apply(p);
        } catch (KafkaException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new BadInput("cannot create a Kafka client for " + bootstrap + ": " + c.getMessage()
                    + " (check --bootstrap-servers and the kafka.* settings)");
        }
        try (consumer) {
            TopicSnapshot reader = new TopicSnapshot(consumer, timeout, err);
            Instant publishedCut = publishedCut(reader.read(Topics.DATA_CUT.name()));
            TopicSnapshot.Snapshot outcomes = reader.read(Topics.PATIENT_OUTCOMES.name());
            TopicSnapshot.Snapshot aggregates = reader.read(Topics.ARM_AGGREGATES.name());
            TopicSnapshot.Snapshot comparisons = reader.read(Topics.ARM_COMPARISONS.name());
            TopicSnapshot.Snapshot adjusted = reader.read(Topics.ADJUSTED_COMPARISONS.name());
            TopicSnapshot.Snapshot timeToEvent = reader.read(Topics.TIME_TO_EVENT.name());
            Instant cut = givenCut != null ? givenCut : publishedCut;
            summary = write(files, registry, publishedCut, cut, outcomes, aggregates, comparisons, adjusted, timeToEvent);
        }

        out.printf("read from %s: %d patient outcomes, %d aggregates, %d comparisons, %d standardised comparisons, %d time-to-event records%n",
                bootstrap, summary.outcomes(), summary.aggregates(), summary.comparisons(), summary.adjustedComparisons(), summary.timeToEvent());
        out.printf("data cut: %s (%s)%n", summary.cut(), givenCut != null ? "--as-of; the pipeline published " + summary.publishedCut()
                : "published on " + Topics.DATA_CUT.name());
        if (summary.aggregatesRejudged() > 0) {
            out.printf("completeness re-judged at that cut from the patient outcomes for %d of %d aggregates "
                    + "(computed by the stream at another cut)%n", summary.aggregatesRejudged(), summary.aggregates());
        }
        ResultFiles.Format fileFormat = files.format();
        String kinds = (fileFormat.ndjson() ? "NDJSON" : "") + (fileFormat == ResultFiles.Format.BOTH ? " and " : "") + (fileFormat.csv() ? "CSV" : "");
        if (files.suppressed()) {
            out.printf("wrote %s to %s: %d of %d aggregates, %d of %d comparisons, %d of %d standardised comparisons and %d of %d "
                            + "time-to-event records suppressed (fewer than %d patients); "
                            + "patient-level files not written (--no-suppression writes them, and is logged)%n",
                    kinds, outDir, summary.aggregatesSuppressed(), summary.aggregates(), summary.comparisonsSuppressed(), summary.comparisons(),
                    summary.adjustedSuppressed(), summary.adjustedComparisons(), summary.timeToEventSuppressed(), summary.timeToEvent(),
                    files.suppression().minCellSize());
        } else {
            out.printf("wrote %s to %s (%d patient-window rows; small-cell suppression lifted)%n", kinds, outDir, summary.patientWindows());
        }
        if (summary.unsettledCells() > 0) {
            err.printf("warning: %d cells of %s, %s or %s disagree with the patient outcomes (patients per cell): the stream was "
                    + "still publishing; export again when it is idle%n", summary.unsettledCells(), Topics.ARM_AGGREGATES.name(),
                    Topics.ADJUSTED_COMPARISONS.name(), Topics.TIME_TO_EVENT.name());
            return 1;
        }
        return 0;
    }

    private String orEnv(String given, String envName, String option) throws BadInput {
        String v = given != null ? given : env.get(envName);
        if (v == null || v.isBlank()) throw new BadInput(option + " is required (or set $" + envName + ")");
        return v.trim();
    }

    /** The pipeline's data cut: the largest value on spine.data-cut.v1 (one long per input partition, R2); null when none. */
    private static Instant publishedCut(TopicSnapshot.Snapshot cuts) {
        Long max = null;
        for (byte[] v : cuts.values().values()) {
            if (v.length != Long.BYTES) throw new TopicSnapshot.ReadException(Topics.DATA_CUT.name() + " holds a value of "
                    + v.length + " bytes, not a long");
            long t = ByteBuffer.wrap(v).getLong();
            if (max == null || t > max) max = t;
        }
        return max == null ? null : Instant.ofEpochMilli(max);
    }

    /** Patients and completeness counts per cell, summed from the patient outcomes (R29, R33). */
    private static final class CellCounts {
        long patients;
        final CellStatistics completeness = new CellStatistics();
    }

    private static Summary write(ResultFiles files, SchemaRegistryClient registry, Instant publishedCut, Instant cut,
                                 TopicSnapshot.Snapshot outcomes, TopicSnapshot.Snapshot aggregates,
                                 TopicSnapshot.Snapshot comparisons, TopicSnapshot.Snapshot adjusted,
                                 TopicSnapshot.Snapshot timeToEvent) throws IOException {
        Map<String, CellCounts> cells = new HashMap<>();
        AdjustedCounts adjustedCounts = new AdjustedCounts();
        long[] windows = {0};
        Iterator<PatientOutcome> outcomeRecords = decoded(outcomes, registry, PatientOutcome.class, o -> {
            windows[0] += o.getWindows().size();
            adjustedCounts.add(o);
            for (Map.Entry<CellKey, Contribution> c : CellContributions.of(o).entrySet()) {
                CellCounts counts = cells.computeIfAbsent(c.getKey().asText(), k -> new CellCounts());
                counts.patients++;
                Contribution contribution = c.getValue();
                if (contribution.windowLastDate() != null) {
                    counts.completeness.addCompleteness(contribution.windowLastDate(), 1, contribution.assessed() ? 1 : 0);
                }
            }
            return o;
        });
        long outcomeCount = files.writeOutcomes(outcomeRecords);

        long[] rejudged = {0};
        long[] unsettled = {0};
        long[] suppressed = {0, 0, 0, 0};
        Suppression suppression = files.suppression();
        SpineAvroDeserializer<ArmAggregate> aggregateReader = new SpineAvroDeserializer<>(registry, ArmAggregate.class);
        Iterator<ArmAggregate> aggregateRecords = aggregates.values().entrySet().stream().map(e -> {
            ArmAggregate a = aggregateReader.deserialize(aggregates.topic(), e.getValue());
            if (suppression != null && suppression.suppresses(a.getPatients())) suppressed[0]++;
            CellCounts counts = cells.get(e.getKey());
            if (counts == null || counts.patients != a.getPatients()) unsettled[0]++;
            if (Objects.equals(a.getDataCut(), cut)) return a;
            rejudged[0]++;
            return AggregateMapper.atDataCut(a, counts != null ? counts.completeness : new CellStatistics(), cut);
        }).iterator();
        long aggregateCount = files.writeAggregates(aggregateRecords);
        for (String cell : cells.keySet()) {
            if (!aggregates.values().containsKey(cell)) unsettled[0]++;
        }
        long comparisonCount = files.writeComparisons(decoded(comparisons, registry, ArmComparison.class, c -> {
            if (suppression != null && (suppression.suppresses(c.getFirstPatients()) || suppression.suppresses(c.getSecondPatients()))) {
                suppressed[1]++;
            }
            return c;
        }));
        // R36-R38: written as published (none depends on the cut), each checked against the patients of its cells.
        files.writeAdjustedComparisons(decoded(adjusted, registry, AdjustedComparison.class, c -> {
            if (suppression != null && suppression.suppressesWhole(c)) suppressed[2]++;
            return adjustedCounts.check(c);
        }));
        files.writeTimeToEvent(decoded(timeToEvent, registry, TimeToEvent.class, t -> {
            if (suppression != null && suppression.suppressesWhole(t)) suppressed[3]++;
            return adjustedCounts.check(t);
        }));
        unsettled[0] += adjustedCounts.unsettled(adjusted.values().keySet(), timeToEvent.values().keySet());
        return new Summary(publishedCut, cut, outcomeCount, windows[0], aggregateCount, comparisonCount,
                adjusted.values().size(), timeToEvent.values().size(), rejudged[0], unsettled[0],
                suppressed[0], suppressed[1], suppressed[2], suppressed[3]);
    }

    /**
     * The patients of the R36 and R37 cells, counted from the patient outcomes, and the published records
     * that disagree with them (a record whose n or patient counts differ, one missing or one too many):
     * such a record was computed before the stream caught up with the outcomes.
     */
    private static final class AdjustedCounts {
        /** Standardisation cell text + "/" + measure -> patients with a value. */
        final Map<String, Long> withValue = new HashMap<>();
        /** Kaplan-Meier record key -> patients. */
        final Map<String, Long> survival = new HashMap<>();
        long disagreeing;

        void add(PatientOutcome o) {
            AdjustedContributions.standardisation(o).forEach((cell, c) ->
                    c.values().keySet().forEach(measure -> withValue.merge(cell.asText() + "/" + measure, 1L, Long::sum)));
            AdjustedContributions.survival(o).keySet().forEach(cell -> survival.merge(TimeToEventMapper.kaplanMeierKey(cell), 1L, Long::sum));
        }

        private long n(String population, String arm, String window, String measure) {
            return withValue.getOrDefault(new CellKey(population, arm, window, "ALL").asText() + "/" + measure, 0L);
        }

        private long patients(String population, String arm, String stratum) {
            return survival.getOrDefault(population + "/" + arm + "/" + stratum, 0L);
        }

        AdjustedComparison check(AdjustedComparison c) {
            String p = c.getPopulation().name();
            String w = c.getWindow().name();
            if (c.getN1() != n(p, c.getFirstArm().name(), w, c.getMeasure()) || c.getN2() != n(p, c.getSecondArm().name(), w, c.getMeasure())) {
                disagreeing++;
            }
            return c;
        }

        TimeToEvent check(TimeToEvent t) {
            String p = t.getPopulation().name();
            String s = t.getStratum().name();
            boolean agrees = t.getKaplanMeier() != null
                    ? t.getKaplanMeier().getPatients() == patients(p, t.getArm().name(), s)
                    : t.getLogRank().getPatients1() == patients(p, t.getFirstArm().name(), s)
                            && t.getLogRank().getPatients2() == patients(p, t.getSecondArm().name(), s);
            if (!agrees) disagreeing++;
            return t;
        }

        /** Records that disagree, plus those the outcomes call for that were not published, plus published ones they do not. */
        long unsettled(java.util.Set<String> adjustedKeys, java.util.Set<String> timeToEventKeys) {
            java.util.Set<String> expectedAdjusted = new java.util.TreeSet<>();
            java.util.Set<String> expectedTimeToEvent = new java.util.TreeSet<>(survival.keySet());
            withValue.keySet().forEach(k -> {
                String[] part = k.split("/", -1); // population/arm/window/ALL/measure
                for (Comparison c : Comparison.values()) {
                    if (c.first().equals(part[1]) && n(part[0], c.second(), part[2], part[4]) > 0) {
                        expectedAdjusted.add(AdjustedComparisonMapper.key(part[0], c, part[2], part[4]));
                    }
                }
            });
            survival.keySet().forEach(k -> {
                String[] part = k.split("/", -1); // population/arm/stratum
                for (Comparison c : Comparison.values()) {
                    if (c.first().equals(part[1]) && patients(part[0], c.second(), part[2]) > 0) {
                        expectedTimeToEvent.add(TimeToEventMapper.logRankKey(part[0], c, part[2]));
                    }
                }
            });
            return disagreeing + symmetricDifference(expectedAdjusted, adjustedKeys) + symmetricDifference(expectedTimeToEvent, timeToEventKeys);
        }

        private static long symmetricDifference(java.util.Set<String> a, java.util.Set<String> b) {
            return a.stream().filter(k -> !b.contains(k)).count() + b.stream().filter(k -> !a.contains(k)).count();
        }
    }

    /** The snapshot's values decoded in key order, each passed through {@code then}. */
    private static <T extends SpecificRecord> Iterator<T> decoded(TopicSnapshot.Snapshot snapshot, SchemaRegistryClient registry,
                                                                  Class<T> type, Function<T, T> then) {
        SpineAvroDeserializer<T> deserializer = new SpineAvroDeserializer<>(registry, type);
        Iterator<byte[]> values = snapshot.values().values().iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return values.hasNext();
            }

            @Override
            public T next() {
                return then.apply(deserializer.deserialize(snapshot.topic(), values.next()));
            }
        };
    }
}
