package org.spineoutcomes.http;

import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The shared secret a client must show to read the app's data (spine.http.bearer.token): in the
 * {@code Authorization: Bearer <token>} header, or, for a browser (the dashboard page cannot set
 * headers on {@code EventSource}), in the cookie {@value #COOKIE}. Tokens are compared in constant
 * time: both sides are hashed with SHA-256 and the digests compared with
 * {@link MessageDigest#isEqual}, so neither the content nor the length of the token leaks through
 * timing. The token itself is kept only to forward requests to the other instances.
 */
public final class BearerToken {
    /** Cookie the dashboard sets when the user enters the token (SameSite=Strict, path /). */
    public static final String COOKIE = "spine_token";
    /** At least this many characters: a token is a random secret, not a password someone chose. */
    public static final int MIN_LENGTH = 16;
    /** Characters allowed in a token: safe in a header and in a cookie value without quoting. */
    public static final Pattern CHARS = Pattern.compile("[A-Za-z0-9._~+/=-]+");

    private final String token;
    private final byte[] digest;

    public BearerToken(String token) {
        String problem = problem(token);
        if (problem != null) throw new IllegalArgumentException(problem);
        this.token = token;
        this.digest = sha256(token);
    }

    /** Why a configured token cannot be used (null: it can). */
    public static String problem(String token) {
        if (token == null || token.length() < MIN_LENGTH) {
            return "at least " + MIN_LENGTH + " characters (e.g. the output of: openssl rand -hex 32)";
        }
        if (!CHARS.matcher(token).matches()) {
            return "only letters, digits and . _ ~ + / = - (e.g. the output of: openssl rand -hex 32)";
        }
        return null;
    }

    /** True when the request carries this token in its Authorization header or its {@value #COOKIE} cookie. */
    public boolean permits(Headers headers) {
        boolean ok = false;
        // Every candidate is compared (no early return), so the time taken does not say which one matched.
        for (String candidate : candidates(headers)) {
            ok |= matches(candidate);
        }
        return ok;
    }

    /** Constant-time comparison of a presented token with this one. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(sha256(presented), digest);
    }

    /** The Authorization header value for a request to another instance. */
    public String authorization() {
        return "Bearer " + token;
    }

    private static List<String> candidates(Headers headers) {
        List<String> found = new ArrayList<>();
        List<String> authorization = headers.get("Authorization");
        if (authorization != null) {
            for (String value : authorization) {
                String v = value.trim();
                if (v.length() > 7 && v.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) found.add(v.substring(7).trim());
            }
        }
        List<String> cookies = headers.get("Cookie");
        if (cookies != null) {
            for (String line : cookies) {
                for (String pair : line.split(";")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(0, eq).trim().equals(COOKIE)) found.add(pair.substring(eq + 1).trim());
                }
            }
        }
        return found;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[****]";
    }
}
