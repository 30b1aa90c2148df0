package org.spineoutcomes.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.http.HttpRoutes;
import org.spineoutcomes.http.SpineHttpServer;

/** The dashboard's files from the class path, chart.js from the webjar, nothing outside dashboard/. */
class DashboardFilesTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private SpineHttpServer server;

    @BeforeEach
    void start() throws Exception {
        HttpRoutes routes = new HttpRoutes();
        routes.mount(DashboardFiles.PREFIX, new DashboardFiles());
        server = SpineHttpServer.start("127.0.0.1", 0, routes);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void pageScriptStyleAndChartJs_areServedWithTheirTypes() throws Exception {
        HttpResponse<String> page = get("/dashboard/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(page.body().contains("<script src=\"vendor/chart.umd.min.js\" defer></script>"));
        assertEquals("text/javascript; charset=utf-8", get("/dashboard/app.js").headers().firstValue("Content-Type").orElseThrow());
        assertEquals("text/css; charset=utf-8", get("/dashboard/style.css").headers().firstValue("Content-Type").orElseThrow());
        assertEquals("4.5.1", DashboardFiles.chartJsVersion());
        HttpResponse<String> chart = get("/dashboard/" + DashboardFiles.CHART_JS);
        assertEquals(200, chart.statusCode());
        assertTrue(chart.body().contains("Chart.js v4.5.1"), "the webjar's UMD bundle");
    }

    @Test
    void onlyPlainNamesUnderDashboard_areServed() throws Exception {
        assertEquals(404, get("/dashboard/missing.js").statusCode());
        assertEquals(404, get("/dashboard/..%2Flog4j2.xml").statusCode());
        assertEquals(404, get("/dashboard/vendor/other.js").statusCode());
        assertEquals(404, get("/dashboard/.hidden").statusCode());
    }
}
