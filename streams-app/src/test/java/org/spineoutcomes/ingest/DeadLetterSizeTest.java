package org.spineoutcomes.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;
import org.spineoutcomes.validation.ReasonCode;

/** A dead letter always fits spine.rejected.v1: an oversized value is cut and the headers say so. */
class DeadLetterSizeTest {

    @Test
    void aValueOfTheBrokersDefaultLimitIsKeptWhole() {
        byte[] value = new byte[1_048_400];
        Arrays.fill(value, (byte) 7);
        DeadLetter dl = DeadLetter.of("p".getBytes(StandardCharsets.UTF_8), value, null, ReasonCode.UNDECODABLE, null, "m",
                "spine.followups.v1", 0, 5);
        assertArrayEquals(value, dl.value());
        assertNull(dl.headers().lastHeader(RejectionHeaders.VALUE_TRUNCATED));
    }

    @Test
    void aLargerValueIsCutWithItsSizeAndSha256() {
        byte[] value = new byte[Topics.DEAD_LETTER_MAX_VALUE_BYTES + 10];
        DeadLetter dl = DeadLetter.of("p".getBytes(StandardCharsets.UTF_8), value, null, ReasonCode.UNDECODABLE, null, "m",
                "spine.followups.v1", 0, 5);
        assertEquals(Topics.DEAD_LETTER_MAX_VALUE_BYTES, dl.value().length);
        assertEquals(6_815_744, Topics.DEAD_LETTER_MAX_VALUE_BYTES, "8 MiB minus 1 MiB for the key and 512 KiB for the headers");
        assertEquals("true", text(dl.headers().lastHeader(RejectionHeaders.VALUE_TRUNCATED)));
        assertEquals(String.valueOf(Topics.DEAD_LETTER_MAX_VALUE_BYTES + 10), text(dl.headers().lastHeader(RejectionHeaders.VALUE_ORIGINAL_SIZE)));
        // SHA-256 of the whole original, so a reader can check a copy of it from the source topic.
        assertEquals(DeadLetter.sha256Hex(value), text(dl.headers().lastHeader(RejectionHeaders.VALUE_SHA256)));
    }

    @Test
    void sha256OfAKnownInput() {
        // FIPS 180-2 appendix B.1: SHA-256("abc").
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                DeadLetter.sha256Hex("abc".getBytes(StandardCharsets.US_ASCII)));
    }

    private static String text(Header h) {
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
