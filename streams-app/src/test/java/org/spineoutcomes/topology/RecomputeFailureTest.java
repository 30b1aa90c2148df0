package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.day;
import static org.spineoutcomes.testing.EventFixtures.nrs;
import static org.spineoutcomes.testing.EventFixtures.vertebroplasty;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.ingest.DeadLetter;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.ingest.Ingested;
import org.spineoutcomes.ingest.IngestedEvent;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.OutcomeRules;
import org.spineoutcomes.topics.Topics.RejectionHeaders;

/**
 * A rules upgrade recomputes every stored patient in a punctuator. A patient whose recompute throws
 * (a bug of the new rules that only its events reach) is dead-lettered once and keeps its stored
 * outcome and rules version; the others are recomputed and the upgrade finishes: the punctuator does
 * not fail the task and start over forever. (A task with stored state at start is what triggers a
 * recompute, so this drives the patient step with Kafka Streams' MockProcessorContext.)
 */
class RecomputeFailureTest {

    @Test
    void aPatientWhoseRecomputeFails_isDeadLetteredOnce_keepsItsState_andTheUpgradeFinishes() {
        MockProcessorContext<String, PatientOutput> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(1_000L);
        KeyValueStore<String, PatientState> patients = store(context, SpineTopology.PATIENT_STORE, PatientState.serde());
        store(context, SpineTopology.EVENTS_STORE, Serdes.ByteArray());
        store(context, SpineTopology.PARTITION_CUT_STORE, Serdes.Long());
        KeyValueStore<String, Long> rulesDone = store(context, SpineTopology.RULES_STORE, Serdes.Long());
        store(context, SpineTopology.PENDING_STORE, CellDeltaBatch.serde());
        store(context, SpineTopology.TO_COMPUTE_STORE, Serdes.Long());

        // Three patients stored under rules v1.
        PatientProcessor v1 = processor(OutcomeRules.of(1, OutcomeEngine::compute));
        v1.init(context);
        long offset = 0;
        for (String p : List.of("p1", "p2", "p3")) {
            process(v1, context, vertebroplasty(p, p + "-vp", day(0)), offset++);
            process(v1, context, nrs(p, p + "-base", day(-2), 8), offset++);
        }
        assertEquals(1L, rulesDone.get(PatientProcessor.RULES_DONE_KEY));
        context.resetForwards();

        // The app starts with rules v2, which throw for p2 only.
        PatientProcessor v2 = processor(OutcomeRules.of(2, (id, events) -> {
            if (id.equals("p2")) throw new IllegalStateException("rule bug reached by p2");
            return OutcomeEngine.compute(id, events);
        }));
        v2.init(context);
        List<MockProcessorContext.CapturedPunctuator> punctuators = context.scheduledPunctuators();
        MockProcessorContext.CapturedPunctuator recompute = punctuators.get(punctuators.size() - 1);
        assertEquals(PatientProcessor.RECOMPUTE_EVERY, recompute.getInterval());
        recompute.getPunctuator().punctuate(1_000L);

        List<MockProcessorContext.CapturedForward<? extends String, ? extends PatientOutput>> out = context.forwarded();
        assertEquals(1, out.size(), "one dead letter; p1 and p3 recompute to the outcome they had (nothing to publish)");
        DeadLetter dl = ((PatientOutput.Rejected) out.get(0).record().value()).deadLetter();
        assertEquals("p2", new String(dl.key(), StandardCharsets.UTF_8));
        assertEquals(null, dl.value());
        assertEquals("PROCESSING_ERROR", header(dl, RejectionHeaders.REASON));
        assertEquals("patient-recompute", header(dl, RejectionHeaders.STAGE));
        assertEquals("recomputing the stored patient under rules v2 failed; it keeps its outcome of rules v1: "
                + "IllegalStateException: rule bug reached by p2", header(dl, RejectionHeaders.MESSAGE));
        assertEquals(SpineTopology.PATIENT_STORE, header(dl, RejectionHeaders.SOURCE_TOPIC));

        assertEquals(2, patients.get("p1").rulesVersion());
        assertEquals(1, patients.get("p2").rulesVersion(), "p2 keeps its state; its next event recomputes it");
        assertEquals(2, patients.get("p3").rulesVersion());
        assertEquals(2L, rulesDone.get(PatientProcessor.RULES_DONE_KEY), "the upgrade finished");
        assertTrue(recompute.cancelled(), "the recompute punctuator is done, it does not start over");
        assertEquals(1.0, metric(context, "processing-errors-total"));
        assertEquals(2.0, metric(context, "patients-recomputed-total"));
    }

    private static PatientProcessor processor(OutcomeRules rules) {
        return new PatientProcessor(SpineTopology.PATIENT_STORE, SpineTopology.EVENTS_STORE, SpineTopology.PARTITION_CUT_STORE,
                SpineTopology.RULES_STORE, SpineTopology.PENDING_STORE, SpineTopology.TO_COMPUTE_STORE, rules, false, Duration.ZERO, (type, event) -> new byte[0]);
    }

    private static void process(PatientProcessor p, MockProcessorContext<String, PatientOutput> context, SpecificRecord event, long offset) {
        EventType type = EventType.of(event);
        String patient = EventFields.patientId(event);
        context.setRecordMetadata(type.topic().name(), 0, offset);
        p.process(new Record<>(patient, new Ingested.Accepted(new IngestedEvent(type, event, patient.getBytes(StandardCharsets.UTF_8),
                new byte[] {0}, type.topic().name(), 0, offset)), 0L));
    }

    private static <V> KeyValueStore<String, V> store(MockProcessorContext<String, PatientOutput> context, String name, Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    private static double metric(MockProcessorContext<String, PatientOutput> context, String name) {
        return context.metrics().metrics().entrySet().stream()
                .filter(e -> e.getKey().group().equals(IngestMetrics.GROUP) && e.getKey().name().equals(name))
                .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
    }

    private static String header(DeadLetter dl, String name) {
        return dl.headers().lastHeader(name) == null ? null : new String(dl.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
