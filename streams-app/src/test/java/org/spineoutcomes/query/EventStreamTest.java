package org.spineoutcomes.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.ndjson.CheckedLine;
import org.spineoutcomes.ndjson.NdjsonReader;
import org.spineoutcomes.serde.InMemorySchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.topics.Topics;

/**
 * What {@code /api/stream} sends for one record of each result topic: the event named after the topic, the
 * key, and the value exactly as the query API shows it (the same {@link Suppression}), or null for a
 * tombstone. The sample cohort (6 patients) is small, so under 11 every record is suppressed; under 2
 * some are shown.
 */
class EventStreamTest {
    private static final Instant PUBLISHED = Instant.parse("2026-11-30T04:10:00Z");
    private static final Path SAMPLE = Path.of("../samples/events.ndjson");
    private static BatchComputation.Result sample;
    private static SchemaRegistryClient registry;
    private static SpineAvroSerializer<SpecificRecord> serializer;

    @BeforeAll
    static void computeTheSample() {
        BatchComputation batch = new BatchComputation();
        try (Stream<CheckedLine> lines = new NdjsonReader().checkedLines(SAMPLE, Instant.parse("2026-06-01T00:00:00Z"))) {
            lines.filter(CheckedLine::valid).forEach(l -> batch.add(l.event()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        sample = batch.result(null);
        registry = InMemorySchemaRegistryClient.forScope("event-stream-test-" + System.nanoTime());
        serializer = new SpineAvroSerializer<>(registry);
    }

    private static EventStream stream(Suppression suppression) {
        return new EventStream(() -> { throw new AssertionError("no consumer in this test"); },
                EventStream.feeds(registry, suppression), suppression, "test", Duration.ofSeconds(15));
    }

    private static ConsumerRecord<String, byte[]> record(String topic, String key, SpecificRecord value) {
        byte[] bytes = value == null ? null : serializer.serialize(topic, value);
        return new ConsumerRecord<>(topic, 0, 7, PUBLISHED.toEpochMilli(), TimestampType.CREATE_TIME, key.length(),
                bytes == null ? 0 : bytes.length, key, bytes, new RecordHeaders(), Optional.empty());
    }

    @Test
    void eachResultTopicHasItsEvent_withTheValueAsTheQueryApiShowsIt() {
        Suppression two = new Suppression(2);
        EventStream events = stream(two);
        Map.Entry<String, org.spineoutcomes.schema.AdjustedComparison> adjusted = sample.adjustedComparisons().entrySet().iterator().next();
        Map.Entry<String, org.spineoutcomes.schema.TimeToEvent> km = sample.timeToEvent().entrySet().stream()
                .filter(e -> e.getValue().getKaplanMeier() != null).findFirst().orElseThrow();
        Map.Entry<String, org.spineoutcomes.schema.ArmAggregate> aggregate = sample.aggregates().entrySet().iterator().next();
        Map.Entry<String, org.spineoutcomes.schema.ArmComparison> comparison = sample.comparisons().entrySet().iterator().next();

        assertEquals("event: adjusted-comparison\ndata: {\"key\":\"" + adjusted.getKey() + "\",\"value\":"
                        + two.adjustedComparison(adjusted.getValue()) + ",\"publishedAt\":\"2026-11-30T04:10:00Z\"}\n\n",
                events.event(record(Topics.ADJUSTED_COMPARISONS.name(), adjusted.getKey(), adjusted.getValue())));
        assertEquals("event: time-to-event\ndata: {\"key\":\"" + km.getKey() + "\",\"value\":"
                        + two.timeToEvent(km.getValue()) + ",\"publishedAt\":\"2026-11-30T04:10:00Z\"}\n\n",
                events.event(record(Topics.TIME_TO_EVENT.name(), km.getKey(), km.getValue())));
        assertEquals("event: aggregate\ndata: {\"key\":\"" + aggregate.getKey() + "\",\"value\":"
                        + two.aggregate(aggregate.getValue()) + ",\"publishedAt\":\"2026-11-30T04:10:00Z\"}\n\n",
                events.event(record(Topics.ARM_AGGREGATES.name(), aggregate.getKey(), aggregate.getValue())));
        assertEquals("event: comparison\ndata: {\"key\":\"" + comparison.getKey() + "\",\"value\":"
                        + two.comparison(comparison.getValue()) + ",\"publishedAt\":\"2026-11-30T04:10:00Z\"}\n\n",
                events.event(record(Topics.ARM_COMPARISONS.name(), comparison.getKey(), comparison.getValue())));
    }

    @Test
    void aKaplanMeierCurveOfSixPatients_isSentAsItsKeyOnly_underTheDefaultThreshold() {
        EventStream events = stream(new Suppression(Suppression.DEFAULT_MIN_CELL_SIZE));
        org.spineoutcomes.schema.TimeToEvent km = sample.timeToEvent().get("ITT/VERTEBROPLASTY/ALL");
        assertEquals("event: time-to-event\ndata: {\"key\":\"ITT/VERTEBROPLASTY/ALL\",\"value\":{\"population\":\"ITT\","
                        + "\"arm\":\"VERTEBROPLASTY\",\"stratum\":\"ALL\",\"suppressed\":true,\"reason\":\"fewer than 11 patients\"},"
                        + "\"publishedAt\":\"2026-11-30T04:10:00Z\"}\n\n",
                events.event(record(Topics.TIME_TO_EVENT.name(), "ITT/VERTEBROPLASTY/ALL", km)));
    }

    @Test
    void aTombstoneIsANullValue_andARecordOfAnotherTopicIsNoEvent() {
        EventStream events = stream(new Suppression(11));
        assertEquals("event: time-to-event\ndata: {\"key\":\"ITT/KP_vs_VP/ALL\",\"value\":null,\"publishedAt\":\"2026-11-30T04:10:00Z\"}\n\n",
                events.event(record(Topics.TIME_TO_EVENT.name(), "ITT/KP_vs_VP/ALL", null)));
        assertNull(events.event(record(Topics.PATIENT_OUTCOMES.name(), "p", null)));
        assertEquals(List.of("aggregate", "comparison", "adjusted-comparison", "time-to-event"), EventStream.EVENT_NAMES);
    }
}
