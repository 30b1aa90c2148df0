package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.stats.Moments;

/**
 * The patient step folds many changes into a batch without making the exact sums canonical at every
 * addition; what the batch hands out (its cells, its bytes) must be exactly what adding the contributions
 * one by one gives.
 */
class CellDeltaBatchTest {
    static final CellKey VP_M1 = new CellKey("ITT", "VERTEBROPLASTY", "M1", "ALL");
    static final CellKey VP_M1_WOMEN = new CellKey("ITT", "VERTEBROPLASTY", "M1", "SEX_F");
    static final LocalDate DUE = LocalDate.of(2024, 3, 31);

    private static Contribution pain(double pain, double baseline) {
        return Contribution.builder().value("pain", pain).pair("painPair", baseline, pain).completeness(DUE, true).build();
    }

    @Test
    void foldedSumsComeOutCanonical_equalToAddingOneByOne() {
        // Pain 1.5 and 2.5: sum 4 (not 4.0), squares 2.25 + 6.25 = 8.5 (not 8.50); pairs (8, 1.5), (6, 2.5):
        // sum x 14, sum xy 12 + 15 = 27 (not 27.0).
        Contribution first = pain(1.5, 8);
        Contribution second = pain(2.5, 6);
        CellDeltaBatch batch = new CellDeltaBatch();
        for (CellKey cell : List.of(VP_M1_WOMEN, VP_M1)) {
            batch.add(cell, new CellDelta(null, first));
            batch.add(cell, new CellDelta(null, second));
        }
        Moments m = batch.cells().get(VP_M1).moments().get("pain");
        assertEquals(new BigDecimal("4"), m.sum());
        assertEquals(new BigDecimal("8.5"), m.sumOfSquares());
        assertEquals(new BigDecimal("27"), batch.cells().get(VP_M1).paired().get("painPair").sumXY());
        assertEquals(List.of(VP_M1, VP_M1_WOMEN), List.copyOf(batch.cells().keySet()), "sorted by cell key");

        CellStatistics oneByOne = new CellStatistics().add(first).add(second);
        assertEquals(oneByOne, batch.cells().get(VP_M1));
        assertEquals(oneByOne, batch.cells().get(VP_M1_WOMEN));
        assertArrayEquals(oneByOne.toBytes(), batch.cells().get(VP_M1).toBytes());

        // The bytes handed on read back as the same cells; a change that nets to zero leaves no cell.
        CellDeltaBatch back = CellDeltaBatch.fromBytes(batch.toBytes());
        assertEquals(batch.cells(), back.cells());
        batch.add(VP_M1, new CellDelta(first, null)).add(VP_M1, new CellDelta(second, null));
        assertEquals(List.of(VP_M1_WOMEN), List.copyOf(batch.cells().keySet()));
        assertTrue(new CellDeltaBatch().add(VP_M1, new CellDelta(first, first)).isEmpty(), "no change, no cell");
    }

    @Test
    void changesFoldedPerCellSet_equalChangesFoldedPerCell() {
        // Three patients of the women's stratum: each change goes to ALL and SEX_F alike (one cell set).
        CellKey men = new CellKey("ITT", "VERTEBROPLASTY", "M1", "SEX_M");
        CellDeltaBatch.CellSet women = new CellDeltaBatch.CellSet(List.of(VP_M1, VP_M1_WOMEN));
        CellDeltaBatch.CellSet allMen = new CellDeltaBatch.CellSet(List.of(VP_M1, men));
        Contribution a = pain(1.5, 8);
        Contribution b = pain(2.5, 6);
        Contribution c = pain(4, 7);
        CellDeltaBatch bySet = new CellDeltaBatch()
                .add(women, CellDeltaBatch.netOf(new CellDelta(null, a)))
                .add(women, CellDeltaBatch.netOf(new CellDelta(null, b)))
                .add(allMen, CellDeltaBatch.netOf(new CellDelta(null, c)));
        // ALL: pain 1.5 + 2.5 + 4 = 8 from three patients; SEX_F: 4 from two; SEX_M: 4 from one.
        assertEquals(new BigDecimal("8"), bySet.cells().get(VP_M1).moments().get("pain").sum());
        assertEquals(3, bySet.cells().get(VP_M1).moments().get("pain").n());
        assertEquals(new BigDecimal("4"), bySet.cells().get(VP_M1_WOMEN).moments().get("pain").sum());
        assertEquals(2, bySet.cells().get(VP_M1_WOMEN).moments().get("pain").n());
        assertEquals(1, bySet.cells().get(men).moments().get("pain").n());

        CellDeltaBatch byCell = new CellDeltaBatch();
        for (CellKey cell : List.of(VP_M1, VP_M1_WOMEN)) byCell.add(cell, new CellDelta(null, a)).add(cell, new CellDelta(null, b));
        for (CellKey cell : List.of(VP_M1, men)) byCell.add(cell, new CellDelta(null, c));
        assertEquals(byCell.cells(), bySet.cells());
        assertArrayEquals(byCell.toBytes(), bySet.toBytes());

        // Spread once read, folding goes on; a set whose changes cancel leaves its cells as they were.
        bySet.add(women, CellDeltaBatch.netOf(new CellDelta(a, null))).add(women, CellDeltaBatch.netOf(new CellDelta(b, null)));
        assertEquals(List.of(VP_M1, men), List.copyOf(bySet.cells().keySet()), "the women's cell nets to zero and goes");
        assertEquals(1, bySet.cells().get(VP_M1).moments().get("pain").n());
        assertTrue(new CellDeltaBatch().add(women, CellDeltaBatch.netOf(new CellDelta(null, a)))
                .add(women, CellDeltaBatch.netOf(new CellDelta(a, null))).isEmpty(), "in and out again: empty");
    }

    @Test
    void aCellSetRefusesCellsOutOfOrder() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CellDeltaBatch.CellSet(List.of(VP_M1_WOMEN, VP_M1)));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CellDeltaBatch.CellSet(List.of(VP_M1, VP_M1)));
    }
}
