package org.spineoutcomes.producer.fhir;

import ca.uhn.fhir.parser.DataFormatException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.producer.publish.PreparedEvent;
import org.spineoutcomes.producer.publish.PublishResult;
import org.spineoutcomes.producer.publish.RejectedEventException;
import org.spineoutcomes.producer.publish.SpinePublisher;
import org.spineoutcomes.validation.ReasonCode;
import org.spineoutcomes.validation.Violation;

/**
 * Turns one FHIR request body (a resource, or a transaction / batch Bundle) into published events and
 * an OperationOutcome. HTTP-agnostic: the HTTP server and the file mode both call {@link #handle}.
 *
 * <p>Semantics: a <b>transaction</b> Bundle is all-or-nothing (FHIR's rule): if any entry is rejected
 * nothing is sent. A <b>batch</b> Bundle or a lone resource sends every valid event and rejects the
 * others. The answer waits for the broker's acknowledgement of what was sent.
 *
 * <p>Re-sends and retractions: a resource updated in place keeps its event id and is published again
 * with recordedAt = meta.lastUpdated (or the receive time), so its latest version wins (R9); an
 * entered-in-error resource and a {@link #delete} publish a retraction of its event (R10).
 *
 * <p>Status: 200 all accepted; 400 body is not a parseable FHIR R4 JSON resource; 422 some entry was
 * rejected; 503 valid events could not be delivered. Each issue has {@code expression} =
 * {@code Bundle.entry[i].resource.<path>} (or {@code <Type>.<path>} for a lone resource) and
 * {@code details.coding} = the rejection reason code.
 */
public final class FhirGateway {
    /** The resource types whose deletion retracts an event, and the type of that event. */
    private static final Map<String, EventType> DELETABLE = Map.of(
            "Procedure", EventType.PROCEDURE,
            "ImagingStudy", EventType.IMAGING,
            "Observation", EventType.FOLLOWUP,
            "MedicationStatement", EventType.FOLLOWUP);
    /** The query parameters that may name the patient of a delete. */
    private static final List<String> PATIENT_PARAMETERS = List.of("subject", "patient");

    private final SpinePublisher publisher;
    private final FhirEventMapper mapper;
    private final String defaultSourceSystem;
    private final Duration ackTimeout;
    private final Clock clock;

    public FhirGateway(SpinePublisher publisher, String defaultSourceSystem, Duration ackTimeout) {
        this(publisher, defaultSourceSystem, ackTimeout, Clock.systemUTC());
    }

    /** @param clock gives the receive time: recordedAt of resources without meta.lastUpdated and of deletes */
    public FhirGateway(SpinePublisher publisher, String defaultSourceSystem, Duration ackTimeout, Clock clock) {
        this.publisher = publisher;
        this.mapper = new FhirEventMapper(defaultSourceSystem);
        this.defaultSourceSystem = defaultSourceSystem;
        this.ackTimeout = ackTimeout;
        this.clock = clock;
    }

    /** Milliseconds, the precision of recordedAt on the wire: the event sent equals the event read back. */
    private Instant receivedAt() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The answer: HTTP status and OperationOutcome. */
    public record Response(int status, OperationOutcome outcome, int accepted, int rejected) {
        public String json() {
            return FhirContexts.prettyJsonWriter().encodeResourceToString(outcome);
        }
    }

    public Response handle(String body) {
        Instant receivedAt = receivedAt();
        IBaseResource parsed;
        try {
            parsed = FhirContexts.strictJsonParser().parseResource(body);
        } catch (DataFormatException | ClassCastException | IllegalArgumentException e) {
            OperationOutcome oo = new OperationOutcome();
            issue(oo, OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.STRUCTURE, ReasonCode.UNDECODABLE,
                    "The body is not a valid FHIR R4 JSON resource: " + e.getMessage(), null);
            return new Response(400, oo, 0, 1);
        }
        List<FhirEventMapper.Entry> entries = new ArrayList<>();
        boolean inBundle = parsed instanceof Bundle;
        boolean transaction = false;
        if (parsed instanceof Bundle bundle) {
            if (bundle.getType() != Bundle.BundleType.TRANSACTION && bundle.getType() != Bundle.BundleType.BATCH
                    && bundle.getType() != Bundle.BundleType.COLLECTION) {
                OperationOutcome oo = new OperationOutcome();
                issue(oo, OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.NOTSUPPORTED, ReasonCode.WRONG_EVENT_TYPE,
                        "Bundle.type is " + (bundle.getType() == null ? "missing" : bundle.getType().toCode())
                                + "; send a transaction, batch or collection Bundle.", "Bundle.type");
                return new Response(400, oo, 0, 1);
            }
            transaction = bundle.getType() == Bundle.BundleType.TRANSACTION;
            for (int i = 0; i < bundle.getEntry().size(); i++) {
                Bundle.BundleEntryComponent entry = bundle.getEntry().get(i);
                if (entry.getResource() != null) entries.add(new FhirEventMapper.Entry(i, entry.getFullUrl(), entry.getResource()));
            }
        } else {
            entries.add(new FhirEventMapper.Entry(-1, null, (Resource) parsed));
        }

        FhirEventMapper.Mapping mapping = mapper.map(entries, receivedAt);
        List<Issue> issues = new ArrayList<>();
        for (FhirEventMapper.Issue i : mapping.issues()) issues.add(new Issue(i.origin(), i.violation()));
        return publish(mapping.events(), issues, inBundle, transaction);
    }

    /**
     * FHIR delete, {@code DELETE /fhir/<Type>/<id>}: publishes a retraction of the event the resource
     * was published as (R10). The gateway keeps no copy of what it published, so the request names the
     * patient: query parameter {@code subject} or {@code patient} = the MRN (pseudonymised like any
     * subject). For an assessment made of several Observations, {@code <id>} is their ids joined by
     * '+', as in the event id the gateway answered when it accepted them.
     *
     * <p>Status: 200 published; 400 unsupported type, no id or no patient; 503 not delivered.
     *
     * @param query the decoded query parameters, each with its values in order
     */
    public Response delete(String resourceType, String resourceId, Map<String, List<String>> query) {
        Instant receivedAt = receivedAt();
        EventType type = resourceType == null ? null : DELETABLE.get(resourceType);
        try {
            if (type == null) {
                throw new BadRequest(ReasonCode.WRONG_EVENT_TYPE, "DELETE of " + (resourceType == null || resourceType.isBlank()
                        ? "no resource type" : resourceType) + " is not supported; delete a Procedure, Observation, ImagingStudy"
                        + " or MedicationStatement: DELETE /fhir/<Type>/<id>?subject=<MRN>.");
            }
            String targetEventId = deletedEventId(resourceType, resourceId);
            String mrn = patientOf(query);
            SpecificRecord retraction = FhirRetractions.of(type, targetEventId, mrn, receivedAt, defaultSourceSystem);
            FhirEventMapper.Origin origin = new FhirEventMapper.Origin(-1, resourceType, "");
            return publish(List.of(new FhirEventMapper.MappedEvent(retraction, Map.of("", origin))), new ArrayList<>(), false, false);
        } catch (BadRequest e) {
            OperationOutcome oo = new OperationOutcome();
            issue(oo, OperationOutcome.IssueSeverity.ERROR, typeOf(e.reason), e.reason, e.getMessage(), null);
            return new Response(400, oo, 0, 1);
        }
    }

    /** A delete the gateway cannot turn into a retraction; the message says what to change. */
    private static final class BadRequest extends Exception {
        final ReasonCode reason;
        BadRequest(ReasonCode reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    /** The event id the deleted resource was published under (see FhirEventIds). */
    private static String deletedEventId(String resourceType, String resourceId) throws BadRequest {
        if (resourceId == null || resourceId.isBlank()) {
            throw new BadRequest(ReasonCode.MISSING_ID, "DELETE needs the id of the " + resourceType + ": DELETE /fhir/"
                    + resourceType + "/<id>?subject=<MRN>.");
        }
        if (!resourceType.equals("Observation")) return FhirEventIds.ofResource(resourceType, resourceId);
        List<String> observationIds = Arrays.asList(resourceId.split(Pattern.quote(FhirEventIds.ASSESSMENT_SEPARATOR), -1));
        if (observationIds.stream().anyMatch(String::isBlank)) {
            throw new BadRequest(ReasonCode.MISSING_ID, "Observation id " + resourceId + " has an empty part; an assessment of"
                    + " several Observations is deleted as <id>" + FhirEventIds.ASSESSMENT_SEPARATOR + "<id>.");
        }
        return FhirEventIds.ofAssessment(observationIds);
    }

    /** The MRN named by the subject / patient query parameters; never quoted in a message. */
    private static String patientOf(Map<String, List<String>> query) throws BadRequest {
        Set<String> mrns = new TreeSet<>();
        for (String name : PATIENT_PARAMETERS) {
            for (String value : query.getOrDefault(name, List.of())) if (value != null && !value.isBlank()) mrns.add(value.trim());
        }
        if (mrns.isEmpty()) {
            throw new BadRequest(ReasonCode.MISSING_ID, "DELETE needs the patient of the resource: add ?subject=<MRN> (or ?patient=<MRN>),"
                    + " the hospital patient identifier of the resource's subject. The gateway keeps no copy of the resources"
                    + " it published, so it cannot look the patient up.");
        }
        if (mrns.size() > 1) {
            throw new BadRequest(ReasonCode.INVALID_VALUE, "subject / patient name " + mrns.size()
                    + " different patients; a DELETE concerns one: give its MRN once.");
        }
        String mrn = mrns.iterator().next();
        if (mrn.startsWith("Patient/") || mrn.startsWith("urn:")) {
            throw new BadRequest(ReasonCode.INVALID_VALUE, "subject / patient is a reference; the gateway cannot resolve a Patient"
                    + " outside a request: give the MRN (the Patient's identifier value) instead.");
        }
        return mrn;
    }

    /** Prepares every event; sends them unless a transaction has an issue; waits for the broker's acknowledgements. */
    private Response publish(List<FhirEventMapper.MappedEvent> events, List<Issue> issues, boolean inBundle, boolean transaction) {
        List<Prepared> ready = new ArrayList<>();
        for (FhirEventMapper.MappedEvent event : events) {
            try {
                ready.add(new Prepared(event, publisher.prepare(event.event())));
            } catch (RejectedEventException e) {
                for (Violation v : e.violations()) issues.add(new Issue(event.originOf(v.field()), v));
            }
        }
        issues.sort(Comparator.comparingInt(i -> i.origin().entryIndex()));

        OperationOutcome oo = new OperationOutcome();
        for (Issue i : issues) {
            issue(oo, OperationOutcome.IssueSeverity.ERROR, typeOf(i.violation().reason()), i.violation().reason(),
                    describe(i), expression(i.origin(), inBundle));
        }
        int rejected = issues.isEmpty() ? 0 : (int) issues.stream().map(i -> i.origin().entryIndex()).distinct().count();
        if (transaction && !issues.isEmpty()) {
            issue(oo, OperationOutcome.IssueSeverity.INFORMATION, OperationOutcome.IssueType.INFORMATIONAL, null,
                    "Transaction rolled back: nothing was sent (" + ready.size() + " valid events held back).", null);
            return new Response(422, oo, 0, rejected);
        }
        List<CompletableFuture<PublishResult>> sends = new ArrayList<>();
        for (Prepared p : ready) sends.add(publisher.send(p.prepared()));
        int accepted = 0;
        boolean deliveryFailed = false;
        for (int k = 0; k < ready.size(); k++) {
            Prepared p = ready.get(k);
            String where = expression(p.event().originOf(""), inBundle);
            try {
                PublishResult r = sends.get(k).get(ackTimeout.toMillis(), TimeUnit.MILLISECONDS);
                accepted++;
                issue(oo, OperationOutcome.IssueSeverity.INFORMATION, OperationOutcome.IssueType.INFORMATIONAL, null,
                        "Accepted as event " + r.eventId() + retracting(p.prepared()) + " on " + r.topic()
                                + " (partition " + r.partition() + ", offset " + r.offset() + ").", where);
            } catch (ExecutionException | TimeoutException e) {
                deliveryFailed = true;
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                issue(oo, OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueType.TRANSIENT, ReasonCode.PROCESSING_ERROR,
                        "Event " + p.prepared().eventId() + " could not be delivered: " + cause + ". Retry later: event ids make retries idempotent.", where);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                deliveryFailed = true;
            }
        }
        int status = deliveryFailed ? 503 : issues.isEmpty() ? 200 : 422;
        return new Response(status, oo, accepted, rejected);
    }

    private record Prepared(FhirEventMapper.MappedEvent event, PreparedEvent prepared) {}

    private static String retracting(PreparedEvent prepared) {
        SpecificRecord value = prepared.value();
        Object target = value.get(value.getSchema().getField("retracts").pos());
        return target == null ? "" : " (retracts " + target + ")";
    }

    private record Issue(FhirEventMapper.Origin origin, Violation violation) {}

    private static String describe(Issue i) {
        return i.violation().message();
    }

    private static String expression(FhirEventMapper.Origin origin, boolean inBundle) {
        if (origin == null) return null;
        String path = origin.path() == null || origin.path().isEmpty() ? "" : "." + origin.path();
        return inBundle ? "Bundle.entry[" + origin.entryIndex() + "].resource" + path : origin.resourceType() + path;
    }

    private static OperationOutcome.IssueType typeOf(ReasonCode reason) {
        return switch (reason) {
            case UNKNOWN_CODE, UNKNOWN_COMPLICATION_TYPE -> OperationOutcome.IssueType.CODEINVALID;
            case MISSING_FIELD, MISSING_ID -> OperationOutcome.IssueType.REQUIRED;
            case WRONG_EVENT_TYPE -> OperationOutcome.IssueType.NOTSUPPORTED;
            case UNDECODABLE -> OperationOutcome.IssueType.STRUCTURE;
            case FIELD_TOO_LONG -> OperationOutcome.IssueType.TOOLONG;
            default -> OperationOutcome.IssueType.VALUE;
        };
    }

    private static void issue(OperationOutcome oo, OperationOutcome.IssueSeverity severity, OperationOutcome.IssueType type,
                              ReasonCode reason, String message, String expression) {
        OperationOutcome.OperationOutcomeIssueComponent issue = oo.addIssue().setSeverity(severity).setCode(type).setDiagnostics(message);
        if (reason != null) {
            issue.setDetails(new CodeableConcept().setText(message)).getDetails().addCoding()
                    .setSystem(FhirProfile.REASON).setCode(reason.name());
        }
        if (expression != null) issue.getExpression().add(new StringType(expression));
    }
}
