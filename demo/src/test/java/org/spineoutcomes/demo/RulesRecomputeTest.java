package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.demo.StackOutputs.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.app.SpineStreamsApp;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.OutcomeRules;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.topics.Topics;

/**
 * A changed rule reaches every stored patient (issue: rules round two, item 4), on the real stack:
 * the app runs under "rules v1" (a stand-in for an older release that put every patient in the ALL
 * stratum only), is stopped, and restarts with this release's rules on the same state. Without any
 * new input event, every patient is recomputed from its stored events and the three output topics
 * end equal to the batch under the current rules. A forced recompute afterwards changes nothing.
 *
 * <p>Its own stack, so that its output topics hold only this cohort.
 */
class RulesRecomputeTest {

    private static final int PATIENTS = 300;

    /** The stand-in older release: the same engine, but no strata beyond ALL. */
    static final OutcomeRules OLD_RULES = OutcomeRules.of(1, (id, events) -> {
        PatientOutcome o = OutcomeEngine.compute(id, events);
        return o.getIttArm() == null ? o : PatientOutcome.newBuilder(o).setStrata(List.of(Stratum.ALL)).build();
    });

    @Test
    void restartWithNewerRules_recomputesEveryStoredPatient_andOutputsEqualTheBatch() throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
            List<SpecificRecord> events = simulatedCohort(PATIENTS, 11);
            BatchComputation batch = new BatchComputation();
            events.forEach(batch::add);
            BatchComputation.Result expected = batch.result(null);
            Path stateDir = Files.createTempDirectory(stack.workDir(), "recompute-state");
            AppConfig config = AppConfig.of(Map.of(
                    AppConfig.APPLICATION_ID, "recompute-" + System.nanoTime(),
                    AppConfig.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    AppConfig.SCHEMA_REGISTRY_URL, stack.schemaRegistryUrl(),
                    AppConfig.STATE_DIR, stateDir.toString(),
                    AppConfig.CUT_REFRESH_MS, "500",
                    AppConfig.PUBLISH_INTERVAL_MS, "300"));

            // 1. The old release processes the cohort.
            try (SpineStreamsApp old = new SpineStreamsApp(config, registry, OLD_RULES)) {
                old.start();
                produce(stack, registry, events);
                waitForInput(old, events.size());
                waitUntilQuiet(stack, Duration.ofSeconds(3), Duration.ofMinutes(4));
            }
            Finals before = finals(stack, registry);
            assertEquals(expected.outcomes().keySet(), before.outcomes().keySet());
            assertNotEquals(expected.aggregates().keySet(), before.aggregates().keySet(), "v1 has no strata cells beyond ALL");
            assertTrue(before.aggregates().keySet().stream().allMatch(k -> k.endsWith("/ALL")), "v1 cells: " + before.aggregates().size());

            // 2. This release starts on the same state, with no new input: every patient is recomputed.
            try (SpineStreamsApp current = new SpineStreamsApp(config, registry)) {
                current.start();
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                while (metric(current, "patients-recomputed-total") < expected.outcomes().size() && System.nanoTime() < deadline) Thread.sleep(200);
                assertEquals(expected.outcomes().size(), metric(current, "patients-recomputed-total"), "every stored patient recomputed once");
                assertEquals(0, metric(current, "records-in-total"), "nothing was read again from the input topics");
                waitUntilQuiet(stack, Duration.ofSeconds(3), Duration.ofMinutes(4));
                // A stream thread that fails is replaced, and its tasks wait for the old static member's session
                // (45 s) before they move: quiet for 3 s is then not the end. Wait for the aggregates' key set
                // (the new strata cells) for up to 2 minutes before comparing everything.
                long settle = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (!finals(stack, registry).aggregates().keySet().equals(expected.aggregates().keySet()) && System.nanoTime() < settle) {
                    waitUntilQuiet(stack, Duration.ofSeconds(3), Duration.ofMinutes(1));
                    Thread.sleep(1_000);
                }
            }
            Finals after = finals(stack, registry);
            assertSameRecords("patient outcomes", expected.outcomes(), after.outcomes());
            assertSameRecords("arm aggregates", expected.aggregates(), after.aggregates());
            assertSameRecords("arm comparisons", expected.comparisons(), after.comparisons());
            assertSameRecords("standardised comparisons (R36)", expected.adjustedComparisons(), after.adjustedComparisons());
            assertSameRecords("time to event (R37, R38)", expected.timeToEvent(), after.timeToEvent());

            // 3. A forced recompute under the same rules recomputes everyone and publishes no outcome.
            int outcomeRecords = readAll(stack, Topics.PATIENT_OUTCOMES.name(), new StringDeserializer(), new ByteArrayDeserializer()).records().size();
            try (SpineStreamsApp forced = new SpineStreamsApp(config.with(AppConfig.RULES_RECOMPUTE, "true"), registry)) {
                forced.start();
                long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
                while (metric(forced, "patients-recomputed-total") < expected.outcomes().size() && System.nanoTime() < deadline) Thread.sleep(200);
                assertEquals(expected.outcomes().size(), metric(forced, "patients-recomputed-total"));
                waitUntilQuiet(stack, Duration.ofSeconds(2), Duration.ofMinutes(2));
            }
            assertEquals(outcomeRecords, readAll(stack, Topics.PATIENT_OUTCOMES.name(), new StringDeserializer(), new ByteArrayDeserializer()).records().size(),
                    "outcomes unchanged under the same rules: nothing re-published");
        }
    }

    private static void waitForInput(SpineStreamsApp app, long n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (metric(app, "records-in-total") < n && System.nanoTime() < deadline) Thread.sleep(200);
        assertEquals(n, metric(app, "records-in-total"), "every produced record consumed");
    }
}
