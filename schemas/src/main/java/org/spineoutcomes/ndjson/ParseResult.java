package org.spineoutcomes.ndjson;

import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.ReasonCode;
import org.spineoutcomes.validation.Violation;

/** Outcome of decoding one NDJSON line: an event or a precise error. */
public sealed interface ParseResult permits ParseResult.Parsed, ParseResult.ParseError {

    /** A line decoded into its Avro record (not yet validated: see {@code EventValidator}). */
    record Parsed(EventType type, SpecificRecord event) implements ParseResult {
        public Parsed {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(event, "event");
        }
    }

    /**
     * A line that could not be decoded.
     *
     * @param lineNumber 1-based line number in its file (as passed to the codec)
     * @param field      path of the offending field, e.g. {@code measurements[1].level}; null when
     *                   the line as a whole is bad (not JSON, not an object)
     */
    record ParseError(long lineNumber, String field, ReasonCode reason, String message) implements ParseResult {
        public ParseError {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
            message = InputLimits.abbreviate(message, InputLimits.MAX_MESSAGE_LENGTH);
            field = InputLimits.abbreviate(field, InputLimits.MAX_FIELD_PATH_LENGTH);
        }

        /** The same problem as a {@link Violation}, so parse errors and validation results combine. */
        public Violation toViolation() {
            return new Violation(reason, field, message);
        }

        /** "{@code <file>:<line>: field <path>: <message> [<REASON>]}". */
        public String describe(String file) {
            return file + ":" + lineNumber + ": " + toViolation().describe();
        }
    }
}
