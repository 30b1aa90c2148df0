package org.spineoutcomes.producer.pseudonym;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the pseudonym key comes from.
 * <ul>
 *   <li>{@value #KEY_FILE_ENV}: path of a file holding the key as text (first line, trimmed);</li>
 *   <li>{@value #KEY_ENV}: the key itself as text.</li>
 * </ul>
 * Text form: {@code hex:<hex digits>} or {@code base64:<standard base64>}; without a prefix, a string of
 * only hex digits (even length) is read as hex, anything else as base64. The decoded key must be at
 * least {@value #MIN_KEY_BYTES} bytes (the HMAC-SHA256 output length, RFC 2104 section 3).
 * Generate one with {@code openssl rand -hex 32}. The file wins when both are set.
 * Without either, startup fails, except in demo mode, which generates a random throwaway key and
 * prints it to the given stream (pseudonyms then change on every run).
 */
public final class PseudonymKeys {
    private PseudonymKeys() {}

    public static final String KEY_FILE_ENV = "SPINE_PSEUDONYM_KEY_FILE";
    public static final String KEY_ENV = "SPINE_PSEUDONYM_KEY";
    public static final int MIN_KEY_BYTES = 32;

    private static final Pattern HEX = Pattern.compile("(?:[0-9a-fA-F]{2})+");

    /** Thrown when no usable key is configured; the message says how to configure one. */
    public static final class MissingKeyException extends RuntimeException {
        public MissingKeyException(String message) { super(message); }
    }

    /** Decodes the text form described above. */
    public static byte[] decode(String text, String origin) {
        String t = text == null ? "" : text.trim();
        byte[] key;
        try {
            if (t.startsWith("hex:")) key = HexFormat.of().parseHex(t.substring(4));
            else if (t.startsWith("base64:")) key = Base64.getDecoder().decode(t.substring(7));
            else if (HEX.matcher(t).matches()) key = HexFormat.of().parseHex(t);
            else key = Base64.getDecoder().decode(t);
        } catch (IllegalArgumentException e) {
            throw new MissingKeyException(origin + ": pseudonym key is neither valid hex nor base64 (" + e.getMessage() + ")");
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new MissingKeyException(origin + ": pseudonym key has " + key.length + " bytes, at least "
                    + MIN_KEY_BYTES + " are required (e.g. `openssl rand -hex 32`)");
        }
        return key;
    }

    /**
     * The key configured in the environment, or in demo mode a fresh random one (printed to {@code notice}).
     *
     * @throws MissingKeyException when nothing is configured and demo mode is off, or the key is unusable
     */
    public static byte[] load(Map<String, String> env, boolean demoMode, PrintStream notice) {
        String file = env.get(KEY_FILE_ENV);
        if (file != null && !file.isBlank()) {
            Path path = Path.of(file.trim());
            String content;
            try {
                content = Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new MissingKeyException(KEY_FILE_ENV + "=" + path + ": cannot read the key file (" + e.getMessage() + ")");
            }
            String firstLine = content.lines().findFirst().orElse("");
            return decode(firstLine, KEY_FILE_ENV + " " + path);
        }
        String inline = env.get(KEY_ENV);
        if (inline != null && !inline.isBlank()) return decode(inline, KEY_ENV);
        if (!demoMode) {
            throw new MissingKeyException("No pseudonym key: set " + KEY_FILE_ENV + " (path of a file holding the key) or "
                    + KEY_ENV + " (hex or base64, at least " + MIN_KEY_BYTES + " bytes; e.g. `export " + KEY_ENV
                    + "=$(openssl rand -hex 32)`), or pass --demo for a throwaway key.");
        }
        byte[] key = new byte[MIN_KEY_BYTES];
        new SecureRandom().nextBytes(key);
        notice.println("DEMO MODE: generated a throwaway pseudonym key (pseudonyms will not match any other run): "
                + KEY_ENV + "=hex:" + HexFormat.of().formatHex(key));
        return key;
    }

    /** Convenience: a pseudonymiser from the process environment. */
    public static Pseudonymiser fromEnvironment(boolean demoMode, PrintStream notice) {
        return new Pseudonymiser(load(System.getenv(), demoMode, notice));
    }
}
