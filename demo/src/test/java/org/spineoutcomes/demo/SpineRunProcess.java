package org.spineoutcomes.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.spineoutcomes.app.SpineCli;

/**
 * {@code ./spine run} as a separate JVM: the test class path, the streams app's own log4j2.xml, a
 * config file plus SPINE_* variables (none inherited from the test's environment). Its stdout lines
 * are kept with the time they arrived (the "ready:" line is printed when Kafka Streams is first
 * RUNNING), its stderr is collected; it can be stopped with SIGTERM or killed with SIGKILL.
 */
final class SpineRunProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("ready: (http://127\\.0\\.0\\.1:\\d+/)");

    /** One stdout line and {@link System#nanoTime()} when it was read. */
    record Line(String text, long nanos) {}

    private final Process process;
    private final long startedNanos;
    private final BlockingQueue<Line> stdout = new LinkedBlockingQueue<>();
    private final StringBuffer stderr = new StringBuffer();
    private final Thread outReader;
    private final Thread errReader;

    private SpineRunProcess(Process process, long startedNanos) {
        this.process = process;
        this.startedNanos = startedNanos;
        this.outReader = pump(process.getInputStream(), line -> stdout.add(new Line(line, System.nanoTime())));
        this.errReader = pump(process.getErrorStream(), line -> stderr.append(line).append('\n'));
    }

    /** Starts {@code SpineCli run --config FILE} with these SPINE_* variables and JVM options (e.g. -Xmx512m). */
    static SpineRunProcess start(Path config, Map<String, String> env, List<String> jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.spineoutcomes");
        command.add("-Dlog4j2.configurationFile=" + logConfigOfStreamsApp());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SpineCli.class.getName(), "run", "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("SPINE_"));
        pb.environment().putAll(env);
        long started = System.nanoTime();
        return new SpineRunProcess(pb.start(), started);
    }

    /** The streams app's log4j2.xml (the test class path also holds other modules' files). */
    private static String logConfigOfStreamsApp() throws Exception {
        URL location = SpineCli.class.getProtectionDomain().getCodeSource().getLocation();
        Path path = Path.of(location.toURI());
        return Files.isDirectory(path) ? path.resolve("log4j2.xml").toString() : "jar:" + location + "!/log4j2.xml";
    }

    /** {@link System#nanoTime()} just before the JVM was started. */
    long startedNanos() {
        return startedNanos;
    }

    /** The next stdout line, or null after {@code timeout}. */
    Line nextLine(Duration timeout) throws InterruptedException {
        return stdout.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The address of the "ready: http://127.0.0.1:PORT/" line, or null when the line is not a ready line. */
    static URI readyAddress(Line line) {
        Matcher m = READY.matcher(line.text());
        return m.matches() ? URI.create(m.group(1)) : null;
    }

    long pid() {
        return process.pid();
    }

    /** CPU time the process has used so far (zero once it is gone, or where the system does not say). */
    Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM through the handle: Process#destroy would also close our ends of the pipes and lose the last lines. */
    void sigterm() {
        process.toHandle().destroy();
    }

    /** SIGKILL ({@code kill -9}): the JVM ends at once, nothing of it runs; returns when it is gone. */
    void sigkill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("process " + process.pid() + " still alive 30 s after SIGKILL");
        }
    }

    /** Waits for the end of the process and of its output; false when it is still running after {@code timeout}. */
    boolean waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        outReader.join(5_000);
        errReader.join(5_000);
        return true;
    }

    int exitValue() {
        return process.exitValue();
    }

    /** Everything the process wrote to stderr so far. */
    String stderr() {
        return stderr.toString();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }

    private static Thread pump(InputStream in, Consumer<String> sink) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    sink.accept(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "spine-run-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
