package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.stats.CompletenessCounts;

/** The completeness store's keys and values: pages of 64 days, and the per-date entries of earlier versions still read. */
class CompletenessEntriesTest {
    static final String CELL = "ITT/KYPHOPLASTY/M3/ALL";

    @Test
    void aPageKeyNamesTheCellAndThePagesFirstDate() {
        // 2024-02-17 is epoch day 19770 (2024-01-01 is day 19723); 19770 >> 6 = 308, which starts on day
        // 308 x 64 = 19712, 2023-12-21; 2024-02-17 is day 58 of that page.
        LocalDate feb17 = LocalDate.of(2024, 2, 17);
        assertEquals(19770, feb17.toEpochDay());
        assertEquals(308, CompletenessCounts.pageOf(feb17));
        assertEquals(CELL + "|@2023-12-21", CompletenessEntries.pageKey(CELL, 308));
        assertTrue(CompletenessEntries.isPageKey(CELL + "|@2023-12-21"));
        assertFalse(CompletenessEntries.isPageKey(CELL + "|2024-02-17"), "the per-date key of earlier versions");
        assertTrue((CELL + "|@2023-12-21").startsWith(CompletenessEntries.prefix(CELL)));
        assertTrue((CELL + "|2024-02-17").startsWith(CompletenessEntries.prefix(CELL)));
    }

    @Test
    void aPageValueIsAMarkerThenZigZagVarints() {
        // zig-zag: 58 -> 116 (0x74), 3 -> 6, 2 -> 4, -1 -> 1, 0 -> 0; 300 -> 600 = 0x258 -> varint D8 04.
        assertArrayEquals(new byte[] {(byte) 0xFE, 0x74, 0x06, 0x04}, CompletenessEntries.encode(new long[] {58, 3, 2}));
        assertArrayEquals(new byte[] {(byte) 0xFE, 0x00, 0x01, 0x00, 0x02, (byte) 0xD8, 0x04, 0x00},
                CompletenessEntries.encode(new long[] {0, -1, 0, 1, 300, 0}));
        long[] triples = {0, -1, 0, 1, 300, 0, 63, Long.MAX_VALUE, Long.MIN_VALUE};
        assertArrayEquals(triples, CompletenessEntries.decode(CompletenessEntries.encode(triples)));
    }

    @Test
    void aPerDateValueOfEarlierVersionsIsTwoLongs_anythingElseIsRefused() {
        byte[] legacy = ByteBuffer.allocate(16).putLong(5).putLong(3).array();
        assertArrayEquals(new long[] {5, 3}, CompletenessEntries.decode(legacy));
        byte[] negative = ByteBuffer.allocate(16).putLong(-1).putLong(0).array(); // a count passing through -1
        assertArrayEquals(new long[] {-1, 0}, CompletenessEntries.decode(negative));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CompletenessEntries.decode(new byte[15]));
        assertEquals("a completeness value is a page (first byte 0xFE) or two longs, not 15 bytes", e.getMessage());
    }

    @Test
    void entriesOfBothLayoutsAddUpPerDate() {
        CompletenessCounts counts = new CompletenessCounts();
        CompletenessEntries.addTo(counts, CELL + "|2024-02-17", new long[] {2, 1});          // per date: 2 patients, 1 assessed
        CompletenessEntries.addTo(counts, CELL + "|@2023-12-21", new long[] {58, 1, 1, 0, 4, 0}); // day 58 = 2024-02-17; day 0 = 2023-12-21
        assertArrayEquals(new long[] {3, 2}, counts.countsOn(LocalDate.of(2024, 2, 17)));
        assertArrayEquals(new long[] {4, 0}, counts.countsOn(LocalDate.of(2023, 12, 21)));
        assertEquals(2, counts.dates());
    }
}
