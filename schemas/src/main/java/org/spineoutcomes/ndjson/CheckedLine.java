package org.spineoutcomes.ndjson;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.Violation;

/**
 * A line parsed and validated in one step: either an event with no violations (valid), or the
 * parse error / all validation violations. What the replay CLI and the batch command consume.
 *
 * @param type   null when the line did not parse
 * @param event  null when the line did not parse; present (but invalid) when only validation failed
 * @param violations empty when valid; a parse error appears as its single violation
 */
public record CheckedLine(String source, long lineNumber, EventType type, SpecificRecord event, List<Violation> violations) {

    public CheckedLine {
        violations = List.copyOf(violations);
    }

    public boolean valid() {
        return violations.isEmpty();
    }

    /** The first violation's reason code is the record's rejection reason. */
    public Violation firstViolation() {
        if (violations.isEmpty()) throw new IllegalStateException("line " + lineNumber + " is valid");
        return violations.get(0);
    }

    /**
     * One "{@code <file>:<line>: field <path>: <message> [<REASON>]}" per violation, joined by newlines; at
     * most {@link InputLimits#MAX_VIOLATIONS_SHOWN} of them, then one line counting the rest. Each message is
     * at most {@link InputLimits#MAX_MESSAGE_LENGTH} characters (see {@link Violation}).
     */
    public String errorText() {
        String text = violations.stream().limit(InputLimits.MAX_VIOLATIONS_SHOWN)
                .map(v -> source + ":" + lineNumber + ": " + v.describe())
                .collect(Collectors.joining(System.lineSeparator()));
        int hidden = violations.size() - InputLimits.MAX_VIOLATIONS_SHOWN;
        return hidden <= 0 ? text : text + System.lineSeparator() + source + ":" + lineNumber + ": " + hidden
                + " more violations of this line not shown";
    }
}
