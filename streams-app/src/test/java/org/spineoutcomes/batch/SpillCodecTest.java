package org.spineoutcomes.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.ndjson.CheckedLine;
import org.spineoutcomes.ndjson.NdjsonReader;

class SpillCodecTest {

    /** Every valid event of the sample (all three types, corrections, retractions) comes back equal. */
    @Test
    void everySampleEventComesBackEqual() throws IOException {
        List<SpecificRecord> events;
        try (Stream<CheckedLine> lines = new NdjsonReader().checkedLines(Path.of("../samples/events.ndjson"), Instant.parse("2026-06-01T00:00:00Z"))) {
            events = lines.filter(CheckedLine::valid).map(CheckedLine::event).toList();
        }
        SpillCodec decoder = new SpillCodec();
        for (SpecificRecord e : events) {
            assertEquals(e, decoder.decode(SpillCodec.encode(e)));
        }
        assertEquals(3, events.stream().map(e -> e.getClass()).distinct().count(), "the sample has the three event types");
    }
}
