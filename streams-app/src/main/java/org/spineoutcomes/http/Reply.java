package org.spineoutcomes.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A complete answer of a {@link Route}: status, content type, body and extra response headers (e.g. Location). */
public record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    public static final String JSON = "application/json; charset=utf-8";
    public static final String TEXT = "text/plain; charset=utf-8";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public Reply {
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    /** Without extra headers. */
    public Reply(int status, String contentType, byte[] body) {
        this(status, contentType, body, Map.of());
    }

    /** The same reply with one more response header. */
    public Reply withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Reply(status, contentType, body, h);
    }

    /** 302 to {@code location}, with a JSON body saying where (plus {@code extra} fields, may be empty). */
    public static Reply redirect(String location, Map<String, ?> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("location", location);
        body.putAll(extra);
        return json(302, body).withHeader("Location", location);
    }

    /** A JSON body written from a value Jackson can serialise (maps, lists, records, strings, numbers). */
    public static Reply json(int status, Object value) {
        try {
            return new Reply(status, JSON, MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getMessage(), e);
        }
    }

    public static Reply text(int status, String body, String contentType) {
        return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static Reply text(int status, String body) {
        return text(status, body, TEXT);
    }

    static Reply error(int status, String message, String path) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("path", path);
        return json(status, body);
    }
}
