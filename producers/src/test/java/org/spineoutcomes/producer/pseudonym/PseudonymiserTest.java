package org.spineoutcomes.producer.pseudonym;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PseudonymiserTest {
    private static final byte[] KEY_A = new byte[32];
    private static final byte[] KEY_B = new byte[32];
    static {
        Arrays.fill(KEY_A, (byte) 0x11);
        Arrays.fill(KEY_B, (byte) 0x22);
    }

    @Test
    void rfc4231TestCase2ProvesTheHmacPrimitive() {
        // RFC 4231 section 4.3: key "Jefe", data "what do ya want for nothing?"
        Pseudonymiser p = new Pseudonymiser("Jefe".getBytes(StandardCharsets.US_ASCII));
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                p.hmacHex("what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)));
        // The pseudonym of an MRN is exactly that HMAC over the trimmed MRN's UTF-8 bytes.
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                p.pseudonymise("  what do ya want for nothing?\t"));
    }

    @Test
    void sameKeyAndMrnGiveTheSamePseudonymAcrossInstances() {
        String first = new Pseudonymiser(KEY_A).pseudonymise("MRN-004711");
        String second = new Pseudonymiser(KEY_A.clone()).pseudonymise("MRN-004711");
        assertEquals(first, second);
        assertEquals(64, first.length(), "32 bytes of HMAC-SHA256 = 64 hex characters");
        assertTrue(first.matches("[0-9a-f]{64}"), "lowercase hex");
    }

    @Test
    void differentKeysGiveDifferentPseudonyms() {
        assertNotEquals(new Pseudonymiser(KEY_A).pseudonymise("MRN-004711"),
                new Pseudonymiser(KEY_B).pseudonymise("MRN-004711"));
    }

    @Test
    void differentMrnsGiveDifferentPseudonyms() {
        Pseudonymiser p = new Pseudonymiser(KEY_A);
        assertNotEquals(p.pseudonymise("MRN-004711"), p.pseudonymise("MRN-004712"));
    }

    @Test
    void blankMrnIsRefusedWithoutEchoingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Pseudonymiser(KEY_A).pseudonymise("   "));
        assertEquals("patient identifier (MRN) is missing or blank", e.getMessage());
    }

    @Test
    void maskRevealsOnlyTheLength() {
        assertEquals("<MRN of 10 chars>", Pseudonymiser.mask("MRN-004711"));
    }

    @Test
    void keyIsReadFromHexBase64OrFile(@TempDir Path dir) throws Exception {
        String hex = "11".repeat(32);
        assertTrue(Arrays.equals(KEY_A, PseudonymKeys.decode(hex, "test")));
        assertTrue(Arrays.equals(KEY_A, PseudonymKeys.decode("hex:" + hex, "test")));
        // base64 of 32 bytes 0x11 = "ERERERERERERERERERERERERERERERERERERERERERE=" (0x111111 -> "ERER")
        assertTrue(Arrays.equals(KEY_A, PseudonymKeys.decode("base64:ERERERERERERERERERERERERERERERERERERERERERE=", "test")));
        Path file = dir.resolve("key");
        Files.writeString(file, hex + "\n");
        byte[] fromFile = PseudonymKeys.load(Map.of(PseudonymKeys.KEY_FILE_ENV, file.toString()), false, System.err);
        assertTrue(Arrays.equals(KEY_A, fromFile));
    }

    @Test
    void refusesToStartWithoutAKeyUnlessInDemoMode() {
        PseudonymKeys.MissingKeyException e = assertThrows(PseudonymKeys.MissingKeyException.class,
                () -> PseudonymKeys.load(Map.of(), false, System.err));
        assertTrue(e.getMessage().startsWith("No pseudonym key: set SPINE_PSEUDONYM_KEY_FILE"), e.getMessage());

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        byte[] demo = PseudonymKeys.load(Map.of(), true, new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertEquals(32, demo.length);
        String notice = printed.toString(StandardCharsets.UTF_8);
        assertTrue(notice.contains("SPINE_PSEUDONYM_KEY=hex:" + java.util.HexFormat.of().formatHex(demo)), notice);
    }

    @Test
    void shortKeysAreRefused() {
        PseudonymKeys.MissingKeyException e = assertThrows(PseudonymKeys.MissingKeyException.class,
                () -> PseudonymKeys.decode("hex:" + "ab".repeat(16), "SPINE_PSEUDONYM_KEY"));
        assertEquals("SPINE_PSEUDONYM_KEY: pseudonym key has 16 bytes, at least 32 are required (e.g. `openssl rand -hex 32`)", e.getMessage());
        assertFalse(e.getMessage().contains("abab"));
    }
}
