package org.spineoutcomes.producer.fhir;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP front of the gateway (JDK HttpServer, no extra dependency):
 * {@code POST /fhir} (Bundle or resource) and {@code POST /fhir/<Type>} with
 * {@code Content-Type: application/fhir+json} (application/json also accepted);
 * {@code DELETE /fhir/<Type>/<id>?subject=<MRN>} (a retraction, see {@link FhirGateway#delete});
 * {@code GET /health}.
 */
public final class FhirHttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FhirHttpServer.class);
    static final String FHIR_JSON = "application/fhir+json";
    private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private final HttpServer server;
    private final ExecutorService executor;

    public FhirHttpServer(FhirGateway gateway, String host, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 0);
        executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.createContext("/health", exchange -> respond(exchange, 200, "text/plain", "ok\n"));
        server.createContext("/fhir", exchange -> {
            try {
                if ("DELETE".equals(exchange.getRequestMethod())) {
                    delete(gateway, exchange);
                    return;
                }
                if (!"POST".equals(exchange.getRequestMethod())) {
                    exchange.getResponseHeaders().add("Allow", "POST, DELETE");
                    respond(exchange, 405, "text/plain", "POST a FHIR R4 resource or Bundle (application/fhir+json),"
                            + " or DELETE /fhir/<Type>/<id>?subject=<MRN>\n");
                    return;
                }
                String type = exchange.getRequestHeaders().getFirst("Content-Type");
                String mediaType = type == null ? "" : type.split(";")[0].trim().toLowerCase();
                if (!mediaType.equals(FHIR_JSON) && !mediaType.equals("application/json")) {
                    respond(exchange, 415, "text/plain", "Content-Type must be application/fhir+json, got " + type + "\n");
                    return;
                }
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readNBytes(MAX_BODY_BYTES + 1);
                }
                if (body.length > MAX_BODY_BYTES) {
                    respond(exchange, 413, "text/plain", "body larger than " + MAX_BODY_BYTES + " bytes\n");
                    return;
                }
                FhirGateway.Response response = gateway.handle(new String(body, StandardCharsets.UTF_8));
                respond(exchange, response.status(), FHIR_JSON, response.json());
            } catch (RuntimeException e) {
                LOG.error("FHIR request failed", e);
                respond(exchange, 500, "text/plain", "internal error: " + e.getClass().getSimpleName() + "\n");
            }
        });
    }

    /** {@code DELETE /fhir/<Type>/<id>}; a missing type or id is left to the gateway to explain. */
    private static void delete(FhirGateway gateway, HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath(); // decoded; '+' stays '+' in a path
        String rest = path.startsWith("/fhir/") ? path.substring("/fhir/".length()) : "";
        String[] segments = rest.isEmpty() ? new String[0] : rest.split("/", -1);
        if (segments.length > 2) {
            respond(exchange, 404, "text/plain", "DELETE /fhir/<Type>/<id>?subject=<MRN>\n");
            return;
        }
        String type = segments.length > 0 ? segments[0] : null;
        String id = segments.length > 1 ? segments[1] : null;
        FhirGateway.Response response = gateway.delete(type, id, queryParameters(exchange.getRequestURI().getRawQuery()));
        respond(exchange, response.status(), FHIR_JSON, response.json());
    }

    /**
     * Decoded query parameters (form encoding: '+' is a space, %2B a plus), values in order. The
     * escapes are well-formed: the server has parsed the request URI.
     */
    static Map<String, List<String>> queryParameters(String rawQuery) {
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) return parameters;
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            parameters.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return parameters;
    }

    public void start() { server.start(); }

    public int port() { return server.getAddress().getPort(); }

    private static void respond(HttpExchange exchange, int status, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType + "; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow();
    }
}
