package org.spineoutcomes.topology;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.ingest.DeadLetter;
import org.spineoutcomes.ingest.FailureStage;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.ingest.Ingested;
import org.spineoutcomes.ingest.IngestedEvent;
import org.spineoutcomes.outcome.OutcomeRules;
import org.spineoutcomes.outcome.PatientEventLog;
import org.spineoutcomes.outcome.PatientEventLog.AddResult;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.topics.Topics.RejectionHeaders;
import org.spineoutcomes.validation.ReasonCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-patient state: every valid event of the patient (in any arrival order), the outcome last
 * published and so the contributions last made to each cell. On each event it recomputes the
 * outcome with the {@link OutcomeRules}; when the outcome changed it publishes it and, for every
 * cell whose contribution changed, a {@link CellDelta} (old out, new in), grouped per
 * population/window into a {@link CellDeltaBatch}: one per update, or folded over a flush interval.
 *
 * <p>Rules upgrades: each stored patient carries the rules version that computed its outcome. When
 * a task starts with a newer version (or a recompute is forced), a punctuator walks the task's
 * patient store in small slices and recomputes every patient from its stored events, emitting the
 * changed outcomes and cell deltas inside the same exactly-once transactions as normal processing.
 * A patient already at the current version is skipped, so a crash mid-way resumes cheaply.
 */
public final class PatientProcessor implements Processor<String, Ingested, String, PatientOutput> {
    private static final Logger LOG = LoggerFactory.getLogger(PatientProcessor.class);

    /** Key in the rules-version store: the version every patient of this task was last recomputed to. */
    static final String RULES_DONE_KEY = "rules-version-done";
    /** Patients recomputed per punctuation: small enough to keep the transaction and the poll loop short. */
    static final int RECOMPUTE_SLICE = 500;
    static final Duration RECOMPUTE_EVERY = Duration.ofMillis(50);
    static final Duration PROGRESS_LOG_EVERY = Duration.ofSeconds(10);

    private final String patientStore;
    private final String eventsStore;
    private KeyValueStore<String, byte[]> events;
    /**
     * Recently used patients with their decoded logs, so a patient's next event does not re-read and
     * re-decode its events. Per task, dropped at close; values are never mutated (the log is copied first).
     */
    private final Map<String, PatientState> recent = new java.util.LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, PatientState> eldest) {
            return size() > RECENT_PATIENTS;
        }
    };
    /**
     * 5,000 until session 25. A waiting patient's state is kept with its wait ({@link Deferred#latest}), so the
     * cache serves only a patient's next events after its flush; in a recorded-order replay 60 % of events hit it,
     * most of them within a few hundred patients. At 5,000 per task its entries outlived a young collection and
     * were copied, then promoted: half the collector's CPU in a backfill. At 1,500 the collector's CPU per event
     * halved, for 1-8 us more of reading patients back (benchmark history, session 25).
     */
    static final int RECENT_PATIENTS = 1_500;
    /** Separates the patient from the event id in events-store keys (not allowed in either). */
    static final char EVENT_KEY_SEPARATOR = '\u0000';
    private final String dataCutStore;
    private final String rulesStore;
    private final OutcomeRules rules;
    private final boolean forceRecompute;
    private final BiFunction<EventType, SpecificRecord, byte[]> reencode;
    private final String pendingStore;
    private final String toComputeStore;
    private final Duration deltaFlushInterval;
    /**
     * Patients whose events were logged since their outcome was last computed (folded mode only), in
     * arrival order. The store keeps the same keys (value: the timestamp of the wait's first input), so a commit
     * between two flushes, a crash or a task move loses none; this map adds what attributes a failure
     * of the outcome computation to one record (known only for records read since the task started).
     */
    private final Map<String, Deferred> deferred = new java.util.LinkedHashMap<>();
    private KeyValueStore<String, Long> toCompute;
    /** The to-compute store's object cache, told directly that a new wait's key is not below (null: no such layer). */
    private ObjectCachingStore<String, Long> toComputeCache;
    private KeyValueStore<String, CellDeltaBatch> pending;
    /** Groups with a pending batch; in memory, rebuilt from the store at start. */
    private final java.util.Set<String> pendingGroups = new java.util.TreeSet<>();
    private final Map<String, Long> newestPending = new java.util.HashMap<>();
    private final AdjustedChanges adjusted = new AdjustedChanges();
    private ProcessorContext<String, PatientOutput> context;
    private KeyValueStore<String, PatientState> patients;
    private KeyValueStore<String, Long> localCut;
    private KeyValueStore<String, Long> rulesDone;
    private IngestMetrics metrics;

    /**
     * Catching up (the newest input more than {@link PublicationPace#CATCHING_UP_LAG} older than the wall clock: a
     * backfill, a replay, a backlog), the patient step hands on every this many flush intervals while input keeps
     * coming; once the input pauses for a flush interval, or live input arrives, it hands on at once. Outcomes are
     * computed at the hand-on, so while catching up they come out up to a second later (they were minutes behind).
     */
    public static final int CATCH_UP_FLUSH_INTERVALS = 10;
    /**
     * ... or after this many input records of the task, whichever comes first: the hand-on's work (the outcomes,
     * the batches) grows with what was folded, and it runs inside one transaction (Kafka Streams' producers time
     * out a transaction after 10 s), so a fast backfill does not make one hand-on take seconds. 1,000 until
     * session 12: a task then handed on two or three times a second in a backfill, each hand-on a commit and a
     * batch per population/window for the cell stage to merge; at 3,000 (about a second of a task's input)
     * the backfill took 7-9 % less CPU per event, the cell stage's threads 25-30 % less.
     */
    static final int CATCH_UP_MAX_INPUTS = 3_000;
    private int inputsSinceFlush;

    private boolean catchingUp(long now) {
        return newestInputTimestampMs != Long.MIN_VALUE && now - newestInputTimestampMs > PublicationPace.CATCHING_UP_LAG.toMillis();
    }

    private boolean flushPendingAtStart;
    /** Wall-clock time of the last input record, and the newest record timestamp seen (Long.MIN_VALUE: none yet). */
    private long lastInputMs;
    private long newestInputTimestampMs = Long.MIN_VALUE;
    /** Wall-clock time of the last flush that handed on. */
    private long lastFlushMs;
    /**
     * A new task with no patients records the current rules version on its first record or flush, not in
     * init: Kafka Streams has no record context between init and then, and a commit in that gap (a
     * rebalance) would write the value to the changelog without one.
     */
    private boolean recordRulesVersion;

    // Recompute progress (in memory only: after a crash the scan restarts and skips patients already done).
    private Cancellable recomputeSchedule;
    private String recomputeCursor;
    private long recomputed;
    private long recomputeChanged;
    private long recomputeStartedMs;
    private long lastProgressLogMs;

    /**
     * @param reencode the Confluent-wire bytes of an event, for dead-lettering a version that was
     *                 accepted earlier and displaced by a later re-send (R9) without keeping raw bytes in state
     */
    public PatientProcessor(String patientStore, String eventsStore, String dataCutStore, String rulesStore, String pendingStore,
                            String toComputeStore, OutcomeRules rules, boolean forceRecompute, Duration deltaFlushInterval,
                            BiFunction<EventType, SpecificRecord, byte[]> reencode) {
        this.eventsStore = eventsStore;
        this.pendingStore = pendingStore;
        this.toComputeStore = toComputeStore;
        this.deltaFlushInterval = deltaFlushInterval;
        this.patientStore = patientStore;
        this.dataCutStore = dataCutStore;
        this.rulesStore = rulesStore;
        this.rules = rules;
        this.forceRecompute = forceRecompute;
        this.reencode = reencode;
    }

    @Override
    public void init(ProcessorContext<String, PatientOutput> context) {
        this.context = context;
        this.patients = context.getStateStore(patientStore);
        this.events = context.getStateStore(eventsStore);
        recent.clear();
        adjusted.clear();
        this.localCut = context.getStateStore(dataCutStore);
        this.rulesDone = context.getStateStore(rulesStore);
        this.pending = context.getStateStore(pendingStore);
        try (KeyValueIterator<String, CellDeltaBatch> it = pending.all()) {
            while (it.hasNext()) pendingGroups.add(it.next().key);
        }
        this.toCompute = context.getStateStore(toComputeStore);
        this.toComputeCache = ObjectCachingStore.under(toCompute);
        deferred.clear();
        try (KeyValueIterator<String, Long> it = toCompute.all()) {
            while (it.hasNext()) {
                KeyValue<String, Long> kv = it.next();
                deferred.put(kv.key, Deferred.unknownSince(kv.value));
            }
        }
        lastFlushMs = context.currentSystemTimeMs();
        newestInputTimestampMs = Long.MIN_VALUE;
        if (!deltaFlushInterval.isZero()) {
            context.schedule(deltaFlushInterval, PunctuationType.WALL_CLOCK_TIME, this::flushPending);
        } else if (!pendingGroups.isEmpty() || !deferred.isEmpty()) {
            flushPendingAtStart = true;
        }
        this.metrics = new IngestMetrics(context.metrics(), context.taskId().toString());
        Long done = rulesDone.get(RULES_DONE_KEY);
        boolean behind = done == null ? patients.approximateNumEntries() > 0 : done < rules.version();
        if (forceRecompute || behind) {
            recomputeStartedMs = context.currentSystemTimeMs();
            lastProgressLogMs = recomputeStartedMs;
            LOG.info("task {}: recomputing stored patients under {} (stored: {}; about {} patients{})", context.taskId(), rules,
                    done == null ? "unknown" : "rules v" + done, patients.approximateNumEntries(), forceRecompute ? ", forced" : "");
            recomputeSchedule = context.schedule(RECOMPUTE_EVERY, PunctuationType.WALL_CLOCK_TIME, this::recomputeSlice);
        } else {
            recordRulesVersion = done == null;
        }
    }

    private void recordRulesVersionOnce() {
        if (!recordRulesVersion) return;
        recordRulesVersion = false;
        rulesDone.put(RULES_DONE_KEY, (long) rules.version());
    }

    @Override
    public void process(Record<String, Ingested> record) {
        lastInputMs = context.currentSystemTimeMs();
        inputsSinceFlush++;
        newestInputTimestampMs = Math.max(newestInputTimestampMs, record.timestamp());
        recordRulesVersionOnce();
        if (flushPendingAtStart) {
            flushPendingAtStart = false;
            flushPending(record.timestamp());
        }
        if (!(record.value() instanceof Ingested.Accepted accepted)) {
            return;
        }
        IngestedEvent in = accepted.event();
        String patientId = record.key();
        Update update;
        try {
            update = deltaFlushInterval.isZero() ? compute(in, patientId, load(patientId)) : logOnly(in, patientId);
        } catch (RuntimeException e) {
            // A bug or an unforeseen input must not stop the pipeline: dead-letter the record with its
            // original bytes. Nothing was stored or forwarded yet, so the patient's state is unchanged.
            metrics.recordRejected(ReasonCode.PROCESSING_ERROR);
            forwardDeadLetter(processingError(in, record.headers(), e), record.timestamp());
            return;
        }
        apply(record, in, patientId, update);
        adjusted.handOn(context);
        if (update.computeLater()) defer(patientId, update.before(), update.state(), new PendingEvent(in, record.timestamp(), record.headers(),
                update.added().result() != AddResult.DUPLICATE_ID_CONFLICT));
    }

    private static DeadLetter processingError(IngestedEvent in, org.apache.kafka.common.header.Headers headers, RuntimeException e) {
        return DeadLetter.of(in.rawKey(), in.rawValue(), headers, ReasonCode.PROCESSING_ERROR, null,
                e.getClass().getSimpleName() + ": " + e.getMessage(), in.topic(), in.partition(), in.offset());
    }

    /** Everything a record changes, computed before any state is written or any record forwarded. */
    private record Update(PatientEventLog.Added added, PatientState state, boolean outcomeChanged, List<PatientCellChanges.Change> changes,
                          PatientState before, boolean computeLater) {
        Update(PatientEventLog.Added added, PatientState state, boolean outcomeChanged, List<PatientCellChanges.Change> changes) {
            this(added, state, outcomeChanged, changes, null, false);
        }
    }

    /**
     * Folded mode: the event joins the patient's log now (duplicates, conflicts and displaced versions
     * are decided here, as in {@link #compute}); the outcome, which depends on the whole log, is computed
     * once per flush for all the patient's events of the interval ({@link #computeDeferred}). Events of a
     * patient usually arrive together (a procedure with its imaging, a hospital's bulk load, a backfill),
     * and the outcome topic is a table: only its last value per patient matters.
     */
    private Update logOnly(IngestedEvent in, String patientId) {
        PatientState stored = load(patientId);
        PatientEventLog log = stored == null ? new PatientEventLog() : stored.log().copy();
        PatientEventLog.Added added = log.add(in.event(), new PatientEventLog.Origin(in.topic(), in.partition(), in.offset()));
        if (added.result() == AddResult.DUPLICATE_IGNORED) {
            return new Update(added, stored, false, List.of());
        }
        boolean winnersChanged = added.result() != AddResult.DUPLICATE_ID_CONFLICT || !added.displaced().isEmpty();
        boolean stale = stored == null || winnersChanged || stored.rulesVersion() != rules.version() || deferred.containsKey(patientId);
        PatientState logged = stored == null ? new PatientState(log, null, rules.version(), null)
                : new PatientState(log, stored.outcome(), stored.rulesVersion(), stored.outcomeBytes());
        return new Update(added, logged, false, List.of(), stored, stale);
    }

    private Update compute(IngestedEvent in, String patientId, PatientState stored) {
        // A copy: the stored state stays as it was if anything below fails (the store may hand out live objects).
        PatientEventLog log = stored == null ? new PatientEventLog() : stored.log().copy();
        PatientEventLog.Added added = log.add(in.event(), new PatientEventLog.Origin(in.topic(), in.partition(), in.offset()));
        if (added.result() == AddResult.DUPLICATE_IGNORED) {
            return new Update(added, stored, false, List.of());
        }
        // A losing re-send that displaced nothing leaves the winners, and so the outcome, as they were.
        boolean winnersChanged = added.result() != AddResult.DUPLICATE_ID_CONFLICT || !added.displaced().isEmpty();
        if (!winnersChanged && stored != null && stored.rulesVersion() == rules.version()) {
            return new Update(added, new PatientState(log, stored.outcome(), stored.rulesVersion(), stored.outcomeBytes()), false, List.of());
        }
        PatientState next = new PatientState(log, rules.compute(patientId, log.resolved()), rules.version());
        boolean changed = !sameOutcome(stored, next);
        if (!changed) return new Update(added, next, false, List.of());
        return new Update(added, next, true, PatientCellChanges.between(outcomeOf(stored), next.outcome()), stored, false);
    }

    /**
     * The stored outcome, whose contributions are derived again when the outcome changed: 20-50 us, live about 40
     * times a second at 1,000 events/s. Remembering them per patient (2,000 per task until session 14) saved
     * 0.002 cores and kept about 110 MB of maps at 100,000 patients.
     */
    private static PatientOutcome outcomeOf(PatientState stored) {
        return stored == null ? null : stored.outcome();
    }

    /** Compared as Avro binary: exact, and independent of Avro's equals() on logical types. */
    private static boolean sameOutcome(PatientState before, PatientState after) {
        return before != null && before.outcomeBytes() != null && Arrays.equals(before.outcomeBytes(), after.outcomeBytes());
    }

    /**
     * Writes state and forwards. A failure here (e.g. the broker or registry) is not bad data: it
     * fails the task, and exactly-once processing rolls back the store and the output together.
     */
    private void apply(Record<String, Ingested> record, IngestedEvent in, String patientId, Update u) {
        AddResult result = u.added().result();
        if (result == AddResult.DUPLICATE_IGNORED) {
            metrics.recordAccepted();
            metrics.recordDuplicateIgnored();
            advanceDataCut(in, record.timestamp());
            return;
        }
        if (result == AddResult.DUPLICATE_ID_CONFLICT) {
            metrics.recordRejected(ReasonCode.DUPLICATE_ID_CONFLICT);
            forwardDeadLetter(DeadLetter.of(in.rawKey(), in.rawValue(), record.headers(), ReasonCode.DUPLICATE_ID_CONFLICT, "eventId",
                    PatientEventLog.conflictMessage(EventFields.eventId(in.event())), in.topic(), in.partition(), in.offset()),
                    record.timestamp());
        } else {
            metrics.recordAccepted();
            if (result == AddResult.ORPHAN_PENDING) metrics.recordOrphanHeld();
        }
        for (PatientEventLog.Version loser : u.added().displaced()) {
            deadLetterDisplaced(patientId, loser, record.timestamp());
        }
        save(patientId, u.state(), EventFields.eventId(in.event()), recent.get(patientId));
        advanceDataCut(in, record.timestamp());
        if (u.outcomeChanged()) emit(patientId, u, record.timestamp());
    }

    /**
     * R9: a version accepted earlier lost to a later re-send. Its original bytes are not kept in
     * state; the dead letter carries its content re-encoded in the Confluent wire format, marked so,
     * and names the topic, partition and offset where the original bytes are.
     */
    private void deadLetterDisplaced(String patientId, PatientEventLog.Version loser, long timestamp) {
        metrics.recordDisplaced();
        RecordHeaders headers = new RecordHeaders();
        headers.add(RejectionHeaders.VALUE_REENCODED, "true".getBytes(StandardCharsets.UTF_8));
        PatientEventLog.Origin o = loser.origin();
        forwardDeadLetter(DeadLetter.of(patientId.getBytes(StandardCharsets.UTF_8), reencode.apply(loser.type(), loser.event()), headers,
                ReasonCode.DUPLICATE_ID_CONFLICT, "eventId",
                PatientEventLog.conflictMessage(loser.id()) + " (accepted earlier, displaced by a later version)",
                o.source(), o.partition(), o.offset()), timestamp);
    }

    /** Forwards a changed outcome ({@code u.before()}: the state it replaces) with its cell changes. */
    private void emit(String patientId, Update u, long timestamp) {
        emit(patientId, u.state(), u.changes(), timestamp);
        // R36-R38 cells: folded over this call of the step, handed on at its end (adjusted.handOn).
        adjusted.add(u.before() == null ? null : u.before().outcome(), u.state().outcome(), timestamp);
    }

    private void emit(String patientId, PatientState outcome, List<PatientCellChanges.Change> changes, long timestamp) {
        context.forward(new Record<>(patientId, new PatientOutput.OutcomeChanged(outcome.outcome(), outcome.outcomeBytes()), timestamp));
        if (deltaFlushInterval.isZero()) {
            Map<String, CellDeltaBatch> byGroup = new TreeMap<>();
            for (PatientCellChanges.Change c : changes) byGroup.computeIfAbsent(c.group(), k -> new CellDeltaBatch()).add(c.cells(), c.net());
            byGroup.forEach((group, batch) -> {
                if (!batch.isEmpty()) context.forward(new Record<>(group, new PatientOutput.CellChanged(batch), timestamp));
            });
            return;
        }
        // Folded into the pending batch of each population/window; handed on by flushPending. The batch
        // is changed in place and put back at once (the store keeps objects between commits). A change that
        // several cells get alike (a window's strata) is folded once for its cell set: one store access per set.
        for (PatientCellChanges.Change c : changes) {
            CellDeltaBatch batch = pending.get(c.group());
            if (batch == null) batch = new CellDeltaBatch();
            pending.put(c.group(), batch.add(c.cells(), c.net()));
            pendingGroups.add(c.group());
            newestPending.merge(c.group(), timestamp, Math::max);
        }
    }

    /**
     * Hands on every pending batch and clears it, then asks for a commit. Until then the batches live
     * in a logged store, so a commit between two flushes keeps them with the offsets they reflect
     * (exactly-once).
     */
    private void flushPending(long now) {
        if (catchingUp(now) && now - lastInputMs < deltaFlushInterval.toMillis()
                && now - lastFlushMs < CATCH_UP_FLUSH_INTERVALS * deltaFlushInterval.toMillis()
                && inputsSinceFlush < CATCH_UP_MAX_INPUTS) {
            // A backfill or a backlog: fold ten intervals of input per hand-on. Each flush computes the outcomes of
            // the patients with new events, hands on a batch per population/window and commits; folded over a
            // second, a patient's events, a cell's changes and the transaction's writes are each paid once.
            return;
        }
        lastFlushMs = now;
        inputsSinceFlush = 0;
        recordRulesVersionOnce();
        computeDeferred(now);
        boolean any = adjusted.handOn(context) | !pendingGroups.isEmpty();
        for (String group : pendingGroups) {
            CellDeltaBatch batch = pending.get(group);
            if (batch != null && !batch.isEmpty()) {
                Long newest = newestPending.get(group);
                context.forward(new Record<>(group, new PatientOutput.CellChanged(batch), newest != null ? newest : now));
            }
            pending.delete(group);
        }
        pendingGroups.clear();
        newestPending.clear();
        // Commit now, right after the hand-on: the batches were put and deleted within this commit,
        // so they never reach the store below or its changelog (ObjectCachingStore skips the
        // tombstone). A commit at another moment is still correct, it only writes the batches.
        if (any && !deltaFlushInterval.isZero()) context.commit();
    }

    /**
     * R2: the default data cut is the largest occurred-at among field-valid events (retractions carry
     * no clinical time). Every version counts, also a re-send that loses, so the cut depends only on
     * the set of events seen, never on their order.
     */
    private void advanceDataCut(IngestedEvent in, long timestamp) {
        if (EventFields.isRetraction(in.event())) {
            return;
        }
        long occurred = EventFields.occurredAt(in.event()).toEpochMilli();
        String partitionKey = String.valueOf(context.taskId().partition());
        Long max = localCut.get(partitionKey);
        if (max == null || occurred > max) {
            localCut.put(partitionKey, occurred);
            context.forward(new Record<>(partitionKey, new PatientOutput.DataCutAdvanced(occurred), timestamp));
        }
    }

    private void forwardDeadLetter(DeadLetter dl, long timestamp) {
        context.forward(new Record<>(null, new PatientOutput.Rejected(dl), timestamp, dl.headers()));
    }

    // ------------------------------------------------------------------ state: one entry per patient, one per event id

    /** The patient's state with its log, or null for a new patient. */
    private PatientState load(String patientId) {
        Deferred waiting = deferred.get(patientId);
        if (waiting != null && waiting.latest != null) return waiting.latest;
        PatientState cached = recent.get(patientId);
        if (cached != null) return cached;
        PatientState head = patients.get(patientId);
        if (head == null) return null;
        PatientState full = head.withLog(readLog(patientId));
        recent.put(patientId, full);
        return full;
    }

    private PatientEventLog readLog(String patientId) {
        List<byte[]> entries = new java.util.ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = events.prefixScan(patientId + EVENT_KEY_SEPARATOR,
                new org.apache.kafka.common.serialization.StringSerializer())) {
            while (it.hasNext()) entries.add(it.next().value);
        }
        return PatientEventLog.fromVersionEntries(patientId, entries);
    }

    /**
     * Writes the versions of the one event id that changed (if any) and the patient's outcome and version, the
     * latter only when they differ from {@code stored} (the state in the store; null if not known): an event
     * that only joins the log leaves them as they were, and when the patient's outcome is computed in another
     * commit (a replay in recorded order has a patient's events minutes apart) writing them again cost a
     * changelog record per event.
     */
    private void save(String patientId, PatientState state, String changedEventId, PatientState stored) {
        if (changedEventId != null) {
            events.put(patientId + EVENT_KEY_SEPARATOR + changedEventId, state.log().versionsToBytes(changedEventId));
        }
        if (!sameHead(stored, state)) patients.put(patientId, state);
        recent.put(patientId, state);
        Deferred waiting = deferred.get(patientId);
        if (waiting != null) waiting.latest = state;
    }

    /** Same outcome (exact bytes) and rules version. */
    private static boolean sameHead(PatientState a, PatientState b) {
        return a != null && a.rulesVersion() == b.rulesVersion() && Arrays.equals(a.outcomeBytes(), b.outcomeBytes());
    }

    @Override
    public void close() {
        recent.clear();
    }

    // ------------------------------------------------------------------ folded mode: one outcome computation per patient and flush

    /** An event logged while its patient's outcome waits for the flush, kept to attribute a failure to it. */
    private record PendingEvent(IngestedEvent in, long timestamp, org.apache.kafka.common.header.Headers headers, boolean countedAccepted) {}

    /** A patient waiting for its outcome: the state before its first pending event, and those events. */
    private static final class Deferred {
        /** False after a restart: the pending events are in the log but no longer known one by one. */
        final boolean known;
        final PatientState before;
        final List<PendingEvent> events = new java.util.ArrayList<>(4);
        long newest;
        /**
         * The patient's state as last saved while waiting (null after a restart: then read back): the flush and the
         * patient's next events need no cache for it, so the cache of recent patients can be small.
         */
        PatientState latest;

        private Deferred(boolean known, PatientState before, long newest) {
            this.known = known;
            this.before = before;
            this.newest = newest;
        }

        static Deferred unknownSince(Long newest) {
            return new Deferred(false, null, newest == null ? 0L : newest);
        }
    }

    private void defer(String patientId, PatientState before, PatientState logged, PendingEvent event) {
        Deferred d = deferred.get(patientId);
        if (d == null) {
            d = new Deferred(true, before, event.timestamp());
            d.latest = logged;
            deferred.put(patientId, d);
            // Once per wait, with the first event's timestamp: a wait that spans a commit then costs one changelog
            // record, not one per event (after a restart, the patient's outputs carry that timestamp). The key is new
            // below (deferred mirrors the store), so a put and delete within one commit write nothing.
            if (toComputeCache != null) {
                toComputeCache.putAbsentBelow(patientId, d.newest);
            } else {
                toCompute.get(patientId); // the same knowledge, by reading
                toCompute.put(patientId, d.newest);
            }
        }
        if (d.known) d.events.add(event);
        d.newest = Math.max(d.newest, event.timestamp());
    }

    /** Computes the outcome of every patient with pending events, once each, and forwards what changed. */
    private void computeDeferred(long now) {
        if (deferred.isEmpty()) return;
        for (Map.Entry<String, Deferred> e : deferred.entrySet()) {
            String patientId = e.getKey();
            Deferred d = e.getValue();
            PatientState current = load(patientId);
            if (current != null && current.log() != null) {
                try {
                    Update u = recomputed(patientId, current);
                    save(patientId, u.state(), null, current);
                    if (u.outcomeChanged()) publishChange(patientId, u, d.newest);
                } catch (RuntimeException ex) {
                    recoverFailedComputation(patientId, d, current, ex);
                }
            }
            toCompute.delete(patientId);
        }
        deferred.clear();
    }

    /** The patient's state with its outcome computed again from its log, and the cell changes since the stored outcome. */
    private Update recomputed(String patientId, PatientState state) {
        PatientState next = new PatientState(state.log(), rules.compute(patientId, state.log().resolved()), rules.version());
        if (sameOutcome(state, next)) return new Update(null, next, false, List.of());
        return new Update(null, next, true, PatientCellChanges.between(state.outcome(), next.outcome()), state, false);
    }

    private void publishChange(String patientId, Update u, long timestamp) {
        emit(patientId, u, timestamp);
    }

    /**
     * The outcome over all pending events failed: replay them one by one from the state before them, as
     * the per-record mode does, so only a record whose own update fails is dead-lettered (its version
     * leaves the log again). After a restart the pending events are not known one by one: the patient
     * keeps its last outcome until its next event, and the failure is logged (never retried in a loop).
     */
    private void recoverFailedComputation(String patientId, Deferred d, PatientState current, RuntimeException failure) {
        if (!d.known) {
            String message = "computing the patient's outcome over events logged before a restart failed; it keeps its last outcome"
                    + " until its next event: " + ErrorHandlers.describe(failure);
            ErrorHandlers.warn("patient-compute:" + context.taskId(), "task " + context.taskId() + ": " + message);
            metrics.recordProcessingError(FailureStage.PATIENT_COMPUTE);
            forwardDeadLetter(DeadLetter.processingError(FailureStage.PATIENT_COMPUTE, null, patientId.getBytes(StandardCharsets.UTF_8), null,
                    message, patientStore, context.taskId().partition(), -1), context.currentSystemTimeMs());
            return;
        }
        PatientState state = d.before;
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        for (PendingEvent p : d.events) {
            ids.add(EventFields.eventId(p.in().event()));
            try {
                Update u = compute(p.in(), patientId, state);
                if (u.added().result() != AddResult.DUPLICATE_IGNORED) state = u.state();
            } catch (RuntimeException e) {
                if (p.countedAccepted()) metrics.recordFailedAfterAcceptance();
                else metrics.recordRejected(ReasonCode.PROCESSING_ERROR);
                forwardDeadLetter(processingError(p.in(), p.headers(), e), p.timestamp());
            }
        }
        PatientEventLog log = state == null ? new PatientEventLog() : state.log();
        for (String id : ids) events.put(patientId + EVENT_KEY_SEPARATOR + id, log.versionsToBytes(id));
        if (state == null) {
            // A new patient whose every pending event failed: as if none had arrived.
            patients.delete(patientId);
            recent.remove(patientId);
            return;
        }
        patients.put(patientId, state);
        recent.put(patientId, state);
        if (sameOutcome(current, state)) return;
        publishChange(patientId, new Update(null, state, true, PatientCellChanges.between(outcomeOf(current), state.outcome()), current, false),
                d.newest);
    }

    // ------------------------------------------------------------------ rules-version recompute

    private void recomputeSlice(long now) {
        int n = 0;
        String last = null;
        boolean finished;
        List<KeyValue<String, PatientState>> slice = new java.util.ArrayList<>();
        // Read the slice first and write after closing the iterator: writes while iterating a
        // RocksDB range are allowed but would be visited again in an in-memory store.
        try (KeyValueIterator<String, PatientState> it = recomputeCursor == null ? patients.all()
                : patients.range(recomputeCursor + "\0", null)) {
            while (n < RECOMPUTE_SLICE && it.hasNext()) {
                KeyValue<String, PatientState> kv = it.next();
                slice.add(kv);
                last = kv.key;
                n++;
            }
            finished = !it.hasNext();
        }
        for (KeyValue<String, PatientState> kv : slice) {
            PatientState state = kv.value;
            if (state == null || (!forceRecompute && state.rulesVersion() == rules.version())) continue;
            try {
                recomputeOne(kv.key, state, now);
            } catch (RuntimeException e) {
                if (ErrorHandlers.infrastructure(e)) throw e;
                recomputeFailed(kv.key, e, now);
            }
        }
        adjusted.handOn(context);
        if (last != null) recomputeCursor = last;
        if (finished) {
            rulesDone.put(RULES_DONE_KEY, (long) rules.version());
            recomputeSchedule.cancel();
            LOG.info("task {}: rules v{} recompute done: {} patients recomputed, {} outcomes changed, in {} s", context.taskId(),
                    rules.version(), recomputed, recomputeChanged, (now - recomputeStartedMs) / 1000.0);
        } else if (now - lastProgressLogMs >= PROGRESS_LOG_EVERY.toMillis()) {
            lastProgressLogMs = now;
            LOG.info("task {}: rules v{} recompute: {} patients so far ({} changed), about {} in the task", context.taskId(),
                    rules.version(), recomputed, recomputeChanged, patients.approximateNumEntries());
        }
    }

    /**
     * A patient whose recompute failed unexpectedly keeps its stored state and rules version (its next
     * event recomputes it) and is dead-lettered (PROCESSING_ERROR, stage patient-recompute, key = the
     * pseudonym, no value); the scan goes on, so a failing patient never stops the rules upgrade.
     */
    private void recomputeFailed(String patientId, RuntimeException e, long now) {
        PatientState stored = patients.get(patientId);
        String message = "recomputing the stored patient under " + rules + " failed; it keeps its outcome"
                + (stored == null ? "" : " of rules v" + stored.rulesVersion()) + ": " + ErrorHandlers.describe(e);
        ErrorHandlers.warn("patient-recompute:" + context.taskId(), "task " + context.taskId() + ": " + message);
        metrics.recordProcessingError(FailureStage.PATIENT_RECOMPUTE);
        forwardDeadLetter(DeadLetter.processingError(FailureStage.PATIENT_RECOMPUTE, null, patientId.getBytes(StandardCharsets.UTF_8), null,
                message, patientStore, context.taskId().partition(), -1), now);
    }

    private void recomputeOne(String patientId, PatientState head, long now) {
        Update u = recomputed(patientId, head.withLog(readLog(patientId)));
        save(patientId, u.state(), null, head);
        recomputed++;
        metrics.recordRecomputed();
        if (u.outcomeChanged()) {
            recomputeChanged++;
            publishChange(patientId, u, now);
        }
    }
}
