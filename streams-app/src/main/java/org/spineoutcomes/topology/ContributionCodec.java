package org.spineoutcomes.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.spineoutcomes.stats.CellKey;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.spineoutcomes.stats.Contribution;

/**
 * Exact binary form of {@link CellDeltas} for the internal repartition topic: doubles are written
 * as their IEEE bits, so a contribution subtracted downstream is bit-for-bit the one added.
 */
public final class ContributionCodec {
    private ContributionCodec() {}

    private static final byte VERSION = 1;

    public static Serde<CellDeltas> deltasSerde() {
        Serializer<CellDeltas> ser = (topic, d) -> d == null ? null : encode(d);
        Deserializer<CellDeltas> de = (topic, bytes) -> bytes == null ? null : decode(bytes);
        return Serdes.serdeFrom(ser, de);
    }

    static byte[] encode(CellDeltas deltas) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(VERSION);
            out.writeInt(deltas.cells().size());
            for (Map.Entry<CellKey, CellDelta> e : deltas.cells().entrySet()) {
                out.writeUTF(e.getKey().asText());
                writeContribution(out, e.getValue().before());
                writeContribution(out, e.getValue().after());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CellDeltas decode(byte[] data) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
            byte v = in.readByte();
            if (v != VERSION) throw new IllegalStateException("unknown cell delta format version " + v);
            int n = in.readInt();
            Map<CellKey, CellDelta> cells = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                CellKey key = CellKey.parse(in.readUTF());
                cells.put(key, new CellDelta(readContribution(in), readContribution(in)));
            }
            return new CellDeltas(cells);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeContribution(DataOutputStream out, Contribution c) throws IOException {
        out.writeBoolean(c != null);
        if (c == null) return;
        out.writeInt(c.values().size());
        for (Map.Entry<String, List<Double>> e : c.values().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().size());
            for (double x : e.getValue()) out.writeLong(Double.doubleToRawLongBits(x));
        }
        out.writeInt(c.flags().size());
        for (Map.Entry<String, List<Boolean>> e : c.flags().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().size());
            for (boolean b : e.getValue()) out.writeBoolean(b);
        }
        out.writeInt(c.pairs().size());
        for (Map.Entry<String, List<double[]>> e : c.pairs().entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().size());
            for (double[] xy : e.getValue()) {
                out.writeLong(Double.doubleToRawLongBits(xy[0]));
                out.writeLong(Double.doubleToRawLongBits(xy[1]));
            }
        }
        out.writeBoolean(c.windowLastDate() != null);
        if (c.windowLastDate() != null) {
            out.writeLong(c.windowLastDate().toEpochDay());
            out.writeBoolean(c.assessed());
        }
    }

    private static Contribution readContribution(DataInputStream in) throws IOException {
        if (!in.readBoolean()) return null;
        Contribution.Builder b = Contribution.builder();
        int nv = in.readInt();
        for (int i = 0; i < nv; i++) {
            String k = in.readUTF();
            int n = in.readInt();
            for (int j = 0; j < n; j++) b.value(k, Double.longBitsToDouble(in.readLong()));
        }
        int nf = in.readInt();
        for (int i = 0; i < nf; i++) {
            String k = in.readUTF();
            int n = in.readInt();
            for (int j = 0; j < n; j++) b.flag(k, in.readBoolean());
        }
        int np = in.readInt();
        for (int i = 0; i < np; i++) {
            String k = in.readUTF();
            int n = in.readInt();
            for (int j = 0; j < n; j++) {
                double x = Double.longBitsToDouble(in.readLong());
                double y = Double.longBitsToDouble(in.readLong());
                b.pair(k, x, y);
            }
        }
        if (in.readBoolean()) {
            LocalDate last = LocalDate.ofEpochDay(in.readLong());
            b.completeness(last, in.readBoolean());
        }
        return b.build();
    }
}
