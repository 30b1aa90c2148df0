package org.spineoutcomes.outcome;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.ndjson.EventType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;

/**
 * Every valid event of one patient (procedures, imaging studies, follow-ups) and their resolution into
 * logical events (RULES.md R9-R11). The resolution is a function of the stored set only, so any arrival
 * order gives the same {@link #resolved()}; the one exception, by R9, is which of two conflicting
 * events with the same id arrived first.
 *
 * <p>Not thread-safe; one instance per patient, kept in a state store through {@link #toBytes()}.
 */
public final class PatientEventLog {

    /** What {@link #add} did with an event. */
    public enum AddResult {
        /** Stored; takes effect now. */
        ACCEPTED,
        /** Same event id with identical content already stored: ignored (R9). */
        DUPLICATE_IGNORED,
        /** Same event id with different content already stored: not stored; the caller rejects it (R9). */
        DUPLICATE_ID_CONFLICT,
        /** Stored correction or retraction whose target (same event type) has not arrived: no effect yet (R11). */
        ORPHAN_PENDING
    }

    private static final byte FORMAT_VERSION = 1;

    /** One stored event: its type, decoded record and Avro binary encoding (the identity for R9). */
    private record Stored(EventType type, SpecificRecord event, byte[] bytes) {
        String id() { return field(event, "eventId"); }
        String corrects() { return field(event, "corrects"); }
        String retracts() { return field(event, "retracts"); }
        long recordedAtMillis() { return ((java.time.Instant) event.get(event.getSchema().getField("recordedAt").pos())).toEpochMilli(); }
        boolean isOriginal() { return corrects() == null && retracts() == null; }
    }

    private String patientId;
    /** All stored events by event id; event ids are unique per patient whatever the type. */
    private final Map<String, Stored> byId = new TreeMap<>();

    public PatientEventLog() {}

    /** The patient this log belongs to; null while empty. */
    public String patientId() { return patientId; }

    /** Number of stored events (originals, corrections, retractions, orphans). */
    public int size() { return byId.size(); }

    /**
     * Adds one event already validated field by field.
     *
     * @throws IllegalArgumentException if the event is not one of the three types, lacks an event id,
     *         or belongs to another patient than the events already stored
     */
    public AddResult add(SpecificRecord event) {
        EventType type = EventType.of(event);
        String id = field(event, "eventId");
        if (id == null || id.isBlank()) throw new IllegalArgumentException("eventId is missing");
        String pid = field(event, "patientId");
        if (pid == null || pid.isBlank()) throw new IllegalArgumentException("patientId is missing (event " + id + ")");
        if (patientId != null && !patientId.equals(pid)) {
            throw new IllegalArgumentException("patientId " + pid + " of event " + id + " differs from this log's patient " + patientId);
        }
        byte[] bytes = encode(type, event);
        Stored existing = byId.get(id);
        if (existing != null) {
            boolean identical = existing.type == type && Arrays.equals(existing.bytes, bytes);
            return identical ? AddResult.DUPLICATE_IGNORED : AddResult.DUPLICATE_ID_CONFLICT;
        }
        patientId = pid;
        // The log takes ownership of the record (callers hand over freshly decoded events and never
        // mutate them afterwards); decoding a private copy cost a sixth of a large batch run.
        Stored stored = new Stored(type, event, bytes);
        byId.put(id, stored);
        return targetPresent(stored) ? AddResult.ACCEPTED : AddResult.ORPHAN_PENDING;
    }

    /** Corrections and retractions whose target (same event type) has not arrived (R11 metric). */
    public int pendingOrphans() {
        int n = 0;
        for (Stored s : byId.values()) if (!targetPresent(s)) n++;
        return n;
    }

    private boolean targetPresent(Stored s) {
        String target = s.corrects() != null ? s.corrects() : s.retracts();
        if (target == null) return true;
        Stored t = byId.get(target);
        return t != null && t.type == s.type;
    }

    /** The effective logical events (R10, R11). */
    public ResolvedEvents resolved() {
        List<ProcedureEvent> procedures = new ArrayList<>();
        List<ImagingEvent> imaging = new ArrayList<>();
        List<FollowUpEvent> followUps = new ArrayList<>();
        for (EventType type : EventType.values()) {
            for (SpecificRecord e : resolve(type)) {
                switch (type) {
                    case PROCEDURE -> procedures.add((ProcedureEvent) e);
                    case IMAGING -> imaging.add((ImagingEvent) e);
                    case FOLLOWUP -> followUps.add((FollowUpEvent) e);
                }
            }
        }
        return new ResolvedEvents(procedures, imaging, followUps);
    }

    private List<SpecificRecord> resolve(EventType type) {
        Map<String, Stored> ofType = new TreeMap<>();
        byId.forEach((id, s) -> { if (s.type == type) ofType.put(id, s); });

        // Group corrections under the original their corrects-chain reaches.
        Map<String, List<Stored>> correctionsByRoot = new HashMap<>();
        for (Stored s : ofType.values()) {
            if (s.corrects() == null) continue;
            String root = rootOriginal(s, ofType);
            if (root != null) correctionsByRoot.computeIfAbsent(root, k -> new ArrayList<>()).add(s);
        }
        // A retraction naming any member (original or correction) removes the logical event; a
        // retraction of a retraction, or of a correction not (yet) reaching an original, has no effect.
        Set<String> retractedRoots = new HashSet<>();
        for (Stored s : ofType.values()) {
            if (s.retracts() == null) continue;
            Stored target = ofType.get(s.retracts());
            if (target == null || target.retracts() != null) continue;
            String root = target.isOriginal() ? target.id() : rootOriginal(target, ofType);
            if (root != null) retractedRoots.add(root);
        }
        Comparator<Stored> latestLast = Comparator.comparingLong(Stored::recordedAtMillis).thenComparing(Stored::id);
        List<SpecificRecord> out = new ArrayList<>();
        for (Stored s : ofType.values()) {
            if (!s.isOriginal() || retractedRoots.contains(s.id())) continue;
            Stored content = correctionsByRoot.getOrDefault(s.id(), List.of()).stream().max(latestLast).orElse(s);
            out.add(asLogical(type, content.event, s.id()));
        }
        return out;
    }

    /** The original a correction's corrects-chain reaches; null when the chain is broken, cyclic or ends at a retraction. */
    private static String rootOriginal(Stored correction, Map<String, Stored> ofType) {
        Set<String> seen = new HashSet<>();
        Stored cur = correction;
        while (cur.corrects() != null) {
            if (!seen.add(cur.id())) return null;
            cur = ofType.get(cur.corrects());
            if (cur == null) return null;
        }
        return cur.retracts() == null ? cur.id() : null;
    }

    private static SpecificRecord asLogical(EventType type, SpecificRecord content, String logicalId) {
        return switch (type) {
            case PROCEDURE -> ProcedureEvent.newBuilder((ProcedureEvent) content).setEventId(logicalId).setCorrects(null).setRetracts(null).build();
            case IMAGING -> ImagingEvent.newBuilder((ImagingEvent) content).setEventId(logicalId).setCorrects(null).setRetracts(null).build();
            case FOLLOWUP -> FollowUpEvent.newBuilder((FollowUpEvent) content).setEventId(logicalId).setCorrects(null).setRetracts(null).build();
        };
    }

    /**
     * State-store form: version byte, patient id, event count, then per event (in event-id order)
     * its type ordinal, length and Avro binary encoding. Equal logs give equal bytes.
     */
    public byte[] toBytes() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeByte(FORMAT_VERSION);
            out.writeBoolean(patientId != null);
            if (patientId != null) out.writeUTF(patientId);
            out.writeInt(byId.size());
            for (Stored s : byId.values()) {
                out.writeByte(s.type.ordinal());
                out.writeInt(s.bytes.length);
                out.write(s.bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    /** Inverse of {@link #toBytes()}. @throws IllegalArgumentException on bytes not written by toBytes */
    public static PatientEventLog fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        PatientEventLog log = new PatientEventLog();
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != FORMAT_VERSION) throw new IllegalArgumentException("unknown PatientEventLog format version " + version);
            if (in.readBoolean()) log.patientId = in.readUTF();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                int ordinal = in.readByte();
                if (ordinal < 0 || ordinal >= EventType.values().length) throw new IllegalArgumentException("unknown event type " + ordinal);
                EventType type = EventType.values()[ordinal];
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                Stored s = new Stored(type, decode(type, b), b);
                log.byId.put(s.id(), s);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated or corrupt PatientEventLog bytes", e);
        }
        return log;
    }

    private static String field(SpecificRecord r, String name) {
        Schema.Field f = r.getSchema().getField(name);
        Object v = f == null ? null : r.get(f.pos());
        return v == null ? null : v.toString();
    }

    // Readers and writers resolve their schemas once; building them per event was a visible share of
    // a large batch run. Not thread-safe in general, hence one set per thread.
    private static final ThreadLocal<Map<EventType, SpecificDatumWriter<SpecificRecord>>> WRITERS =
            ThreadLocal.withInitial(() -> new java.util.EnumMap<>(EventType.class));
    private static final ThreadLocal<Map<EventType, SpecificDatumReader<SpecificRecord>>> READERS =
            ThreadLocal.withInitial(() -> new java.util.EnumMap<>(EventType.class));

    private static byte[] encode(EventType type, SpecificRecord event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        try {
            WRITERS.get().computeIfAbsent(type, t -> new SpecificDatumWriter<>(t.schema())).write(event, enc);
            enc.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static SpecificRecord decode(EventType type, byte[] bytes) {
        BinaryDecoder dec = DecoderFactory.get().binaryDecoder(bytes, null);
        try {
            return READERS.get().computeIfAbsent(type, t -> new SpecificDatumReader<>(t.schema())).read(null, dec);
        } catch (IOException e) {
            throw new IllegalArgumentException("undecodable " + type + " bytes", e);
        }
    }
}
