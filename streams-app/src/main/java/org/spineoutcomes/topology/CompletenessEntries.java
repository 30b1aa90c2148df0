package org.spineoutcomes.topology;

import java.nio.ByteBuffer;
import java.time.LocalDate;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.ByteUtils;
import org.spineoutcomes.stats.CompletenessCounts;

/**
 * The layout of the {@code cell-completeness} store: a cell's completeness counts (R33) kept apart from its
 * other sums, one entry per cell and page of 64 days ({@link CompletenessCounts#pageOf}).
 *
 * <ul>
 *   <li>key {@code <cell>|@<first date of the page>}, e.g. {@code ITT/KYPHOPLASTY/M3/ALL|@2023-12-21} (the page of 2023-12-21 to 2024-02-22);
 *       value: the page's non-zero dates as (day in page, patients, assessed) triples, a marker byte then
 *       zig-zag varints;</li>
 *   <li>before (up to session 9): key {@code <cell>|<date>}, value two 8-byte longs (patients, assessed).
 *       Such entries are still read; the cell step rewrites a cell's entries as pages the first time it
 *       reads that cell ({@link CellAggregateProcessor}), inside the transaction of that step.</li>
 * </ul>
 *
 * <p>Why pages: one entry per cell and date made the completeness store 75 % of all store writes of a
 * 20,000-patient backfill (1.42 million changelog records against 236,000 for the events themselves), since
 * a batch of patients touches a different date in every cell for almost every patient. A page collects
 * the dates of two months, so a batch writes each touched page once.
 */
public final class CompletenessEntries {
    private CompletenessEntries() {}

    private static final String SEPARATOR = "|";
    private static final char PAGE_MARK = '@';
    /** First byte of a page value; a legacy value starts with the high byte of a count (0x00, or 0xFF if negative). */
    private static final byte PAGE_FORMAT = (byte) 0xFE;
    private static final int LEGACY_VALUE_BYTES = 16;

    /** The prefix every entry of a cell starts with (both layouts). */
    public static String prefix(String cellKey) {
        return cellKey + SEPARATOR;
    }

    /** The key of one page of a cell. */
    public static String pageKey(String cellKey, long page) {
        return prefix(cellKey) + PAGE_MARK + CompletenessCounts.pageStart(page);
    }

    /** True for a page key, false for a legacy per-date key. */
    public static boolean isPageKey(String key) {
        int at = key.lastIndexOf(SEPARATOR) + 1;
        return at < key.length() && key.charAt(at) == PAGE_MARK;
    }

    /** Adds one stored entry (either layout) to a cell's counts. */
    public static void addTo(CompletenessCounts counts, String key, long[] value) {
        String date = key.substring(key.lastIndexOf(SEPARATOR) + 1);
        if (isPageKey(key)) {
            counts.adjustPage(CompletenessCounts.pageOf(LocalDate.parse(date.substring(1))), value);
        } else {
            counts.adjust(LocalDate.parse(date), value[0], value[1]);
        }
    }

    /** Page values (triples) are written; legacy values (two longs) are only read. */
    static Serde<long[]> serde() {
        return Serdes.serdeFrom((topic, v) -> v == null ? null : encode(v), (topic, b) -> b == null ? null : decode(b));
    }

    static byte[] encode(long[] triples) {
        int size = 1;
        for (long x : triples) size += ByteUtils.sizeOfVarlong(x);
        ByteBuffer buf = ByteBuffer.allocate(size).put(PAGE_FORMAT);
        for (long x : triples) ByteUtils.writeVarlong(x, buf);
        return buf.array();
    }

    static long[] decode(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b);
        if (b.length > 0 && b[0] == PAGE_FORMAT) {
            buf.get();
            long[] values = new long[b.length - 1]; // at most one value per byte
            int n = 0;
            while (buf.hasRemaining()) values[n++] = ByteUtils.readVarlong(buf);
            return java.util.Arrays.copyOf(values, n);
        }
        if (b.length != LEGACY_VALUE_BYTES) {
            throw new IllegalArgumentException("a completeness value is a page (first byte 0xFE) or two longs, not " + b.length + " bytes");
        }
        return new long[] {buf.getLong(), buf.getLong()};
    }
}
