package org.spineoutcomes.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.spineoutcomes.schema.FollowUpEvent;
import org.spineoutcomes.schema.ImagingEvent;
import org.spineoutcomes.schema.ProcedureEvent;
import org.spineoutcomes.testing.EventFixtures;

class RestSchemaRegistryClientTest {
    private static final String SUBJECT = "spine.procedures.v1-value";
    private static final Schema PROCEDURE = ProcedureEvent.getClassSchema();

    private FakeConfluentRegistry registry;

    @BeforeEach
    void startRegistry() throws IOException {
        registry = FakeConfluentRegistry.start();
    }

    @AfterEach
    void stopRegistry() {
        registry.close();
    }

    private RestSchemaRegistryClient client() {
        return new RestSchemaRegistryClient(registry.baseUrl());
    }

    @Test
    void registerSendsTheSchemaAsJsonWithTheRegistryContentType() throws IOException {
        int id = client().register(SUBJECT, PROCEDURE);
        assertEquals(1, id);
        assertEquals(1, registry.count("POST /subjects/spine.procedures.v1-value/versions"));
        assertEquals(RestSchemaRegistryClient.CONTENT_TYPE, registry.contentTypes.get(0));
        // Body is {"schema": "<the schema JSON as a string>"}.
        assertEquals(PROCEDURE.toString(), new ObjectMapper().readTree(registry.requestBodies.get(0)).get("schema").asText());
        assertEquals(PROCEDURE, registry.backing.getSchemaById(1));
    }

    @Test
    void schemaByIdLatestLookupAndSubjectsUseTheDocumentedPaths() {
        registry.backing.register("spine.imaging.v1-value", ImagingEvent.getClassSchema());   // id 1
        registry.backing.register(SUBJECT, PROCEDURE);                                      // id 2
        RestSchemaRegistryClient client = client();

        assertEquals(ImagingEvent.getClassSchema(), client.getSchemaById(1));
        assertEquals(1, registry.count("GET /schemas/ids/1"));

        SchemaRegistryClient.RegisteredSchema latest = client.getLatestVersion(SUBJECT);
        assertEquals(new SchemaRegistryClient.RegisteredSchema(SUBJECT, 1, 2, PROCEDURE), latest);
        assertEquals(1, registry.count("GET /subjects/spine.procedures.v1-value/versions/latest"));

        assertEquals(2, client.getId(SUBJECT, PROCEDURE));
        assertEquals(1, registry.count("POST /subjects/spine.procedures.v1-value"));

        assertEquals(List.of("spine.imaging.v1-value", SUBJECT), client.getAllSubjects());
        assertEquals(1, registry.count("GET /subjects"));
    }

    @Test
    void lookupErrorsMapToTypedExceptions() {
        RestSchemaRegistryClient client = client();
        SubjectNotFoundException noSubject = assertThrows(SubjectNotFoundException.class, () -> client.getId(SUBJECT, PROCEDURE));
        assertEquals(40401, noSubject.errorCode());
        assertEquals(404, noSubject.httpStatus());
        assertTrue(noSubject.getMessage().contains("Subject 'spine.procedures.v1-value' not found."), noSubject.getMessage());

        registry.backing.register(SUBJECT, ImagingEvent.getClassSchema());
        SchemaNotFoundException noSchema = assertThrows(SchemaNotFoundException.class, () -> client.getId(SUBJECT, PROCEDURE));
        assertEquals(40403, noSchema.errorCode());

        UnknownSchemaIdException unknownId = assertThrows(UnknownSchemaIdException.class, () -> client.getSchemaById(99));
        assertEquals(99, unknownId.schemaId());

        assertThrows(SubjectNotFoundException.class, () -> client.getLatestVersion("no.such.topic-value"));
    }

    @Test
    void incompatibleRegistrationIs409() throws IOException {
        registry.backing.register(SUBJECT, PROCEDURE);
        Schema withRequiredField = withExtraRequiredField(PROCEDURE, "wardCode");
        IncompatibleSchemaException e = assertThrows(IncompatibleSchemaException.class, () -> client().register(SUBJECT, withRequiredField));
        assertEquals(409, e.httpStatus());
        assertEquals(409, e.errorCode());
        assertTrue(e.getMessage().startsWith("schema org.spineoutcomes.schema.ProcedureEvent is incompatible with the latest version of subject "
                + "'spine.procedures.v1-value' (registry said: Schema being registered is incompatible"), e.getMessage());
    }

    @Test
    void compatibilityCheckAnswersTrueFalseAndTrueForANewSubject() throws IOException {
        RestSchemaRegistryClient client = client();
        assertTrue(client.testCompatibility(SUBJECT, PROCEDURE)); // fake answers 40401: nothing to break
        registry.backing.register(SUBJECT, PROCEDURE);
        assertTrue(client.testCompatibility(SUBJECT, PROCEDURE));
        assertFalse(client.testCompatibility(SUBJECT, withExtraRequiredField(PROCEDURE, "wardCode")));
        assertEquals(3, registry.count("POST /compatibility/subjects/spine.procedures.v1-value/versions/latest"));
    }

    @Test
    void invalidSchemaAndServerErrorsCarryStatusAndCode() {
        RestSchemaRegistryClient client = client();
        registry.forcedStatus = 422;
        registry.forcedBody = "{\"error_code\":42201,\"message\":\"Invalid schema\"}";
        InvalidSchemaException invalid = assertThrows(InvalidSchemaException.class, () -> client.register(SUBJECT, PROCEDURE));
        assertEquals(42201, invalid.errorCode());
        assertEquals(422, invalid.httpStatus());

        registry.forcedStatus = 500;
        registry.forcedBody = "{\"error_code\":50001,\"message\":\"Error in the backend data store\"}";
        SchemaRegistryException backend = assertThrows(SchemaRegistryException.class, () -> client.getAllSubjects());
        assertEquals(500, backend.httpStatus());
        assertEquals(50001, backend.errorCode());
        assertTrue(backend.getMessage().contains("Error in the backend data store"), backend.getMessage());
    }

    @Test
    void aBaseUrlWithoutTheCcompatPrefixGetsAHint() {
        String withoutPrefix = registry.baseUrl().replace(FakeConfluentRegistry.PREFIX, "");
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> new RestSchemaRegistryClient(withoutPrefix).getSchemaById(1));
        assertEquals(404, e.httpStatus());
        assertEquals(0, e.errorCode());
        assertTrue(e.getMessage().contains("is the base URL right? (Apicurio serves this API under /apis/ccompat/v7)"), e.getMessage());
    }

    @Test
    void serializerRegistersOnceForAThousandRecords() {
        SpineAvroSerializer<ProcedureEvent> serializer = new SpineAvroSerializer<>(client());
        ProcedureEvent event = EventFixtures.sampleKyphoplasty();
        byte[] last = null;
        for (int i = 0; i < 1_000; i++) {
            last = serializer.serialize("spine.procedures.v1", event);
        }
        assertEquals(1, WireFormat.schemaIdOf(last));
        assertEquals(1, registry.count("POST /subjects/spine.procedures.v1-value/versions"));
        assertEquals(1, registry.totalRequests());
    }

    @Test
    void clientCachesMakeRepeatedCallsFree() {
        RestSchemaRegistryClient client = client();
        for (int i = 0; i < 1_000; i++) {
            client.register(SUBJECT, PROCEDURE);
            client.getId(SUBJECT, PROCEDURE);   // same subject+schema: answered from the register cache
            client.getSchemaById(1);            // learnt from the register answer
        }
        assertEquals(1, registry.totalRequests());
    }

    @Test
    void freshDeserializerFetchesTheWriterSchemaOnceForAThousandRecords() {
        byte[] bytes = new SpineAvroSerializer<FollowUpEvent>(client()).serialize("spine.followups.v1", EventFixtures.sampleThreeMonthFollowUp());
        int before = registry.totalRequests();
        SpineAvroDeserializer<FollowUpEvent> deserializer = new SpineAvroDeserializer<>(client(), FollowUpEvent.class);
        for (int i = 0; i < 1_000; i++) {
            assertEquals("fu-0003", deserializer.deserialize("spine.followups.v1", bytes).getEventId());
        }
        assertEquals(1, registry.count("GET /schemas/ids/1"));
        assertEquals(before + 1, registry.totalRequests());
    }

    @Test
    void basicAuthSendsBase64OfUserColonPassword() {
        // base64("user:pass") = "dXNlcjpwYXNz" (RFC 7617)
        registry.requiredAuthorization = "Basic dXNlcjpwYXNz";
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(new SerdeConfig(Map.of(
                SerdeConfig.SCHEMA_REGISTRY_URL, registry.baseUrl(),
                SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "USER_INFO",
                SerdeConfig.BASIC_AUTH_USER_INFO, "user:pass")));
        assertEquals(1, client.register(SUBJECT, PROCEDURE));
        assertEquals("Basic dXNlcjpwYXNz", registry.authorizationHeaders.get(0));
    }

    @Test
    void userInfoInTheUrlBecomesBasicAuthAndLeavesTheUrl() {
        registry.requiredAuthorization = "Basic dXNlcjpwYXNz";
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(new SerdeConfig(Map.of(
                SerdeConfig.SCHEMA_REGISTRY_URL, registry.baseUrl().replace("http://", "http://user:pass@"),
                SerdeConfig.BASIC_AUTH_CREDENTIALS_SOURCE, "URL")));
        assertEquals(List.of(registry.baseUrl()), client.baseUrls());
        assertEquals(List.of(), client.getAllSubjects());
    }

    @Test
    void bearerTokenIsSentAndAWrongOneIsA401() {
        registry.requiredAuthorization = "Bearer tok-123";
        RestSchemaRegistryClient good = RestSchemaRegistryClient.builder().baseUrl(registry.baseUrl()).bearerToken("tok-123").build();
        assertEquals(1, good.register(SUBJECT, PROCEDURE));
        assertEquals("Bearer tok-123", registry.authorizationHeaders.get(0));

        RestSchemaRegistryClient bad = RestSchemaRegistryClient.builder().baseUrl(registry.baseUrl()).bearerToken("wrong").build();
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> bad.getSchemaById(1));
        assertEquals(401, e.httpStatus());
        assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
    }

    @Test
    void failsOverToTheSecondUrlWhenTheFirstRefusesConnections() throws IOException {
        String refused = "http://127.0.0.1:" + closedPort() + FakeConfluentRegistry.PREFIX;
        RestSchemaRegistryClient client = RestSchemaRegistryClient.fromConfig(new SerdeConfig(Map.of(
                SerdeConfig.SCHEMA_REGISTRY_URL, refused + "," + registry.baseUrl())));
        assertEquals(List.of(refused, registry.baseUrl()), client.baseUrls());
        assertEquals(1, client.register(SUBJECT, PROCEDURE));
        assertEquals(List.of(SUBJECT), client.getAllSubjects());
        assertEquals(2, registry.totalRequests());
    }

    @Test
    void failsOverOnServerErrorAndStaysOnTheUrlThatAnswered() throws IOException {
        try (FakeConfluentRegistry broken = FakeConfluentRegistry.start()) {
            broken.forcedStatus = 503;
            broken.forcedBody = "{\"error_code\":50003,\"message\":\"Error while forwarding the request to the leader\"}";
            RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(broken.baseUrl()).baseUrl(registry.baseUrl()).build();
            assertEquals(1, client.register(SUBJECT, PROCEDURE));
            assertEquals(List.of(SUBJECT), client.getAllSubjects());
            assertEquals(1, broken.totalRequests());   // asked once, then the working URL is preferred
            assertEquals(2, registry.totalRequests());
        }
    }

    @Test
    void allUrlsDownIsOneClearError() throws IOException {
        String first = "http://127.0.0.1:" + closedPort();
        String second = "http://127.0.0.1:" + closedPort();
        RestSchemaRegistryClient client = RestSchemaRegistryClient.builder().baseUrl(first).baseUrl(second).build();
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client.getSchemaById(7));
        assertEquals(0, e.httpStatus());
        assertEquals("schema registry unreachable for GET /schemas/ids/7: tried " + first + " (connection refused or unreachable), "
                + second + " (connection refused or unreachable)", e.getMessage());
    }

    @Test
    void httpsWithAConfiguredTruststore(@TempDir Path dir) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        assumeTrue(Files.isExecutable(keytool), "keytool not found at " + keytool);
        Path serverStore = dir.resolve("server.p12");
        Path certificate = dir.resolve("server.pem");
        Path trustStore = dir.resolve("trust.jks");
        run(keytool.toString(), "-genkeypair", "-alias", "registry", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", serverStore.toString(),
                "-storepass", "changeit", "-keypass", "changeit");
        run(keytool.toString(), "-exportcert", "-rfc", "-alias", "registry", "-keystore", serverStore.toString(), "-storepass", "changeit",
                "-file", certificate.toString());
        run(keytool.toString(), "-importcert", "-noprompt", "-alias", "registry", "-file", certificate.toString(), "-storetype", "JKS",
                "-keystore", trustStore.toString(), "-storepass", "trustpass");

        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverStore)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);

        try (FakeConfluentRegistry https = FakeConfluentRegistry.startHttps(serverContext)) {
            RestSchemaRegistryClient trusting = RestSchemaRegistryClient.fromConfig(new SerdeConfig(Map.of(
                    SerdeConfig.SCHEMA_REGISTRY_URL, https.baseUrl(),
                    SerdeConfig.TRUSTSTORE_LOCATION, trustStore.toString(),
                    SerdeConfig.TRUSTSTORE_PASSWORD, "trustpass",
                    SerdeConfig.TRUSTSTORE_TYPE, "JKS")));
            assertEquals(1, trusting.register(SUBJECT, PROCEDURE));

            // The JVM's default trust store does not know this self-signed certificate.
            SchemaRegistryException untrusted = assertThrows(SchemaRegistryException.class,
                    () -> new RestSchemaRegistryClient(https.baseUrl()).getSchemaById(1));
            assertEquals(0, untrusted.httpStatus());
            assertTrue(untrusted.getMessage().contains("TLS failure"), untrusted.getMessage());
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "keytool did not finish");
        assertEquals(0, process.exitValue(), "keytool failed: " + output);
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Schema withExtraRequiredField(Schema schema, String fieldName) throws IOException {
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(schema.toString());
        ((ArrayNode) root.get("fields")).addObject().put("name", fieldName).put("type", "string");
        return new Schema.Parser().parse(root.toString());
    }

    @Test
    void compatibilityLevelIsSetPerSubjectAndReadBack() {
        RestSchemaRegistryClient client = client();
        assertEquals(java.util.Optional.empty(), client.getCompatibility("spine.followups.v1-value"), "none of its own: 40408 is empty");
        assertEquals(List.of("spine.procedures.v1-value", "spine.imaging.v1-value", "spine.followups.v1-value",
                        "spine.patient-outcomes.v1-value", "spine.arm-aggregates.v1-value", "spine.arm-comparisons.v1-value",
                        "spine.adjusted-comparisons.v1-value", "spine.time-to-event.v1-value"),
                SchemaGovernance.requireBackward(client, org.spineoutcomes.topics.Topics.valueSubjects()));
        assertEquals(java.util.Optional.of("BACKWARD"), client.getCompatibility("spine.followups.v1-value"));
        assertEquals(1, registry.count("PUT /config/spine.followups.v1-value"));
        assertEquals(List.of(), SchemaGovernance.requireBackward(client, org.spineoutcomes.topics.Topics.valueSubjects()), "already governed");
        assertEquals("{\"compatibility\":\"BACKWARD\"}", registry.requestBodies.stream().filter(b -> b.contains("compatibility")).findFirst().orElseThrow());
    }
}
