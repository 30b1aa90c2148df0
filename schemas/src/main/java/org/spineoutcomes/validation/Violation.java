package org.spineoutcomes.validation;

import java.util.Objects;

/**
 * One reason a record is rejected.
 *
 * @param reason  machine-readable code (header {@code spine.reason})
 * @param field   path of the offending field, e.g. {@code measurements[2].anteriorHeightMm};
 *                null when the problem is not tied to one field (e.g. a line that is not JSON)
 * @param message a plain sentence naming the value and what is allowed
 * Message and field are cut to {@link InputLimits#MAX_MESSAGE_LENGTH} / {@link InputLimits#MAX_FIELD_PATH_LENGTH}
 * characters (with a marker), so a hostile value quoted in them cannot make a report line huge.
 */
public record Violation(ReasonCode reason, String field, String message) {
    public Violation {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        message = InputLimits.abbreviate(message, InputLimits.MAX_MESSAGE_LENGTH);
        field = InputLimits.abbreviate(field, InputLimits.MAX_FIELD_PATH_LENGTH);
    }

    /** "field painNrs: painNrs is 11; ... [INVALID_PAIN_NRS]" - the form used in CLI and log output. */
    public String describe() {
        return (field == null ? "" : "field " + field + ": ") + message + " [" + reason + "]";
    }
}
