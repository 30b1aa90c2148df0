package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.spineoutcomes.testing.EventFixtures.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.outcome.OutcomeEngine;
import org.spineoutcomes.outcome.ResolvedEvents;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.schema.VertebralLevel;
import org.spineoutcomes.serde.FingerprintedAvro;
import org.spineoutcomes.serde.InMemorySchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerde;

/** The header-swapped bytes must be exactly what the topic's serializer writes. */
class OutcomeWireBytesTest {

    @Test
    void headerSwapEqualsTheSerializerByteForByte() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        SpineAvroSerde<PatientOutcome> serde = new SpineAvroSerde<>(registry, PatientOutcome.class);
        OutcomeWireBytes wire = new OutcomeWireBytes("spine.patient-outcomes.v1", serde.serializer());
        List<PatientOutcome> outcomes = List.of(
                OutcomeEngine.compute(DEFAULT_PATIENT, ResolvedEvents.of(List.of(vertebroplasty("p1", INDEX)), List.of(),
                        List.of(nrs("b", day(-2), 8), nrs("m", day(30), 3)))),
                OutcomeEngine.compute(DEFAULT_PATIENT, ResolvedEvents.of(
                        List.of(procedure("k1", INDEX, "22514").setLevels(List.of(VertebralLevel.L1)).build()),
                        List.of(study("pre", day(-1), org.spineoutcomes.schema.ImagingPhase.PRE,
                                level(VertebralLevel.T12, 24.0), level(VertebralLevel.L1, 14.0), level(VertebralLevel.L2, 26.0)).build()),
                        List.of(vas("v", day(7), 53.3)))));
        for (int round = 0; round < 2; round++) { // the first call checks and learns the header, later ones swap it
            for (PatientOutcome o : outcomes) {
                assertArrayEquals(serde.serializer().serialize("spine.patient-outcomes.v1", o), wire.apply(o, FingerprintedAvro.encode(o)));
            }
        }
    }
}
