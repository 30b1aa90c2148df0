package org.spineoutcomes.producer.publish;

import java.util.List;
import java.util.stream.Collectors;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.ReasonCode;
import org.spineoutcomes.validation.Violation;

/**
 * An event that failed validation before sending; nothing was written to Kafka. Lists every
 * violation; the first one's reason is the event's rejection reason (as on spine.rejected.v1).
 */
public final class RejectedEventException extends Exception {
    private final String eventId;
    private final List<Violation> violations;

    public RejectedEventException(String eventId, List<Violation> violations) {
        super(InputLimits.abbreviate("event " + (eventId == null || eventId.isBlank() ? "<no id>" : InputLimits.abbreviate(eventId, 100))
                + " rejected: " + violations.stream().map(Violation::describe).collect(Collectors.joining("; ")), 4 * InputLimits.MAX_MESSAGE_LENGTH));
        if (violations.isEmpty()) throw new IllegalArgumentException("a rejection needs at least one violation");
        this.eventId = eventId;
        this.violations = List.copyOf(violations);
    }

    public String eventId() { return eventId; }

    public List<Violation> violations() { return violations; }

    public ReasonCode reason() { return violations.get(0).reason(); }
}
