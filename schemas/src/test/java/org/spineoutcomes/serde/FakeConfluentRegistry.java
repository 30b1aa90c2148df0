package org.spineoutcomes.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A stand-in for Confluent Schema Registry's REST API on 127.0.0.1, backed by the in-memory
 * registry, answering the documented paths, status codes and error_code values. It counts
 * requests per "METHOD path" and records headers so tests can check caching and auth.
 */
final class FakeConfluentRegistry implements AutoCloseable {
    static final String PREFIX = "/apis/ccompat/v7";

    final InMemorySchemaRegistryClient backing = new InMemorySchemaRegistryClient();
    final Map<String, AtomicInteger> requestCounts = new ConcurrentHashMap<>();
    final List<String> authorizationHeaders = new CopyOnWriteArrayList<>();
    final List<String> contentTypes = new CopyOnWriteArrayList<>();
    final List<String> requestBodies = new CopyOnWriteArrayList<>();
    /** When set, requests without exactly this Authorization header get 401. */
    volatile String requiredAuthorization;
    /** When set, every request gets this status and body. */
    volatile int forcedStatus;
    volatile String forcedBody;

    private final HttpServer server;
    private final ObjectMapper json = new ObjectMapper();
    private final String scheme;

    private FakeConfluentRegistry(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        server.createContext("/", this::handle);
        server.start();
    }

    static FakeConfluentRegistry start() throws IOException {
        return new FakeConfluentRegistry(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), "http");
    }

    static FakeConfluentRegistry startHttps(SSLContext serverContext) throws IOException {
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        return new FakeConfluentRegistry(https, "https");
    }

    String baseUrl() {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + PREFIX;
    }

    int count(String methodAndPath) {
        AtomicInteger count = requestCounts.get(methodAndPath);
        return count == null ? 0 : count.get();
    }

    int totalRequests() {
        return requestCounts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String rawPath = exchange.getRequestURI().getRawPath();
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requestCounts.computeIfAbsent(method + " " + rawPath.replaceFirst("^" + PREFIX, ""), k -> new AtomicInteger()).incrementAndGet();
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizationHeaders.add(authorization == null ? "" : authorization);
            String contentType = exchange.getRequestHeaders().getFirst("Content-Type");
            contentTypes.add(contentType == null ? "" : contentType);
            requestBodies.add(body);
            if (forcedStatus != 0) {
                respond(exchange, forcedStatus, forcedBody);
                return;
            }
            if (requiredAuthorization != null && !requiredAuthorization.equals(authorization)) {
                respond(exchange, 401, "{\"error_code\":401,\"message\":\"Unauthorized\"}");
                return;
            }
            if (!rawPath.startsWith(PREFIX + "/")) {
                respond(exchange, 404, "<html>Not Found</html>");
                return;
            }
            String[] parts = rawPath.substring(PREFIX.length() + 1).split("/");
            for (int i = 0; i < parts.length; i++) {
                parts[i] = URLDecoder.decode(parts[i], StandardCharsets.UTF_8);
            }
            route(exchange, method, parts, body);
        }
    }

    private void route(HttpExchange exchange, String method, String[] p, String body) throws IOException {
        try {
            if (method.equals("POST") && p.length == 3 && p[0].equals("subjects") && p[2].equals("versions")) {
                int id = backing.register(p[1], schemaOf(body));
                respond(exchange, 200, "{\"id\":" + id + "}");
            } else if (method.equals("POST") && p.length == 2 && p[0].equals("subjects")) {
                Schema schema = schemaOf(body);
                int id = backing.getId(p[1], schema);
                int version = backing.getAllVersions(p[1]).stream().filter(v -> v.id() == id).findFirst().orElseThrow().version();
                respond(exchange, 200, versionJson(p[1], version, id, schema));
            } else if (method.equals("GET") && p.length == 4 && p[0].equals("subjects") && p[2].equals("versions") && p[3].equals("latest")) {
                SchemaRegistryClient.RegisteredSchema latest = backing.getLatestVersion(p[1]);
                respond(exchange, 200, versionJson(latest.subject(), latest.version(), latest.id(), latest.schema()));
            } else if (method.equals("GET") && p.length == 3 && p[0].equals("schemas") && p[1].equals("ids")) {
                Schema schema = backing.getSchemaById(Integer.parseInt(p[2]));
                ObjectNode answer = json.createObjectNode().put("schema", schema.toString());
                respond(exchange, 200, answer.toString());
            } else if (method.equals("POST") && p.length == 5 && p[0].equals("compatibility") && p[1].equals("subjects") && p[3].equals("versions")) {
                backing.getLatestVersion(p[2]); // 40401 when the subject is missing, as older Confluent releases answer
                respond(exchange, 200, "{\"is_compatible\":" + backing.testCompatibility(p[2], schemaOf(body)) + "}");
            } else if (method.equals("PUT") && p.length == 2 && p[0].equals("config")) {
                String level = json.readTree(body).path("compatibility").asText();
                backing.setCompatibility(p[1], level);
                respond(exchange, 200, json.createObjectNode().put("compatibility", level).toString());
            } else if (method.equals("GET") && p.length == 2 && p[0].equals("config")) {
                java.util.Optional<String> level = backing.getCompatibility(p[1]);
                if (level.isPresent()) {
                    respond(exchange, 200, json.createObjectNode().put("compatibilityLevel", level.get()).toString());
                } else {
                    respond(exchange, 404, "{\"error_code\":40408,\"message\":\"Subject '" + p[1] + "' does not have subject-level compatibility configured\"}");
                }
            } else if (method.equals("GET") && p.length == 1 && p[0].equals("subjects")) {
                respond(exchange, 200, json.writeValueAsString(backing.getAllSubjects()));
            } else {
                respond(exchange, 404, "{\"error_code\":404,\"message\":\"HTTP 404 Not Found\"}");
            }
        } catch (SubjectNotFoundException e) {
            respond(exchange, 404, "{\"error_code\":40401,\"message\":\"Subject '" + p[p[0].equals("compatibility") ? 2 : 1] + "' not found.\"}");
        } catch (SchemaNotFoundException | UnknownSchemaIdException e) {
            respond(exchange, 404, "{\"error_code\":40403,\"message\":\"Schema not found\"}");
        } catch (IncompatibleSchemaException e) {
            respond(exchange, 409, json.createObjectNode().put("error_code", 409)
                    .put("message", "Schema being registered is incompatible with an earlier schema; " + e.getMessage()).toString());
        } catch (SchemaParseException e) {
            respond(exchange, 422, json.createObjectNode().put("error_code", 42201).put("message", "Invalid schema: " + e.getMessage()).toString());
        }
    }

    private Schema schemaOf(String body) throws IOException {
        JsonNode request = json.readTree(body);
        return new Schema.Parser().parse(request.get("schema").asText());
    }

    private String versionJson(String subject, int version, int id, Schema schema) {
        return json.createObjectNode().put("subject", subject).put("version", version).put("id", id).put("schema", schema.toString()).toString();
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }
}
