package org.spineoutcomes.runtime;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.spineoutcomes.ingest.FailureStage;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.validation.ReasonCode;

/**
 * The ingest counters of {@link IngestMetrics} (Kafka Streams sensors, one per task) as Micrometer
 * meters summed over this instance's tasks, under stable names (Prometheus form in brackets):
 * <ul>
 *   <li>{@code spine.ingest.records.in} [spine_ingest_records_in_total]: input records consumed;</li>
 *   <li>{@code spine.ingest.records.rejected} {reason} [spine_ingest_records_rejected_total{reason="..."}]:
 *       dead-lettered, one series per reason code (0 until the first);</li>
 *   <li>{@code spine.ingest.records.accepted} [spine_ingest_records_accepted]: a gauge, because a record
 *       displaced by a later re-send (R9) leaves it again; in = accepted + rejected;</li>
 *   <li>{@code spine.ingest.records.duplicate.ignored}, {@code spine.ingest.records.orphan.held},
 *       {@code spine.ingest.records.displaced}, {@code spine.ingest.patients.recomputed} [..._total];</li>
 *   <li>{@code spine.ingest.records.held} [spine_ingest_records_held_total]: records that waited for the
 *       schema registry (counted in records.in when they came, accepted or rejected when decoded);</li>
 *   <li>{@code spine.ingest.processing.errors} {stage} [spine_ingest_processing_errors_total{stage="..."}]:
 *       failures outside the input records (a cell's merge or publication, a patient's recompute), dead-lettered.</li>
 * </ul>
 * Like every Kafka Streams metric they count what this instance's tasks saw since they were
 * assigned here: sum them over instances; a rebalance can start a task's count again.
 */
public final class IngestMeters implements MeterBinder {
    /** The Micrometer name prefix; the generic Kafka binder's copies of the same sensors are filtered out. */
    public static final String PREFIX = "spine.ingest.";

    private final KafkaStreams streams;

    public IngestMeters(KafkaStreams streams) {
        this.streams = streams;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "records.in", "records-in-total", "Input records consumed");
        counter(registry, "records.duplicate.ignored", "records-duplicate-ignored-total", "Exact duplicates ignored (R9)");
        counter(registry, "records.orphan.held", "records-orphan-held-total", "Corrections/retractions held until their target arrives (R11)");
        counter(registry, "records.displaced", "records-displaced-total", "Records accepted earlier, then dead-lettered when a later re-send of their event id won (R9)");
        counter(registry, "patients.recomputed", "patients-recomputed-total", "Stored patients recomputed after a rules-version change or --recompute");
        counter(registry, "records.held", "records-held-total", "Input records that waited for the schema registry (decoded when it answered)");
        for (FailureStage stage : FailureStage.values()) {
            FunctionCounter.builder(PREFIX + "processing.errors", streams, s -> sum(s.metrics(), "processing-errors-total", "stage", stage.label()))
                    .description("Failures outside the input records, dead-lettered, by stage").tag("stage", stage.label()).register(registry);
        }
        Gauge.builder(PREFIX + "records.accepted", streams, s -> sum(s.metrics(), "records-accepted-total", null, null))
                .description("Input records accepted, net of those displaced later (R9)").register(registry);
        for (ReasonCode reason : ReasonCode.values()) {
            FunctionCounter.builder(PREFIX + "records.rejected", streams, s -> sum(s.metrics(), "records-rejected-total", "reason", reason.name()))
                    .description("Input records dead-lettered, by reason").tag("reason", reason.name()).register(registry);
        }
    }

    private void counter(MeterRegistry registry, String name, String kafkaName, String description) {
        FunctionCounter.builder(PREFIX + name, streams, s -> sum(s.metrics(), kafkaName, null, null)).description(description).register(registry);
    }

    /** The sum over tasks of one ingest metric, optionally of one tag value only (a reason, a stage). */
    static double sum(Map<MetricName, ? extends Metric> metrics, String name, String tag, String value) {
        double total = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName m = e.getKey();
            if (IngestMetrics.GROUP.equals(m.group()) && name.equals(m.name()) && (tag == null || value.equals(m.tags().get(tag)))) {
                total += ((Number) e.getValue().metricValue()).doubleValue();
            }
        }
        return total;
    }
}
