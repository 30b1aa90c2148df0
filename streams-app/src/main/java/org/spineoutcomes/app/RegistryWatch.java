package org.spineoutcomes.app;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.ingest.RegistryGate;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.serde.SchemaNotFoundException;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryException;
import org.spineoutcomes.serde.SubjectNotFoundException;
import org.spineoutcomes.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the schema registry on a thread of its own, so that the stream threads rarely need to:
 * <ul>
 *   <li><b>Schemas first.</b> {@link #prepare()} resolves the ids of every schema the app writes (its
 *       outputs, registered as their serializers would, and the input schemas the patient step
 *       re-encodes) and the latest version of each input subject at start; the client caches them, so
 *       no output waits for the registry later (a later input version is fetched when a record needs it). The app calls it before Kafka Streams starts: when the registry
 *       cannot be asked, the {@link RegistryGate} closes and processing pauses as soon as Kafka Streams runs.</li>
 *   <li><b>Probes</b> (the subject list; the schemas until they were resolved once). Every {@link #PROBE_EVERY} while the registry answers; while it does not, or while
 *       the gate is closed, with back-off from {@link #FIRST_RETRY} doubling to {@link #MAX_RETRY} (and
 *       longer steps when the registry keeps failing right after answering). A probe that succeeds
 *       reopens a closed gate: processing resumes where it stopped.</li>
 * </ul>
 * {@link #problem()} tells the readiness check what is wrong, if anything.
 */
public final class RegistryWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryWatch.class);

    static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofSeconds(10);

    private final SchemaRegistryClient registry;
    private final RegistryGate gate;
    private final ScheduledExecutorService executor;
    private final AtomicInteger failedProbes = new AtomicInteger();
    private volatile String problem;
    private volatile String refusal;
    /** Once the schemas were resolved, probes only ask for the subject list. */
    private volatile boolean resolved;
    private java.util.concurrent.ScheduledFuture<?> next;

    public RegistryWatch(SchemaRegistryClient registry, RegistryGate gate) {
        this.registry = registry;
        this.gate = gate;
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "spine-registry-watch");
            t.setDaemon(true);
            return t;
        });
        gate.addListener(new RegistryGate.Listener() {
            @Override
            public void paused() {
                // a stream thread found the registry down: probe soon instead of at the next regular probe
                schedule(FIRST_RETRY);
            }

            @Override
            public void resumed() {
            }
        });
    }

    /**
     * Resolves the ids of the schemas the app writes and the latest input versions (cached by the client).
     * False when the registry cannot be asked: the gate is closed then, and the probes open it again.
     */
    public boolean prepare() {
        try {
            resolveSchemas();
            return true;
        } catch (SchemaRegistryException e) {
            if (!RegistryGate.unavailable(e)) throw e;
            problem = describe(e);
            gate.reportUnavailable("resolving the schemas of the topics at start", e);
            return false;
        }
    }

    /** Starts the probes. */
    public void start() {
        schedule(Duration.ZERO);
    }

    private void resolveSchemas() {
        resolveOutputsAndInputs();
        resolved = true;
    }

    private void resolveOutputsAndInputs() {
        for (var output : java.util.List.of(Topics.PATIENT_OUTCOMES, Topics.ARM_AGGREGATES, Topics.ARM_COMPARISONS)) {
            registry.register(output.valueSubject().orElseThrow(), schemaOf(output.name()));
        }
        for (EventType type : EventType.values()) {
            String subject = type.topic().valueSubject().orElseThrow();
            try {
                registry.getId(subject, type.schema());
                registry.getLatestVersion(subject);
            } catch (SubjectNotFoundException | SchemaNotFoundException notYet) {
                // no producer has registered it yet: looked up when the first record needs it
            }
        }
    }

    private static Schema schemaOf(String topic) {
        if (topic.equals(Topics.PATIENT_OUTCOMES.name())) return PatientOutcome.getClassSchema();
        if (topic.equals(Topics.ARM_AGGREGATES.name())) return ArmAggregate.getClassSchema();
        return ArmComparison.getClassSchema();
    }

    /** Sets when the next probe runs (one chain of probes: a pending one is replaced). */
    private synchronized void schedule(Duration delay) {
        if (executor.isShutdown()) return;
        if (next != null) next.cancel(false);
        next = executor.schedule(this::probe, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One probe, then the next one scheduled. Only the executor's thread runs it. */
    private void probe() {
        boolean answered;
        try {
            if (!resolved) resolveSchemas();
            registry.getAllSubjects();
            answered = true;
            problem = null;
            if (refusal != null) {
                refusal = null;
                LOG.info("schema registry accepts the app's schemas again");
            }
        } catch (SchemaRegistryException e) {
            answered = !RegistryGate.unavailable(e);
            problem = describe(e);
            if (answered && !describe(e).equals(refusal)) {
                // it answers, but refuses (credentials, an incompatible output schema): a setting to fix
                refusal = describe(e);
                LOG.warn("schema registry {} refuses a request of the app: {}; check spine.schema.registry.* and the subjects' "
                        + "compatibility", registry, refusal);
            }
        } catch (RuntimeException e) {
            answered = false;
            problem = describe(e);
        }
        if (answered && problem == null) {
            failedProbes.set(0);
            gate.reportAnswered();
        } else {
            failedProbes.incrementAndGet();
        }
        scheduleNext();
    }

    private void scheduleNext() {
        int failures = failedProbes.get();
        if (failures == 0 && !gate.closed()) {
            schedule(PROBE_EVERY);
            return;
        }
        int steps = Math.min(20, Math.max(0, failures - 1) + gate.failedRecoveries());
        schedule(Duration.ofMillis(Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << steps)));
    }

    /** What is wrong with the registry as the last probe saw it; empty when it answered. */
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
