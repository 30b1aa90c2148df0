package org.spineoutcomes.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.ConservativeCare;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ImagingModality;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.LeakageSite;
import org.spineoutcomes.schema.LevelMeasurement;
import org.spineoutcomes.schema.MedicationClass;
import org.spineoutcomes.schema.MedicationStart;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.schema.Sex;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/**
 * The input events of every module's tests (published in the schemas test-jar). Three families,
 * kept apart because tests assert values that depend on each family's defaults:
 * <ul>
 *   <li>small builders relative to an index treatment on 2024-03-01 at 10:00 UTC (day 0), recorded
 *       one minute after they occurred, from source system "test", for {@link #DEFAULT_PATIENT}
 *       unless a patient is given;</li>
 *   <li>complete, fully populated events valid at {@link #VALIDATION_CLOCK}, that validation tests
 *       change one field at a time, and realistic pseudonymised samples for serde tests;</li>
 *   <li>one event per input topic for a fresh random pseudonym, so tests sharing a broker never
 *       read each other's records.</li>
 * </ul>
 */
public final class EventFixtures {
    private EventFixtures() {}

    // ------------------------------------------------------------------ builders relative to the index

    public static final String DEFAULT_PATIENT = "p-0001";
    public static final Instant INDEX = Instant.parse("2024-03-01T10:00:00Z");
    public static final LocalDate INDEX_DATE = LocalDate.parse("2024-03-01");
    private static final String TEST_SOURCE = "test";

    /** Day number {@code day} at 10:00 UTC, the index time of day (R1). */
    public static Instant day(int day) {
        return INDEX.plus(Duration.ofDays(day));
    }

    /** A procedure at L1 of a 78-year-old woman whose fracture began 20 days before the index. */
    public static ProcedureEvent.Builder procedure(String patient, String id, Instant at, String... codes) {
        return ProcedureEvent.newBuilder()
                .setEventId(id).setPatientId(patient).setOccurredAt(at).setRecordedAt(at.plusSeconds(60))
                .setSourceSystem(TEST_SOURCE).setCodes(List.of(codes)).setLevels(List.of(VertebralLevel.L1))
                .setAgeYears(78).setSex(Sex.F).setFractureOnsetDate(INDEX_DATE.minusDays(20));
    }

    public static ProcedureEvent.Builder procedure(String id, Instant at, String... codes) {
        return procedure(DEFAULT_PATIENT, id, at, codes);
    }

    /** Vertebroplasty, CPT 22511 (R4). */
    public static ProcedureEvent vertebroplasty(String patient, String id, Instant at) {
        return procedure(patient, id, at, "22511").build();
    }

    public static ProcedureEvent vertebroplasty(String id, Instant at) {
        return vertebroplasty(DEFAULT_PATIENT, id, at);
    }

    /** Kyphoplasty, CPT 22514 (R4). */
    public static ProcedureEvent kyphoplasty(String patient, String id, Instant at) {
        return procedure(patient, id, at, "22514").build();
    }

    /** A conservative-care start (analgesia) without CPT codes, still at L1 (R4). */
    public static ProcedureEvent.Builder conservative(String id, Instant at) {
        return procedure(DEFAULT_PATIENT, id, at).setConservativeCare(ConservativeCare.newBuilder().setAnalgesia(true).build());
    }

    /** A conservative-care start with analgesia and bracing, no CPT codes and no levels (R4). */
    public static ProcedureEvent bracedConservativeStart(String patient, String id, Instant at) {
        return procedure(patient, id, at).setLevels(List.of())
                .setConservativeCare(ConservativeCare.newBuilder().setAnalgesia(true).setBracing(true).build()).build();
    }

    public static ProcedureEvent retractProcedure(String patient, String id, String target, Instant recordedAt) {
        return procedure(patient, id, recordedAt).setRetracts(target).setRecordedAt(recordedAt).build();
    }

    public static FollowUpEvent.Builder followUp(String patient, String id, Instant at) {
        return FollowUpEvent.newBuilder().setEventId(id).setPatientId(patient).setOccurredAt(at)
                .setRecordedAt(at.plusSeconds(60)).setSourceSystem(TEST_SOURCE);
    }

    public static FollowUpEvent.Builder followUp(String id, Instant at) {
        return followUp(DEFAULT_PATIENT, id, at);
    }

    public static FollowUpEvent nrs(String patient, String id, Instant at, int nrs) {
        return followUp(patient, id, at).setPainNrs(nrs).build();
    }

    public static FollowUpEvent nrs(String id, Instant at, int nrs) {
        return nrs(DEFAULT_PATIENT, id, at, nrs);
    }

    public static FollowUpEvent vas(String id, Instant at, double vas) {
        return followUp(id, at).setPainVas(vas).build();
    }

    /** A correction of follow-up {@code target}: a whole new payload with pain NRS {@code nrs}. */
    public static FollowUpEvent correctNrs(String patient, String id, String target, Instant at, int nrs, Instant recordedAt) {
        return followUp(patient, id, at).setPainNrs(nrs).setCorrects(target).setRecordedAt(recordedAt).build();
    }

    public static Complication complication(ComplicationType type, VertebralLevel level, LocalDate date) {
        return Complication.newBuilder().setType(type).setLevel(level).setDate(date).build();
    }

    public static MedicationStart medication(MedicationClass c, LocalDate start) {
        return MedicationStart.newBuilder().setMedicationClass(c).setStartDate(start).build();
    }

    /** A radiograph study. */
    public static ImagingEvent.Builder study(String id, Instant at, ImagingPhase phase, LevelMeasurement... measurements) {
        return ImagingEvent.newBuilder().setEventId(id).setPatientId(DEFAULT_PATIENT).setOccurredAt(at)
                .setRecordedAt(at.plusSeconds(60)).setSourceSystem(TEST_SOURCE).setPhase(phase)
                .setModality(ImagingModality.RADIOGRAPH).setMeasurements(new ArrayList<>(List.of(measurements)));
    }

    /** A level with all three heights equal to {@code heightMm} and no angle. */
    public static LevelMeasurement level(VertebralLevel level, double heightMm) {
        return level(level, heightMm, heightMm, heightMm, null, false);
    }

    public static LevelMeasurement level(VertebralLevel level, Double anteriorMm, Double middleMm, Double posteriorMm,
                                         Double angleDeg, boolean fractured) {
        return LevelMeasurement.newBuilder().setLevel(level).setAnteriorHeightMm(anteriorMm).setMiddleHeightMm(middleMm)
                .setPosteriorHeightMm(posteriorMm).setKyphoticAngleDeg(angleDeg).setFractured(fractured).build();
    }

    // ------------------------------------------------------------------ complete events

    /** The processing clock the complete events are valid against. */
    public static final Instant VALIDATION_CLOCK = Instant.parse("2024-06-01T12:00:00Z");

    /** Every optional field set; lists are mutable so a test can break one element. */
    public static ProcedureEvent completeVertebroplasty() {
        return ProcedureEvent.newBuilder()
                .setEventId("proc-1").setPatientId("MRN-000123")
                .setOccurredAt(Instant.parse("2024-03-04T09:15:00Z")).setRecordedAt(Instant.parse("2024-03-04T11:00:00Z"))
                .setSourceSystem("hospital-a/epic")
                .setCodes(new ArrayList<>(List.of("22510", "77012")))
                .setLevels(new ArrayList<>(List.of(VertebralLevel.L1)))
                .setCementVolumeMl(4.5).setAgeYears(78).setSex(Sex.F)
                .setFractureOnsetDate(LocalDate.parse("2024-02-10"))
                .setDiagnosisCodes(new ArrayList<>(List.of("M80.08XA")))
                .build();
    }

    public static ProcedureEvent completeConservativeStart() {
        return ProcedureEvent.newBuilder()
                .setEventId("proc-2").setPatientId("MRN-000124")
                .setOccurredAt(Instant.parse("2024-03-04T09:15:00Z")).setRecordedAt(Instant.parse("2024-03-04T11:00:00Z"))
                .setSourceSystem("hospital-a/epic")
                .setConservativeCare(ConservativeCare.newBuilder().setAnalgesia(true).setBracing(true).build())
                .setLevels(new ArrayList<>(List.of(VertebralLevel.T12, VertebralLevel.L1)))
                .setAgeYears(83).setSex(Sex.M)
                .build();
    }

    public static ImagingEvent completePreImaging() {
        return ImagingEvent.newBuilder()
                .setEventId("img-1").setPatientId("MRN-000123")
                .setOccurredAt(Instant.parse("2024-03-01T08:00:00Z")).setRecordedAt(Instant.parse("2024-03-01T09:00:00Z"))
                .setSourceSystem("hospital-a/pacs")
                .setPhase(ImagingPhase.PRE).setModality(ImagingModality.CT)
                .setStudyUid("1.2.826.0.1.3680043.8.498.1")
                .setMeasurements(new ArrayList<>(List.of(
                        level(VertebralLevel.T12, 24.1, 23.5, 25.0, 4.0, false),
                        level(VertebralLevel.L1, 15.2, 17.9, 25.6, 17.5, true),
                        level(VertebralLevel.L2, 26.0, 25.2, 26.8, 3.0, false))))
                .build();
    }

    public static FollowUpEvent completeFollowUp() {
        return FollowUpEvent.newBuilder()
                .setEventId("fu-1").setPatientId("MRN-000123")
                .setOccurredAt(Instant.parse("2024-04-03T10:00:00Z")).setRecordedAt(Instant.parse("2024-04-03T10:05:00Z"))
                .setSourceSystem("hospital-a/prom-portal")
                .setPainNrs(3).setPainVas(31.5).setOdi(38.0).setRmdq(11).setRmdqItems(24).setEq5dIndex(0.59)
                .setComplications(new ArrayList<>(List.of(Complication.newBuilder()
                        .setType(ComplicationType.CEMENT_LEAKAGE).setLevel(VertebralLevel.L1).setSite(LeakageSite.DISC)
                        .setSymptomatic(false).setDate(LocalDate.parse("2024-03-04")).build())))
                .setMedications(new ArrayList<>(List.of(
                        MedicationStart.newBuilder().setMedicationClass(MedicationClass.BISPHOSPHONATE)
                                .setStartDate(LocalDate.parse("2024-03-20")).build(),
                        MedicationStart.newBuilder().setMedicationClass(MedicationClass.VITAMIN_D).build())))
                .build();
    }

    /** The pseudonym of the sample events: 64 hex characters, as the producers write it. */
    public static final String SAMPLE_PSEUDONYM = "3f1c9a7e0b5d4c2a8e6f1b3d5a7c9e0f2b4d6f8a1c3e5a7b9d0f2e4c6a8b0d1e";

    /** A kyphoplasty at L1 (pseudonymised, as on the topic). */
    public static ProcedureEvent sampleKyphoplasty() {
        return ProcedureEvent.newBuilder()
                .setEventId("proc-0001")
                .setPatientId(SAMPLE_PSEUDONYM)
                .setOccurredAt(Instant.parse("2024-03-04T09:30:00Z"))
                .setRecordedAt(Instant.parse("2024-03-04T11:02:13.250Z"))
                .setSourceSystem("hospital-a/epic")
                .setCodes(List.of("22513"))
                .setLevels(List.of(VertebralLevel.L1))
                .setCementVolumeMl(4.5)
                .setAgeYears(74)
                .setSex(Sex.F)
                .setFractureOnsetDate(LocalDate.of(2024, 2, 20))
                .setDiagnosisCodes(List.of("M80.08XA"))
                .build();
    }

    /** The radiograph after {@link #sampleKyphoplasty()}. */
    public static ImagingEvent samplePostOpRadiograph() {
        return ImagingEvent.newBuilder()
                .setEventId("img-0002")
                .setPatientId(SAMPLE_PSEUDONYM)
                .setOccurredAt(Instant.parse("2024-03-05T08:15:00Z"))
                .setRecordedAt(Instant.parse("2024-03-05T08:40:00Z"))
                .setSourceSystem("hospital-a/pacs")
                .setPhase(ImagingPhase.POST)
                .setModality(ImagingModality.RADIOGRAPH)
                .setStudyUid("1.2.840.113619.2.55.3.604688119.969.1709626500.123")
                .setMeasurements(List.of(
                        LevelMeasurement.newBuilder().setLevel(VertebralLevel.T12)
                                .setAnteriorHeightMm(24.0).setMiddleHeightMm(23.1).setPosteriorHeightMm(25.2).setKyphoticAngleDeg(3.0).build(),
                        LevelMeasurement.newBuilder().setLevel(VertebralLevel.L1)
                                .setAnteriorHeightMm(19.5).setMiddleHeightMm(18.0).setPosteriorHeightMm(26.0).setKyphoticAngleDeg(12.5)
                                .setFractured(true).build()))
                .build();
    }

    /** The 3-month follow-up after {@link #sampleKyphoplasty()}. */
    public static FollowUpEvent sampleThreeMonthFollowUp() {
        return FollowUpEvent.newBuilder()
                .setEventId("fu-0003")
                .setPatientId(SAMPLE_PSEUDONYM)
                .setOccurredAt(Instant.parse("2024-06-03T10:00:00Z"))
                .setRecordedAt(Instant.parse("2024-06-03T10:20:00Z"))
                .setSourceSystem("hospital-a/epic")
                .setPainNrs(3)
                .setOdi(28.0)
                .setRmdq(9)
                .setEq5dIndex(0.712)
                .setComplications(List.of(Complication.newBuilder()
                        .setType(ComplicationType.CEMENT_LEAKAGE).setLevel(VertebralLevel.L1).setSite(LeakageSite.DISC)
                        .setSymptomatic(false).setDate(LocalDate.of(2024, 3, 4)).build()))
                .setMedications(List.of(MedicationStart.newBuilder()
                        .setMedicationClass(MedicationClass.BISPHOSPHONATE).setStartDate(LocalDate.of(2024, 3, 18)).build()))
                .build();
    }

    // ------------------------------------------------------------------ fresh patients, one per event

    /** An input event and the topic it goes to; the name shows in parameterised test names. */
    public record TopicEvent<T extends SpecificRecord>(SpineTopic<String, T> topic, T event) {
        public Class<T> type() {
            return topic.valueType();
        }

        /** The record key: the event's patient pseudonym. */
        public String key() {
            return EventFields.patientId(event);
        }

        @Override
        public String toString() {
            return type().getSimpleName() + " on " + topic.name();
        }
    }

    public static String newPseudonym() {
        // Pseudonyms are 64 hex characters (SHA-256); two random UUIDs give the same shape.
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    /** A vertebroplasty at T12, its pre-operative radiograph and a 1-month follow-up, each for a new patient. */
    public static List<TopicEvent<?>> freshInputEvents() {
        return List.of(freshProcedure(), freshImaging(), freshFollowUp());
    }

    public static TopicEvent<ProcedureEvent> freshProcedure() {
        String patient = newPseudonym();
        return new TopicEvent<>(Topics.PROCEDURES, ProcedureEvent.newBuilder()
                .setEventId("it-proc-" + patient.substring(0, 8))
                .setPatientId(patient)
                .setOccurredAt(Instant.parse("2025-01-14T13:05:00Z"))
                .setRecordedAt(Instant.parse("2025-01-14T15:47:21.125Z"))
                .setSourceSystem("it-hospital/ris")
                .setCodes(List.of("22510"))
                .setLevels(List.of(VertebralLevel.T12))
                .setCementVolumeMl(3.2)
                .setAgeYears(81)
                .setSex(Sex.M)
                .setFractureOnsetDate(LocalDate.of(2025, 1, 2))
                .build());
    }

    public static TopicEvent<ImagingEvent> freshImaging() {
        String patient = newPseudonym();
        return new TopicEvent<>(Topics.IMAGING, ImagingEvent.newBuilder()
                .setEventId("it-img-" + patient.substring(0, 8))
                .setPatientId(patient)
                .setOccurredAt(Instant.parse("2025-01-13T09:00:00Z"))
                .setRecordedAt(Instant.parse("2025-01-13T09:31:00Z"))
                .setSourceSystem("it-hospital/pacs")
                .setPhase(ImagingPhase.PRE)
                .setModality(ImagingModality.RADIOGRAPH)
                .setMeasurements(List.of(level(VertebralLevel.T12, 16.5, 17.0, 27.5, 14.0, true)))
                .build());
    }

    public static TopicEvent<FollowUpEvent> freshFollowUp() {
        String patient = newPseudonym();
        return new TopicEvent<>(Topics.FOLLOWUPS, FollowUpEvent.newBuilder()
                .setEventId("it-fu-" + patient.substring(0, 8))
                .setPatientId(patient)
                .setOccurredAt(Instant.parse("2025-02-14T10:30:00Z"))
                .setRecordedAt(Instant.parse("2025-02-14T10:41:00Z"))
                .setSourceSystem("it-hospital/epic")
                .setPainNrs(2)
                .setOdi(24.0)
                .setRmdq(7)
                .setEq5dIndex(0.768)
                .build());
    }
}
