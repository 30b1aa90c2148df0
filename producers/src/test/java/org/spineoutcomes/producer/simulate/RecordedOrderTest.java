package org.spineoutcomes.producer.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.FollowUpEvent;

class RecordedOrderTest {

    private static FollowUpEvent event(String id, String patient, String recordedAt) {
        Instant at = Instant.parse(recordedAt);
        return FollowUpEvent.newBuilder().setEventId(id).setPatientId(patient).setOccurredAt(at).setRecordedAt(at)
                .setSourceSystem("test").setPainNrs(5).build();
    }

    private static List<String> ids(List<SpecificRecord> events) {
        return events.stream().map(e -> String.valueOf(e.get(0))).collect(Collectors.toList());
    }

    @Test
    void interleavesPatientsByRecordedAt() {
        // As the simulator emits them: patient A's three events, then patient B's two.
        List<SpecificRecord> in = List.of(
                event("a1", "A", "2024-01-01T00:00:00Z"),
                event("a2", "A", "2024-03-01T00:00:00Z"),
                event("a3", "A", "2024-06-01T00:00:00Z"),
                event("b1", "B", "2024-02-01T00:00:00Z"),
                event("b2", "B", "2024-04-01T00:00:00Z"));
        assertEquals(List.of("a1", "b1", "a2", "b2", "a3"), ids(RecordedOrder.of(in)));
    }

    @Test
    void anEventSentOutOfOrderTravelsWithTheLatestBeforeIt() {
        // Patient A's events shuffled by the simulator: June, then January. January keeps its place after June
        // (its place is June, the latest of A so far), so the stream still sees A out of order.
        List<SpecificRecord> in = List.of(
                event("a-jun", "A", "2024-06-01T00:00:00Z"),
                event("a-jan", "A", "2024-01-01T00:00:00Z"),
                event("b-mar", "B", "2024-03-01T00:00:00Z"),
                event("b-jul", "B", "2024-07-01T00:00:00Z"));
        assertEquals(List.of("b-mar", "a-jun", "a-jan", "b-jul"), ids(RecordedOrder.of(in)));
    }

    @Test
    void equalTimesKeepTheSimulatorsOrder() {
        List<SpecificRecord> in = List.of(
                event("b1", "B", "2024-01-01T00:00:00Z"),
                event("a1", "A", "2024-01-01T00:00:00Z"),
                event("c1", "C", "2024-01-01T00:00:00Z"));
        assertEquals(List.of("b1", "a1", "c1"), ids(RecordedOrder.of(in)));
    }

    @Test
    void aSimulatedCohortKeepsEveryEventAndEachPatientsOrder() {
        List<SpecificRecord> in = new CohortSimulator(SimulationParameters.defaults(300, 5)).events();
        List<SpecificRecord> out = RecordedOrder.of(in);
        assertEquals(in.size(), out.size());
        assertEquals(Set.copyOf(ids(in)), Set.copyOf(ids(out)));
        for (String patient : List.of(String.valueOf(in.get(0).get(1)), String.valueOf(in.get(in.size() - 1).get(1)))) {
            assertEquals(ofPatient(in, patient), ofPatient(out, patient), "patient " + patient + " keeps its order");
        }
    }

    /**
     * The spooled order (Avro bytes in a temporary file, for cohorts too large to hold) is the in-memory one, event
     * for event and field for field, including the simulator's invalid events; the file is gone afterwards.
     */
    @Test
    void emittingThroughTheSpoolGivesTheSameEventsInTheSameOrder() throws Exception {
        SimulationParameters parameters = SimulationParameters.defaults(300, 5);
        List<SpecificRecord> expected = RecordedOrder.of(new CohortSimulator(parameters).events());
        java.nio.file.Path tmp = java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
        Set<java.nio.file.Path> before = spoolFiles(tmp);
        List<SpecificRecord> emitted = new ArrayList<>();
        long count = RecordedOrder.emit(new CohortSimulator(parameters), emitted::add);
        assertEquals(expected.size(), count);
        // Field by field through the records' text (Avro's equals trips over decoded arrays with logical types).
        assertEquals(expected.stream().map(String::valueOf).toList(), emitted.stream().map(String::valueOf).toList());
        assertEquals(before, spoolFiles(tmp), "the spool file is deleted");
    }

    private static Set<java.nio.file.Path> spoolFiles(java.nio.file.Path dir) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("spine-recorded-order-")).collect(java.util.stream.Collectors.toSet());
        }
    }

    private static List<String> ofPatient(List<SpecificRecord> events, String patient) {
        List<String> ids = new ArrayList<>();
        for (SpecificRecord e : events) if (patient.equals(String.valueOf(e.get(1)))) ids.add(String.valueOf(e.get(0)));
        return ids;
    }
}
