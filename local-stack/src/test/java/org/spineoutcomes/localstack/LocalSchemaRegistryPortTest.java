package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry's port is picked free seconds before its JVM binds it; another process can take it
 * in between. Here a test holds the port first, as that other process would.
 */
class LocalSchemaRegistryPortTest {

    @Test
    void aPortTakenBeforeTheRegistryBindsIt_isGivenUpForAnotherPort(@TempDir Path workDir) throws Exception {
        try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int heldPort = held.getLocalPort();
            List<Integer> offered = new ArrayList<>();
            IntSupplier ports = () -> {
                int port = offered.isEmpty() ? heldPort : FreePorts.pick();
                offered.add(port);
                return port;
            };
            try (LocalSchemaRegistry registry = LocalSchemaRegistry.start(workDir, ports)) {
                assertEquals(2, offered.size(), "one port refused, a second one offered: " + offered);
                assertNotEquals(heldPort, registry.port());
                assertEquals(offered.get(1), registry.port());
                HttpResponse<String> subjects = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(registry.confluentUrl() + "/subjects")).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, subjects.statusCode());
                assertEquals("[]", subjects.body().strip());
                String log = Files.readString(registry.logFile(), StandardCharsets.UTF_8);
                assertTrue(log.contains("Port " + heldPort + " seems to be in use"), "the first attempt's own words are in the log");
            }
        }
    }

    @Test
    void aPortTakenOnEveryAttempt_failsAfterThreeNamingTheLastPort(@TempDir Path workDir) throws Exception {
        try (ServerSocket held = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int heldPort = held.getLocalPort();
            List<Integer> offered = new ArrayList<>();
            IntSupplier ports = () -> {
                offered.add(heldPort);
                return heldPort;
            };
            IllegalStateException failure = assertThrows(IllegalStateException.class,
                    () -> LocalSchemaRegistry.start(workDir, ports));
            assertEquals(List.of(heldPort, heldPort, heldPort), offered);
            assertTrue(failure.getMessage().startsWith("Schema registry could not bind a free port in 3 attempts; the last, "
                    + heldPort + ", was taken before it started."), failure.getMessage());
            assertFalse(held.isClosed(), "the holder still owns its port");
        }
    }
}
