package org.spineoutcomes.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Paths that cannot work are one line on stderr naming the path and what to do, exit code 2, no stack trace. */
class BatchCommandUsageTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private int run(String... args) {
        return new CommandLine(new BatchCommand(new PrintStream(stdout, true, StandardCharsets.UTF_8),
                new PrintStream(stderr, true, StandardCharsets.UTF_8))).execute(args);
    }

    private String err() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aDirectoryAsInput() {
        assertEquals(2, run(dir.toString(), "--out", dir.resolve("out").toString()));
        assertEquals("error: " + dir + " is a directory; give one NDJSON file of events" + System.lineSeparator(), err());
        assertEquals(false, Files.exists(dir.resolve("out")), "nothing written");
    }

    @Test
    void outNamingAnExistingFile() throws Exception {
        Path input = Files.copy(Path.of("..", "samples", "events.ndjson"), dir.resolve("in.ndjson"));
        Path file = Files.writeString(dir.resolve("taken.txt"), "x");
        assertEquals(2, run(input.toString(), "--out", file.toString()));
        assertEquals("error: --out " + file + " is an existing file; give a directory (it is created if missing)" + System.lineSeparator(), err());
        assertEquals("x", Files.readString(file), "the file is left alone");
    }

    @Test
    void outBelowAFile() throws Exception {
        Path input = Files.copy(Path.of("..", "samples", "events.ndjson"), dir.resolve("in.ndjson"));
        Path file = Files.writeString(dir.resolve("taken.txt"), "x");
        assertEquals(2, run(input.toString(), "--out", file.resolve("sub").toString()));
        assertEquals(1, err().lines().count(), err());
        assertEquals(true, err().startsWith("error: cannot create the output directory " + file.resolve("sub")), err());
    }

    @Test
    void aMissingInput() {
        assertEquals(2, run(dir.resolve("nope.ndjson").toString(), "--out", dir.resolve("out").toString()));
        assertEquals("error: cannot read " + dir.resolve("nope.ndjson") + " (no such file)" + System.lineSeparator(), err());
    }
}
