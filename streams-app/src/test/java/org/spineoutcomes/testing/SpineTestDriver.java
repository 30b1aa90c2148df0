package org.spineoutcomes.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.ProcedureEvent;
import java.util.function.UnaryOperator;
import org.spineoutcomes.ingest.RegistryGate;
import org.spineoutcomes.schema.TimeToEvent;
import org.spineoutcomes.serde.InMemorySchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topology.HandOnTopics;
import org.spineoutcomes.topology.SpineTopology;
import org.spineoutcomes.topology.TopologySettings;

/**
 * The Spine topology in a {@link TopologyTestDriver} with in-memory stores and an in-memory schema
 * registry. Inputs are piped as Avro events (keyed by their patient) or as raw bytes; each output
 * topic is read incrementally ({@link Output#poll()}) while its final table (last value per key,
 * tombstones removing the key) is kept up to date.
 */
public final class SpineTestDriver implements AutoCloseable {

    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final RegistryGate gate = new RegistryGate("in-memory test registry");
    /** The whole topology, or the patient stage of a split app. */
    private final TopologyTestDriver driver;
    /** The cell stage of a split app (null: one topology). */
    private final TopologyTestDriver cellDriver;
    /** Split: what the patient stage wrote to the hand-on and data-cut topics, piped on into the cell stage. */
    private final List<TestOutputTopic<byte[], byte[]>> handOnOut = new ArrayList<>();
    private final List<TestInputTopic<byte[], byte[]>> handOnIn = new ArrayList<>();
    private final TestOutputTopic<byte[], byte[]> cellRejected;
    private final TestInputTopic<String, ProcedureEvent> procedures;
    private final TestInputTopic<String, ImagingEvent> imaging;
    private final TestInputTopic<String, FollowUpEvent> followUps;
    private final Serde<ProcedureEvent> procedureSerde = Topics.PROCEDURES.valueSerde(registry);
    private final Serde<ImagingEvent> imagingSerde = Topics.IMAGING.valueSerde(registry);
    private final Serde<FollowUpEvent> followUpSerde = Topics.FOLLOWUPS.valueSerde(registry);

    public final Output<PatientOutcome> outcomes;
    public final Output<ArmAggregate> aggregates;
    public final Output<ArmComparison> comparisons;
    public final Output<AdjustedComparison> adjustedComparisons;
    public final Output<TimeToEvent> timeToEvent;
    private final TestOutputTopic<byte[], byte[]> rejected;

    /** A driver whose wall clock (the validator's processing clock) starts at {@code wallClock}. */
    public SpineTestDriver(TopologySettings settings, Instant wallClock) {
        this(settings, wallClock, UnaryOperator.identity());
    }

    /**
     * As {@link #SpineTestDriver(TopologySettings, Instant)}, the topology seeing the registry through
     * {@code appView} (e.g. one that can be switched off), while the test's own serdes use it directly.
     */
    public SpineTestDriver(TopologySettings settings, Instant wallClock, UnaryOperator<SchemaRegistryClient> appView) {
        this(settings, wallClock, appView, false);
    }

    /**
     * The app as it runs split (spine.topology.split): the patient stage and the cell stage in two drivers,
     * each record the patient stage writes to a hand-on topic (and to the data-cut topic) piped into the
     * cell stage after every call that can produce one, with its timestamp and headers.
     */
    public static SpineTestDriver split(TopologySettings settings, Instant wallClock) {
        return new SpineTestDriver(settings, wallClock, UnaryOperator.identity(), true);
    }

    private SpineTestDriver(TopologySettings settings, Instant wallClock, UnaryOperator<SchemaRegistryClient> appView, boolean split) {
        SpineTopology spine = new SpineTopology(appView.apply(registry), settings.withInMemoryStores(), gate);
        Properties p = SpineTopology.requiredStreamsConfig();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "spine-test");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        if (split) {
            HandOnTopics handOn = HandOnTopics.forApplication("spine-test");
            driver = new TopologyTestDriver(spine.buildPatientStage(handOn), p, wallClock);
            Properties cells = new Properties();
            cells.putAll(p);
            cells.put(StreamsConfig.APPLICATION_ID_CONFIG, HandOnTopics.cellStageApplicationId("spine-test"));
            cellDriver = new TopologyTestDriver(spine.buildCellStage(handOn), cells, wallClock);
            for (String topic : List.of(handOn.cellDeltas(), handOn.adjustedDeltas(), Topics.DATA_CUT.name())) {
                handOnOut.add(driver.createOutputTopic(topic, Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer()));
                handOnIn.add(cellDriver.createInputTopic(topic, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer()));
            }
            cellRejected = cellDriver.createOutputTopic(Topics.REJECTED.name(), Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
        } else {
            driver = new TopologyTestDriver(spine.build(), p, wallClock);
            cellDriver = null;
            cellRejected = null;
        }
        procedures = driver.createInputTopic(Topics.PROCEDURES.name(), Serdes.String().serializer(), procedureSerde.serializer());
        imaging = driver.createInputTopic(Topics.IMAGING.name(), Serdes.String().serializer(), imagingSerde.serializer());
        followUps = driver.createInputTopic(Topics.FOLLOWUPS.name(), Serdes.String().serializer(), followUpSerde.serializer());
        outcomes = new Output<>(outputTopic(Topics.PATIENT_OUTCOMES));
        aggregates = new Output<>(outputTopic(Topics.ARM_AGGREGATES));
        comparisons = new Output<>(outputTopic(Topics.ARM_COMPARISONS));
        adjustedComparisons = new Output<>(outputTopic(Topics.ADJUSTED_COMPARISONS));
        timeToEvent = new Output<>(outputTopic(Topics.TIME_TO_EVENT));
        rejected = outputTopic(Topics.REJECTED);
    }

    /** Pipes what the patient stage handed on into the cell stage (split only). */
    private void handOn() {
        if (cellDriver == null) return;
        for (int i = 0; i < handOnOut.size(); i++) {
            for (TestRecord<byte[], byte[]> r : handOnOut.get(i).readRecordsToList()) handOnIn.get(i).pipeInput(r);
        }
    }

    private <K, V> TestOutputTopic<K, V> outputTopic(SpineTopic<K, V> topic) {
        boolean cellStageTopic = topic == Topics.ARM_AGGREGATES || topic == Topics.ARM_COMPARISONS || topic == Topics.ADJUSTED_COMPARISONS
                || topic == Topics.TIME_TO_EVENT;
        return (cellDriver != null && cellStageTopic ? cellDriver : driver).createOutputTopic(topic.name(), topic.keySerde(registry).deserializer(), topic.valueSerde(registry).deserializer());
    }

    /** Pipes an event keyed by its own patient id to the topic of its type. */
    public void pipe(SpecificRecord event) {
        pipe(EventFields.patientId(event), event);
    }

    /** Pipes an event with an explicit key to the topic of its type. */
    public void pipe(String key, SpecificRecord event) {
        if (event instanceof ProcedureEvent e) procedures.pipeInput(key, e);
        else if (event instanceof ImagingEvent e) imaging.pipeInput(key, e);
        else if (event instanceof FollowUpEvent e) followUps.pipeInput(key, e);
        else throw new IllegalArgumentException("not an input event: " + event);
        handOn();
    }

    /** Pipes an event stamped with {@code timestamp} (else a record carries the driver's start time). */
    public void pipe(SpecificRecord event, Instant timestamp) {
        String key = EventFields.patientId(event);
        if (event instanceof ProcedureEvent e) procedures.pipeInput(key, e, timestamp);
        else if (event instanceof ImagingEvent e) imaging.pipeInput(key, e, timestamp);
        else if (event instanceof FollowUpEvent e) followUps.pipeInput(key, e, timestamp);
        else throw new IllegalArgumentException("not an input event: " + event);
        handOn();
    }

    public void pipeAll(List<? extends SpecificRecord> events) {
        for (SpecificRecord e : events) pipe(e);
    }

    /** Pipes raw key and value bytes to an input topic (for undecodable records). */
    public void pipeRaw(String topic, byte[] key, byte[] value) {
        driver.createInputTopic(topic, Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer()).pipeInput(key, value);
        handOn();
    }

    /** The Confluent-wire bytes the producers would write for this event (schema registered under its topic). */
    public byte[] wireBytes(SpecificRecord event) {
        if (event instanceof ProcedureEvent e) return procedureSerde.serializer().serialize(Topics.PROCEDURES.name(), e);
        if (event instanceof ImagingEvent e) return imagingSerde.serializer().serialize(Topics.IMAGING.name(), e);
        if (event instanceof FollowUpEvent e) return followUpSerde.serializer().serialize(Topics.FOLLOWUPS.name(), e);
        throw new IllegalArgumentException("not an input event: " + event);
    }

    /** Dead letters written since the last call. */
    public List<TestRecord<byte[], byte[]>> readRejected() {
        List<TestRecord<byte[], byte[]>> all = new ArrayList<>(rejected.readRecordsToList());
        if (cellRejected != null) all.addAll(cellRejected.readRecordsToList());
        return all;
    }

    /** Moves the wall clock of the driver (both stages when split: the patient stage first, then what it handed on reaches the cells). */
    public void advanceWallClock(Duration d) {
        driver.advanceWallClockTime(d);
        handOn();
        if (cellDriver != null) cellDriver.advanceWallClockTime(d);
    }

    /** Sum of every metric of {@code group} named {@code name} (over tasks and tags). */
    public double metricTotal(String group, String name) {
        double sum = 0;
        for (TopologyTestDriver d : drivers()) {
            for (Map.Entry<MetricName, ? extends Metric> e : d.metrics().entrySet()) {
                if (e.getKey().group().equals(group) && e.getKey().name().equals(name)) {
                    sum += ((Number) e.getValue().metricValue()).doubleValue();
                }
            }
        }
        return sum;
    }

    /** Every metric of {@code group} named {@code name}, by the value of tag {@code tag}, summed over other tags. */
    public Map<String, Double> metricByTag(String group, String name, String tag) {
        Map<String, Double> out = new TreeMap<>();
        for (Map.Entry<MetricName, ? extends Metric> e : driver.metrics().entrySet()) {
            if (e.getKey().group().equals(group) && e.getKey().name().equals(name)) {
                out.merge(e.getKey().tags().get(tag), ((Number) e.getValue().metricValue()).doubleValue(), Double::sum);
            }
        }
        return out;
    }

    /** The driver of the whole topology, or of the patient stage when split. */
    public TopologyTestDriver driver() {
        return driver;
    }

    private List<TopologyTestDriver> drivers() {
        return cellDriver == null ? List.of(driver) : List.of(driver, cellDriver);
    }

    /** The gate the topology reports registry outages to (nothing pauses the driver: it retries with back-off). */
    public RegistryGate gate() {
        return gate;
    }

    @Override
    public void close() {
        driver.close();
        if (cellDriver != null) cellDriver.close();
    }

    /** One compacted output topic: records in arrival order plus the final table. */
    public static final class Output<V> {
        private final TestOutputTopic<String, V> topic;
        private final Map<String, V> table = new TreeMap<>();

        Output(TestOutputTopic<String, V> topic) {
            this.topic = topic;
        }

        /** Records written since the last poll (tombstones have a null value); also updates the table. */
        public List<TestRecord<String, V>> poll() {
            List<TestRecord<String, V>> records = new ArrayList<>(topic.readRecordsToList());
            for (TestRecord<String, V> r : records) {
                if (r.value() == null) table.remove(r.key());
                else table.put(r.key(), r.value());
            }
            return records;
        }

        /** Last value per key after everything written so far, as a compacted topic would keep it. */
        public Map<String, V> table() {
            poll();
            return table;
        }

        /** The current value of one key, or null when absent or deleted. */
        public V get(String key) {
            return table().get(key);
        }
    }
}
