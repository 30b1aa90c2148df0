package org.spineoutcomes.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing table of the app's HTTP server, the one place where endpoints are mounted. Routes can
 * be added before or after the server starts (the table is thread-safe); a path is registered once.
 *
 * <ul>
 *   <li>{@link #get(String, Route)}: an exact path answered with a complete {@link Reply}, e.g.
 *       {@code /health}; HEAD is answered like GET without the body;</li>
 *   <li>{@link #mount(String, HttpHandler)}: every path under a prefix handed to a JDK
 *       {@link HttpHandler} that owns the exchange, for what does not fit one reply: a query API with
 *       its own sub-paths, server-sent events, static files of a dashboard. The longest matching
 *       prefix wins; exact routes win over mounts.</li>
 * </ul>
 * The server is read-only: any method but GET and HEAD is answered 405 (with {@code Allow: GET, HEAD})
 * before any route sees it. With {@link #requireToken} every path except the open ones answers 401
 * unless the request carries the bearer token. A query string a route cannot read (a parameter given
 * twice, malformed percent-encoding) is a 400 with a one-line JSON message ({@link BadRequest}).
 * Anything else gets a JSON 404; {@code GET /} lists the registered paths unless a route claims it.
 */
public final class HttpRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(HttpRoutes.class);
    /** The only methods the server answers. */
    public static final String ALLOW = "GET, HEAD";

    private final Map<String, Route> exact = new ConcurrentHashMap<>();
    private final Map<String, HttpHandler> mounts = new ConcurrentHashMap<>();
    private volatile BearerToken token;
    private volatile Set<String> openPaths = Set.of();

    /** Registers GET (and HEAD) of {@code path}; a second registration of the same path is refused. */
    public synchronized HttpRoutes get(String path, Route route) {
        Objects.requireNonNull(route, "route");
        requirePath(path);
        if (exact.putIfAbsent(path, route) != null) {
            throw new IllegalStateException("GET " + path + " is already registered");
        }
        return this;
    }

    /** Hands every request whose path starts with {@code prefix} (e.g. "/api/") to {@code handler}. */
    public synchronized HttpRoutes mount(String prefix, HttpHandler handler) {
        Objects.requireNonNull(handler, "handler");
        requirePath(prefix);
        if (mounts.putIfAbsent(prefix, handler) != null) {
            throw new IllegalStateException(prefix + " is already mounted");
        }
        return this;
    }

    /**
     * From now on a request needs {@code token} (Authorization: Bearer, or the dashboard's cookie),
     * except for the {@code open} paths: exact paths, or prefixes written with a trailing {@code *}
     * ("/dashboard/*"). A request without it, or with another one, gets 401.
     */
    public HttpRoutes requireToken(BearerToken token, Collection<String> open) {
        open.forEach(p -> requirePath(p));
        this.openPaths = Set.copyOf(open);
        this.token = Objects.requireNonNull(token, "token");
        return this;
    }

    private static void requirePath(String path) {
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException("a path starts with '/': " + path);
        }
    }

    /** The registered exact paths and mount prefixes, sorted. */
    public Set<String> paths() {
        Set<String> all = new TreeSet<>(exact.keySet());
        mounts.keySet().forEach(p -> all.add(p + "*"));
        return all;
    }

    /** The handler the server installs at "/". */
    HttpHandler dispatcher() {
        return this::dispatch;
    }

    private boolean open(String path) {
        for (String p : openPaths) {
            if (p.endsWith("*") ? path.startsWith(p.substring(0, p.length() - 1)) : path.equals(p)) return true;
        }
        return false;
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        boolean handedOver = false;
        try {
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", ALLOW);
                send(exchange, Reply.error(405, "read-only: method " + method + " not allowed, only " + ALLOW, path));
                return;
            }
            BearerToken required = token;
            if (required != null && !open(path) && !required.permits(exchange.getRequestHeaders())) {
                LOG.debug("{} {}: no valid bearer token", method, path);
                exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"spine\"");
                send(exchange, Reply.error(401, "a valid bearer token is required: send the header Authorization: Bearer <token> "
                        + "(spine.http.bearer.token)", path));
                return;
            }
            Request request = new Request(method, exchange.getRequestURI(), exchange.getRequestHeaders());
            Route route = exact.get(path);
            if (route != null) {
                send(exchange, route.handle(request));
                return;
            }
            HttpHandler mounted = longestMount(path);
            if (mounted != null) {
                // The mounted handler owns the exchange (it may keep it open, e.g. for server-sent events).
                handedOver = true;
                mounted.handle(exchange);
                return;
            }
            if (path.equals("/")) {
                Map<String, Object> index = new LinkedHashMap<>();
                index.put("paths", List.copyOf(paths()));
                send(exchange, Reply.json(200, index));
                return;
            }
            send(exchange, Reply.error(404, "not found", path));
        } catch (BadRequest e) {
            send(exchange, Reply.json(400, e.body()));
            if (handedOver) exchange.close();
        } catch (Exception e) {
            if (handedOver) {
                exchange.close();
            }
            LOG.warn("{} {} failed", method, path, e);
            try {
                send(exchange, Reply.error(500, e.getClass().getSimpleName(), path));
            } catch (IOException | RuntimeException ignored) {
                // the response was already started; the client sees a broken answer
            }
        } finally {
            if (!handedOver) {
                exchange.close();
            }
        }
    }

    private HttpHandler longestMount(String path) {
        TreeMap<Integer, HttpHandler> matches = new TreeMap<>();
        mounts.forEach((prefix, handler) -> {
            if (path.startsWith(prefix)) {
                matches.put(prefix.length(), handler);
            }
        });
        return matches.isEmpty() ? null : matches.lastEntry().getValue();
    }

    private static void send(HttpExchange exchange, Reply reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", reply.contentType());
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        reply.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(reply.status(), head ? -1 : (reply.body().length == 0 ? -1 : reply.body().length));
        if (!head && reply.body().length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(reply.body());
            }
        }
    }
}
