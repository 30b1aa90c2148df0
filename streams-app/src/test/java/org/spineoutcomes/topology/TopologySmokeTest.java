package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.serde.InMemorySchemaRegistryClient;
import org.spineoutcomes.topics.Topics;

class TopologySmokeTest {

    @Test
    void describesAndRuns() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        var topology = new SpineTopology(registry, TopologySettings.defaults().withInMemoryStores()).build();
        System.out.println(topology.describe());
        Properties p = SpineTopology.requiredStreamsConfig();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "smoke");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(topology, p, Instant.parse("2024-06-01T00:00:00Z"))) {
            var in = driver.createInputTopic(Topics.PROCEDURES.name(), Serdes.String().serializer(),
                    Topics.PROCEDURES.valueSerde(registry).serializer());
            ProcedureEvent e = ProcedureEvent.newBuilder().setEventId("e1").setPatientId("p1")
                    .setOccurredAt(Instant.parse("2024-03-01T10:00:00Z")).setRecordedAt(Instant.parse("2024-03-01T10:00:00Z"))
                    .setSourceSystem("test").setCodes(List.of("22511")).build();
            in.pipeInput("p1", e);
            var outcomes = driver.createOutputTopic(Topics.PATIENT_OUTCOMES.name(), Serdes.String().deserializer(), Topics.PATIENT_OUTCOMES.valueSerde(registry).deserializer());
            var aggs = driver.createOutputTopic(Topics.ARM_AGGREGATES.name(), Serdes.String().deserializer(), Topics.ARM_AGGREGATES.valueSerde(registry).deserializer());
            var outcomeList = outcomes.readKeyValuesToList();
            System.out.println(outcomeList);
            assertEquals(1, outcomeList.size());
            var aggMap = aggs.readKeyValuesToMap();
            System.out.println(aggMap.keySet());
            assertTrue(aggMap.containsKey("ITT/VERTEBROPLASTY/OVERALL/ALL"));
            var raw = driver.createInputTopic(Topics.FOLLOWUPS.name(), Serdes.ByteArray().serializer(), Serdes.ByteArray().serializer());
            raw.pipeInput("p1".getBytes(), "garbage".getBytes());
            var rejected = driver.createOutputTopic(Topics.REJECTED.name(), Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer());
            var r = rejected.readRecord();
            assertEquals("garbage", new String(r.value()));
            assertEquals("UNDECODABLE", new String(r.headers().lastHeader(Topics.RejectionHeaders.REASON).value()));
        }
    }

    /**
     * The two stages of the split app: the patient stage holds the patient stores and writes the hand-on
     * topics, the cell stage reads them and holds every cell store; no store is in both, none is missing,
     * and neither stage has a repartition topic (the hand-on topics take their place).
     */
    @Test
    void splitStagesShareTheStoresOutAndMeetAtTheHandOnTopics() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        SpineTopology spine = new SpineTopology(registry, TopologySettings.defaults().withInMemoryStores());
        HandOnTopics handOn = HandOnTopics.forApplication("smoke");
        assertEquals(List.of("smoke-cell-deltas-handon", "smoke-adjusted-deltas-handon"), handOn.names());
        assertEquals("smoke-cells", HandOnTopics.cellStageApplicationId("smoke"));

        String patient = spine.buildPatientStage(handOn).describe().toString();
        String cells = spine.buildCellStage(handOn).describe().toString();
        String whole = spine.build().describe().toString();
        for (String store : List.of(SpineTopology.PATIENT_STORE, SpineTopology.EVENTS_STORE, SpineTopology.PARTITION_CUT_STORE,
                SpineTopology.RULES_STORE, SpineTopology.PENDING_STORE, SpineTopology.TO_COMPUTE_STORE, SpineTopology.HELD_STORE)) {
            assertTrue(patient.contains(store) && !cells.contains(store) && whole.contains(store), store + " in the patient stage only");
            assertTrue(!SpineTopology.CELL_STAGE_STORES.contains(store), store);
        }
        for (String store : SpineTopology.CELL_STAGE_STORES) {
            assertTrue(cells.contains(store) && !patient.contains(store) && whole.contains(store), store + " in the cell stage only");
        }
        for (String topic : handOn.names()) {
            assertTrue(patient.contains("topic: " + topic), "the patient stage writes " + topic + ":\n" + patient);
            assertTrue(cells.contains("[" + topic + "]"), "the cell stage reads " + topic + ":\n" + cells);
        }
        assertTrue(!patient.contains("repartition") && !cells.contains("repartition"), "no repartition topic when split");
        assertTrue(whole.contains("cell-deltas-repartition") && whole.contains("adjusted-deltas-repartition"), "one topology: repartition topics");
        // Both read the data cut (the patient stage to write it, the cell stage for the aggregates).
        assertTrue(patient.contains(Topics.DATA_CUT.name()) && cells.contains(Topics.DATA_CUT.name()));
    }
}
