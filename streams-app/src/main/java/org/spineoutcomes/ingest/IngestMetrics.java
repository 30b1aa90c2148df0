package org.spineoutcomes.ingest;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.streams.StreamsMetrics;
import org.spineoutcomes.validation.ReasonCode;

/**
 * Counters of the ingest path, registered as Kafka Streams metrics (group {@value #GROUP}, tagged by
 * task) so they show in KafkaStreams#metrics() and in the Prometheus endpoint. They reconcile:
 * records-in = records-accepted + sum of records-rejected over reasons.
 */
public final class IngestMetrics {
    public static final String GROUP = "spine-ingest";

    private final Sensor in;
    private final Sensor accepted;
    private final Sensor duplicatesIgnored;
    private final Sensor orphansPending;
    private final Sensor displaced;
    private final Sensor recomputed;
    private final Sensor held;
    private final Map<FailureStage, Sensor> processingErrors = new EnumMap<>(FailureStage.class);
    private final Map<ReasonCode, Sensor> rejected = new EnumMap<>(ReasonCode.class);
    private final StreamsMetrics metrics;
    private final String taskId;

    public IngestMetrics(StreamsMetrics metrics, String taskId) {
        this.metrics = metrics;
        this.taskId = taskId;
        this.in = counter("records-in", "Input records consumed", Map.of());
        this.accepted = counter("records-accepted", "Input records accepted (valid; duplicates and pending orphans included)", Map.of());
        this.duplicatesIgnored = counter("records-duplicate-ignored", "Exact duplicates ignored (R9)", Map.of());
        this.orphansPending = counter("records-orphan-held", "Corrections/retractions held until their target arrives (R11)", Map.of());
        this.displaced = counter("records-displaced", "Records accepted earlier, then rejected when a later re-send of their event id won (R9)", Map.of());
        this.recomputed = counter("patients-recomputed", "Stored patients recomputed after a rules-version change", Map.of());
        this.held = counter("records-held", "Input records held because the schema registry could not be asked (decoded when it answers)", Map.of());
    }

    private Sensor counter(String name, String description, Map<String, String> extraTags) {
        StringBuilder sensorName = new StringBuilder("spine.").append(taskId).append('.').append(name);
        extraTags.values().forEach(v -> sensorName.append('.').append(v));
        Sensor s = metrics.addSensor(sensorName.toString(), Sensor.RecordingLevel.INFO);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("task-id", taskId);
        tags.putAll(extraTags);
        MetricName total = new MetricName(name + "-total", GROUP, description, tags);
        if (!s.hasMetrics()) {
            s.add(total, new CumulativeSum());
        }
        return s;
    }

    /** The sum over tasks (and reasons) of one counter, e.g. "records-in-total", from KafkaStreams#metrics(). */
    public static long total(Map<MetricName, ? extends org.apache.kafka.common.Metric> metrics, String name) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends org.apache.kafka.common.Metric> e : metrics.entrySet()) {
            if (GROUP.equals(e.getKey().group()) && name.equals(e.getKey().name())) {
                sum += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return (long) sum;
    }

    public void recordIn() { in.record(1); }

    public void recordAccepted() { accepted.record(1); }

    public void recordDuplicateIgnored() { duplicatesIgnored.record(1); }

    public void recordOrphanHeld() { orphansPending.record(1); }

    /**
     * A record accepted earlier lost to a later re-send (R9): it leaves the accepted count and its dead
     * letter joins the rejected count, so records-in = records-accepted + records-rejected still holds.
     */
    public void recordDisplaced() {
        displaced.record(1);
        accepted.record(-1);
        recordRejected(ReasonCode.DUPLICATE_ID_CONFLICT);
    }

    public void recordRecomputed() { recomputed.record(1); }

    /**
     * A record counted as accepted whose outcome computation then failed (the patient step computes once
     * per flush): it leaves the accepted count and joins PROCESSING_ERROR, so the counts still reconcile.
     */
    public void recordFailedAfterAcceptance() {
        accepted.record(-1);
        recordRejected(ReasonCode.PROCESSING_ERROR);
    }

    /** An input record waits for the schema registry (counted in records-in already; accepted or rejected when decoded). */
    public void recordHeld() { held.record(1); }

    /**
     * A failure outside the input records (a cell's merge or publication, a patient's recompute), dead-lettered
     * with its stage: not part of records-in = accepted + rejected.
     */
    public void recordProcessingError(FailureStage stage) {
        processingErrors.computeIfAbsent(stage, s -> counter("processing-errors", "Failures outside input records, dead-lettered, by stage",
                Map.of("stage", s.label()))).record(1);
    }

    public void recordRejected(ReasonCode reason) {
        rejected.computeIfAbsent(reason, r -> counter("records-rejected", "Input records rejected, by reason", Map.of("reason", r.name())))
                .record(1);
    }
}
