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
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.serde.FingerprintedAvro;

/**
 * Every valid event of one patient (procedures, imaging studies, follow-ups) and their resolution into
 * logical events (docs/computation-rules.md R9-R11). The resolution is a function of the stored set only, so any
 * arrival order gives the same {@link #resolved()}.
 *
 * <p>R9, re-sends: every distinct version of an event id is kept. The version with the latest
 * recorded-at wins and acts as the event; every other version loses and is rejected, including one
 * that won before a later version arrived ({@link Added#displaced()}); when different versions tie on
 * the latest recorded-at, none wins. A version that lost can never win again (versions are only
 * added), so each version is rejected at most once whatever the order.
 *
 * <p>Not thread-safe; one instance per patient, kept in a state store through {@link #toBytes()}.
 */
public final class PatientEventLog {

    /** What {@link #add} did with an event. */
    public enum AddResult {
        /** Stored and the winning version of its id; takes effect now. */
        ACCEPTED,
        /** Same event id with identical content already stored: ignored (R9). */
        DUPLICATE_IGNORED,
        /** Stored, but another version of its id wins (or a tie leaves none winning): the caller rejects it (R9). */
        DUPLICATE_ID_CONFLICT,
        /** Winning correction or retraction whose target (same event type) has not arrived: no effect yet (R11). */
        ORPHAN_PENDING
    }

    /** Where a version came from, so that a version displaced later can be traced and dead-lettered. */
    public record Origin(String source, int partition, long offset) {
        public static final Origin UNKNOWN = new Origin("", -1, -1);
    }

    /** One stored version of an event id; {@code content} is its single-object encoding (current schema), also its identity for R9. */
    public record Version(EventType type, SpecificRecord event, byte[] content, Origin origin) {
        public String id() { return field(event, "eventId"); }
        String corrects() { return field(event, "corrects"); }
        String retracts() { return field(event, "retracts"); }
        long recordedAtMillis() { return ((java.time.Instant) event.get(event.getSchema().getField("recordedAt").pos())).toEpochMilli(); }
        boolean isOriginal() { return corrects() == null && retracts() == null; }
        boolean sameContent(EventType t, byte[] c) { return type == t && Arrays.equals(content, c); }
    }

    /** The outcome of {@link #add}: the new event's result and the versions it displaced (now losers). */
    public record Added(AddResult result, List<Version> displaced) {}

    private static final byte FORMAT_VERSION = 2;

    private String patientId;
    /** All stored versions by event id (distinct contents, in VERSION_ORDER); ids are unique per patient whatever the type. */
    private final Map<String, List<Version>> versionsById = new TreeMap<>();
    /** The winning version of each id that has one (R9). */
    private final Map<String, Version> winners = new TreeMap<>();

    public PatientEventLog() {}

    /** An independent log with the same versions (versions are immutable; the maps and lists are copied). */
    public PatientEventLog copy() {
        PatientEventLog c = new PatientEventLog();
        c.patientId = patientId;
        versionsById.forEach((id, v) -> c.versionsById.put(id, new ArrayList<>(v)));
        c.winners.putAll(winners);
        return c;
    }

    /** The patient this log belongs to; null while empty. */
    public String patientId() { return patientId; }

    /** Number of stored versions (originals, corrections, retractions, orphans and losing re-sends). */
    public int size() {
        int n = 0;
        for (List<Version> v : versionsById.values()) n += v.size();
        return n;
    }

    /** Adds one event already validated field by field, of unknown origin. */
    public AddResult add(SpecificRecord event) {
        return add(event, Origin.UNKNOWN).result();
    }

    /**
     * Adds one event already validated field by field.
     *
     * @throws IllegalArgumentException if the event is not one of the three types, lacks an event id,
     *         or belongs to another patient than the events already stored
     */
    public Added add(SpecificRecord event, Origin origin) {
        EventType type = EventType.of(event);
        String id = field(event, "eventId");
        if (id == null || id.isBlank()) throw new IllegalArgumentException("eventId is missing");
        String pid = field(event, "patientId");
        if (pid == null || pid.isBlank()) throw new IllegalArgumentException("patientId is missing (event " + id + ")");
        if (patientId != null && !patientId.equals(pid)) {
            throw new IllegalArgumentException("patientId " + pid + " of event " + id + " differs from this log's patient " + patientId);
        }
        byte[] content = FingerprintedAvro.encode(event);
        List<Version> versions = versionsById.get(id);
        if (versions != null) {
            for (Version v : versions) {
                if (v.sameContent(type, content)) return new Added(AddResult.DUPLICATE_IGNORED, List.of());
            }
        }
        patientId = pid;
        // The log takes ownership of the record (callers hand over freshly decoded events and never
        // mutate them afterwards); decoding a private copy cost a sixth of a large batch run.
        Version added = new Version(type, event, content, origin);
        Version before = winners.get(id);
        List<Version> all = versionsById.computeIfAbsent(id, k -> new ArrayList<>(1));
        all.add(added);
        all.sort(VERSION_ORDER);
        Version after = winner(all);
        if (after == null) winners.remove(id); else winners.put(id, after);
        List<Version> displaced = before != null && before != after ? List.of(before) : List.of();
        if (after != added) return new Added(AddResult.DUPLICATE_ID_CONFLICT, displaced);
        return new Added(targetPresent(added) ? AddResult.ACCEPTED : AddResult.ORPHAN_PENDING, displaced);
    }

    /** Versions of one id in an order independent of arrival: recorded-at, then content bytes. */
    private static final Comparator<Version> VERSION_ORDER = Comparator.comparingLong(Version::recordedAtMillis)
            .thenComparing(Version::content, Arrays::compare);

    /** The rejection message of a losing version (R9), the same in stream and batch. */
    public static String conflictMessage(String eventId) {
        return "event id " + eventId + " has another version with different content; the only version with the latest recordedAt wins (R9)";
    }

    /** R9: the only version with the latest recorded-at, or null when several share it. */
    private static Version winner(List<Version> versions) {
        Version best = null;
        boolean tied = false;
        for (Version v : versions) {
            if (best == null || v.recordedAtMillis() > best.recordedAtMillis()) { best = v; tied = false; }
            else if (v.recordedAtMillis() == best.recordedAtMillis()) tied = true;
        }
        return tied ? null : best;
    }

    /** Every stored version that is not its id's winner (R9 losers), in event-id then version order. */
    public List<Version> losers() {
        List<Version> out = new ArrayList<>();
        versionsById.forEach((id, versions) -> {
            Version w = winners.get(id);
            for (Version v : versions) if (v != w) out.add(v);
        });
        return out;
    }

    /** Corrections and retractions whose target (same event type) has not arrived (R11 metric). */
    public int pendingOrphans() {
        int n = 0;
        for (Version s : winners.values()) if (!targetPresent(s)) n++;
        return n;
    }

    private boolean targetPresent(Version s) {
        String target = s.corrects() != null ? s.corrects() : s.retracts();
        if (target == null) return true;
        Version t = winners.get(target);
        return t != null && t.type == s.type;
    }

    /** The effective logical events (R10, R11), built from the winning versions only (R9). */
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
        Map<String, Version> ofType = new TreeMap<>();
        winners.forEach((id, s) -> { if (s.type == type) ofType.put(id, s); });

        // Group corrections under the original their corrects-chain reaches.
        Map<String, List<Version>> correctionsByRoot = new HashMap<>();
        for (Version s : ofType.values()) {
            if (s.corrects() == null) continue;
            String root = rootOriginal(s, ofType);
            if (root != null) correctionsByRoot.computeIfAbsent(root, k -> new ArrayList<>()).add(s);
        }
        // A retraction naming any member (original or correction) removes the logical event; a
        // retraction of a retraction, or of a correction not (yet) reaching an original, has no effect.
        Set<String> retractedRoots = new HashSet<>();
        for (Version s : ofType.values()) {
            if (s.retracts() == null) continue;
            Version target = ofType.get(s.retracts());
            if (target == null || target.retracts() != null) continue;
            String root = target.isOriginal() ? target.id() : rootOriginal(target, ofType);
            if (root != null) retractedRoots.add(root);
        }
        // R10: the latest (recorded-at, event id) correction gives the content.
        Comparator<Version> latestLast = Comparator.comparingLong(Version::recordedAtMillis).thenComparing(Version::id);
        List<SpecificRecord> out = new ArrayList<>();
        for (Version s : ofType.values()) {
            if (!s.isOriginal() || retractedRoots.contains(s.id())) continue;
            Version content = correctionsByRoot.getOrDefault(s.id(), List.of()).stream().max(latestLast).orElse(s);
            out.add(asLogical(type, content.event, s.id()));
        }
        return out;
    }

    /** The original a correction's corrects-chain reaches; null when the chain is broken, cyclic or ends at a retraction. */
    private static String rootOriginal(Version correction, Map<String, Version> ofType) {
        Set<String> seen = new HashSet<>();
        Version cur = correction;
        while (cur.corrects() != null) {
            if (!seen.add(cur.id())) return null;
            cur = ofType.get(cur.corrects());
            if (cur == null) return null;
        }
        return cur.retracts() == null ? cur.id() : null;
    }

    private static SpecificRecord asLogical(EventType type, SpecificRecord content, String logicalId) {
        // An original already is its logical event: no copy (events are never changed after decoding).
        if (logicalId.equals(EventFields.eventId(content)) && EventFields.corrects(content) == null && EventFields.retracts(content) == null) {
            return content;
        }
        return switch (type) {
            case PROCEDURE -> ProcedureEvent.newBuilder((ProcedureEvent) content).setEventId(logicalId).setCorrects(null).setRetracts(null).build();
            case IMAGING -> ImagingEvent.newBuilder((ImagingEvent) content).setEventId(logicalId).setCorrects(null).setRetracts(null).build();
            case FOLLOWUP -> FollowUpEvent.newBuilder((FollowUpEvent) content).setEventId(logicalId).setCorrects(null).setRetracts(null).build();
        };
    }

    /**
     * State-store form: format version, patient id, version count, then per stored version (event-id,
     * then version order) its origin and its single-object Avro encoding, which names the writer
     * schema by fingerprint so the log is still readable after a schema change. Equal logs built in
     * the same arrival order give equal bytes.
     */
    public byte[] toBytes() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeByte(FORMAT_VERSION);
            out.writeBoolean(patientId != null);
            if (patientId != null) out.writeUTF(patientId);
            out.writeInt(size());
            for (List<Version> versions : versionsById.values()) {
                for (Version s : versions) writeVersion(out, s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    /** The stored versions of one event id (a store that keeps one entry per event writes only what changed). */
    public byte[] versionsToBytes(String eventId) {
        List<Version> versions = versionsById.getOrDefault(eventId, List.of());
        ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeByte(FORMAT_VERSION);
            out.writeInt(versions.size());
            for (Version v : versions) writeVersion(out, v);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    /**
     * A log from the per-id entries written by {@link #versionsToBytes}, any order. Versions of another
     * patient are skipped (a key prefix alone cannot tell "p" from "p" followed by more characters).
     */
    public static PatientEventLog fromVersionEntries(String patientId, Iterable<byte[]> entries) {
        PatientEventLog log = new PatientEventLog();
        for (byte[] bytes : entries) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                byte version = in.readByte();
                if (version != FORMAT_VERSION) throw new IllegalArgumentException("unknown PatientEventLog format version " + version);
                int n = in.readInt();
                for (int i = 0; i < n; i++) {
                    Version v = readVersion(in);
                    if (patientId.equals(field(v.event, "patientId"))) log.addStored(v);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("truncated or corrupt PatientEventLog entry", e);
            }
        }
        log.chooseWinners();
        return log;
    }

    private void addStored(Version s) {
        versionsById.computeIfAbsent(s.id(), k -> new ArrayList<>(1)).add(s); // written in VERSION_ORDER
        if (patientId == null) patientId = field(s.event, "patientId");
    }

    private void chooseWinners() {
        versionsById.forEach((id, versions) -> {
            Version w = winner(versions);
            if (w != null) winners.put(id, w);
        });
    }

    private static void writeVersion(DataOutputStream out, Version s) throws IOException {
        out.writeUTF(s.origin.source());
        out.writeInt(s.origin.partition());
        out.writeLong(s.origin.offset());
        out.writeByte(s.type.ordinal());
        out.writeInt(s.content.length);
        out.write(s.content);
    }

    private static Version readVersion(DataInputStream in) throws IOException {
        Origin origin = new Origin(in.readUTF(), in.readInt(), in.readLong());
        int ordinal = in.readByte();
        if (ordinal < 0 || ordinal >= EventType.values().length) throw new IllegalArgumentException("unknown event type " + ordinal);
        EventType type = EventType.values()[ordinal];
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        SpecificRecord event = FingerprintedAvro.decode(type.avroClass(), b);
        // Content identity is the encoding under the current schema: re-encode what an older schema wrote.
        byte[] content = FingerprintedAvro.writtenWithCurrentSchema(type.avroClass(), b) ? b : FingerprintedAvro.encode(event);
        return new Version(type, event, content, origin);
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
            for (int i = 0; i < n; i++) log.addStored(readVersion(in));
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated or corrupt PatientEventLog bytes", e);
        }
        log.chooseWinners();
        return log;
    }

    private static String field(SpecificRecord r, String name) {
        Schema.Field f = r.getSchema().getField(name);
        Object v = f == null ? null : r.get(f.pos());
        return v == null ? null : v.toString();
    }
}
