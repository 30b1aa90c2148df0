package org.spineoutcomes.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;

class InMemorySchemaRegistryClientTest {

    @Test
    void idsStartAtOneAndVersionsCountPerSubject() throws Exception {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        assertEquals(1, registry.register("a-value", ProcedureEvent.getClassSchema()));
        assertEquals(2, registry.register("b-value", ImagingEvent.getClassSchema()));
        assertEquals(1, registry.register("a-value", ProcedureEvent.getClassSchema())); // same schema: same id, no new version
        Schema olderFollowUp = SpineAvroSerdeTest.followUpWithout("eq5dIndex");
        assertEquals(3, registry.register("c-value", olderFollowUp));
        assertEquals(4, registry.register("c-value", FollowUpEvent.getClassSchema()));
        assertEquals(2, registry.getLatestVersion("c-value").version());
        assertEquals(4, registry.getLatestVersion("c-value").id());
        assertEquals(3, registry.getId("c-value", olderFollowUp));
        assertEquals(List.of(1, 2), registry.getAllVersions("c-value").stream().map(SchemaRegistryClient.RegisteredSchema::version).toList());
    }

    @Test
    void unknownLookupsAreTyped() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        assertThrows(SubjectNotFoundException.class, () -> registry.getLatestVersion("x-value"));
        assertThrows(SubjectNotFoundException.class, () -> registry.getId("x-value", ProcedureEvent.getClassSchema()));
        assertEquals(7, assertThrows(UnknownSchemaIdException.class, () -> registry.getSchemaById(7)).schemaId());
        registry.register("x-value", ProcedureEvent.getClassSchema());
        assertThrows(SchemaNotFoundException.class, () -> registry.getId("x-value", ImagingEvent.getClassSchema()));
    }

    @Test
    void concurrentRegistrationsOfDistinctSchemasGetDistinctConsecutiveIds() throws Exception {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> ids = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Schema schema = SchemaBuilder.record("R" + i).namespace("test").fields().requiredInt("f").endRecord();
                ids.add(pool.submit(() -> registry.register(schema.getFullName(), schema)));
            }
            Set<Integer> distinct = new TreeSet<>();
            for (Future<Integer> id : ids) {
                distinct.add(id.get());
            }
            // 200 distinct schemas -> exactly ids 1..200
            assertEquals(200, distinct.size());
            assertEquals(1, ((TreeSet<Integer>) distinct).first());
            assertEquals(200, ((TreeSet<Integer>) distinct).last());
        } finally {
            pool.shutdownNow();
        }
    }
}
