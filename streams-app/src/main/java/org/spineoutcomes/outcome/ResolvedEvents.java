package org.spineoutcomes.outcome;

import java.util.Comparator;
import java.util.List;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;

/**
 * The effective (logical) events of one patient after corrections, retractions and duplicates
 * (docs/computation-rules.md R9-R11). Each record carries the logical event id (the original's id) with the content
 * of its latest correction, and no {@code corrects}/{@code retracts}. Lists are sorted by event id
 * so that equal sets give equal values.
 */
public record ResolvedEvents(List<ProcedureEvent> procedures, List<ImagingEvent> imaging, List<FollowUpEvent> followUps) {

    public ResolvedEvents {
        procedures = sorted(procedures, Comparator.comparing(ProcedureEvent::getEventId));
        imaging = sorted(imaging, Comparator.comparing(ImagingEvent::getEventId));
        followUps = sorted(followUps, Comparator.comparing(FollowUpEvent::getEventId));
    }

    public static ResolvedEvents of(List<ProcedureEvent> procedures, List<ImagingEvent> imaging, List<FollowUpEvent> followUps) {
        return new ResolvedEvents(procedures, imaging, followUps);
    }

    private static <T> List<T> sorted(List<T> in, Comparator<T> order) {
        return in == null ? List.of() : in.stream().sorted(order).toList();
    }
}
