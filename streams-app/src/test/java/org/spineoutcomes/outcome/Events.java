package org.spineoutcomes.outcome;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.spineoutcomes.schema.Complication;
import org.spineoutcomes.schema.ComplicationType;
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

/** Small builders of valid test events for one patient; the index instant is 2024-03-01T10:00Z. */
final class Events {
    private Events() {}

    static final String PATIENT = "p-0001";
    static final Instant INDEX = Instant.parse("2024-03-01T10:00:00Z");
    static final LocalDate INDEX_DATE = LocalDate.parse("2024-03-01");

    /** An instant on day number {@code day} at 10:00 UTC (the index time of day). */
    static Instant day(int day) {
        return INDEX.plus(Duration.ofDays(day));
    }

    static ProcedureEvent.Builder procedure(String id, Instant at, String... codes) {
        return ProcedureEvent.newBuilder()
                .setEventId(id).setPatientId(PATIENT).setOccurredAt(at).setRecordedAt(at.plusSeconds(60))
                .setSourceSystem("test").setCodes(List.of(codes)).setLevels(List.of(VertebralLevel.L1))
                .setAgeYears(78).setSex(Sex.F).setFractureOnsetDate(INDEX_DATE.minusDays(20));
    }

    static ProcedureEvent vp(String id, Instant at) {
        return procedure(id, at, "22511").build();
    }

    static ProcedureEvent.Builder conservative(String id, Instant at) {
        return procedure(id, at).setConservativeCare(ConservativeCare.newBuilder().setAnalgesia(true).build());
    }

    static FollowUpEvent.Builder followUp(String id, Instant at) {
        return FollowUpEvent.newBuilder().setEventId(id).setPatientId(PATIENT).setOccurredAt(at)
                .setRecordedAt(at.plusSeconds(60)).setSourceSystem("test");
    }

    static FollowUpEvent nrs(String id, Instant at, int nrs) {
        return followUp(id, at).setPainNrs(nrs).build();
    }

    static FollowUpEvent vas(String id, Instant at, double vas) {
        return followUp(id, at).setPainVas(vas).build();
    }

    static Complication complication(ComplicationType type, VertebralLevel level, LocalDate date) {
        return Complication.newBuilder().setType(type).setLevel(level).setDate(date).build();
    }

    static MedicationStart medication(MedicationClass c, LocalDate start) {
        return MedicationStart.newBuilder().setMedicationClass(c).setStartDate(start).build();
    }

    static ImagingEvent.Builder study(String id, Instant at, ImagingPhase phase, LevelMeasurement... m) {
        return ImagingEvent.newBuilder().setEventId(id).setPatientId(PATIENT).setOccurredAt(at)
                .setRecordedAt(at.plusSeconds(60)).setSourceSystem("test").setPhase(phase)
                .setModality(ImagingModality.RADIOGRAPH).setMeasurements(new ArrayList<>(List.of(m)));
    }

    /** A level with all three heights equal to {@code h} and no angle. */
    static LevelMeasurement level(VertebralLevel l, double h) {
        return level(l, h, h, h, null, false);
    }

    static LevelMeasurement level(VertebralLevel l, Double ha, Double hm, Double hp, Double angle, boolean fractured) {
        return LevelMeasurement.newBuilder().setLevel(l).setAnteriorHeightMm(ha).setMiddleHeightMm(hm)
                .setPosteriorHeightMm(hp).setKyphoticAngleDeg(angle).setFractured(fractured).build();
    }

    static ResolvedEvents of(Object... events) {
        List<ProcedureEvent> p = new ArrayList<>();
        List<ImagingEvent> i = new ArrayList<>();
        List<FollowUpEvent> f = new ArrayList<>();
        for (Object e : events) {
            if (e instanceof ProcedureEvent x) p.add(x);
            else if (e instanceof ImagingEvent x) i.add(x);
            else if (e instanceof FollowUpEvent x) f.add(x);
            else throw new IllegalArgumentException("not an event: " + e);
        }
        return ResolvedEvents.of(p, i, f);
    }
}
