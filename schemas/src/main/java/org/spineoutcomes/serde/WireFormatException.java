package org.spineoutcomes.serde;

import org.apache.kafka.common.errors.SerializationException;

/** Bytes that are not a Confluent wire-format record: too short, or the first byte is not the magic byte 0x00. */
public class WireFormatException extends SerializationException {
    public WireFormatException(String message) {
        super(message);
    }
}
