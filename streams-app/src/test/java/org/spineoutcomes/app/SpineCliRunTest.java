package org.spineoutcomes.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code spine run} options, and a bad configuration: one line on stderr, exit code 2, nothing started. */
class SpineCliRunTest {

    @TempDir
    Path dir;

    @Test
    void recomputeOption_setsTheKey_andSaysSo() throws Exception {
        Path file = dir.resolve("app.properties");
        Files.write(file, List.of("spine.bootstrap.servers=127.0.0.1:9092", "spine.schema.registry.url=http://127.0.0.1:8081"));
        SpineCli.Run run = new SpineCli.Run();
        new CommandLine(run).parseArgs("--config", file.toString(), "--recompute");
        AppConfig config = run.loadConfig(Map.of("SPINE_RULES_RECOMPUTE", "false"));
        assertEquals(true, config.forceRecompute());
        assertEquals("option --recompute", config.originOf(AppConfig.RULES_RECOMPUTE).orElseThrow());
    }

    @Test
    void badValueInConfigFile_exitsWith2_andOneLine() throws Exception {
        Path file = dir.resolve("app.properties");
        Files.write(file, List.of(
                "spine.bootstrap.servers=127.0.0.1:9092",
                "spine.schema.registry.url=http://127.0.0.1:8081",
                "spine.publish.interval.ms=abc"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new SpineCli()).execute("run", "--config", file.toString());
        } finally {
            System.setErr(originalErr);
        }
        assertEquals(2, code);
        assertEquals("config error: spine.publish.interval.ms=abc (from file " + file + "): expected a whole number of milliseconds, 0 or more"
                + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
    }
}
