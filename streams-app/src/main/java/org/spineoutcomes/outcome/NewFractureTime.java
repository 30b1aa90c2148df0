package org.spineoutcomes.outcome;

import java.util.List;
import org.spineoutcomes.schema.ComplicationType;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.OutcomeComplication;
import org.spineoutcomes.schema.PatientOutcome;

/**
 * A patient's time to first new vertebral fracture (docs/computation-rules.md R37), in day numbers from
 * the ITT index (R1), the same in both populations:
 *
 * <ul>
 *   <li>event: the earliest NEW_VERTEBRAL_FRACTURE among the complications R27 counts (so day >= 0);</li>
 *   <li>otherwise censored on the last day something was observed: the largest day number >= 0 of the
 *       patient's follow-ups (any, complication-only and medication-only reports included) and imaging
 *       studies (any phase, also a study ignored by R21 for a phase that disagrees with its timing);
 *       0 when there is none;</li>
 *   <li>a time above {@link #LAST_DAY} becomes {@link #LAST_DAY}, censored.</li>
 * </ul>
 */
final class NewFractureTime {
    private NewFractureTime() {}

    /** R37: times are followed up to day 900, the last accepted day of M24 (R15). */
    static final int LAST_DAY = ScoreWindow.M24.lastDay;

    /** Writes newFractureTime and newFractureEvent (R37) of a treated patient. */
    static void writeTo(PatientOutcome.Builder out, TreatmentHistory history, List<FollowUpEvent> followUps,
                        List<ImagingEvent> imaging, List<OutcomeComplication> counted) {
        Integer fracture = null;
        for (OutcomeComplication c : counted) {
            if (c.getType() == ComplicationType.NEW_VERTEBRAL_FRACTURE
                    && (fracture == null || c.getDaysFromIndex() < fracture)) {
                fracture = c.getDaysFromIndex();
            }
        }
        int time;
        boolean event;
        if (fracture != null) {
            time = fracture;
            event = true;
        } else {
            time = 0;
            for (FollowUpEvent f : followUps) time = Math.max(time, history.day(f.getOccurredAt()));
            for (ImagingEvent i : imaging) time = Math.max(time, history.day(i.getOccurredAt()));
            event = false;
        }
        if (time > LAST_DAY) {
            time = LAST_DAY;
            event = false;
        }
        out.setNewFractureTime(time).setNewFractureEvent(event);
    }
}
