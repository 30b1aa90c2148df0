package org.spineoutcomes.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    @Test
    void aShortRunPrintsNothing_aLongOnePrintsOneLinePerInterval() {
        ByteArrayOutputStream none = new ByteArrayOutputStream();
        ProgressLine hourly = new ProgressLine(new PrintStream(none, true, StandardCharsets.UTF_8), Duration.ofHours(1));
        hourly.maybe(() -> "10 events read");
        hourly.maybe(() -> "20 events read");
        assertEquals("", none.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream every = new ByteArrayOutputStream();
        ProgressLine always = new ProgressLine(new PrintStream(every, true, StandardCharsets.UTF_8), Duration.ZERO);
        always.maybe(() -> "10 events read");
        always.maybe(() -> "pass 2 of 2: 1 of 3 patient buckets");
        assertEquals("batch: 10 events read" + System.lineSeparator() + "batch: pass 2 of 2: 1 of 3 patient buckets" + System.lineSeparator(),
                every.toString(StandardCharsets.UTF_8));
    }
}
