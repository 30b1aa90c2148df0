package org.spineoutcomes.ingest;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.spineoutcomes.topics.Topics.RejectionHeaders;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.ReasonCode;

/**
 * A rejected input record as written to spine.rejected.v1: the original key and value bytes,
 * untouched, plus headers naming the reason, the field, a human message and where it came from.
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
        return new DeadLetter(key, value, h);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
