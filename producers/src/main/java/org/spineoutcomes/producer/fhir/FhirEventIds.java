package org.spineoutcomes.producer.fhir;

import java.util.Collection;
import java.util.List;

/**
 * The event ids of the gateway. They depend only on resource type and id, never on content or arrival
 * time: a retried request repeats its events, and a resource updated in place (same id, later
 * meta.lastUpdated) is a re-send of the same event, of which the latest version wins (R9).
 */
final class FhirEventIds {
    private FhirEventIds() {}

    private static final String PREFIX = "fhir:";
    private static final String RETRACTION_PREFIX = "retract:";
    /** Joins the Observation ids of an assessment; '+' cannot occur in a FHIR id. */
    static final String ASSESSMENT_SEPARATOR = "+";

    /** The event of one resource, e.g. {@code fhir:Procedure/123}. */
    static String ofResource(String resourceType, String resourceId) {
        return PREFIX + resourceType + "/" + resourceId;
    }

    /**
     * The event of an assessment: pain and ODI Observations of one patient and instant are one event
     * (R15), known by their ids in sorted order, so the order of the entries does not matter.
     */
    static String ofAssessment(Collection<String> observationIds) {
        List<String> sorted = observationIds.stream().sorted().toList();
        return ofResource("Observation", String.join(ASSESSMENT_SEPARATOR, sorted));
    }

    /**
     * The retraction of an event: derived from its target alone, so deleting a resource twice (or
     * deleting it and sending it entered-in-error) publishes the same retraction event again; whichever
     * version of it wins, the target is retracted.
     */
    static String retractionOf(String targetEventId) {
        return RETRACTION_PREFIX + targetEventId;
    }
}
