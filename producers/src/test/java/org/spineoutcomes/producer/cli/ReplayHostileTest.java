package org.spineoutcomes.producer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spineoutcomes.events.EventFields;
import org.spineoutcomes.producer.publish.MockPublishers;
import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.producer.pseudonym.PseudonymKeys;
import org.spineoutcomes.serde.InMemorySchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.validation.EventValidator;

/** Replay goes on after a line it cannot deliver, and refuses a directory with one line of advice. */
class ReplayHostileTest {
    private static final Map<String, String> ENV = Map.of(PseudonymKeys.KEY_ENV, "hex:" + HexFormat.of().formatHex(MockPublishers.KEY));
    private static final String LINE = "{\"type\":\"followup\",\"eventId\":\"%s\",\"patientId\":\"MRN-1\",\"occurredAt\":\"2024-01-01T00:00:00Z\","
            + "\"recordedAt\":\"2024-01-01T00:00:00Z\",\"sourceSystem\":\"t\",\"painNrs\":3}";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** A producer whose serializer refuses the events whose id starts with "too-large" (as the broker would a huge record). */
    private final MockProducer<String, SpecificRecord> producer = new MockProducer<>(true, null, new StringSerializer(), new Serializer<SpecificRecord>() {
        private final SpineAvroSerializer<SpecificRecord> real = new SpineAvroSerializer<>(new InMemorySchemaRegistryClient());

        @Override
        public byte[] serialize(String topic, SpecificRecord data) {
            if (EventFields.eventId(data).startsWith("too-large")) throw new RecordTooLargeException("the record is 1200000 bytes");
            return real.serialize(topic, data);
        }
    });

    private int run(String... args) {
        PublisherFactory factory = (servers, registry, pseudonymiser) ->
                new SpinePublisher(producer, pseudonymiser, new EventValidator(), Clock.fixed(MockPublishers.NOW, ZoneOffset.UTC));
        return SpineProducerCli.commandLine(factory, ENV, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void aLineThatCannotBeDeliveredIsReportedAndTheRestIsSent(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("in.ndjson");
        Files.writeString(file, String.join("\r", List.of(LINE.formatted("a"), LINE.formatted("too-large-1"), LINE.formatted("b"),
                LINE.formatted("c").replace("3}", "11}"), LINE.formatted("too-large-2"), LINE.formatted("d"))), StandardCharsets.UTF_8);

        assertEquals(ExitCodes.FAILURE, run("replay", file.toString()));

        assertEquals(List.of("a", "b", "d"), producer.history().stream().map(r -> EventFields.eventId(r.value())).toList(),
                "every deliverable line is sent, also after a failure");
        String errors = err.toString();
        assertTrue(errors.contains(file + ":2: not delivered: RecordTooLargeException: the record is 1200000 bytes"), errors);
        assertTrue(errors.contains(file + ":4: field painNrs: "), errors);
        assertTrue(errors.contains(file + ":5: not delivered: RecordTooLargeException"), errors);
        assertTrue(out.toString().contains("replay " + file + ": 6 records: sent 3, rejected 1 (INVALID_PAIN_NRS: 1), failed to deliver 2"), out.toString());
    }

    @Test
    void aDirectoryIsAUsageErrorWithOneLine(@TempDir Path dir) {
        assertEquals(ExitCodes.USAGE, run("replay", dir.toString()));
        assertEquals("replay: " + dir + " is a directory; give one NDJSON file (or - for standard input)", err.toString().strip());
        assertFalse(err.toString().contains("Exception"), err.toString());
        assertEquals(List.of(), producer.history());
    }
}
