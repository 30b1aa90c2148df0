package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.List;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.ResolvedEvents;
import org.spineoutcomes.schema.ImagingPhase;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.serde.AvroModels;
import org.spineoutcomes.testing.RandomCohort;

/**
 * Writing with Avro's generated custom coders (what {@link AvroModels} switches on) gives the same
 * Avro binary as the generic writer, byte for byte, for an outcome with nested imaging records.
 */
class CustomCodersBytesTest {

    @Test
    void customCodersWriteTheSameBytesAsTheGenericWriter() throws Exception {
        PatientOutcome withImaging = OutcomeEngine.compute(DEFAULT_PATIENT, ResolvedEvents.of(
                List.of(procedure("k1", INDEX, "22514").setLevels(List.of(VertebralLevel.L1)).build()),
                List.of(study("pre", day(-1), ImagingPhase.PRE,
                                level(VertebralLevel.T12, 24.0), level(VertebralLevel.L1, 14.0), level(VertebralLevel.L2, 26.0)).build(),
                        study("post", day(2), ImagingPhase.POST,
                                level(VertebralLevel.T12, 24.0), level(VertebralLevel.L1, 19.5), level(VertebralLevel.L2, 26.0)).build()),
                List.of(nrs("b", day(-2), 8), nrs("m", day(30), 3), vas("v", day(7), 53.3))));
        assertTrue(!withImaging.getImagingLevels().isEmpty(), "the case exercises nested imaging records");
        assertArrayEquals(write(withImaging, new SpecificDatumWriter<>(withImaging.getSchema())),
                write(withImaging, new SpecificDatumWriter<>(withImaging.getSchema(), AvroModels.forWriting(PatientOutcome.class))));
    }

    @Test
    void nullableUnionsAreWrittenAsAvroWritesThem_forEveryOutputOfARandomCohort() throws Exception {
        // AvroModels picks a nullable union's branch by a null check; Avro looks the value's type up. Every
        // record the pipeline writes, with its many null and non-null optional fields, must give the same bytes.
        RandomCohort.Cohort cohort = RandomCohort.generate(20261201L, 120);
        org.spineoutcomes.batch.BatchComputation batch = new org.spineoutcomes.batch.BatchComputation();
        org.spineoutcomes.validation.EventValidator validator = new org.spineoutcomes.validation.EventValidator();
        for (SpecificRecord e : cohort.events()) {
            if (validator.isValid(e, RandomCohort.LATEST.plus(java.time.Duration.ofDays(2)))) batch.add(e);
        }
        org.spineoutcomes.batch.BatchComputation.Result result = batch.result(Instant.parse("2025-06-01T00:00:00Z"));
        List<SpecificRecord> records = new java.util.ArrayList<>();
        records.addAll(result.outcomes().values());
        records.addAll(result.aggregates().values());
        records.addAll(result.comparisons().values());
        records.addAll(result.adjustedComparisons().values());
        records.addAll(result.timeToEvent().values());
        assertTrue(result.outcomes().size() > 100 && result.comparisons().size() > 100 && result.timeToEvent().size() > 10,
                "a cohort large enough to fill the optional fields both ways: " + result.outcomes().size() + " outcomes");
        for (SpecificRecord r : records) {
            assertArrayEquals(write(r, new SpecificDatumWriter<>(r.getSchema())),
                    write(r, new SpecificDatumWriter<>(r.getSchema(), AvroModels.forWriting(r.getClass()))), r.getSchema().getName());
        }
    }

    private static byte[] write(SpecificRecord r, SpecificDatumWriter<SpecificRecord> writer) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
        writer.write(r, e);
        e.flush();
        return out.toByteArray();
    }
}
