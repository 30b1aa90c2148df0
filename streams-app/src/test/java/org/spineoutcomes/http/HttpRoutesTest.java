package org.spineoutcomes.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The routing table on a real JDK server bound to a free port. */
class HttpRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
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

    private HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) request.header(headers[i], headers[i + 1]);
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
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
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
        assertEquals("{\"error\":\"read-only: method POST not allowed, only GET, HEAD\",\"path\":\"/hello\"}", post.body());
        HttpResponse<String> head = send("HEAD", "/hello");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void everyMethodButGetAndHead_is405_onEveryPath_beforeAnyHandlerSeesIt() throws Exception {
        int[] mountedCalls = {0};
        routes.mount("/api/", exchange -> {
            mountedCalls[0]++;
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        for (String method : List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            for (String path : List.of("/hello", "/api/aggregates", "/nope", "/")) {
                HttpResponse<String> r = send(method, path);
                assertEquals(405, r.statusCode(), method + " " + path);
                assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow(), method + " " + path);
            }
        }
        assertEquals(0, mountedCalls[0], "no write reached the mounted handler");
        assertEquals(200, send("GET", "/api/x").statusCode());
        assertEquals(1, mountedCalls[0]);
    }

    @Test
    void aParameterGivenTwice_is400_withAOneLineJsonMessage() throws Exception {
        HttpResponse<String> r = send("GET", "/hello?name=a&name=b");
        assertEquals(400, r.statusCode());
        assertEquals("{\"error\":\"parameter name is given more than once: give it once\",\"parameter\":\"name\",\"value\":\"b\",\"allowed\":[]}",
                r.body());
        HttpResponse<String> noName = send("GET", "/hello?=x");
        assertEquals(400, noName.statusCode());
        assertEquals("a query parameter without a name ('=x'): write name=value", JSON.readTree(noName.body()).get("error").asText());
    }

    @Test
    void malformedPercentEncoding_isABadRequest_naming_theParameter() {
        BadRequest e = assertThrows(BadRequest.class, () -> Request.parseQuery("population=IT%T"));
        assertEquals("malformed percent-encoding in parameter population ('IT%T'): write %XX with two hex digits, or %25 for a literal %",
                e.getMessage());
        assertEquals(Map.of("a", "1 2", "b", ""), Request.parseQuery("a=1+2&b&&"));
    }

    @Test
    void withAToken_everyPathButTheOpenOnes_is401_untilTheTokenIsShown() throws Exception {
        routes.get("/health", request -> Reply.json(200, Map.of("status", "UP")));
        routes.requireToken(new BearerToken("0123456789abcdef-token"), List.of("/health", "/static/*"));
        routes.mount("/static/", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        HttpResponse<String> none = send("GET", "/hello");
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"spine\"", none.headers().firstValue("WWW-Authenticate").orElseThrow());
        assertEquals("a valid bearer token is required: send the header Authorization: Bearer <token> (spine.http.bearer.token)",
                JSON.readTree(none.body()).get("error").asText());
        assertEquals(401, send("GET", "/hello", "Authorization", "Bearer 0123456789abcdef-tokeN").statusCode(), "one character off");
        assertEquals(401, send("GET", "/hello", "Authorization", "Bearer 0123456789abcdef-token-and-more").statusCode(), "longer");
        assertEquals(401, send("GET", "/hello", "Authorization", "Basic 0123456789abcdef-token").statusCode(), "not a bearer token");
        assertEquals(401, send("GET", "/nope").statusCode(), "an unknown path says nothing before the token");
        assertEquals(200, send("GET", "/hello", "Authorization", "Bearer 0123456789abcdef-token").statusCode());
        assertEquals(200, send("GET", "/hello", "Authorization", "bearer 0123456789abcdef-token").statusCode(), "scheme is case-insensitive");
        assertEquals(200, send("GET", "/hello", "Cookie", "theme=dark; spine_token=0123456789abcdef-token").statusCode());
        assertEquals(401, send("GET", "/hello", "Cookie", "other_token=0123456789abcdef-token").statusCode());
        assertEquals(200, send("GET", "/health").statusCode(), "open path");
        assertEquals(200, send("GET", "/static/app.js").statusCode(), "open prefix");
        assertEquals(405, send("POST", "/hello", "Authorization", "Bearer 0123456789abcdef-token").statusCode(), "a token does not allow writes");
    }

    @Test
    void aTokenMustBeLongAndHeaderSafe() {
        assertEquals("at least 16 characters (e.g. the output of: openssl rand -hex 32)", BearerToken.problem("short"));
        assertEquals("only letters, digits and . _ ~ + / = - (e.g. the output of: openssl rand -hex 32)",
                BearerToken.problem("0123456789abcdef;x"));
        assertNull(BearerToken.problem("0123456789abcdef"));
        assertEquals("BearerToken[****]", new BearerToken("0123456789abcdef").toString());
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
