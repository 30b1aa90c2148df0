package org.spineoutcomes.http;

import com.sun.net.httpserver.Headers;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What a {@link Route} sees of a request: method, URI and headers (the body is not read for GET routes). */
public record Request(String method, URI uri, Headers headers) {

    public String path() {
        return uri.getPath();
    }

    /**
     * Query parameters, decoded. A parameter given twice, a name that is empty or malformed
     * percent-encoding is a {@link BadRequest} (400): the API never guesses which of two values was meant.
     */
    public Map<String, String> query() {
        return parseQuery(uri.getRawQuery());
    }

    /** The parameters of a raw (still percent-encoded) query string; see {@link #query()}. */
    public static Map<String, String> parseQuery(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&", -1)) {
            if (pair.isEmpty()) continue; // "a=1&&b=2", a trailing "&"
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            String name = decode(rawName, rawName, null);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), name, pair.substring(eq + 1));
            if (name.isEmpty()) {
                throw new BadRequest("", value, List.of(), "a query parameter without a name ('" + pair + "'): write name=value");
            }
            if (params.putIfAbsent(name, value) != null) {
                throw new BadRequest(name, value, List.of(), "parameter " + name + " is given more than once: give it once");
            }
        }
        return params;
    }

    private static String decode(String text, String parameter, String rawValue) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(parameter, rawValue, List.of(), "malformed percent-encoding in "
                    + (rawValue == null ? "parameter name '" + text + "'" : "parameter " + parameter + " ('" + text + "')")
                    + ": write %XX with two hex digits, or %25 for a literal %");
        }
    }

    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.getFirst(name));
    }
}
