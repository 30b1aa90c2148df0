package org.spineoutcomes.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.spineoutcomes.query.Suppression;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.serde.InMemorySchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.testing.LogCapture;
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
    void atThePublishedCutTheFilesAreTheBatchFiles_whenSuppressionIsLifted_whichIsLogged() throws IOException {
        Run run;
        try (LogCapture log = LogCapture.start()) {
            run = export("export", "--no-suppression");
            List<String> audit = log.lines().stream().filter(l -> l.startsWith("WARN " + ExportCommand.AUDIT_LOGGER + " - ")).toList();
            assertEquals(1, audit.size(), log.text());
            assertEquals("WARN org.spineoutcomes.audit - small-cell suppression lifted (--no-suppression): export of fake:9092 by user "
                    + System.getProperty("user.name") + " writes every cell's numbers and the patient-level files to "
                    + run.dir().toAbsolutePath(), audit.get(0));
        }
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("", run.err());
        assertTrue(run.out().contains("(48 patient-window rows; small-cell suppression lifted)"), run.out());
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
        Run run = export("export-2024-06", "--as-of", "2024-06-01T00:00:00Z", "--no-suppression");
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
        assertTrue(csvRow(export("export-published", "--no-suppression").dir().resolve(ResultFiles.AGGREGATES_CSV), "ITT,KYPHOPLASTY,M3,ALL,")
                .startsWith("ITT,KYPHOPLASTY,M3,ALL,2,2025-04-14T09:30:00Z,2,1,0.5,,"));
        // Vertebroplasty at M3: 105 (index 2024-02-05) ends 2024-06-19, 101 later: none due.
        assertTrue(csvRow(run.dir().resolve(ResultFiles.AGGREGATES_CSV), "ITT,VERTEBROPLASTY,M3,ALL,")
                .startsWith("ITT,VERTEBROPLASTY,M3,ALL,2,2024-06-01T00:00:00Z,0,0,,NONE_DUE,"));
    }

    @Test
    void ndjsonOnlyAndCsvOnly() throws IOException {
        Run ndjson = export("ndjson", "--format", "ndjson", "--no-suppression");
        assertEquals(0, ndjson.exitCode(), ndjson.err());
        try (Stream<Path> files = Files.list(ndjson.dir())) {
            assertEquals(List.of(ResultFiles.ADJUSTED_COMPARISONS_NDJSON, ResultFiles.AGGREGATES_NDJSON, ResultFiles.COMPARISONS_NDJSON,
                            ResultFiles.OUTCOMES_NDJSON, ResultFiles.TIME_TO_EVENT_NDJSON),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        Run csv = export("csv", "--format", "CSV", "--no-suppression");
        assertEquals(0, csv.exitCode(), csv.err());
        try (Stream<Path> files = Files.list(csv.dir())) {
            assertEquals(List.of(ResultFiles.AGGREGATES_CSV, ResultFiles.COMPARISONS_CSV, ResultFiles.PATIENT_WINDOWS_CSV),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void byDefault_smallCellsAreSuppressedAsTheApiShowsThem_andNoPatientLevelFileIsWritten() throws IOException {
        // Left by an earlier export with --no-suppression into the same directory: removed.
        Files.createDirectories(dir.resolve("suppressed"));
        Files.writeString(dir.resolve("suppressed").resolve(ResultFiles.OUTCOMES_NDJSON), "{\"patientId\":\"from an earlier export\"}\n");
        Run run;
        try (LogCapture log = LogCapture.start()) {
            run = export("suppressed");
            assertTrue(log.lines().stream().noneMatch(l -> l.contains(ExportCommand.AUDIT_LOGGER)), log.text());
        }
        assertEquals(0, run.exitCode(), run.err());
        try (Stream<Path> files = Files.list(run.dir())) {
            assertEquals(List.of(ResultFiles.ADJUSTED_COMPARISONS_NDJSON, ResultFiles.AGGREGATES_CSV, ResultFiles.AGGREGATES_NDJSON,
                            ResultFiles.COMPARISONS_CSV, ResultFiles.COMPARISONS_NDJSON, ResultFiles.TIME_TO_EVENT_NDJSON),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // Six patients: every cell is under 11, so every aggregate and comparison keeps only its key.
        ExportCommand.Summary s = run.command().summary();
        assertEquals(485, s.aggregatesSuppressed());
        assertEquals(230, s.comparisonsSuppressed());
        assertEquals(stream.adjustedComparisons().size(), s.adjustedSuppressed());
        assertEquals(stream.timeToEvent().size(), s.timeToEventSuppressed());
        assertEquals(6, s.outcomes(), "read to check the cells, not written");
        assertTrue(run.out().contains("485 of 485 aggregates, 230 of 230 comparisons, " + s.adjustedComparisons() + " of "
                + s.adjustedComparisons() + " standardised comparisons and " + s.timeToEvent() + " of " + s.timeToEvent()
                + " time-to-event records suppressed (fewer than 11 patients); "
                + "patient-level files not written (--no-suppression writes them, and is logged)"), run.out());
        Suppression eleven = new Suppression(11);
        assertEquals(stream.aggregates().values().stream().map(a -> eleven.aggregate(a).toString()).toList(),
                Files.readAllLines(run.dir().resolve(ResultFiles.AGGREGATES_NDJSON)));
        assertEquals("{\"population\":\"ITT\",\"arm\":\"KYPHOPLASTY\",\"window\":\"M3\",\"stratum\":\"ALL\",\"dataCut\":\"2025-04-14T09:30:00Z\","
                + "\"suppressed\":true,\"reason\":\"fewer than 11 patients\"}",
                Files.readAllLines(run.dir().resolve(ResultFiles.AGGREGATES_NDJSON)).stream()
                        .filter(l -> l.startsWith("{\"population\":\"ITT\",\"arm\":\"KYPHOPLASTY\",\"window\":\"M3\",\"stratum\":\"ALL\""))
                        .findFirst().orElseThrow());
        assertEquals("ITT,KYPHOPLASTY,M3,ALL,,2025-04-14T09:30:00Z," + ",".repeat(4 + 5 * ResultCsv.MAIN_MEASURES.size() + 5 * ResultCsv.MAIN_FLAGS.size())
                + "true,", csvRow(run.dir().resolve(ResultFiles.AGGREGATES_CSV), "ITT,KYPHOPLASTY,M3,ALL,"));
        assertEquals("ITT,VP_vs_CONSERVATIVE,VERTEBROPLASTY,CONSERVATIVE,M3,ALL," + ",".repeat(2 + 5 * ResultCsv.MAIN_MEASURES.size() + 5
                + 5 * ResultCsv.MAIN_FLAGS.size()) + "true,", csvRow(run.dir().resolve(ResultFiles.COMPARISONS_CSV),
                "ITT,VP_vs_CONSERVATIVE,VERTEBROPLASTY,CONSERVATIVE,M3,ALL,"));
        assertEquals(stream.adjustedComparisons().values().stream().map(c -> eleven.adjustedComparison(c).toString()).toList(),
                Files.readAllLines(run.dir().resolve(ResultFiles.ADJUSTED_COMPARISONS_NDJSON)));
        assertEquals(stream.timeToEvent().values().stream().map(t -> eleven.timeToEvent(t).toString()).toList(),
                Files.readAllLines(run.dir().resolve(ResultFiles.TIME_TO_EVENT_NDJSON)));
        // Two patients per arm at most: each standardised comparison keeps its key and names the arms under 11.
        assertEquals("{\"population\":\"ITT\",\"comparison\":\"KP_vs_VP\",\"firstArm\":\"KYPHOPLASTY\",\"secondArm\":\"VERTEBROPLASTY\","
                + "\"window\":\"M3\",\"measure\":\"painRelief\",\"suppressed\":true,\"reason\":\"fewer than 11 patients\","
                + "\"suppressedArms\":[\"KYPHOPLASTY\",\"VERTEBROPLASTY\"]}",
                Files.readAllLines(run.dir().resolve(ResultFiles.ADJUSTED_COMPARISONS_NDJSON)).stream()
                        .filter(l -> l.startsWith("{\"population\":\"ITT\",\"comparison\":\"KP_vs_VP\",") && l.contains("\"window\":\"M3\",\"measure\":\"painRelief\""))
                        .findFirst().orElseThrow());
        List<String> header = Files.readAllLines(run.dir().resolve(ResultFiles.AGGREGATES_CSV)).get(0).lines().toList();
        assertTrue(header.get(0).endsWith(",suppressed,suppressedStatistics"), header.get(0));
        for (String file : List.of(ResultFiles.AGGREGATES_NDJSON, ResultFiles.AGGREGATES_CSV, ResultFiles.COMPARISONS_NDJSON, ResultFiles.COMPARISONS_CSV,
                ResultFiles.ADJUSTED_COMPARISONS_NDJSON, ResultFiles.TIME_TO_EVENT_NDJSON)) {
            String text = Files.readString(run.dir().resolve(file));
            for (String patient : stream.outcomes().keySet()) assertFalse(text.contains(patient), patient + " in " + file);
        }
    }

    @Test
    void aLowerThreshold_showsTheCellsThatReachIt_andEmptiesTheStatisticsThatDoNot() throws IOException {
        Run run = export("threshold-2", "--min-cell-size", "2", "--as-of", "2024-06-01T00:00:00Z");
        assertEquals(0, run.exitCode(), run.err());
        String line = Files.readAllLines(run.dir().resolve(ResultFiles.AGGREGATES_NDJSON)).stream()
                .filter(l -> l.startsWith("{\"population\":\"ITT\",\"arm\":\"KYPHOPLASTY\",\"window\":\"M3\",\"stratum\":\"ALL\",")).findFirst().orElseThrow();
        JsonNode shown = new ObjectMapper().readTree(line);
        assertFalse(shown.get("suppressed").asBoolean(), line);
        assertEquals(2, shown.get("patients").asLong());
        // ITT kyphoplasty at M3 has two patients, one of them with an M3 pain score: pain (n = 1) is hidden, the cell is shown.
        JsonNode pain = null;
        for (JsonNode m : shown.get("measures")) if (m.get("measure").asText().equals("pain")) pain = m;
        assertEquals("{\"measure\":\"pain\",\"suppressed\":true,\"reason\":\"fewer than 2 patients\"}", String.valueOf(pain));
        String row = csvRow(run.dir().resolve(ResultFiles.AGGREGATES_CSV), "ITT,KYPHOPLASTY,M3,ALL,");
        assertTrue(row.startsWith("ITT,KYPHOPLASTY,M3,ALL,2,2024-06-01T00:00:00Z,1,0,0,,,,,,,"), row);
        List<String> cells = List.of(row.split(",", -1));
        List<String> header = List.of(Files.readAllLines(run.dir().resolve(ResultFiles.AGGREGATES_CSV)).get(0).split(",", -1));
        assertEquals(header.size(), cells.size());
        assertEquals("false", cells.get(header.indexOf("suppressed")));
        assertTrue(List.of(cells.get(header.indexOf("suppressedStatistics")).split(" ")).contains("pain"), row);
        assertEquals("", cells.get(header.indexOf("pain_n")));
        // A cell of one patient keeps its key and cut only.
        List<String> suppressedRows = Files.readAllLines(run.dir().resolve(ResultFiles.AGGREGATES_CSV)).stream().filter(r -> r.endsWith(",true,")).toList();
        assertEquals(stream.aggregates().values().stream().filter(a -> a.getPatients() < 2).count(), suppressedRows.size());
        assertTrue(suppressedRows.size() > 10, suppressedRows.size() + " single-patient cells");
        for (String r : suppressedRows) assertTrue(r.matches("[A-Z_]+,[A-Z_]+,[A-Z0-9_]+,[A-Z0-9_]+,,2024-06-01T00:00:00Z,,+true,"), r);
    }

    @Test
    void aThresholdUnder2_orBothOptions_isAUsageError() {
        Run one = export("one", "--min-cell-size", "1");
        assertEquals(2, one.exitCode());
        assertEquals("error: the minimum cell size must be at least 2, not 1 (to write every cell's numbers use --no-suppression, which is logged)\n",
                one.err());
        Run both = export("both", "--min-cell-size", "5", "--no-suppression");
        assertEquals(2, both.exitCode());
        assertEquals("error: --min-cell-size and --no-suppression contradict each other: give one\n", both.err());
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
