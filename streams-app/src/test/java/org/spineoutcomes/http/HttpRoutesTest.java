package org.spineoutcomes.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The routing table on a real JDK server bound to a free port. */
class HttpRoutesTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private final HttpRoutes routes = new HttpRoutes();
    private SpineHttpServer server;

    @BeforeEach
    void start() throws Exception {
        routes.get("/hello", request -> Reply.json(200, Map.of("hello", request.query().getOrDefault("name", "world"))));
        server = SpineHttpServer.start("127.0.0.1", 0, routes);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void exactRoute_answersWithItsReply() throws Exception {
        HttpResponse<String> r = send("GET", "/hello?name=spine%20team");
        assertEquals(200, r.statusCode());
        assertEquals("{\"hello\":\"spine team\"}", r.body());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void routesAddedAfterStart_areServed_andMountsTakeWholeSubtrees() throws Exception {
        routes.mount("/api/", exchange -> {
            byte[] body = ("api saw " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        assertEquals("api saw /api/outcomes/p-1", send("GET", "/api/outcomes/p-1").body());
        assertEquals("{\"paths\":[\"/api/*\",\"/hello\"]}", send("GET", "/").body());
    }

    @Test
    void unknownPath_is404_wrongMethod_is405_head_hasNoBody() throws Exception {
        HttpResponse<String> missing = send("GET", "/nope");
        assertEquals(404, missing.statusCode());
        assertEquals("{\"error\":\"not found\",\"path\":\"/nope\"}", missing.body());
        HttpResponse<String> post = send("POST", "/hello");
        assertEquals(405, post.statusCode());
        assertEquals("GET", post.headers().firstValue("Allow").orElseThrow());
        HttpResponse<String> head = send("HEAD", "/hello");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void failingRoute_is500_andTheServerGoesOn() throws Exception {
        routes.get("/boom", request -> {
            throw new IllegalStateException("boom");
        });
        HttpResponse<String> r = send("GET", "/boom");
        assertEquals(500, r.statusCode());
        assertEquals("{\"error\":\"IllegalStateException\",\"path\":\"/boom\"}", r.body());
        assertEquals(200, send("GET", "/hello").statusCode());
    }

    @Test
    void aPathIsRegisteredOnce() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> routes.get("/hello", request -> Reply.text(200, "again")));
        assertEquals("GET /hello is already registered", e.getMessage());
    }
}
