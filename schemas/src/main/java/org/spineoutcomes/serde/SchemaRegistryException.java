package org.spineoutcomes.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * The schema registry could not be reached or answered with an error. {@link #httpStatus()} is
 * 0 when no HTTP answer came (connection refused, timeout, TLS failure); {@link #errorCode()} is
 * the registry's {@code error_code} (e.g. 40401), or 0 when the body had none.
 */
public class SchemaRegistryException extends SerializationException {
    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(String message, int httpStatus, int errorCode, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(String message, int httpStatus, int errorCode) {
        this(message, httpStatus, errorCode, null);
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int errorCode() {
        return errorCode;
    }
}
