package org.spineoutcomes.validation;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.clinical.CptCodes;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.MedicationStart;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.VertebralLevel;

/**
 * The one definition of a valid input event (docs/computation-rules.md "Validation", R4, R10), shared by the
 * producers (before sending), the stream and the batch command.
 *
 * <p>Decisions where docs/computation-rules.md leaves room:
 * <ul>
 *   <li>The timestamp rule (not before 1990-01-01T00:00Z, not after clock + 1 day) applies to
 *       occurredAt and recordedAt, and to every date (fractureOnsetDate, complication date,
 *       medication startDate) taken as the start of its UTC day: a date is valid from 1990-01-01
 *       while its midnight UTC is at most clock + 1 day. Dates like 1970-01-01 (an epoch-zero
 *       default) are the typical error this catches.</li>
 *   <li>A retraction (retracts set) is checked for its ids only: eventId, patientId, retracts
 *       (not blank) and not also corrects (R10). Timestamps, codes and scores are ignored.</li>
 *   <li>corrects / retracts, when present, must not be blank (MISSING_ID): they name an event.</li>
 *   <li>A non-finite double is reported with the field's own code (e.g. NaN painVas:
 *       INVALID_PAIN_VAS); cement volume must be finite and >= 0 (INVALID_VALUE).</li>
 *   <li>A null in a required field (only possible when a record is built in code) is MISSING_FIELD.</li>
 *   <li>Identifiers, strings and lists are held to {@link InputLimits} (INVALID_IDENTIFIER, FIELD_TOO_LONG);
 *       the items of a list over its limit are not checked one by one.</li>
 * </ul>
 * All violations of a record are reported, in schema field order (array elements by index).
 * Stateless and thread-safe; R9 duplicates need state and are checked by the stream, not here.
 */
public final class EventValidator {

    /** Earliest accepted instant (inclusive). */
    public static final Instant EARLIEST = Instant.parse("1990-01-01T00:00:00Z");
    /** How far after the processing clock a time may lie (inclusive). */
    public static final Duration FUTURE_TOLERANCE = Duration.ofDays(1);

    /** Validates one event against the processing clock; an empty list means valid. */
    public List<Violation> validate(SpecificRecord event, Instant processingClock) {
        Objects.requireNonNull(processingClock, "processingClock");
        Check check = new Check(processingClock);
        if (event instanceof ProcedureEvent p) {
            validateProcedure(p, check);
        } else if (event instanceof ImagingEvent i) {
            validateImaging(i, check);
        } else if (event instanceof FollowUpEvent f) {
            validateFollowUp(f, check);
        } else {
            check.add(ReasonCode.WRONG_EVENT_TYPE, null, "A record of type "
                    + (event == null ? "null" : event.getSchema().getFullName())
                    + " is not an input event; expected ProcedureEvent, ImagingEvent or FollowUpEvent.");
        }
        return List.copyOf(check.violations);
    }

    /** Convenience: true when {@link #validate} finds nothing. */
    public boolean isValid(SpecificRecord event, Instant processingClock) {
        return validate(event, processingClock).isEmpty();
    }

    private void validateProcedure(ProcedureEvent e, Check c) {
        boolean retraction = envelope(c, e.getEventId(), e.getPatientId(), e.getOccurredAt(), e.getRecordedAt(),
                e.getSourceSystem(), e.getCorrects(), e.getRetracts());
        if (retraction) return;
        List<String> codes = e.getCodes();
        c.texts("codes", codes);
        c.texts("diagnosisCodes", e.getDiagnosisCodes());
        if (codes == null) {
            c.add(ReasonCode.MISSING_FIELD, "codes", "codes is missing; give a (possibly empty) list of CPT codes.");
        } else if (codes.size() <= InputLimits.MAX_LIST_ITEMS && CptCodes.armOfEvent(codes.stream().filter(Objects::nonNull).toList(), e.getConservativeCare() != null).isEmpty()) {
            c.add(ReasonCode.UNKNOWN_CODE, "codes", "codes " + codes + " contain no CPT code of a treatment arm"
                    + " (vertebroplasty 22510-22512, 22520-22522; kyphoplasty 22513-22515, 22523-22525;"
                    + " open surgery 22610, 22612, 22614, 22840-22843, 63001-63091) and conservativeCare is absent.");
        }
        List<VertebralLevel> levels = e.getLevels();
        if (levels == null) {
            c.add(ReasonCode.MISSING_FIELD, "levels", "levels is missing; give a (possibly empty) list of levels T1-L5.");
        } else if (c.list("levels", levels)) {
            for (int i = 0; i < levels.size(); i++) {
                if (levels.get(i) == null) {
                    c.add(ReasonCode.INVALID_LEVEL, "levels[" + i + "]", "levels[" + i + "] is empty; a level must be one of T1-L5.");
                }
            }
        }
        c.range(FieldRange.CEMENT_VOLUME, "cementVolumeMl", e.getCementVolumeMl());
        Integer age = e.getAgeYears();
        if (age != null && (age < 0 || age > 120)) {
            c.add(ReasonCode.INVALID_AGE, "ageYears", "ageYears is " + age + "; it must be from 0 to 120.");
        }
        c.date("fractureOnsetDate", e.getFractureOnsetDate());
    }

    private void validateImaging(ImagingEvent e, Check c) {
        boolean retraction = envelope(c, e.getEventId(), e.getPatientId(), e.getOccurredAt(), e.getRecordedAt(),
                e.getSourceSystem(), e.getCorrects(), e.getRetracts());
        if (retraction) return;
        if (e.getPhase() == null) c.add(ReasonCode.MISSING_FIELD, "phase", "phase is missing; it must be PRE, POST or FOLLOW_UP.");
        if (e.getModality() == null) c.add(ReasonCode.MISSING_FIELD, "modality", "modality is missing; it must be RADIOGRAPH, CT or MRI.");
        c.text("studyUid", e.getStudyUid());
        List<LevelMeasurement> measurements = e.getMeasurements();
        if (measurements == null) {
            c.add(ReasonCode.MISSING_FIELD, "measurements", "measurements is missing; give a (possibly empty) list.");
            return;
        }
        if (!c.list("measurements", measurements)) return;
        EnumSet<VertebralLevel> seen = EnumSet.noneOf(VertebralLevel.class);
        for (int i = 0; i < measurements.size(); i++) {
            String at = "measurements[" + i + "]";
            LevelMeasurement m = measurements.get(i);
            if (m == null) {
                c.add(ReasonCode.MISSING_FIELD, at, at + " is empty; each measurement needs at least a level.");
                continue;
            }
            VertebralLevel level = m.getLevel();
            if (level == null) {
                c.add(ReasonCode.INVALID_LEVEL, at + ".level", at + ".level is missing; it must be one of T1-L5.");
            } else if (!seen.add(level)) {
                c.add(ReasonCode.LEVEL_MEASURED_TWICE, at + ".level", "Level " + level
                        + " is measured more than once in this study; each level may appear once.");
            }
            c.range(FieldRange.HEIGHT, at + ".anteriorHeightMm", m.getAnteriorHeightMm());
            c.range(FieldRange.HEIGHT, at + ".middleHeightMm", m.getMiddleHeightMm());
            c.range(FieldRange.HEIGHT, at + ".posteriorHeightMm", m.getPosteriorHeightMm());
            c.range(FieldRange.ANGLE, at + ".kyphoticAngleDeg", m.getKyphoticAngleDeg());
        }
    }

    private void validateFollowUp(FollowUpEvent e, Check c) {
        boolean retraction = envelope(c, e.getEventId(), e.getPatientId(), e.getOccurredAt(), e.getRecordedAt(),
                e.getSourceSystem(), e.getCorrects(), e.getRetracts());
        if (retraction) return;
        Integer nrs = e.getPainNrs();
        if (nrs != null && (nrs < 0 || nrs > 10)) {
            c.add(ReasonCode.INVALID_PAIN_NRS, "painNrs", "painNrs is " + nrs + "; it must be an integer from 0 to 10.");
        }
        c.range(FieldRange.PAIN_VAS, "painVas", e.getPainVas());
        c.range(FieldRange.ODI, "odi", e.getOdi());
        int items = e.getRmdqItems();
        boolean itemsValid = items == 23 || items == 24;
        Integer rmdq = e.getRmdq();
        // With an invalid item count, the score is still checked against the larger (24-item) scale.
        int maxRmdq = itemsValid ? items : 24;
        if (rmdq != null && (rmdq < 0 || rmdq > maxRmdq)) {
            c.add(ReasonCode.INVALID_RMDQ, "rmdq", "rmdq is " + rmdq + "; with " + maxRmdq
                    + " items it must be from 0 to " + maxRmdq + ".");
        }
        if (!itemsValid) {
            c.add(ReasonCode.INVALID_RMDQ, "rmdqItems", "rmdqItems is " + items + "; it must be 23 or 24.");
        }
        c.range(FieldRange.EQ5D, "eq5dIndex", e.getEq5dIndex());
        List<Complication> complications = e.getComplications();
        if (complications == null) {
            c.add(ReasonCode.MISSING_FIELD, "complications", "complications is missing; give a (possibly empty) list.");
        } else if (c.list("complications", complications)) {
            for (int i = 0; i < complications.size(); i++) {
                String at = "complications[" + i + "]";
                Complication x = complications.get(i);
                if (x == null) {
                    c.add(ReasonCode.MISSING_FIELD, at, at + " is empty; each complication needs a type.");
                    continue;
                }
                if (x.getType() == null) {
                    c.add(ReasonCode.UNKNOWN_COMPLICATION_TYPE, at + ".type", at + ".type is missing; it must be a ComplicationType symbol.");
                }
                c.date(at + ".date", x.getDate());
            }
        }
        List<MedicationStart> medications = e.getMedications();
        if (medications == null) {
            c.add(ReasonCode.MISSING_FIELD, "medications", "medications is missing; give a (possibly empty) list.");
        } else if (c.list("medications", medications)) {
            for (int i = 0; i < medications.size(); i++) {
                String at = "medications[" + i + "]";
                MedicationStart m = medications.get(i);
                if (m == null) {
                    c.add(ReasonCode.MISSING_FIELD, at, at + " is empty; each medication needs a medicationClass.");
                    continue;
                }
                if (m.getMedicationClass() == null) {
                    c.add(ReasonCode.MISSING_FIELD, at + ".medicationClass", at + ".medicationClass is missing.");
                }
                c.date(at + ".startDate", m.getStartDate());
            }
        }
    }

    /**
     * Fields common to every input event. Returns true for a retraction, whose remaining payload
     * is then not validated (R10).
     */
    private static boolean envelope(Check c, String eventId, String patientId, Instant occurredAt, Instant recordedAt,
                                    String sourceSystem, String corrects, String retracts) {
        c.id("eventId", eventId);
        c.id("patientId", patientId);
        boolean retraction = retracts != null;
        if (!retraction) {
            c.timestamp("occurredAt", occurredAt);
            c.timestamp("recordedAt", recordedAt);
            if (sourceSystem == null) c.add(ReasonCode.MISSING_FIELD, "sourceSystem", "sourceSystem is missing.");
            c.text("sourceSystem", sourceSystem);
        }
        if (corrects != null && retracts != null) {
            c.add(ReasonCode.CORRECTS_AND_RETRACTS, "corrects", "Both corrects (" + corrects + ") and retracts ("
                    + retracts + ") are set; an event may correct or retract, not both.");
        }
        if (corrects != null && corrects.isBlank()) {
            c.add(ReasonCode.MISSING_ID, "corrects", "corrects is blank; it must name the event id being corrected.");
        } else if (corrects != null) {
            c.add(InputLimits.identifierProblem("corrects", corrects));
        }
        if (retracts != null && retracts.isBlank()) {
            c.add(ReasonCode.MISSING_ID, "retracts", "retracts is blank; it must name the event id being retracted.");
        } else if (retracts != null) {
            c.add(InputLimits.identifierProblem("retracts", retracts));
        }
        return retraction;
    }

    /** Collects violations for one record. */
    private static final class Check {
        final Instant clock;
        final Instant latest;
        final List<Violation> violations = new ArrayList<>();

        Check(Instant clock) {
            this.clock = clock;
            this.latest = clock.plus(FUTURE_TOLERANCE);
        }

        void add(ReasonCode reason, String field, String message) {
            violations.add(new Violation(reason, field, message));
        }

        void id(String field, String value) {
            if (value == null || value.isBlank()) {
                add(ReasonCode.MISSING_ID, field, field + " is " + (value == null ? "missing" : "blank") + "; every event needs one.");
            } else {
                add(InputLimits.identifierProblem(field, value));
            }
        }

        /** Adds a violation found by a shared check; null means none. */
        void add(Violation v) {
            if (v != null) violations.add(v);
        }

        void text(String field, String value) {
            add(InputLimits.textProblem(field, value));
        }

        /** True when the list is within the item limit (its items are worth checking one by one). */
        boolean list(String field, List<?> list) {
            if (list == null) return true;
            Violation v = InputLimits.listProblem(field, list.size());
            add(v);
            return v == null;
        }

        void texts(String field, List<String> values) {
            if (values == null || !list(field, values)) return;
            for (int i = 0; i < values.size(); i++) text(field + "[" + i + "]", values.get(i));
        }

        void timestamp(String field, Instant value) {
            if (value == null) {
                add(ReasonCode.MISSING_FIELD, field, field + " is missing.");
            } else if (value.isBefore(EARLIEST)) {
                add(ReasonCode.INVALID_TIMESTAMP, field, field + " is " + value + ", before " + EARLIEST
                        + "; it must lie between " + EARLIEST + " and one day after the processing clock (" + latest + ").");
            } else if (value.isAfter(latest)) {
                add(ReasonCode.INVALID_TIMESTAMP, field, field + " is " + value + ", more than one day after the processing clock "
                        + clock + "; it must lie between " + EARLIEST + " and " + latest + ".");
            }
        }

        void date(String field, LocalDate value) {
            if (value == null) return;
            Instant midnight = value.atStartOfDay(ZoneOffset.UTC).toInstant();
            if (midnight.isBefore(EARLIEST)) {
                add(ReasonCode.INVALID_TIMESTAMP, field, field + " is " + value + ", before 1990-01-01; it must lie between 1990-01-01 and "
                        + latest.atOffset(ZoneOffset.UTC).toLocalDate() + ".");
            } else if (midnight.isAfter(latest)) {
                add(ReasonCode.INVALID_TIMESTAMP, field, field + " is " + value + ", more than one day after the processing clock "
                        + clock + "; it must lie between 1990-01-01 and " + latest.atOffset(ZoneOffset.UTC).toLocalDate() + ".");
            }
        }

        void range(FieldRange range, String field, Double value) {
            if (value == null || range.contains(value)) return;
            add(range.reason(), field, range.message(field, Double.isFinite(value) ? show(value) : value + ", not a finite number"));
        }
    }

    /** A double as a person writes it: 100.1, 60, -30.5 (no exponent, no trailing .0). */
    static String show(double value) {
        if (!Double.isFinite(value)) return Double.toString(value);
        return new BigDecimal(Double.toString(value)).stripTrailingZeros().toPlainString();
    }
}
