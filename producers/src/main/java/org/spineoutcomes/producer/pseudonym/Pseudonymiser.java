package org.spineoutcomes.producer.pseudonym;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Replaces a hospital patient identifier (MRN) by its pseudonym: lowercase hex of
 * HMAC-SHA256(key, UTF-8 bytes of the trimmed MRN). The same key and MRN always give the same
 * pseudonym, so events of one patient stay joinable downstream without the MRN leaving the hospital.
 * Thread-safe: a {@link Mac} is not, so each thread gets its own.
 */
public final class Pseudonymiser {
    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;

    /** @param key the secret key; any non-empty length is accepted here (see {@link PseudonymKeys} for the deployment minimum). */
    public Pseudonymiser(byte[] key) {
        if (key == null || key.length == 0) throw new IllegalArgumentException("pseudonym key is empty");
        this.key = new SecretKeySpec(key.clone(), ALGORITHM);
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable in this JVM", e);
        }
    }

    /** Raw HMAC-SHA256 of the given bytes under this key, lowercase hex (exposed for the RFC 4231 check). */
    public String hmacHex(byte[] message) {
        Mac mac = macs.get();
        mac.reset();
        return HexFormat.of().formatHex(mac.doFinal(message));
    }

    /**
     * The pseudonym of an MRN. Surrounding whitespace is trimmed first, so " 123 " and "123" are the
     * same patient; nothing else is normalised (case and leading zeros are significant).
     *
     * @throws IllegalArgumentException when the MRN is null or blank (the message never contains it)
     */
    public String pseudonymise(String mrn) {
        if (mrn == null || mrn.isBlank()) throw new IllegalArgumentException("patient identifier (MRN) is missing or blank");
        return hmacHex(mrn.trim().getBytes(StandardCharsets.UTF_8));
    }

    /** A log-safe stand-in for an MRN: its length only, never any of its characters. */
    public static String mask(String mrn) {
        return mrn == null ? "<no MRN>" : "<MRN of " + mrn.length() + " chars>";
    }
}
