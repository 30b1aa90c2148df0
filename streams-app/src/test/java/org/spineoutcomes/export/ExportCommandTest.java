package org.spineoutcomes.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spineoutcomes.batch.BatchCommand;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.ndjson.CheckedLine;
import org.spineoutcomes.ndjson.NdjsonReader;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.serde.InMemorySchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.topics.Topics;
import picocli.CommandLine;

/**
 * {@code ./spine export} against topics held by a MockConsumer (the real broker is in the demo
 * module's ExportEndToEndTest): the stream's outputs for the sample cohort, with overwritten
 * values and a tombstone, give the batch command's files byte for byte, at the published cut and at
 * another cut (completeness re-judged from the patient outcomes, R33).
 */
class ExportCommandTest {

    private static final Path SAMPLE = Path.of("../samples/events.ndjson");
    private static final String CLOCK = "2026-06-01T00:00:00Z";
    private static final Instant SAMPLE_CUT = Instant.parse("2025-04-14T09:30:00Z"); // largest occurred-at of the sample
    private static final List<String> FILES = List.of(ResultFiles.OUTCOMES_NDJSON, ResultFiles.AGGREGATES_NDJSON,
            ResultFiles.COMPARISONS_NDJSON, ResultFiles.PATIENT_WINDOWS_CSV, ResultFiles.AGGREGATES_CSV, ResultFiles.COMPARISONS_CSV,
            ResultFiles.ADJUSTED_COMPARISONS_NDJSON, ResultFiles.TIME_TO_EVENT_NDJSON);

    @TempDir
    Path dir;

    private String scope;
    private BatchComputation.Result stream;
    /** topic -> records in offset order per partition. */
    private final Map<String, List<ConsumerRecord<String, byte[]>>> topics = new TreeMap<>();

    @BeforeEach
    void publishTheSampleAsTheStreamWould() throws IOException {
        BatchComputation batch = new BatchComputation();
        try (Stream<CheckedLine> lines = new NdjsonReader().checkedLines(SAMPLE, Instant.parse(CLOCK))) {
            lines.filter(CheckedLine::valid).forEach(l -> batch.add(l.event()));
        }
        stream = batch.result(null);
        assertEquals(SAMPLE_CUT, stream.dataCut());

        scope = "export-test-" + System.nanoTime();
        SpineAvroSerializer<SpecificRecord> serializer = new SpineAvroSerializer<>(InMemorySchemaRegistryClient.forScope(scope));
        String outcomes = Topics.PATIENT_OUTCOMES.name();
        List<String> patients = new ArrayList<>(stream.outcomes().keySet());
        PatientOutcome someOutcome = stream.outcomes().get(patients.get(0));
        // An older value of the last patient, overwritten below; a patient that left (tombstone).
        add(outcomes, 0, patients.get(patients.size() - 1), serializer.serialize(outcomes, someOutcome));
        add(outcomes, 1, "patient-retracted", serializer.serialize(outcomes, someOutcome));
        add(outcomes, 1, "patient-retracted", null);
        int i = 0;
        for (Map.Entry<String, PatientOutcome> e : stream.outcomes().entrySet()) {
            add(outcomes, i++ % 3, e.getKey(), serializer.serialize(outcomes, e.getValue()));
        }
        String aggregates = Topics.ARM_AGGREGATES.name();
        stream.aggregates().forEach((k, v) -> add(aggregates, Math.floorMod(k.hashCode(), 3), k, serializer.serialize(aggregates, v)));
        String comparisons = Topics.ARM_COMPARISONS.name();
        stream.comparisons().forEach((k, v) -> add(comparisons, Math.floorMod(k.hashCode(), 3), k, serializer.serialize(comparisons, v)));
        // R36-R38, keyed by population on the stream's side; any partition will do here. A record that ceased to exist: a tombstone.
        String adjusted = Topics.ADJUSTED_COMPARISONS.name();
        String gone = "ITT/KP_vs_VP/D1/odiChange";
        add(adjusted, Math.floorMod(gone.hashCode(), 3), gone, serializer.serialize(adjusted, stream.adjustedComparisons().values().iterator().next()));
        add(adjusted, Math.floorMod(gone.hashCode(), 3), gone, null);
        stream.adjustedComparisons().forEach((k, v) -> add(adjusted, Math.floorMod(k.hashCode(), 3), k, serializer.serialize(adjusted, v)));
        String timeToEvent = Topics.TIME_TO_EVENT.name();
        stream.timeToEvent().forEach((k, v) -> add(timeToEvent, Math.floorMod(k.hashCode(), 3), k, serializer.serialize(timeToEvent, v)));
        // The cut per input partition (R2): the export takes the largest.
        String cut = Topics.DATA_CUT.name();
        add(cut, 0, "0", epochMillis(SAMPLE_CUT.minusSeconds(7200)));
        add(cut, 0, "1", epochMillis(SAMPLE_CUT.minusSeconds(3600)));
        add(cut, 0, "1", epochMillis(SAMPLE_CUT));
        add(cut, 0, "2", epochMillis(Instant.parse("2024-12-01T00:00:00Z")));
    }

    private void add(String topic, int partition, String key, byte[] value) {
        List<ConsumerRecord<String, byte[]>> records = topics.computeIfAbsent(topic, t -> new ArrayList<>());
        long offset = records.stream().filter(r -> r.partition() == partition).count();
        records.add(new ConsumerRecord<>(topic, partition, offset, key, value));
    }

    private static byte[] epochMillis(Instant t) {
        return ByteBuffer.allocate(Long.BYTES).putLong(t.toEpochMilli()).array();
    }

    /** A MockConsumer that serves {@link #topics}: each partition's records are handed over once it is assigned. */
    private final class TopicsConsumer extends MockConsumer<String, byte[]> {
        private final Set<TopicPartition> served = new HashSet<>();

        TopicsConsumer() {
            super("earliest");
            topics.forEach((topic, records) -> {
                int partitions = topic.equals(Topics.DATA_CUT.name()) ? 1 : 3;
                List<PartitionInfo> infos = new ArrayList<>();
                Map<TopicPartition, Long> begin = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
                Map<TopicPartition, Long> end = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
                for (int p = 0; p < partitions; p++) {
                    int partition = p;
                    infos.add(new PartitionInfo(topic, p, null, null, null));
                    begin.put(new TopicPartition(topic, p), 0L);
                    end.put(new TopicPartition(topic, p), records.stream().filter(r -> r.partition() == partition).count());
                }
                updatePartitions(topic, infos);
                updateBeginningOffsets(begin);
                updateEndOffsets(end);
            });
        }

        @Override
        public synchronized ConsumerRecords<String, byte[]> poll(Duration timeout) {
            for (TopicPartition tp : assignment()) {
                if (!served.add(tp)) continue;
                topics.get(tp.topic()).stream().filter(r -> r.partition() == tp.partition()).forEach(this::addRecord);
            }
            return super.poll(timeout);
        }
    }

    private record Run(int exitCode, String out, String err, Path dir, ExportCommand command) {}

    private Run export(String name, String... options) {
        Path out = dir.resolve(name);
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ExportCommand command = new ExportCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8),
                Map.of(ExportCommand.ENV_REGISTRY, "mock://" + scope))
                .withConsumers(p -> new TopicsConsumer());
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "fake:9092", "--out", out.toString()));
        args.addAll(List.of(options));
        int code = new CommandLine(command).execute(args.toArray(String[]::new));
        return new Run(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8), out, command);
    }

    private Path batch(String name, String... options) {
        Path out = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of(SAMPLE.toString(), "--out", out.toString(), "--clock", CLOCK, "--csv"));
        args.addAll(List.of(options));
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream quiet = new PrintStream(sink, true, StandardCharsets.UTF_8);
        assertEquals(0, new CommandLine(new BatchCommand(quiet, quiet)).execute(args.toArray(String[]::new)), sink.toString());
        return out;
    }

    private static void assertSameFiles(Path expected, Path actual) throws IOException {
        for (String name : FILES) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(name)), Files.readAllBytes(actual.resolve(name)), name);
        }
    }

    private static String csvRow(Path file, String prefix) throws IOException {
        return Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(prefix));
    }

    @Test
    void atThePublishedCutTheFilesAreTheBatchFiles() throws IOException {
        Run run = export("export");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        assertTrue(run.out().contains("read from fake:9092: 6 patient outcomes, 485 aggregates, 230 comparisons, "
                + stream.adjustedComparisons().size() + " standardised comparisons, " + stream.timeToEvent().size() + " time-to-event records"),
                run.out());
        assertTrue(stream.adjustedComparisons().size() > 10 && stream.timeToEvent().size() > 10,
                stream.adjustedComparisons().size() + ", " + stream.timeToEvent().size());
        assertTrue(run.out().contains("data cut: 2025-04-14T09:30:00Z (published on spine.data-cut.v1)"), run.out());
        ExportCommand.Summary s = run.command().summary();
        assertEquals(SAMPLE_CUT, s.publishedCut());
        assertEquals(0, s.aggregatesRejudged());
        assertEquals(48, s.patientWindows()); // 6 treated patients x 8 score windows
        assertEquals(49, Files.readAllLines(run.dir().resolve(ResultFiles.PATIENT_WINDOWS_CSV)).size()); // + header
        assertSameFiles(batch("batch"), run.dir());
        // Tombstoned and overwritten values are gone.
        assertTrue(Files.readAllLines(run.dir().resolve(ResultFiles.OUTCOMES_NDJSON)).stream().noneMatch(l -> l.contains("patient-retracted")));
    }

    @Test
    void atAnotherCutCompletenessIsRejudgedFromThePatientOutcomes() throws IOException {
        Run run = export("export-2024-06", "--as-of", "2024-06-01T00:00:00Z");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("data cut: 2024-06-01T00:00:00Z (--as-of; the pipeline published 2025-04-14T09:30:00Z)"), run.out());
        assertTrue(run.out().contains("completeness re-judged at that cut from the patient outcomes for 485 of 485 aggregates"), run.out());
        assertSameFiles(batch("batch-2024-06", "--as-of", "2024-06-01T00:00:00Z"), run.dir());

        // ITT kyphoplasty at M3 (days 46-135): patient 106 (index 2022-01-10, no M3 assessment) is due;
        // patient 102 (index 2024-04-15) has an M3 assessment but its window ends 2024-08-28, after the
        // cut, so it counts in neither count (R33): 0 of 1. At the published cut both are due: 1 of 2.
        String header = "population,arm,window,stratum,patients,dataCut,completenessDue,completenessAssessed,completeness,completenessAbsentReason,";
        assertTrue(Files.readAllLines(run.dir().resolve(ResultFiles.AGGREGATES_CSV)).get(0).startsWith(header));
        assertTrue(csvRow(run.dir().resolve(ResultFiles.AGGREGATES_CSV), "ITT,KYPHOPLASTY,M3,ALL,")
                .startsWith("ITT,KYPHOPLASTY,M3,ALL,2,2024-06-01T00:00:00Z,1,0,0,,"));
        assertTrue(csvRow(export("export-published").dir().resolve(ResultFiles.AGGREGATES_CSV), "ITT,KYPHOPLASTY,M3,ALL,")
                .startsWith("ITT,KYPHOPLASTY,M3,ALL,2,2025-04-14T09:30:00Z,2,1,0.5,,"));
        // Vertebroplasty at M3: 105 (index 2024-02-05) ends 2024-06-19, 101 later: none due.
        assertTrue(csvRow(run.dir().resolve(ResultFiles.AGGREGATES_CSV), "ITT,VERTEBROPLASTY,M3,ALL,")
                .startsWith("ITT,VERTEBROPLASTY,M3,ALL,2,2024-06-01T00:00:00Z,0,0,,NONE_DUE,"));
    }

    @Test
    void ndjsonOnlyAndCsvOnly() throws IOException {
        Run ndjson = export("ndjson", "--format", "ndjson");
        assertEquals(0, ndjson.exitCode(), ndjson.err());
        try (Stream<Path> files = Files.list(ndjson.dir())) {
            assertEquals(List.of(ResultFiles.ADJUSTED_COMPARISONS_NDJSON, ResultFiles.AGGREGATES_NDJSON, ResultFiles.COMPARISONS_NDJSON,
                            ResultFiles.OUTCOMES_NDJSON, ResultFiles.TIME_TO_EVENT_NDJSON),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Run csv = export("csv", "--format", "CSV");
        assertEquals(0, csv.exitCode(), csv.err());
        try (Stream<Path> files = Files.list(csv.dir())) {
            assertEquals(List.of(ResultFiles.AGGREGATES_CSV, ResultFiles.COMPARISONS_CSV, ResultFiles.PATIENT_WINDOWS_CSV),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aggregatesThatDisagreeWithTheOutcomesAreReportedWithExitCode1() {
        // The stream has published patient 106's outcome tombstone but not yet its cells' updates.
        add(Topics.PATIENT_OUTCOMES.name(), 2, "MRN-000106", null);
        Run run = export("unsettled");
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().startsWith("warning: "), run.err());
        assertTrue(run.err().contains("cells of spine.arm-aggregates.v1, spine.adjusted-comparisons.v1 or spine.time-to-event.v1 disagree "
                + "with the patient outcomes"), run.err());
        assertTrue(run.command().summary().unsettledCells() > 0);
        assertEquals(5, run.command().summary().outcomes());
    }

    @Test
    void timeToEventRecordsThatDisagreeWithTheOutcomesAreReportedWithExitCode1() {
        // A Kaplan-Meier cell deleted (tombstone) while its patients' outcomes are still there, and one
        // record published with a patient too few: 2 disagreements.
        String topic = Topics.TIME_TO_EVENT.name();
        SpineAvroSerializer<SpecificRecord> serializer = new SpineAvroSerializer<>(InMemorySchemaRegistryClient.forScope(scope));
        add(topic, Math.floorMod("ITT/KYPHOPLASTY/ALL".hashCode(), 3), "ITT/KYPHOPLASTY/ALL", null);
        org.spineoutcomes.schema.TimeToEvent vp = stream.timeToEvent().get("ITT/VERTEBROPLASTY/ALL");
        org.spineoutcomes.schema.TimeToEvent fewer = org.spineoutcomes.schema.TimeToEvent.newBuilder(vp)
                .setKaplanMeier(org.spineoutcomes.schema.KaplanMeierCurve.newBuilder(vp.getKaplanMeier())
                        .setPatients(vp.getKaplanMeier().getPatients() - 1).build()).build();
        add(topic, Math.floorMod("ITT/VERTEBROPLASTY/ALL".hashCode(), 3), "ITT/VERTEBROPLASTY/ALL", serializer.serialize(topic, fewer));
        Run run = export("unsettled-km");
        assertEquals(1, run.exitCode(), run.err());
        assertEquals(2, run.command().summary().unsettledCells());
    }

    @Test
    void unreachableBrokerIsOneErrorLineAndExitCode3() {
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        ExportCommand command = new ExportCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8),
                Map.of(ExportCommand.ENV_BOOTSTRAP, "10.0.0.1:9092", ExportCommand.ENV_REGISTRY, "mock://" + scope))
                .withConsumers(p -> new MockConsumer<>("earliest") {
                    @Override
                    public List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
                        throw new TimeoutException("Timeout expired while fetching topic metadata");
                    }
                });
        int code = new CommandLine(command).execute("--out", dir.resolve("x").toString(), "--timeout", "1");
        assertEquals(3, code);
        assertEquals(List.of("error: no answer from Kafka at 10.0.0.1:9092 within 1 s: check --bootstrap-servers (or $SPINE_BOOTSTRAP_SERVERS), "
                        + "that the broker runs and that its advertised listeners are reachable from here",
                "(--verbose prints the stack trace)"),
                stderr.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void missingTopicAndBadInput() {
        topics.remove(Topics.ARM_COMPARISONS.name());
        Run missing = export("missing");
        assertEquals(3, missing.exitCode());
        assertTrue(missing.err().startsWith("error: topic spine.arm-comparisons.v1 does not exist on this cluster"), missing.err());

        Run badCut = export("bad", "--as-of", "2024-06-01");
        assertEquals(2, badCut.exitCode());
        assertEquals("error: --as-of must be an ISO-8601 instant such as 2025-01-31T00:00:00Z, not 2024-06-01\n", badCut.err());
        Run badFormat = export("bad", "--format", "xlsx");
        assertEquals(2, badFormat.exitCode());
        assertEquals("error: --format must be ndjson, csv or both, not xlsx\n", badFormat.err());

        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = new CommandLine(new ExportCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8), Map.of())).execute("--out", dir.resolve("y").toString());
        assertEquals(2, code);
        assertEquals("error: --bootstrap-servers is required (or set $SPINE_BOOTSTRAP_SERVERS)\n", stderr.toString(StandardCharsets.UTF_8));
    }
}
