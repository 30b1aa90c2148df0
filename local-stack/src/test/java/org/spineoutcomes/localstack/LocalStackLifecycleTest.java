package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.spineoutcomes.serde.RestSchemaRegistryClient;

import org.junit.jupiter.api.Test;

/**
 * A stack of its own (not the shared one): it must listen on loopback only, survive a registry
 * stop and restart with its data, and leave nothing behind when closed (no temp folder, no
 * registry process, no open ports).
 */
class LocalStackLifecycleTest {

    @Test
    void startsOnLoopbackAndCloseRemovesEverything() throws Exception {
        Path workDir;
        long registryPid;
        int brokerPort;
        int registryPort;
        try (LocalStack stack = LocalStack.start()) {
            workDir = stack.workDir();
            registryPid = stack.registry().pid();
            brokerPort = stack.broker().brokerPort();
            registryPort = stack.registry().port();

            assertEquals("127.0.0.1:" + brokerPort, stack.bootstrapServers());
            assertEquals("http://127.0.0.1:" + registryPort + "/apis/ccompat/v7", stack.schemaRegistryUrl());
            assertEquals("http://127.0.0.1:" + registryPort + "/apis/registry/v2", stack.apicurioRegistryUrl());
            assertTrue(Files.isDirectory(workDir.resolve("kafka").resolve("data")), "broker data folder");
            assertTrue(Files.isRegularFile(stack.registry().logFile()), "registry log file");

            // A fresh registry has no subjects: the Confluent API answers an empty JSON array.
            HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(stack.schemaRegistryUrl() + "/subjects")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, subjects.statusCode());
            assertEquals("[]", subjects.body().strip());
            assertTrue(accepts(brokerPort) && accepts(registryPort), "both ports accept connections while running");

            // An outage and its end: stopped, the port refuses; restarted, same port, same schema ids and levels.
            RestSchemaRegistryClient client = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
            Schema schema = SchemaBuilder.record("Probe").namespace("org.spineoutcomes.test").fields().requiredInt("a").endRecord();
            int id = client.register("probe-value", schema);
            client.setCompatibility("probe-value", "BACKWARD");
            stack.registry().stop();
            assertFalse(stack.registry().isRunning());
            assertEquals(-1, stack.registry().pid());
            assertFalse(accepts(registryPort), "registry port closed while stopped");
            assertFalse(ProcessHandle.of(registryPid).map(ProcessHandle::isAlive).orElse(false), "registry process ended");
            stack.registry().restart();
            assertTrue(stack.registry().isRunning());
            assertEquals(registryPort, stack.registry().port());
            assertTrue(accepts(registryPort), "same port after the restart");
            registryPid = stack.registry().pid();
            RestSchemaRegistryClient fresh = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
            assertEquals(schema, fresh.getSchemaById(id), "the schema kept its id");
            assertEquals(List.of("probe-value"), fresh.getAllSubjects());
            assertEquals(Optional.of("BACKWARD"), fresh.getCompatibility("probe-value"));
        }
        assertFalse(Files.exists(workDir), "temp folder removed: " + workDir);
        Optional<ProcessHandle> registry = ProcessHandle.of(registryPid);
        assertTrue(registry.isEmpty() || !registry.get().isAlive(), "registry process " + registryPid + " stopped");
        assertFalse(accepts(brokerPort), "broker port closed");
        assertFalse(accepts(registryPort), "registry port closed");
    }

    @Test
    void missingRegistryJarIsReportedWithTheWayToBuildIt() {
        String previous = System.getProperty(LocalSchemaRegistry.JAR_PROPERTY);
        System.setProperty(LocalSchemaRegistry.JAR_PROPERTY, "/nonexistent/quarkus-run.jar");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, LocalSchemaRegistry::locateJar);
            assertEquals("spine.registry.jar points to /nonexistent/quarkus-run.jar, which is not a file", e.getMessage());
        } finally {
            if (previous == null) {
                System.clearProperty(LocalSchemaRegistry.JAR_PROPERTY);
            } else {
                System.setProperty(LocalSchemaRegistry.JAR_PROPERTY, previous);
            }
        }
    }

    /** True when something listens on 127.0.0.1:port. */
    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
