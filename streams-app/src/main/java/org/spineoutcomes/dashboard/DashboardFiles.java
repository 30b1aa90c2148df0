package org.spineoutcomes.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's static files, served from the class path under {@code /dashboard/}: the page and its
 * script and style from {@code dashboard/} (streams-app resources), and chart.js's UMD bundle from the
 * {@code org.webjars.npm:chart.js} jar as {@code /dashboard/vendor/chart.umd.min.js}. Nothing comes from
 * a CDN (hospital networks are often offline). Plain file names only (no sub-folders, no "..").
 */
public final class DashboardFiles implements HttpHandler {
    public static final String PREFIX = "/dashboard/";
    public static final String CHART_JS = "vendor/chart.umd.min.js";

    private static final String RESOURCES = "dashboard/";
    private static final String WEBJAR_PROPERTIES = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();
    private final String chartJsResource;

    public DashboardFiles() {
        this.chartJsResource = "META-INF/resources/webjars/chart.js/" + chartJsVersion() + "/dist/chart.umd.min.js";
    }

    /** The chart.js version on the class path (from the webjar's Maven properties). */
    public static String chartJsVersion() {
        try (InputStream in = DashboardFiles.class.getClassLoader().getResourceAsStream(WEBJAR_PROPERTIES)) {
            if (in == null) throw new IllegalStateException("chart.js webjar not on the class path (" + WEBJAR_PROPERTIES + ")");
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "GET only\n".getBytes(StandardCharsets.UTF_8), false);
                return;
            }
            String name = exchange.getRequestURI().getPath().substring(PREFIX.length());
            if (name.isEmpty()) name = "index.html";
            String resource;
            if (name.equals(CHART_JS)) {
                resource = chartJsResource;
            } else if (FILE_NAME.matcher(name).matches()) {
                resource = RESOURCES + name;
            } else {
                resource = null;
            }
            byte[] body = resource == null ? null : read(resource);
            if (body == null) {
                send(exchange, 404, "text/plain; charset=utf-8", ("not found: " + PREFIX + name + "\n").getBytes(StandardCharsets.UTF_8),
                        method.equals("HEAD"));
                return;
            }
            String ext = name.substring(name.lastIndexOf('.') + 1);
            // Our files may change with a release; the vendored library only with its version.
            exchange.getResponseHeaders().set("Cache-Control", resource == chartJsResource ? "public, max-age=86400" : "no-cache");
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            send(exchange, 200, TYPES.getOrDefault(ext, "application/octet-stream"), body, method.equals("HEAD"));
        } finally {
            exchange.close();
        }
    }

    private byte[] read(String resource) throws IOException {
        byte[] cached = cache.get(resource);
        if (cached != null) return cached;
        try (InputStream in = DashboardFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) return null;
            byte[] bytes = in.readAllBytes();
            cache.put(resource, bytes);
            return bytes;
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body, boolean head) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
