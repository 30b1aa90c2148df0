package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.serde.IncompatibleSchemaException;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.serde.SpineAvroSerializer;
import org.spineoutcomes.testing.EventFixtures;
import org.spineoutcomes.topics.Topics;

/**
 * On the real registry (Apicurio, Confluent API): the stack sets every contract subject to BACKWARD
 * when it creates the topics, so a ProcedureEvent schema is refused as a version of the follow-ups
 * subject (it used to become version 2 there, under the registry's default NONE).
 */
@ExtendWith(LocalStackExtension.class)
class ContractSubjectsGovernedTest {

    @Test
    void everyContractSubjectIsBackward(LocalStack stack) throws Exception {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
        assertEquals(8, Topics.valueSubjects().size());
        for (String subject : Topics.valueSubjects()) {
            assertEquals(Optional.of("BACKWARD"), client.getCompatibility(subject), subject);
        }
        // the registry itself says so (raw REST, not our client)
        HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(stack.schemaRegistryUrl() + "/config/spine.followups.v1-value")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, raw.statusCode());
        assertTrue(raw.body().contains("BACKWARD"), raw.body());
        // already governed: a second call changes nothing
        assertEquals(List.of(), LocalStack.governContractSubjects(stack.schemaRegistryUrl()));
    }

    @Test
    void aProcedureEventSchemaIsRefusedUnderTheFollowUpsSubject(LocalStack stack) throws Exception {
        RestSchemaRegistryClient client = new RestSchemaRegistryClient(stack.schemaRegistryUrl());
        String subject = Topics.FOLLOWUPS.valueSubject().orElseThrow();
        int followUpId = client.register(subject, FollowUpEvent.getClassSchema());

        IncompatibleSchemaException refused = assertThrows(IncompatibleSchemaException.class,
                () -> client.register(subject, ProcedureEvent.getClassSchema()));
        assertTrue(refused.getMessage().contains(subject), refused.getMessage());
        assertEquals(followUpId, client.getLatestVersion(subject).id(), "the subject's latest version is still the FollowUpEvent");

        // raw REST: HTTP 409, as Confluent's registry answers
        String body = "{\"schema\": " + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(ProcedureEvent.getClassSchema().toString()) + "}";
        HttpResponse<String> raw = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(stack.schemaRegistryUrl() + "/subjects/" + subject + "/versions"))
                .header("Content-Type", RestSchemaRegistryClient.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(409, raw.statusCode(), raw.body());

        // and a serializer that would auto-register it on the follow-ups topic fails instead of writing
        SpineAvroSerializer<ProcedureEvent> wrongTopic = new SpineAvroSerializer<>(client);
        assertThrows(IncompatibleSchemaException.class, () -> wrongTopic.serialize(Topics.FOLLOWUPS.name(), EventFixtures.completeVertebroplasty()));
    }
}
