package org.spineoutcomes.producer.fhir;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.ImagingStudy;
import org.hl7.fhir.r4.model.MedicationStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.Type;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.schema.ConservativeCare;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingModality;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.MedicationStart;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.validation.ReasonCode;
import org.spineoutcomes.validation.Violation;

/**
 * Maps parsed FHIR R4 resources of one request to input events (patientId = the MRN; the publisher
 * pseudonymises it). Shape checks that only FHIR can express (codes, references, units, offsets) are
 * made here; value ranges are left to the shared EventValidator, whose field paths are translated
 * back to FHIR expressions through each event's {@link Origin}s.
 *
 * <ul>
 *   <li>Procedure -> ProcedureEvent. One observation-free assessment per resource.</li>
 *   <li>Observation pain (LOINC 72514-3) and ODI (LOINC 97909-6) of one patient with the same
 *       effective instant -> one FollowUpEvent (an assessment is chosen as a whole, R15).</li>
 *   <li>Observation vertebral-morphometry (one per level, bodySite = vertebra, components) +
 *       the ImagingStudy it is derivedFrom / partOf -> one ImagingEvent.</li>
 *   <li>MedicationStatement -> FollowUpEvent with one medication start.</li>
 *   <li>Patient: source of the MRN (identifier, type MR preferred), sex and birth date; no event.</li>
 * </ul>
 *
 * <p>Re-sends and retractions. Event ids come from resource type and id only ({@link FhirEventIds}),
 * and recordedAt is meta.lastUpdated: a resource updated in place is published again under the same
 * event id with a later recordedAt, and the latest version wins downstream (R9). Without
 * meta.lastUpdated, recordedAt is the gateway's receive time, so the latest submission wins.
 * A resource with status entered-in-error becomes a retraction of its event (R10); so does an
 * assessment all of whose Observations are entered-in-error. An entered-in-error Observation among
 * others of its assessment, or a morphometry Observation entered-in-error, is left out of the
 * re-sent event instead.
 */
public final class FhirEventMapper {
    private static final Pattern OFFSET = Pattern.compile(".*T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$");

    private final String defaultSourceSystem;

    public FhirEventMapper(String defaultSourceSystem) {
        this.defaultSourceSystem = defaultSourceSystem;
    }

    /** One resource of the request; {@code index} is its Bundle.entry index, or -1 for a lone resource. */
    public record Entry(int index, String fullUrl, Resource resource) {}

    /** Where an event field came from: an entry and a FHIRPath relative to its resource. */
    public record Origin(int entryIndex, String resourceType, String path) {}

    /** A problem found while mapping, tied to an entry. */
    public record Issue(Origin origin, Violation violation) {}

    /** An event and where its fields came from: "" is the default origin, other keys are event field prefixes. */
    public record MappedEvent(SpecificRecord event, Map<String, Origin> origins) {
        public Origin originOf(String field) {
            Origin best = origins.get("");
            int bestLength = -1;
            if (field != null) {
                for (Map.Entry<String, Origin> e : origins.entrySet()) {
                    String k = e.getKey();
                    if (!k.isEmpty() && field.startsWith(k) && k.length() > bestLength) { best = e.getValue(); bestLength = k.length(); }
                }
            }
            return best;
        }

        /** Every entry that contributed (for "accepted" reporting). */
        public List<Integer> entryIndexes() {
            return origins.values().stream().map(Origin::entryIndex).distinct().sorted().toList();
        }
    }

    public record Mapping(List<MappedEvent> events, List<Issue> issues, List<Integer> ignoredEntries) {}

    /** Thrown inside the mapping of one resource; becomes an Issue. */
    private static final class Reject extends Exception {
        final Origin origin;
        final Violation violation;
        Reject(Origin origin, ReasonCode reason, String field, String message) {
            super(message, null, false, false);
            this.origin = origin;
            this.violation = new Violation(reason, field, message);
        }
    }

    /** Patient facts resolved from a reference. */
    private record PatientFacts(String mrn, Sex sex, LocalDate birthDate) {}

    /** One pain or ODI Observation of an assessment; field and score are null when it is entered-in-error. */
    private record AssessmentPart(Entry entry, Observation observation, PatientFacts patient, Instant at, String field, BigDecimal score) {
        boolean enteredInError() { return observation.getStatus() == Observation.ObservationStatus.ENTEREDINERROR; }
    }

    /**
     * Maps the entries of one request.
     *
     * @param receivedAt when the gateway received the request: recordedAt of resources without
     *                   meta.lastUpdated, and of nothing else
     */
    public Mapping map(List<Entry> entries, Instant receivedAt) {
        List<MappedEvent> events = new ArrayList<>();
        List<Issue> issues = new ArrayList<>();
        List<Integer> ignored = new ArrayList<>();
        Map<String, Patient> patients = new HashMap<>();
        Map<String, Entry> studies = new HashMap<>();
        for (Entry e : entries) {
            if (e.resource() instanceof Patient p) for (String key : keys(e)) patients.put(key, p);
            if (e.resource() instanceof ImagingStudy) for (String key : keys(e)) studies.put(key, e);
        }
        // assessments grouped by (MRN, instant); morphometry grouped by study entry index
        Map<String, List<AssessmentPart>> assessments = new LinkedHashMap<>();
        Map<Integer, List<Object[]>> morphometry = new TreeMap<>();
        // entered-in-error studies: their retraction is the whole event, their observations are moot
        Set<Integer> retractedStudies = new HashSet<>();

        for (Entry e : entries) {
            Resource r = e.resource();
            Origin base = new Origin(e.index(), r.fhirType(), "");
            try {
                if (r instanceof Patient) {
                    ignored.add(e.index());
                } else if (r instanceof Procedure p) {
                    events.add(procedure(e, p, patients, receivedAt));
                } else if (r instanceof Observation o) {
                    observation(e, o, patients, studies, assessments, morphometry, ignored);
                } else if (r instanceof ImagingStudy s && s.getStatus() == ImagingStudy.ImagingStudyStatus.ENTEREDINERROR) {
                    retractedStudies.add(e.index());
                    events.add(retraction(e, s.getSubject(), EventType.IMAGING, eventId(e), patients, receivedAt));
                } else if (r instanceof ImagingStudy) {
                    morphometry.computeIfAbsent(e.index(), k -> new ArrayList<>());
                } else if (r instanceof MedicationStatement m) {
                    events.add(medication(e, m, patients, receivedAt));
                } else {
                    throw new Reject(base, ReasonCode.WRONG_EVENT_TYPE, null, r.fhirType()
                            + " is not accepted; send Procedure, Observation, ImagingStudy, MedicationStatement (and Patient).");
                }
            } catch (Reject x) {
                issues.add(new Issue(x.origin, x.violation));
            }
        }
        for (List<AssessmentPart> group : assessments.values()) events.add(assessment(group, receivedAt));
        Map<Integer, Entry> byIndex = new HashMap<>();
        for (Entry e : entries) byIndex.put(e.index(), e);
        for (Map.Entry<Integer, List<Object[]>> study : morphometry.entrySet()) {
            Entry e = byIndex.get(study.getKey());
            if (retractedStudies.contains(study.getKey())) {
                for (Object[] item : study.getValue()) ignored.add(((Entry) item[0]).index());
                continue;
            }
            try {
                events.add(imaging(e, (ImagingStudy) e.resource(), patients, study.getValue(), receivedAt));
            } catch (Reject x) {
                issues.add(new Issue(x.origin, x.violation));
            }
        }
        return new Mapping(events, issues, ignored);
    }

    private static List<String> keys(Entry e) {
        List<String> keys = new ArrayList<>();
        if (e.fullUrl() != null && !e.fullUrl().isBlank()) keys.add(e.fullUrl());
        if (e.resource().hasIdElement() && e.resource().getIdElement().hasIdPart()) {
            keys.add(e.resource().fhirType() + "/" + e.resource().getIdElement().getIdPart());
            keys.add(e.resource().getIdElement().getValue());
        }
        return keys;
    }

    private static String eventId(Entry e) throws Reject {
        Resource r = e.resource();
        String id = null;
        if (r.hasIdElement() && r.getIdElement().hasIdPart()) id = r.getIdElement().getIdPart();
        else if (e.fullUrl() != null && !e.fullUrl().isBlank()) id = e.fullUrl().substring(e.fullUrl().lastIndexOf(':') + 1);
        if (id == null || id.isBlank()) {
            throw new Reject(new Origin(e.index(), r.fhirType(), "id"), ReasonCode.MISSING_ID, "id",
                    r.fhirType() + " has neither an id nor a fullUrl; one is needed as the event id (idempotent retries).");
        }
        return FhirEventIds.ofResource(r.fhirType(), id.substring(id.lastIndexOf('/') + 1));
    }

    /** The id part of an Observation's event id, for joining into an assessment's id. */
    private static String observationId(Entry e) throws Reject {
        return eventId(e).substring(FhirEventIds.ofResource("Observation", "").length());
    }

    private PatientFacts patient(Entry e, Reference subject, String path, Map<String, Patient> patients) throws Reject {
        Origin origin = new Origin(e.index(), e.resource().fhirType(), path);
        if (subject == null || subject.isEmpty()) {
            throw new Reject(origin, ReasonCode.MISSING_ID, path, path + " is missing; it must reference the Patient (identifier = MRN).");
        }
        if (subject.hasReference()) {
            Patient p = patients.get(subject.getReference());
            if (p == null) {
                throw new Reject(origin, ReasonCode.MISSING_ID, path, path + ".reference " + subject.getReference()
                        + " does not resolve to a Patient in this request; include the Patient or use " + path + ".identifier.");
            }
            String mrn = mrnOf(p);
            if (mrn == null) {
                throw new Reject(origin, ReasonCode.MISSING_ID, path, "the referenced Patient has no identifier value (the MRN).");
            }
            return new PatientFacts(mrn, sex(p.getGender()), p.hasBirthDate() ? toLocalDate(p.getBirthDateElement()) : null);
        }
        if (subject.hasIdentifier() && subject.getIdentifier().hasValue() && !subject.getIdentifier().getValue().isBlank()) {
            return new PatientFacts(subject.getIdentifier().getValue(), null, null);
        }
        throw new Reject(origin, ReasonCode.MISSING_ID, path, path + " has neither a reference nor an identifier value.");
    }

    private static String mrnOf(Patient p) {
        String first = null;
        for (Identifier id : p.getIdentifier()) {
            if (!id.hasValue() || id.getValue().isBlank()) continue;
            for (Coding c : id.getType().getCoding()) if ("MR".equals(c.getCode())) return id.getValue();
            if (first == null) first = id.getValue();
        }
        return first;
    }

    private static Sex sex(Enumerations.AdministrativeGender gender) {
        if (gender == null) return null;
        return switch (gender) {
            case FEMALE -> Sex.F;
            case MALE -> Sex.M;
            case OTHER -> Sex.OTHER;
            case UNKNOWN -> Sex.UNKNOWN;
            default -> null;
        };
    }

    private static LocalDate toLocalDate(BaseDateTimeType date) {
        return LocalDate.of(date.getYear(), date.getMonth() + 1, date.getDay());
    }

    /** A dateTime that must carry a time and an offset (R1). */
    private static Instant instant(BaseDateTimeType value, Origin origin, String field) throws Reject {
        if (value == null || value.isEmpty() || value.getValueAsString() == null) {
            throw new Reject(origin, ReasonCode.MISSING_FIELD, field, origin.path() + " is missing.");
        }
        String text = value.getValueAsString();
        if (!OFFSET.matcher(text).matches()) {
            throw new Reject(origin, ReasonCode.INVALID_TIMESTAMP, field, origin.path() + " is " + text
                    + "; it must be a date-time with a UTC offset, e.g. 2024-03-05T09:30:00+01:00 (R1).");
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException ex) {
            throw new Reject(origin, ReasonCode.INVALID_TIMESTAMP, field, origin.path() + " is " + text + ", not a valid date-time.");
        }
    }

    private String source(Resource r) {
        return r.getMeta().hasSource() ? r.getMeta().getSource() : defaultSourceSystem;
    }

    /**
     * recordedAt: meta.lastUpdated, so that of the versions of a resource updated in place the latest
     * wins (R9) and a retry of one version repeats it exactly. Without meta.lastUpdated, the receive
     * time: a later submission then still wins. (Any time taken from the content, such as occurredAt,
     * would give an update the same recordedAt as the version it replaces, and by R9 such a tie voids
     * the event.)
     */
    private static Instant recordedAt(Resource r, Instant receivedAt) {
        return r.getMeta().hasLastUpdated() ? r.getMeta().getLastUpdated().toInstant() : receivedAt;
    }

    /** An entered-in-error resource: a retraction of the event its earlier versions were published as (R10). */
    private MappedEvent retraction(Entry e, Reference subject, EventType type, String targetEventId,
                                   Map<String, Patient> patients, Instant receivedAt) throws Reject {
        PatientFacts patient = patient(e, subject, "subject", patients);
        Resource r = e.resource();
        SpecificRecord event = FhirRetractions.of(type, targetEventId, patient.mrn(), recordedAt(r, receivedAt), source(r));
        return new MappedEvent(event, Map.of("", new Origin(e.index(), r.fhirType(), "")));
    }

    private static Reject unknownCode(Origin origin, String field, CodeableConcept cc, String expected) {
        StringBuilder seen = new StringBuilder();
        for (Coding c : cc.getCoding()) seen.append(seen.length() > 0 ? ", " : "").append(c.getSystem()).append('|').append(c.getCode());
        return new Reject(origin, ReasonCode.UNKNOWN_CODE, field, origin.path() + " has no known code"
                + (seen.length() > 0 ? " (got " + seen + ")" : "") + "; expected " + expected + ".");
    }

    private MappedEvent procedure(Entry e, Procedure p, Map<String, Patient> patients, Instant receivedAt) throws Reject {
        String type = "Procedure";
        Origin base = new Origin(e.index(), type, "");
        if (p.getStatus() == Procedure.ProcedureStatus.ENTEREDINERROR) {
            return retraction(e, p.getSubject(), EventType.PROCEDURE, eventId(e), patients, receivedAt);
        }
        if (p.getStatus() != Procedure.ProcedureStatus.COMPLETED) {
            throw new Reject(new Origin(e.index(), type, "status"), ReasonCode.INVALID_VALUE, "status",
                    "Procedure.status is " + (p.getStatus() == null ? "missing" : p.getStatus().toCode())
                            + "; only completed procedures are events (entered-in-error retracts one).");
        }
        String id = eventId(e);
        PatientFacts patient = patient(e, p.getSubject(), "subject", patients);
        Origin performed = new Origin(e.index(), type, "performed");
        BaseDateTimeType when = p.hasPerformedDateTimeType() ? p.getPerformedDateTimeType()
                : p.hasPerformedPeriod() ? p.getPerformedPeriod().getStartElement() : null;
        Instant occurredAt = instant(when, performed, "occurredAt");

        List<VertebralLevel> levels = new ArrayList<>();
        for (int i = 0; i < p.getBodySite().size(); i++) {
            CodeableConcept site = p.getBodySite().get(i);
            Origin o = new Origin(e.index(), type, "bodySite[" + i + "]");
            VertebralLevel level = null;
            for (Coding c : site.getCoding()) {
                if (FhirProfile.SNOMED.equals(c.getSystem())) level = FhirProfile.vertebra(c.getCode()).orElse(null);
                if (level != null) break;
            }
            if (level == null) {
                throw new Reject(o, ReasonCode.INVALID_LEVEL, "levels[" + i + "]", "Procedure.bodySite[" + i
                        + "] is not a SNOMED CT vertebra T1-L5 (e.g. T12 23215003, L1 66794005).");
            }
            if (!levels.contains(level)) levels.add(level);
        }

        List<String> codes = new ArrayList<>();
        ConservativeCare.Builder care = null;
        boolean thoracic = !levels.isEmpty() && levels.get(0).ordinal() <= VertebralLevel.T12.ordinal();
        for (Coding c : p.getCode().getCoding()) {
            if (FhirProfile.CPT.equals(c.getSystem()) && c.hasCode()) codes.add(c.getCode().trim());
            else if (FhirProfile.SNOMED.equals(c.getSystem()) && FhirProfile.SNOMED_VERTEBROPLASTY.equals(c.getCode())) codes.add(thoracic ? "22510" : "22511");
            else if (FhirProfile.SNOMED.equals(c.getSystem()) && FhirProfile.SNOMED_KYPHOPLASTY.equals(c.getCode())) codes.add(thoracic ? "22513" : "22514");
            else if (FhirProfile.CONSERVATIVE_CARE.equals(c.getSystem())) {
                if (care == null) care = ConservativeCare.newBuilder();
                switch (String.valueOf(c.getCode())) {
                    case "analgesia" -> care.setAnalgesia(true);
                    case "bracing" -> care.setBracing(true);
                    case "physiotherapy" -> care.setPhysiotherapy(true);
                    case "bed-rest" -> care.setBedRest(true);
                    default -> throw unknownCode(new Origin(e.index(), type, "code"), "conservativeCare", p.getCode(),
                            "analgesia, bracing, physiotherapy or bed-rest in " + FhirProfile.CONSERVATIVE_CARE);
                }
            }
        }
        boolean mapped = codes.stream().anyMatch(c -> org.spineoutcomes.clinical.CptCodes.armOf(c).isPresent());
        if (!mapped && care == null) {
            throw unknownCode(new Origin(e.index(), type, "code"), "codes", p.getCode(),
                    "a CPT code of vertebroplasty, kyphoplasty or open surgery (" + FhirProfile.CPT + "), SNOMED CT "
                            + FhirProfile.SNOMED_VERTEBROPLASTY + " / " + FhirProfile.SNOMED_KYPHOPLASTY + ", or a conservative-care code");
        }

        Double cement = null;
        LocalDate onset = null;
        for (Extension x : p.getExtension()) {
            if (FhirProfile.EXT_CEMENT_VOLUME.equals(x.getUrl())) {
                Origin o = new Origin(e.index(), type, "extension('" + FhirProfile.EXT_CEMENT_VOLUME + "').valueQuantity");
                if (!(x.getValue() instanceof Quantity q) || !q.hasValue()) {
                    throw new Reject(o, ReasonCode.INVALID_VALUE, "cementVolumeMl", "the cement-volume extension needs a valueQuantity in mL.");
                }
                cement = q.getValue().doubleValue();
            } else if (FhirProfile.EXT_FRACTURE_ONSET.equals(x.getUrl())) {
                if (!(x.getValue() instanceof DateType d) || !d.hasValue()) {
                    throw new Reject(new Origin(e.index(), type, "extension('" + FhirProfile.EXT_FRACTURE_ONSET + "').valueDate"),
                            ReasonCode.MISSING_FIELD, "fractureOnsetDate", "the fracture-onset-date extension needs a valueDate.");
                }
                onset = toLocalDate(d);
            }
        }
        List<String> diagnoses = new ArrayList<>();
        for (CodeableConcept reason : p.getReasonCode()) {
            for (Coding c : reason.getCoding()) if (FhirProfile.ICD10CM.equals(c.getSystem()) && c.hasCode()) diagnoses.add(c.getCode());
        }
        Integer age = null;
        if (patient.birthDate() != null) age = Period.between(patient.birthDate(), occurredAt.atOffset(ZoneOffset.UTC).toLocalDate()).getYears();

        ProcedureEvent event = ProcedureEvent.newBuilder().setEventId(id).setPatientId(patient.mrn())
                .setOccurredAt(occurredAt).setRecordedAt(recordedAt(p, receivedAt)).setSourceSystem(source(p))
                .setCodes(codes).setConservativeCare(care == null ? null : care.build()).setLevels(levels)
                .setCementVolumeMl(cement).setAgeYears(age).setSex(patient.sex()).setFractureOnsetDate(onset)
                .setDiagnosisCodes(diagnoses).build();
        Map<String, Origin> origins = new HashMap<>();
        origins.put("", base);
        origins.put("occurredAt", performed);
        origins.put("levels", new Origin(e.index(), type, "bodySite"));
        origins.put("codes", new Origin(e.index(), type, "code"));
        origins.put("cementVolumeMl", new Origin(e.index(), type, "extension('" + FhirProfile.EXT_CEMENT_VOLUME + "')"));
        origins.put("fractureOnsetDate", new Origin(e.index(), type, "extension('" + FhirProfile.EXT_FRACTURE_ONSET + "')"));
        origins.put("ageYears", new Origin(e.index(), type, "subject.resolve().birthDate"));
        origins.put("recordedAt", new Origin(e.index(), type, "meta.lastUpdated"));
        return new MappedEvent(event, origins);
    }

    private static boolean has(CodeableConcept cc, String system, String code) {
        for (Coding c : cc.getCoding()) if (system.equals(c.getSystem()) && code.equals(c.getCode())) return true;
        return false;
    }

    private static void requireFinalStatus(Entry e, Observation o) throws Reject {
        Observation.ObservationStatus s = o.getStatus();
        if (s != Observation.ObservationStatus.FINAL && s != Observation.ObservationStatus.AMENDED && s != Observation.ObservationStatus.CORRECTED) {
            throw new Reject(new Origin(e.index(), "Observation", "status"), ReasonCode.INVALID_VALUE, "status",
                    "Observation.status is " + (s == null ? "missing" : s.toCode())
                            + "; only final, amended or corrected results are events (entered-in-error retracts one).");
        }
    }

    /** Number of an Observation value: valueInteger or valueQuantity.value. */
    private static BigDecimal number(Type value, Origin origin, ReasonCode reason, String field) throws Reject {
        if (value instanceof org.hl7.fhir.r4.model.IntegerType i && i.hasValue()) return BigDecimal.valueOf(i.getValue());
        if (value instanceof Quantity q && q.hasValue()) return q.getValue();
        throw new Reject(origin, value == null ? ReasonCode.MISSING_FIELD : reason, field, origin.path()
                + (value == null ? " is missing" : " is a " + value.fhirType()) + "; expected valueInteger or valueQuantity.");
    }

    private void observation(Entry e, Observation o, Map<String, Patient> patients, Map<String, Entry> studies,
                             Map<String, List<AssessmentPart>> assessments, Map<Integer, List<Object[]>> morphometry,
                             List<Integer> ignored) throws Reject {
        String type = "Observation";
        CodeableConcept code = o.getCode();
        boolean pain = has(code, FhirProfile.LOINC, FhirProfile.LOINC_PAIN_NRS);
        boolean odi = has(code, FhirProfile.LOINC, FhirProfile.LOINC_ODI);
        boolean morpho = has(code, FhirProfile.SPINE_MEASURE, FhirProfile.MORPHOMETRY);
        if (!pain && !odi && !morpho) {
            throw unknownCode(new Origin(e.index(), type, "code"), null, code, "LOINC " + FhirProfile.LOINC_PAIN_NRS
                    + " (pain NRS), LOINC " + FhirProfile.LOINC_ODI + " (ODI) or " + FhirProfile.SPINE_MEASURE + "|" + FhirProfile.MORPHOMETRY);
        }
        boolean enteredInError = o.getStatus() == Observation.ObservationStatus.ENTEREDINERROR;
        if (!enteredInError) requireFinalStatus(e, o);
        eventId(e);
        if (morpho) {
            Entry study = null;
            List<Reference> refs = new ArrayList<>(o.getDerivedFrom());
            refs.addAll(o.getPartOf());
            for (Reference r : refs) if (r.hasReference() && studies.containsKey(r.getReference())) study = studies.get(r.getReference());
            if (study == null) {
                throw new Reject(new Origin(e.index(), type, "derivedFrom"), ReasonCode.MISSING_FIELD, null,
                        "a vertebral-morphometry Observation must reference its ImagingStudy (derivedFrom or partOf) in the same request.");
            }
            // a measurement entered in error is left out of its study's event, which the study's re-send replaces
            if (enteredInError) ignored.add(e.index());
            else morphometry.computeIfAbsent(study.index(), k -> new ArrayList<>()).add(new Object[]{e, o});
            return;
        }
        PatientFacts patient = patient(e, o.getSubject(), "subject", patients);
        Origin effective = new Origin(e.index(), type, "effective");
        if (!o.hasEffectiveDateTimeType()) {
            throw new Reject(effective, ReasonCode.MISSING_FIELD, "occurredAt", "Observation.effectiveDateTime is missing.");
        }
        Instant at = instant(o.getEffectiveDateTimeType(), effective, "occurredAt");
        String group = patient.mrn() + "|" + at;
        if (enteredInError) {
            // grouped like its valid siblings, so that it names the same assessment (see assessment())
            assessments.computeIfAbsent(group, k -> new ArrayList<>()).add(new AssessmentPart(e, o, patient, at, null, null));
            return;
        }
        Origin valueOrigin = new Origin(e.index(), type, "value");
        BigDecimal value = number(o.getValue(), valueOrigin, pain ? ReasonCode.INVALID_PAIN_NRS : ReasonCode.INVALID_ODI, pain ? "painNrs" : "odi");
        if (pain && value.stripTrailingZeros().scale() > 0) {
            throw new Reject(valueOrigin, ReasonCode.INVALID_PAIN_NRS, "painNrs", "Observation.value is " + value.toPlainString()
                    + "; pain NRS must be an integer 0-10.");
        }
        if (pain && value.abs().compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
            throw new Reject(valueOrigin, ReasonCode.INVALID_PAIN_NRS, "painNrs", "Observation.value is " + value.toPlainString()
                    + "; pain NRS must be an integer 0-10.");
        }
        assessments.computeIfAbsent(group, k -> new ArrayList<>())
                .add(new AssessmentPart(e, o, patient, at, pain ? "painNrs" : "odi", value));
    }

    /**
     * One assessment: the pain and ODI Observations of one patient and instant. Its event id joins
     * the ids of all of them, entered-in-error ones included, so that a re-send with one score
     * entered in error replaces the event without that score; when all are entered in error, the
     * assessment is retracted. recordedAt is the latest of theirs: the update of any one makes the
     * whole assessment a newer version (R9).
     */
    private MappedEvent assessment(List<AssessmentPart> group, Instant receivedAt) {
        AssessmentPart first = group.get(0);
        List<String> ids = new ArrayList<>();
        Instant recordedAt = null;
        for (AssessmentPart part : group) {
            try { ids.add(observationId(part.entry())); } catch (Reject impossible) { throw new IllegalStateException(impossible); }
            Instant partRecordedAt = recordedAt(part.observation(), receivedAt);
            if (recordedAt == null || partRecordedAt.isAfter(recordedAt)) recordedAt = partRecordedAt;
        }
        String id = FhirEventIds.ofAssessment(ids);
        Map<String, Origin> origins = new HashMap<>();
        origins.put("", new Origin(first.entry().index(), "Observation", ""));
        if (group.stream().allMatch(AssessmentPart::enteredInError)) {
            SpecificRecord retraction = FhirRetractions.of(EventType.FOLLOWUP, id, first.patient().mrn(), recordedAt, source(first.observation()));
            return new MappedEvent(retraction, origins);
        }
        origins.put("occurredAt", new Origin(first.entry().index(), "Observation", "effective"));
        FollowUpEvent.Builder b = FollowUpEvent.newBuilder().setEventId(id).setPatientId(first.patient().mrn()).setOccurredAt(first.at())
                .setRecordedAt(recordedAt).setSourceSystem(source(first.observation()));
        for (AssessmentPart part : group) {
            if (part.enteredInError()) continue;
            if (part.field().equals("painNrs")) b.setPainNrs(part.score().intValue()); else b.setOdi(part.score().doubleValue());
            origins.put(part.field(), new Origin(part.entry().index(), "Observation", "value"));
        }
        return new MappedEvent(b.build(), origins);
    }

    private MappedEvent imaging(Entry e, ImagingStudy s, Map<String, Patient> patients, List<Object[]> observations,
                                Instant receivedAt) throws Reject {
        String type = "ImagingStudy";
        if (s.getStatus() == ImagingStudy.ImagingStudyStatus.CANCELLED) {
            throw new Reject(new Origin(e.index(), type, "status"), ReasonCode.INVALID_VALUE, "status",
                    "ImagingStudy.status is " + s.getStatus().toCode() + "; such a study is not an event.");
        }
        String id = eventId(e);
        PatientFacts patient = patient(e, s.getSubject(), "subject", patients);
        Origin started = new Origin(e.index(), type, "started");
        Instant at = instant(s.getStartedElement(), started, "occurredAt");

        ImagingModality modality = null;
        List<Coding> modalities = new ArrayList<>(s.getModality());
        for (ImagingStudy.ImagingStudySeriesComponent series : s.getSeries()) if (series.hasModality()) modalities.add(series.getModality());
        for (Coding c : modalities) { modality = FhirProfile.modality(c.getCode()).orElse(null); if (modality != null) break; }
        if (modality == null) {
            throw new Reject(new Origin(e.index(), type, "modality"), modalities.isEmpty() ? ReasonCode.MISSING_FIELD : ReasonCode.UNKNOWN_CODE,
                    "modality", "ImagingStudy.modality must be a DICOM modality CR, DX, CT or MR (" + FhirProfile.DICOM + ").");
        }
        Extension phaseExt = s.getExtensionByUrl(FhirProfile.EXT_IMAGING_PHASE);
        Origin phaseOrigin = new Origin(e.index(), type, "extension('" + FhirProfile.EXT_IMAGING_PHASE + "')");
        if (phaseExt == null || phaseExt.getValue() == null || phaseExt.getValue().primitiveValue() == null) {
            throw new Reject(phaseOrigin, ReasonCode.MISSING_FIELD, "phase", "ImagingStudy needs the imaging-phase extension (valueCode PRE, POST or FOLLOW_UP).");
        }
        ImagingPhase phase;
        try {
            phase = ImagingPhase.valueOf(phaseExt.getValue().primitiveValue());
        } catch (IllegalArgumentException x) {
            throw new Reject(phaseOrigin, ReasonCode.INVALID_VALUE, "phase", "imaging-phase is " + phaseExt.getValue().primitiveValue()
                    + "; expected PRE, POST or FOLLOW_UP.");
        }
        String uid = null;
        for (Identifier i : s.getIdentifier()) {
            if ("urn:dicom:uid".equals(i.getSystem()) && i.hasValue()) uid = i.getValue().startsWith("urn:oid:") ? i.getValue().substring(8) : i.getValue();
        }
        Map<String, Origin> origins = new HashMap<>();
        origins.put("", new Origin(e.index(), type, ""));
        origins.put("occurredAt", started);
        origins.put("recordedAt", new Origin(e.index(), type, "meta.lastUpdated"));
        List<LevelMeasurement> measurements = new ArrayList<>();
        for (Object[] item : observations) {
            Entry oe = (Entry) item[0];
            Observation o = (Observation) item[1];
            int m = measurements.size();
            Origin site = new Origin(oe.index(), "Observation", "bodySite");
            VertebralLevel level = null;
            for (Coding c : o.getBodySite().getCoding()) {
                if (FhirProfile.SNOMED.equals(c.getSystem())) level = FhirProfile.vertebra(c.getCode()).orElse(null);
            }
            if (level == null) {
                throw new Reject(site, ReasonCode.INVALID_LEVEL, "measurements[" + m + "].level",
                        "Observation.bodySite must be a SNOMED CT vertebra T1-L5 (e.g. L1 66794005).");
            }
            LevelMeasurement.Builder lm = LevelMeasurement.newBuilder().setLevel(level);
            for (int c = 0; c < o.getComponent().size(); c++) {
                Observation.ObservationComponentComponent comp = o.getComponent().get(c);
                Origin co = new Origin(oe.index(), "Observation", "component[" + c + "]");
                String componentCode = null;
                for (Coding cd : comp.getCode().getCoding()) if (FhirProfile.SPINE_MEASURE.equals(cd.getSystem())) componentCode = cd.getCode();
                String field = "measurements[" + m + "]";
                if (FhirProfile.FRACTURED.equals(componentCode)) {
                    if (!comp.hasValueBooleanType()) throw new Reject(co, ReasonCode.INVALID_VALUE, field + ".fractured", "the fractured component needs a valueBoolean.");
                    lm.setFractured(comp.getValueBooleanType().booleanValue());
                    continue;
                }
                String wantUnit;
                ReasonCode reason;
                if (FhirProfile.KYPHOTIC_ANGLE.equals(componentCode)) { wantUnit = "deg"; reason = ReasonCode.INVALID_ANGLE; field += ".kyphoticAngleDeg"; }
                else if (FhirProfile.ANTERIOR_HEIGHT.equals(componentCode)) { wantUnit = "mm"; reason = ReasonCode.INVALID_HEIGHT; field += ".anteriorHeightMm"; }
                else if (FhirProfile.MIDDLE_HEIGHT.equals(componentCode)) { wantUnit = "mm"; reason = ReasonCode.INVALID_HEIGHT; field += ".middleHeightMm"; }
                else if (FhirProfile.POSTERIOR_HEIGHT.equals(componentCode)) { wantUnit = "mm"; reason = ReasonCode.INVALID_HEIGHT; field += ".posteriorHeightMm"; }
                else throw unknownCode(new Origin(oe.index(), "Observation", "component[" + c + "].code"), field, comp.getCode(),
                            "anterior-height, middle-height, posterior-height, kyphotic-angle or fractured in " + FhirProfile.SPINE_MEASURE);
                Origin valueOrigin = new Origin(oe.index(), "Observation", "component[" + c + "].value");
                if (!(comp.getValue() instanceof Quantity q) || !q.hasValue()) {
                    throw new Reject(valueOrigin, ReasonCode.MISSING_FIELD, field, "component " + componentCode + " needs a valueQuantity in " + wantUnit + ".");
                }
                if (!wantUnit.equals(q.getCode()) && !wantUnit.equals(q.getUnit())) {
                    throw new Reject(valueOrigin, reason, field, "component " + componentCode + " is in " + q.getCode()
                            + "; it must be in UCUM " + wantUnit + ".");
                }
                double v = q.getValue().doubleValue();
                switch (componentCode) {
                    case FhirProfile.KYPHOTIC_ANGLE -> lm.setKyphoticAngleDeg(v);
                    case FhirProfile.ANTERIOR_HEIGHT -> lm.setAnteriorHeightMm(v);
                    case FhirProfile.MIDDLE_HEIGHT -> lm.setMiddleHeightMm(v);
                    default -> lm.setPosteriorHeightMm(v);
                }
                origins.put(field, valueOrigin);
            }
            origins.put("measurements[" + m + "]", new Origin(oe.index(), "Observation", ""));
            origins.put("measurements[" + m + "].level", site);
            measurements.add(lm.build());
        }
        ImagingEvent event = ImagingEvent.newBuilder().setEventId(id).setPatientId(patient.mrn()).setOccurredAt(at)
                .setRecordedAt(recordedAt(s, receivedAt)).setSourceSystem(source(s)).setPhase(phase).setModality(modality)
                .setStudyUid(uid).setMeasurements(measurements).build();
        return new MappedEvent(event, origins);
    }

    private MappedEvent medication(Entry e, MedicationStatement m, Map<String, Patient> patients, Instant receivedAt) throws Reject {
        String type = "MedicationStatement";
        MedicationStatement.MedicationStatementStatus status = m.getStatus();
        if (status == MedicationStatement.MedicationStatementStatus.ENTEREDINERROR) {
            return retraction(e, m.getSubject(), EventType.FOLLOWUP, eventId(e), patients, receivedAt);
        }
        if (status != MedicationStatement.MedicationStatementStatus.ACTIVE && status != MedicationStatement.MedicationStatementStatus.COMPLETED) {
            throw new Reject(new Origin(e.index(), type, "status"), ReasonCode.INVALID_VALUE, "status", "MedicationStatement.status is "
                    + (status == null ? "missing" : status.toCode()) + "; only active or completed statements report a start.");
        }
        String id = eventId(e);
        PatientFacts patient = patient(e, m.getSubject(), "subject", patients);
        Origin medOrigin = new Origin(e.index(), type, "medication");
        if (!m.hasMedicationCodeableConcept()) {
            throw new Reject(medOrigin, ReasonCode.MISSING_FIELD, "medications", "MedicationStatement.medicationCodeableConcept (ATC) is missing.");
        }
        MedicationClass cls = null;
        for (Coding c : m.getMedicationCodeableConcept().getCoding()) {
            if (FhirProfile.ATC.equals(c.getSystem())) cls = FhirProfile.medication(c.getCode()).orElse(null);
            if (cls != null) break;
        }
        if (cls == null) throw unknownCode(medOrigin, "medications", m.getMedicationCodeableConcept(), "an ATC code of osteoporosis medication (" + FhirProfile.ATC + ", e.g. M05BA04)");
        LocalDate start = null;
        if (m.hasEffectivePeriod() && m.getEffectivePeriod().hasStart()) start = toLocalDate(m.getEffectivePeriod().getStartElement());
        else if (m.hasEffectiveDateTimeType()) start = toLocalDate(m.getEffectiveDateTimeType());
        Origin asserted = new Origin(e.index(), type, "dateAsserted");
        Instant at = instant(m.getDateAssertedElement(), asserted, "occurredAt");
        FollowUpEvent event = FollowUpEvent.newBuilder().setEventId(id).setPatientId(patient.mrn()).setOccurredAt(at)
                .setRecordedAt(recordedAt(m, receivedAt)).setSourceSystem(source(m))
                .setMedications(List.of(MedicationStart.newBuilder().setMedicationClass(cls).setStartDate(start).build())).build();
        Map<String, Origin> origins = new HashMap<>();
        origins.put("", new Origin(e.index(), type, ""));
        origins.put("occurredAt", asserted);
        origins.put("medications", new Origin(e.index(), type, "effective"));
        return new MappedEvent(event, origins);
    }

}
