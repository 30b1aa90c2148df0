package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.ndjson.CheckedLine;
import org.spineoutcomes.ndjson.NdjsonReader;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.schema.PatientOutcome;

/** The stored outcome must give back exactly the contributions that were added (they are subtracted later). */
class PatientStateRoundTripTest {

    @Test
    void storedOutcomeGivesIdenticalContributions() throws Exception {
        BatchComputation batch = new BatchComputation();
        List<CheckedLine> lines;
        try (var s = new NdjsonReader().checkedLines(Path.of("../samples/events.ndjson"), Instant.parse("2030-01-01T00:00:00Z"))) {
            lines = s.toList();
        }
        lines.forEach(l -> batch.add(l.event()));
        var result = batch.result(null);
        for (PatientOutcome outcome : result.outcomes().values()) {
            PatientState state = new PatientState(new PatientEventLog(), outcome, 2);
            PatientState back = PatientState.fromBytes(state.toBytes());
            assertEquals(outcome, back.outcome(), outcome.getPatientId());
            assertEquals(CellContributions.of(outcome), CellContributions.of(back.outcome()), outcome.getPatientId());
        }
    }
}
