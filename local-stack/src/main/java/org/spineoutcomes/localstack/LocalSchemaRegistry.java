package org.spineoutcomes.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry answering the Confluent Schema Registry REST API: Apicurio Registry
 * 2.4.2 (H2 storage in a file under the work folder) as assembled by the {@code registry-app}
 * module, run as a child process on 127.0.0.1 and a free port. Its log goes to
 * {@code <workDir>/registry/registry.log}. {@link #stop()} ends the process and {@link #restart()}
 * starts it again on the same port with the schemas, ids and compatibility levels it had (an outage
 * and its end, for tests). The process (and anything it spawned) is destroyed on {@link #close()}
 * and, as a safety net, when this JVM exits.
 */
public final class LocalSchemaRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalSchemaRegistry.class);

    /** System property naming the registry's {@code quarkus-run.jar} explicitly. */
    public static final String JAR_PROPERTY = "spine.registry.jar";
    static final Path JAR_IN_CHECKOUT = Paths.get("registry-app", "target", "quarkus-app", "quarkus-run.jar");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    static final int PORT_ATTEMPTS = 3;
    /** What Quarkus logs, before it exits, when its HTTP port is already bound. */
    private static final List<String> PORT_IN_USE_MESSAGES = List.of("seems to be in use", "Address already in use");

    private final Path jar;
    private final int port;
    private final Path registryDir;
    private final Path logFile;
    private final Thread shutdownHook;
    /** The running process; null while stopped. */
    private volatile Process process;
    private boolean closed;

    private LocalSchemaRegistry(Path jar, int port, Path registryDir) {
        this.jar = jar;
        this.port = port;
        this.registryDir = registryDir;
        this.logFile = registryDir.resolve("registry.log");
        this.shutdownHook = new Thread(() -> {
            Process running = process;
            if (running != null) {
                destroyTree(running);
            }
        }, "local-schema-registry-shutdown");
    }

    /**
     * Launches the registry and waits until its Confluent API answers. The port is picked free
     * before the registry's JVM binds it seconds later; if another process took it in between (a
     * client's outgoing connection, another stack starting at the same moment), the registry exits
     * saying so, and this picks another port and launches again, up to {@value #PORT_ATTEMPTS} times.
     */
    public static LocalSchemaRegistry start(Path workDir) {
        return start(workDir, FreePorts::pick);
    }

    /** As {@link #start(Path)}, taking each attempt's port from {@code ports} (tests hold one first). */
    static LocalSchemaRegistry start(Path workDir, IntSupplier ports) {
        Path jar = locateJar();
        for (int attempt = 1; ; attempt++) {
            LocalSchemaRegistry registry = new LocalSchemaRegistry(jar, ports.getAsInt(), workDir.resolve("registry"));
            Runtime.getRuntime().addShutdownHook(registry.shutdownHook);
            try {
                registry.launch();
                return registry;
            } catch (PortTaken e) {
                registry.close();
                if (attempt == PORT_ATTEMPTS) {
                    throw new IllegalStateException("Schema registry could not bind a free port in " + PORT_ATTEMPTS
                            + " attempts; the last, " + registry.port + ", was taken before it started. Log "
                            + registry.logFile, e);
                }
                log.info("Schema registry port {} was taken by another process before the registry bound it; trying another port",
                        registry.port);
            } catch (RuntimeException e) {
                registry.close();
                throw e;
            }
        }
    }

    /**
     * Starts the process on this registry's port, its data in {@code registry/data} (H2 file storage, so
     * a restart keeps every schema and id), and waits until the Confluent API answers.
     */
    private void launch() {
        long logStart;
        try {
            Files.createDirectories(registryDir);
            logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m",
                    "-Dquarkus.http.host=127.0.0.1",
                    "-Dquarkus.http.port=" + port,
                    "-jar", jar.toString()))
                    .directory(registryDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            // Apicurio's storage is H2; in a file instead of in memory, so the data outlives the process.
            builder.environment().put("REGISTRY_DATASOURCE_URL", "jdbc:h2:file:" + registryDir.resolve("data").resolve("registry").toAbsolutePath());
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not launch the schema registry from " + jar, e);
        }
        awaitReady(process, logStart);
    }

    /**
     * Stops the registry process (as a shutdown would: SIGTERM, killed after 10 s); clients then get
     * "connection refused" on its port. Its data stays for {@link #restart()}. No-op when stopped.
     */
    public synchronized void stop() {
        Process running = process;
        if (running == null) {
            return;
        }
        process = null;
        boolean wasRunning = running.isAlive();
        destroyTree(running);
        if (wasRunning) {
            log.info("Schema registry stopped (port {} closed; data kept)", port);
        }
    }

    /**
     * Starts the stopped registry again on the same port with the data it had, and waits until it
     * answers; a running one is stopped first.
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("the schema registry was closed");
        }
        stop();
        launch();
        log.info("Schema registry running again on port {}", port);
    }

    /** True while the process runs (it may still be starting). */
    public boolean isRunning() {
        Process running = process;
        return running != null && running.isAlive();
    }

    /**
     * The registry jar: {@code -Dspine.registry.jar=...} if set, else
     * {@code registry-app/target/quarkus-app/quarkus-run.jar} in the first folder at or above the
     * working directory that has one (module tests run with the module folder as working directory).
     */
    static Path locateJar() {
        String explicit = System.getProperty(JAR_PROPERTY);
        if (explicit != null && !explicit.isBlank()) {
            Path jar = Paths.get(explicit);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(JAR_PROPERTY + " points to " + jar + ", which is not a file");
            }
            return jar;
        }
        Path start = Paths.get(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(JAR_IN_CHECKOUT);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("Schema registry jar not found: no " + JAR_IN_CHECKOUT + " at or above " + start
                + ". Build it with `mvn -B -q install -DskipTests` at the project root, or set -D" + JAR_PROPERTY + "=<path>.");
    }

    private void awaitReady(Process process, long logStart) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest probe = HttpRequest.newBuilder(URI.create(confluentUrl() + "/subjects"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String written = logSince(logStart);
                if (PORT_IN_USE_MESSAGES.stream().anyMatch(written::contains)) {
                    throw new PortTaken("Schema registry port " + port + " is in use by another process");
                }
                throw new IllegalStateException("Schema registry exited with code " + process.exitValue()
                        + " before it was ready. Log " + logFile + ":\n" + logTail());
            }
            try {
                HttpResponse<Void> response = http.send(probe, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // Connection refused until Quarkus has bound the port; keep polling.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
            }
            sleep(100);
        }
        throw new IllegalStateException("Schema registry did not answer " + confluentUrl() + "/subjects within "
                + READY_TIMEOUT.toSeconds() + " s. Log " + logFile + ":\n" + logTail());
    }

    /** What this launch wrote to the log (the file is appended to across restarts). */
    private String logSince(long offset) {
        try {
            byte[] all = Files.readAllBytes(logFile);
            int from = (int) Math.min(offset, all.length);
            return new String(all, from, all.length - from, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The registry exited because its port was bound by someone else; another port may work. */
    private static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the schema registry", e);
        }
    }

    /** Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:PORT/apis/ccompat/v7}. */
    public String confluentUrl() {
        return "http://127.0.0.1:" + port + "/apis/ccompat/v7";
    }

    /** Base URL of Apicurio's native v2 API (what Apicurio's own serdes talk to). */
    public String apicurioUrl() {
        return "http://127.0.0.1:" + port + "/apis/registry/v2";
    }

    public int port() {
        return port;
    }

    /** The pid of the running process; -1 while stopped. */
    public long pid() {
        Process running = process;
        return running == null ? -1 : running.pid();
    }

    public Path logFile() {
        return logFile;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmAlreadyExiting) {
            // The hook is running or about to: nothing left to undo.
        }
    }

    private static void destroyTree(Process process) {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                log.warn("Schema registry (pid {}) did not stop within 10 s; killing it", process.pid());
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
