package org.spineoutcomes.producer.fhir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.producer.publish.MockPublishers;
import org.spineoutcomes.producer.pseudonym.Pseudonymiser;
import org.spineoutcomes.schema.ProcedureEvent;

/** The HTTP routes of the gateway, on a loopback port. */
class FhirHttpServerTest {
    private static final Instant RECEIVED = Instant.parse("2026-11-25T12:00:00Z");

    private final MockProducer<String, SpecificRecord> producer = MockPublishers.producer();
    private final HttpClient client = HttpClient.newHttpClient();
    private FhirHttpServer server;

    @BeforeEach
    void start() throws Exception {
        FhirGateway gateway = new FhirGateway(MockPublishers.publisher(producer), "fhir-test", Duration.ofSeconds(5),
                Clock.fixed(RECEIVED, ZoneOffset.UTC));
        server = new FhirHttpServer(gateway, "127.0.0.1", 0);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String pathAndQuery) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void deleteWithTheSubjectPublishesARetraction() throws Exception {
        HttpResponse<String> response = send("DELETE", "/fhir/Procedure/p-17?subject=MRN%2B0077");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith(FhirHttpServer.FHIR_JSON));
        assertTrue(response.body().contains("\"resourceType\": \"OperationOutcome\""), response.body());

        assertEquals(1, producer.history().size());
        ProcedureEvent retraction = (ProcedureEvent) producer.history().get(0).value();
        assertEquals("retract:fhir:Procedure/p-17", retraction.getEventId());
        assertEquals("fhir:Procedure/p-17", retraction.getRetracts());
        assertEquals(new Pseudonymiser(MockPublishers.KEY).pseudonymise("MRN+0077"), retraction.getPatientId(), "%2B decodes to +");
    }

    @Test
    void deleteWithoutThePatientIs400WithAnOperationOutcome() throws Exception {
        HttpResponse<String> response = send("DELETE", "/fhir/Procedure/p-17");
        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("DELETE needs the patient of the resource: add ?subject=<MRN>"), response.body());
        assertEquals(List.of(), producer.history());
    }

    @Test
    void deleteWithoutTypeOrIdIs400AndDeeperPathsAre404() throws Exception {
        assertEquals(400, send("DELETE", "/fhir?subject=MRN-0077").statusCode());
        assertEquals(400, send("DELETE", "/fhir/Procedure?subject=MRN-0077").statusCode());
        assertEquals(404, send("DELETE", "/fhir/Procedure/p-17/_history/2?subject=MRN-0077").statusCode());
        assertEquals(List.of(), producer.history());
    }

    @Test
    void otherMethodsAre405NamingTheAllowedOnes() throws Exception {
        HttpResponse<String> response = send("PUT", "/fhir/Procedure/p-17");
        assertEquals(405, response.statusCode());
        assertEquals("POST, DELETE", response.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void queryParametersAreFormDecodedAndKeepEveryValue() {
        assertEquals(Map.of("subject", List.of("A B", "C+D"), "flag", List.of("")),
                FhirHttpServer.queryParameters("subject=A+B&subject=C%2BD&flag"));
        assertEquals(Map.of(), FhirHttpServer.queryParameters(null));
    }
}
