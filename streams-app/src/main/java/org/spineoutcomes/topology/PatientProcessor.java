package org.spineoutcomes.topology;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.spineoutcomes.ingest.DeadLetter;
import org.spineoutcomes.ingest.EventFields;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.ingest.IngestedEvent;
import org.spineoutcomes.outcome.CellContributions;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.validation.ReasonCode;

/**
 * Per-patient state: every valid event of the patient (in any arrival order), the outcome last
 * published and so the contributions last made to each cell. On each event it recomputes the
 * outcome with the pure {@link OutcomeEngine}; when the outcome changed it publishes it and, for
 * every cell whose contribution changed, a {@link CellDelta} (old out, new in), grouped per
 * population/window into one {@link CellDeltas} record.
 */
public final class PatientProcessor implements Processor<String, Routed, String, Routed> {

    private final String patientStore;
    private final String dataCutStore;
    private ProcessorContext<String, Routed> context;
    private KeyValueStore<String, PatientState> patients;
    private KeyValueStore<String, Long> localCut;
    private IngestMetrics metrics;

    public PatientProcessor(String patientStore, String dataCutStore) {
        this.patientStore = patientStore;
        this.dataCutStore = dataCutStore;
    }

    @Override
    public void init(ProcessorContext<String, Routed> context) {
        this.context = context;
        this.patients = context.getStateStore(patientStore);
        this.localCut = context.getStateStore(dataCutStore);
        this.metrics = new IngestMetrics(context.metrics(), context.taskId().toString());
    }

    @Override
    public void process(Record<String, Routed> record) {
        if (!(record.value() instanceof Routed.Accepted accepted)) {
            return;
        }
        IngestedEvent in = accepted.event();
        String patientId = record.key();
        Update update;
        try {
            update = compute(in, patientId);
        } catch (RuntimeException e) {
            // A bug or an unforeseen input must not stop the pipeline: dead-letter the record with its
            // original bytes. Nothing was stored or forwarded yet, so the patient's state is unchanged.
            reject(record, in, ReasonCode.PROCESSING_ERROR, e.getClass().getSimpleName() + ": " + e.getMessage());
            return;
        }
        apply(record, in, patientId, update);
    }

    /** Everything a record changes, computed before any state is written or any record forwarded. */
    private record Update(PatientEventLog.AddResult result, PatientEventLog log, PatientOutcome outcome,
                          boolean outcomeChanged, Map<CellKey, CellDelta> deltas) {}

    private Update compute(IngestedEvent in, String patientId) {
        PatientState state = patients.get(patientId);
        PatientEventLog log = state == null ? new PatientEventLog() : state.log();
        PatientOutcome before = state == null ? null : state.outcome();
        PatientEventLog.AddResult result = log.add(in.event());
        if (result == PatientEventLog.AddResult.DUPLICATE_ID_CONFLICT || result == PatientEventLog.AddResult.DUPLICATE_IGNORED) {
            return new Update(result, log, before, false, Map.of());
        }
        PatientOutcome after = OutcomeEngine.compute(patientId, log.resolved());
        // Compared as Avro binary: exact, and independent of Avro's equals() on logical types.
        boolean changed = before == null || !Arrays.equals(PatientState.encode(before), PatientState.encode(after));
        Map<CellKey, CellDelta> deltas = new TreeMap<>();
        if (changed) {
            Map<CellKey, Contribution> oldCells = before == null ? Map.of() : CellContributions.of(before);
            Map<CellKey, Contribution> newCells = CellContributions.of(after);
            TreeSet<CellKey> touched = new TreeSet<>(oldCells.keySet());
            touched.addAll(newCells.keySet());
            for (CellKey cell : touched) {
                Contribution was = oldCells.get(cell);
                Contribution now = newCells.get(cell);
                if (!Objects.equals(was, now)) {
                    deltas.put(cell, new CellDelta(was, now));
                }
            }
        }
        return new Update(result, log, after, changed, deltas);
    }

    /**
     * Writes state and forwards. A failure here (e.g. the broker or registry) is not bad data: it
     * fails the task, and exactly-once processing rolls back the store and the output together.
     */
    private void apply(Record<String, Routed> record, IngestedEvent in, String patientId, Update u) {
        switch (u.result()) {
            case DUPLICATE_ID_CONFLICT -> {
                reject(record, in, ReasonCode.DUPLICATE_ID_CONFLICT,
                        "event id " + EventFields.eventId(in.event()) + " was seen before with different content");
                return;
            }
            case DUPLICATE_IGNORED -> {
                metrics.recordAccepted();
                metrics.recordDuplicateIgnored();
                return;
            }
            case ORPHAN_PENDING -> metrics.recordOrphanHeld();
            case ACCEPTED -> { }
        }
        patients.put(patientId, new PatientState(u.log(), u.outcome()));
        metrics.recordAccepted();
        advanceDataCut(in, record.timestamp());
        if (!u.outcomeChanged()) {
            return;
        }
        context.forward(new Record<>(patientId, new Routed.OutcomeChanged(u.outcome()), record.timestamp()));
        Map<String, Map<CellKey, CellDelta>> byGroup = new TreeMap<>();
        u.deltas().forEach((cell, delta) -> byGroup.computeIfAbsent(CellDeltas.groupKey(cell), k -> new TreeMap<>()).put(cell, delta));
        byGroup.forEach((group, cells) ->
                context.forward(new Record<>(group, new Routed.CellChanged(new CellDeltas(cells)), record.timestamp())));
    }

    /** R2: the default data cut is the largest occurred-at among valid events (retractions carry no clinical time). */
    private void advanceDataCut(IngestedEvent in, long timestamp) {
        if (EventFields.isRetraction(in.event())) {
            return;
        }
        long occurred = EventFields.occurredAt(in.event()).toEpochMilli();
        String partitionKey = String.valueOf(context.taskId().partition());
        Long max = localCut.get(partitionKey);
        if (max == null || occurred > max) {
            localCut.put(partitionKey, occurred);
            context.forward(new Record<>(partitionKey, new Routed.DataCutAdvanced(occurred), timestamp));
        }
    }

    private void reject(Record<String, Routed> record, IngestedEvent in, ReasonCode reason, String message) {
        metrics.recordRejected(reason);
        DeadLetter dl = DeadLetter.of(in.rawKey(), in.rawValue(), record.headers(), reason, null, message,
                in.topic(), in.partition(), in.offset());
        context.forward(new Record<>(null, new Routed.Rejected(dl), record.timestamp(), dl.headers()));
    }
}
