package org.spineoutcomes.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.AggregateMeasure;
import org.spineoutcomes.schema.AggregatePaired;
import org.spineoutcomes.schema.AggregateProportion;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.StatisticAbsentReason;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.TreatmentArm;
import org.spineoutcomes.schema.Window;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.Contribution;
import org.spineoutcomes.stats.Measures;

class AggregateMapperTest {

    static final LocalDate LAST = LocalDate.of(2024, 5, 10);
    static final CellKey M3 = new CellKey("ITT", "VERTEBROPLASTY", "M3", "ALL");

    /** Pain 1, 2, 6 (baseline 8 each); LOW_PAIN true, true, false; assessed, assessed, and one odd-valued ODI. */
    static CellStatistics threePatients() {
        return CellStatistics.of(List.of(
                Contribution.builder().value(Measures.PAIN, 1).flag(Measures.LOW_PAIN, true).pair(Measures.PAIN_PAIR, 8, 1)
                        .value(Measures.ODI, 30).completeness(LAST, true).build(),
                Contribution.builder().value(Measures.PAIN, 2).flag(Measures.LOW_PAIN, true).pair(Measures.PAIN_PAIR, 8, 2)
                        .completeness(LAST, true).build(),
                Contribution.builder().value(Measures.PAIN, 6).flag(Measures.LOW_PAIN, false).pair(Measures.PAIN_PAIR, 8, 6)
                        .completeness(LAST, true).build(),
                Contribution.builder().completeness(LAST, false).build())); // a fourth patient, not assessed
    }

    @Test
    void mapsKeyCountsSumsAndDerivedValues() {
        ArmAggregate a = AggregateMapper.toArmAggregate(M3, threePatients(), Instant.parse("2024-05-11T08:00:00Z"));
        assertEquals(Population.ITT, a.getPopulation());
        assertEquals(TreatmentArm.VERTEBROPLASTY, a.getArm());
        assertEquals(Window.M3, a.getWindow());
        assertEquals(Stratum.ALL, a.getStratum());
        assertEquals(4, a.getPatients());
        assertEquals(Instant.parse("2024-05-11T08:00:00Z"), a.getDataCut());

        assertEquals(2, a.getMeasures().size()); // odi and pain, sorted by name
        AggregateMeasure odi = a.getMeasures().get(0);
        assertEquals("odi", odi.getMeasure());
        assertEquals(30.0, odi.getMean());
        assertNull(odi.getSd());
        assertEquals(StatisticAbsentReason.N_LT_2, odi.getAbsentReason());

        AggregateMeasure pain = a.getMeasures().get(1);
        // 1, 2, 6: n 3, sum 9, sum of squares 41, mean 3, sd sqrt(7); CI 3 -/+ 6.572410607728432 (see InferenceWorkedExamplesTest)
        assertEquals(3, pain.getN());
        assertEquals("9", pain.getSumExact());
        assertEquals("41", pain.getSumOfSquaresExact());
        assertEquals(41.0, pain.getSumOfSquares());
        assertEquals(3.0, pain.getMean(), 1e-15);
        assertEquals(Math.sqrt(7), pain.getSd(), 1e-15);
        assertEquals(3 - 6.572410607728432, pain.getCiLower(), 1e-12);
        assertEquals(3 + 6.572410607728432, pain.getCiUpper(), 1e-12);
        assertNull(pain.getAbsentReason());

        AggregateProportion low = a.getProportions().get(0);
        assertEquals("LOW_PAIN", low.getFlag());
        assertEquals(3, low.getN());
        assertEquals(2, low.getSuccesses());
        assertEquals(2.0 / 3.0, low.getProportion(), 1e-15);
        // Wilson 2/3: centre (2 + z^2/2)/(3 + z^2) = 3.9207294/6.8414588 = 0.5730838; half z sqrt(2/3 + z^2/4)/(3 + z^2)
        // = 1.959964 * 1.2755497 / 6.8414588 = 0.3654242 -> 0.20765960080204765 .. 0.9385080552796037 (Python, p form)
        assertEquals(0.20765960080204765, low.getWilsonLower(), 1e-12);
        assertEquals(0.9385080552796037, low.getWilsonUpper(), 1e-12);

        AggregatePaired pair = a.getPaired().get(0);
        assertEquals(Measures.PAIN_PAIR, pair.getMeasure());
        assertEquals(3, pair.getN());
        assertEquals("24", pair.getSumX());    // 8 + 8 + 8
        assertEquals("72", pair.getSumXY());   // 8 + 16 + 48
        assertEquals(8.0, pair.getMeanX());

        // cut 2024-05-11 is after the last accepted day 2024-05-10: all 4 due, 3 assessed
        assertEquals(4, a.getCompleteness().getDue());
        assertEquals(3, a.getCompleteness().getAssessed());
        assertEquals(0.75, a.getCompleteness().getCompleteness());
    }

    @Test
    void completenessWithoutACutOrBeforeTheWindowEnds() {
        ArmAggregate noCut = AggregateMapper.toArmAggregate(M3, threePatients(), null);
        assertNull(noCut.getDataCut());
        assertEquals(StatisticAbsentReason.NO_DATA_CUT, noCut.getCompleteness().getAbsentReason());
        ArmAggregate early = AggregateMapper.toArmAggregate(M3, threePatients(), Instant.parse("2024-05-10T23:00:00Z"));
        assertEquals(0, early.getCompleteness().getDue());
        assertNull(early.getCompleteness().getCompleteness());
        assertEquals(StatisticAbsentReason.NONE_DUE, early.getCompleteness().getAbsentReason());
    }

    @Test
    void overallCellsHaveNoCompleteness() {
        CellStatistics s = CellStatistics.empty().add(Contribution.builder().flag(Measures.ANY_COMPLICATION, false).build());
        ArmAggregate a = AggregateMapper.toArmAggregate(new CellKey("AS_TREATED", "KYPHOPLASTY", "OVERALL", "SEX_F"), s, Instant.EPOCH);
        assertNull(a.getCompleteness());
        assertEquals(0.0, a.getProportions().get(0).getWilsonLower()); // 0 of 1: lower bound exactly 0
    }

    @Test
    void refusesEmptyCellsUnknownNamesAndNegativeStates() {
        assertThrows(IllegalArgumentException.class, () -> AggregateMapper.toArmAggregate(M3, CellStatistics.empty(), null));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> AggregateMapper.toArmAggregate(
                new CellKey("ITT", "SURGERY", "M3", "ALL"), threePatients(), null));
        assertTrue(bad.getMessage().startsWith("arm:"), bad.getMessage());
        CellStatistics negative = threePatients().subtract(Contribution.builder().value(Measures.EQ5D, 0.5).build());
        assertThrows(IllegalStateException.class, () -> AggregateMapper.toArmAggregate(M3, negative, null));
    }

    @Test
    void recordSurvivesAvroBinaryRoundTrip() throws IOException {
        ArmAggregate a = AggregateMapper.toArmAggregate(M3, threePatients(), Instant.parse("2024-05-11T08:00:00Z"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        new SpecificDatumWriter<>(ArmAggregate.class).write(a, enc);
        enc.flush();
        ArmAggregate back = new SpecificDatumReader<>(ArmAggregate.class)
                .read(null, DecoderFactory.get().binaryDecoder(out.toByteArray(), null));
        assertEquals(a, back);
    }
}
