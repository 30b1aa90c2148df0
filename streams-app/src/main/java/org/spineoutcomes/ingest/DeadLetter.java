package org.spineoutcomes.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.topics.Topics.RejectionHeaders;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.ReasonCode;

/**
 * A rejected input record as written to spine.rejected.v1: the original key and value bytes,
 * untouched, plus headers naming the reason, the field, a human message and where it came from. A
 * value over the topic's limit ({@link Topics#DEAD_LETTER_MAX_VALUE_BYTES}) is cut, with headers
 * giving the original's size and SHA-256.
 */
public record DeadLetter(byte[] key, byte[] value, Headers headers) {

    public static DeadLetter of(byte[] key, byte[] value, Headers originalHeaders, ReasonCode reason, String field,
                                String message, String topic, int partition, long offset) {
        RecordHeaders h = new RecordHeaders();
        if (originalHeaders != null) {
            originalHeaders.forEach(h::add);
        }
        h.add(RejectionHeaders.REASON, utf8(reason.name()));
        // bounded, so a hostile value quoted in a message cannot make the dead letter huge
        h.add(RejectionHeaders.MESSAGE, utf8(message == null ? "" : InputLimits.abbreviate(message, 4 * InputLimits.MAX_MESSAGE_LENGTH)));
        if (field != null) {
            h.add(RejectionHeaders.FIELD, utf8(InputLimits.abbreviate(field, InputLimits.MAX_FIELD_PATH_LENGTH)));
        }
        h.add(RejectionHeaders.SOURCE_TOPIC, utf8(topic == null ? "" : topic));
        h.add(RejectionHeaders.SOURCE_PARTITION, utf8(String.valueOf(partition)));
        h.add(RejectionHeaders.SOURCE_OFFSET, utf8(String.valueOf(offset)));
        // A dead letter must fit its topic, or its send fails and the partition never moves on: an
        // oversized value is cut, and the headers say so with the original's size and SHA-256.
        if (value != null && value.length > Topics.DEAD_LETTER_MAX_VALUE_BYTES) {
            h.add(RejectionHeaders.VALUE_TRUNCATED, utf8("true"));
            h.add(RejectionHeaders.VALUE_ORIGINAL_SIZE, utf8(String.valueOf(value.length)));
            h.add(RejectionHeaders.VALUE_SHA256, utf8(sha256Hex(value)));
            value = java.util.Arrays.copyOf(value, Topics.DEAD_LETTER_MAX_VALUE_BYTES);
        }
        if (key != null && key.length > Topics.DEAD_LETTER_MAX_KEY_BYTES) {
            h.add(RejectionHeaders.KEY_TRUNCATED, utf8("true"));
            key = java.util.Arrays.copyOf(key, Topics.DEAD_LETTER_MAX_KEY_BYTES);
        }
        return new DeadLetter(key, value, h);
    }

    /**
     * A PROCESSING_ERROR dead letter for a failure outside the input records, with header
     * {@code spine.stage}: {@code stage}'s label, then {@code ":" + node} when a node is named.
     */
    public static DeadLetter processingError(FailureStage stage, String node, byte[] key, byte[] value, String message,
                                             String topic, int partition, long offset) {
        DeadLetter dl = of(key, value, null, ReasonCode.PROCESSING_ERROR, null, message, topic, partition, offset);
        dl.headers().add(RejectionHeaders.STAGE, utf8(node == null ? stage.label() : stage.label() + ":" + node));
        return dl;
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
