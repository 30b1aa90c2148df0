package org.spineoutcomes.stats;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The compact binary form shared by the state-store encodings of this package ({@link CellStatistics},
 * {@link PatternStatistics}, {@link SurvivalCounts}): zig-zag varints, length-prefixed UTF-8 strings and
 * BigDecimals as (scale, unscaled two's-complement bytes). Every error message starts with the name of
 * the encoded type, e.g. "CellStatistics bytes: truncated at byte 12".
 */
final class CompactBytes {
    private CompactBytes() {}

    static final class Writer {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        void u8(int b) {
            out.write(b);
        }

        void varLong(long v) {
            long z = (v << 1) ^ (v >> 63);
            while ((z & ~0x7FL) != 0) {
                out.write((int) ((z & 0x7F) | 0x80));
                z >>>= 7;
            }
            out.write((int) z);
        }

        void bytes(byte[] b) {
            varLong(b.length);
            out.writeBytes(b);
        }

        void string(String s) {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }

        void decimal(BigDecimal b) {
            varLong(b.scale());
            bytes(b.unscaledValue().toByteArray());
        }

        /** n, sum and sum of squares of one {@link Moments}. */
        void moments(Moments m) {
            varLong(m.n());
            decimal(m.sum());
            decimal(m.sumOfSquares());
        }

        byte[] toByteArray() {
            return out.toByteArray();
        }
    }

    static final class Reader {
        private final String what;
        private final byte[] buf;
        private int pos;

        Reader(String what, byte[] buf) {
            this.what = what;
            this.buf = buf;
        }

        IllegalArgumentException error(String message) {
            return new IllegalArgumentException(what + " bytes: " + message);
        }

        int u8() {
            if (pos >= buf.length) {
                throw error("truncated at byte " + pos);
            }
            return buf[pos++] & 0xFF;
        }

        /** Reads the format byte and refuses any other than {@code expected}. */
        void version(int expected) {
            int version = u8();
            if (version != expected) {
                throw error("unknown format version " + version);
            }
        }

        long varLong() {
            long z = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                z |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return (z >>> 1) ^ -(z & 1);
                }
            }
            throw error("malformed varint before byte " + pos);
        }

        long count(String of) {
            long n = varLong();
            if (n < 0 || n > buf.length) {
                throw error("bad " + of + " count " + n);
            }
            return n;
        }

        byte[] bytes() {
            long len = varLong();
            if (len < 0 || len > buf.length - pos) {
                throw error("bad length " + len + " at byte " + pos);
            }
            byte[] b = new byte[(int) len];
            System.arraycopy(buf, pos, b, 0, b.length);
            pos += b.length;
            return b;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        BigDecimal decimal() {
            long scale = varLong();
            if (scale < Integer.MIN_VALUE || scale > Integer.MAX_VALUE) {
                throw error("bad decimal scale " + scale);
            }
            byte[] unscaled = bytes();
            if (unscaled.length == 0) {
                throw error("empty decimal at byte " + pos);
            }
            return new BigDecimal(new BigInteger(unscaled), (int) scale);
        }

        Moments moments() {
            return Moments.of(varLong(), decimal(), decimal());
        }

        /** Refuses bytes left over after the last field. */
        void end() {
            if (pos != buf.length) {
                throw error((buf.length - pos) + " trailing bytes");
            }
        }
    }
}
