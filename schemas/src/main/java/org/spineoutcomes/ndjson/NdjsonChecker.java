package org.spineoutcomes.ndjson;

import java.time.Instant;
import java.util.List;
import org.spineoutcomes.validation.EventValidator;

/** Parses a line and validates the event, so callers get parse errors and violations in one result. */
public final class NdjsonChecker {
    private final NdjsonCodec codec;
    private final EventValidator validator;

    public NdjsonChecker() {
        this(new NdjsonCodec(), new EventValidator());
    }

    public NdjsonChecker(NdjsonCodec codec, EventValidator validator) {
        this.codec = codec;
        this.validator = validator;
    }

    public CheckedLine check(String source, String line, long lineNumber, Instant processingClock) {
        return check(new NdjsonLine(source, lineNumber, codec.parse(line, lineNumber)), processingClock);
    }

    /** Validates an already parsed line against the processing clock. */
    public CheckedLine check(NdjsonLine line, Instant processingClock) {
        if (line.result() instanceof ParseResult.ParseError e) {
            return new CheckedLine(line.source(), line.lineNumber(), null, null, List.of(e.toViolation()));
        }
        ParseResult.Parsed p = (ParseResult.Parsed) line.result();
        return new CheckedLine(line.source(), line.lineNumber(), p.type(), p.event(),
                validator.validate(p.event(), processingClock));
    }
}
