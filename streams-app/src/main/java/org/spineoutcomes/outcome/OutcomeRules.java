package org.spineoutcomes.outcome;

import org.spineoutcomes.schema.PatientOutcome;

/**
 * The per-patient outcome computation together with the version of the rules it implements. The
 * version is stored with every patient's state; when the app starts with a newer version it
 * recomputes every stored patient (see {@code PatientProcessor}), so a changed rule reaches patients
 * that receive no new event.
 */
public interface OutcomeRules {

    /**
     * Version of the computation rules (docs/computation-rules.md). Bump it whenever a change can alter
     * any patient outcome. 1: the first release; 2: R35 exact decimals and R9 deterministic re-sends;
     * 3: the time to first new vertebral fracture (R37, newFractureTime and newFractureEvent).
     */
    int CURRENT_VERSION = 3;

    /** The rules this release implements. */
    OutcomeRules CURRENT = of(CURRENT_VERSION, OutcomeEngine::compute);

    int version();

    PatientOutcome compute(String patientId, ResolvedEvents events);

    /** Rules from a version number and a computation (tests use it to stand for an older release). */
    static OutcomeRules of(int version, java.util.function.BiFunction<String, ResolvedEvents, PatientOutcome> compute) {
        return new OutcomeRules() {
            @Override public int version() { return version; }
            @Override public PatientOutcome compute(String patientId, ResolvedEvents events) { return compute.apply(patientId, events); }
            @Override public String toString() { return "rules v" + version; }
        };
    }
}
