package org.spineoutcomes.serde;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A client of the Confluent Schema Registry REST API (also served by Apicurio under
 * {@code /apis/ccompat/v7} and by Redpanda). Several base URLs fail over in order when one cannot
 * be reached or answers 5xx; the last one that answered is tried first next time. Basic or bearer
 * auth, HTTPS with a configured truststore or the JVM's default. Schemas by id and ids by
 * subject+schema are cached for the life of the client, since the registry never changes them.
 * Thread-safe.
 */
public class RestSchemaRegistryClient implements SchemaRegistryClient {
    public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final String ACCEPT = CONTENT_TYPE + ", application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";

    private final List<Endpoint> endpoints;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger preferredEndpoint = new AtomicInteger();

    private final Map<Integer, Schema> schemasById = new ConcurrentHashMap<>();
    private final Map<SubjectSchema, Integer> idsBySubjectSchema = new ConcurrentHashMap<>();

    private record Endpoint(String baseUrl, String authorization) {
    }

    private record SubjectSchema(String subject, Schema schema) {
    }

    private enum Operation { REGISTER, SCHEMA_BY_ID, LATEST_VERSION, LOOKUP, COMPATIBILITY, SUBJECTS, CONFIG }

    /** A client of one registry without auth, default timeouts and the JVM's trust store. */
    public RestSchemaRegistryClient(String baseUrl) {
        this(builder().baseUrl(baseUrl));
    }

    private RestSchemaRegistryClient(Builder builder) {
        if (builder.baseUrls.isEmpty()) {
            throw new IllegalArgumentException(SerdeConfig.SCHEMA_REGISTRY_URL + " is required (e.g. http://127.0.0.1:8081 or http://127.0.0.1:8080/apis/ccompat/v7)");
        }
        String configuredAuth = null;
        if (builder.bearerToken != null) {
            configuredAuth = "Bearer " + builder.bearerToken;
        } else if (builder.basicUserInfo != null) {
            configuredAuth = basicHeader(builder.basicUserInfo);
        }
        List<Endpoint> list = new ArrayList<>();
        for (String url : builder.baseUrls) {
            list.add(endpointOf(url, configuredAuth));
        }
        this.endpoints = List.copyOf(list);
        this.requestTimeout = builder.requestTimeout;
        HttpClient.Builder httpBuilder = HttpClient.newBuilder()
                .connectTimeout(builder.connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL);
        if (builder.truststoreLocation != null) {
            httpBuilder.sslContext(sslContext(builder.truststoreLocation, builder.truststorePassword, builder.truststoreType));
        }
        this.http = httpBuilder.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client from Confluent-named settings ({@link SerdeConfig}); the URLs must be http or https. */
    public static RestSchemaRegistryClient fromConfig(SerdeConfig config) {
        Builder builder = builder().baseUrls(config.registryUrls())
                .connectTimeout(config.connectTimeout())
                .requestTimeout(config.requestTimeout());
        config.basicAuthUserInfo().ifPresent(builder::basicAuth);
        config.bearerToken().ifPresent(builder::bearerToken);
        config.truststoreLocation().ifPresent(location -> builder.truststore(Path.of(location), config.truststorePassword().orElse(null), config.truststoreType()));
        return builder.build();
    }

    /** Settings for {@link RestSchemaRegistryClient}. */
    public static final class Builder {
        private final List<String> baseUrls = new ArrayList<>();
        private String basicUserInfo;
        private String bearerToken;
        private Path truststoreLocation;
        private String truststorePassword;
        private String truststoreType = "JKS";
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** Adds a base URL; a path prefix such as {@code /apis/ccompat/v7} is kept. Several calls add failover URLs. */
        public Builder baseUrl(String url) {
            String trimmed = Objects.requireNonNull(url, "url").trim();
            while (trimmed.endsWith("/")) {
                trimmed = trimmed.substring(0, trimmed.length() - 1);
            }
            if (!trimmed.startsWith("http://") && !trimmed.startsWith("https://")) {
                throw new IllegalArgumentException("schema registry URL must start with http:// or https://, got '" + url + "'");
            }
            baseUrls.add(trimmed);
            return this;
        }

        public Builder baseUrls(List<String> urls) {
            urls.forEach(this::baseUrl);
            return this;
        }

        /** {@code user:password}; the password may itself contain colons. */
        public Builder basicAuth(String userInfo) {
            if (userInfo == null || !userInfo.contains(":")) {
                throw new IllegalArgumentException(SerdeConfig.BASIC_AUTH_USER_INFO + " must be 'user:password'");
            }
            this.basicUserInfo = userInfo;
            return this;
        }

        public Builder bearerToken(String token) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException(SerdeConfig.BEARER_AUTH_TOKEN + " is blank");
            }
            this.bearerToken = token.trim();
            return this;
        }

        public Builder truststore(Path location, String password, String type) {
            this.truststoreLocation = Objects.requireNonNull(location, "location");
            this.truststorePassword = password;
            this.truststoreType = type == null || type.isBlank() ? "JKS" : type;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requirePositive(timeout, "connect timeout");
            return this;
        }

        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = requirePositive(timeout, "request timeout");
            return this;
        }

        private static Duration requirePositive(Duration timeout, String what) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, got " + timeout);
            }
            return timeout;
        }

        public RestSchemaRegistryClient build() {
            return new RestSchemaRegistryClient(this);
        }
    }

    /** The base URLs in failover order, without user info. */
    public List<String> baseUrls() {
        return endpoints.stream().map(Endpoint::baseUrl).toList();
    }

    @Override
    public int register(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer;
        try {
            answer = call("POST", "/subjects/" + encode(subject) + "/versions", schemaBody(schema), Operation.REGISTER, subject, schema, 0);
        } catch (IncompatibleSchemaException refused) {
            // Two writers registering the same new subject at once: some registries (Apicurio) refuse the
            // second with 409 "already exists". If the schema is there now, that is its id; else it
            // really is incompatible.
            try {
                return getId(subject, schema);
            } catch (SchemaNotFoundException | SubjectNotFoundException notThere) {
                throw refused;
            }
        }
        int id = requiredInt(answer, "id", "register");
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public Schema getSchemaById(int id) {
        Schema cached = schemasById.get(id);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("GET", "/schemas/ids/" + id, null, Operation.SCHEMA_BY_ID, null, null, id);
        Schema schema = parseSchema(answer, "schema id " + id);
        Schema raced = schemasById.putIfAbsent(id, schema);
        return raced != null ? raced : schema;
    }

    @Override
    public RegisteredSchema getLatestVersion(String subject) {
        JsonNode answer = call("GET", "/subjects/" + encode(requireSubject(subject)) + "/versions/latest", null, Operation.LATEST_VERSION, subject, null, 0);
        int id = requiredInt(answer, "id", "latest version of '" + subject + "'");
        Schema schema = schemasById.computeIfAbsent(id, i -> parseSchema(answer, "latest version of '" + subject + "'"));
        return new RegisteredSchema(answer.path("subject").asText(subject), requiredInt(answer, "version", "latest version of '" + subject + "'"), id, schema);
    }

    @Override
    public int getId(String subject, Schema schema) {
        SubjectSchema key = new SubjectSchema(requireSubject(subject), Objects.requireNonNull(schema, "schema"));
        Integer cached = idsBySubjectSchema.get(key);
        if (cached != null) {
            return cached;
        }
        JsonNode answer = call("POST", "/subjects/" + encode(subject), schemaBody(schema), Operation.LOOKUP, subject, schema, 0);
        int id = requiredInt(answer, "id", "lookup in '" + subject + "'");
        idsBySubjectSchema.put(key, id);
        schemasById.putIfAbsent(id, schema);
        return id;
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        try {
            JsonNode answer = call("POST", "/compatibility/subjects/" + encode(requireSubject(subject)) + "/versions/latest",
                    schemaBody(Objects.requireNonNull(schema, "schema")), Operation.COMPATIBILITY, subject, schema, 0);
            JsonNode verdict = answer.get("is_compatible");
            if (verdict == null || !verdict.isBoolean()) {
                throw new SchemaRegistryException("schema registry answered the compatibility check for '" + subject + "' without a boolean is_compatible: " + answer, 200, 0);
            }
            return verdict.booleanValue();
        } catch (SubjectNotFoundException e) {
            return true; // nothing registered yet, so nothing to break
        }
    }

    @Override
    public List<String> getAllSubjects() {
        JsonNode answer = call("GET", "/subjects", null, Operation.SUBJECTS, null, null, 0);
        if (!answer.isArray()) {
            throw new SchemaRegistryException("schema registry answered GET /subjects with " + answer.getNodeType() + ", expected a JSON array", 200, 0);
        }
        List<String> subjects = new ArrayList<>();
        answer.forEach(node -> subjects.add(node.asText()));
        return List.copyOf(subjects);
    }

    @Override
    public Optional<String> getCompatibility(String subject) {
        JsonNode answer;
        try {
            answer = call("GET", "/config/" + encode(requireSubject(subject)), null, Operation.CONFIG, subject, null, 0);
        } catch (SubjectNotFoundException e) {
            return Optional.empty();
        } catch (SchemaRegistryException e) {
            // Confluent: 40408 "subject has no compatibility level of its own"; older versions 40401 or a bare 404
            if (e.httpStatus() == 404) return Optional.empty();
            throw e;
        }
        JsonNode level = answer.hasNonNull("compatibilityLevel") ? answer.get("compatibilityLevel") : answer.get("compatibility");
        return level == null || !level.isTextual() || level.asText().isBlank() ? Optional.empty() : Optional.of(level.asText());
    }

    @Override
    public void setCompatibility(String subject, String level) {
        ObjectNode body = json.createObjectNode();
        body.put("compatibility", Objects.requireNonNull(level, "level"));
        JsonNode answer = call("PUT", "/config/" + encode(requireSubject(subject)), body.toString(), Operation.CONFIG, subject, null, 0);
        JsonNode set = answer.hasNonNull("compatibility") ? answer.get("compatibility") : answer.get("compatibilityLevel");
        if (set != null && set.isTextual() && !set.asText().equalsIgnoreCase(level)) {
            throw new SchemaRegistryException("schema registry answered PUT /config/" + subject + " with compatibility "
                    + set.asText() + ", not " + level, 200, 0);
        }
    }

    @Override
    public String toString() {
        return "RestSchemaRegistryClient" + baseUrls();
    }

    // ---- HTTP ----

    private JsonNode call(String method, String path, String body, Operation operation, String subject, Schema schema, int id) {
        int count = endpoints.size();
        int start = preferredEndpoint.get();
        List<String> failures = new ArrayList<>();
        Exception lastCause = null;
        for (int attempt = 0; attempt < count; attempt++) {
            int index = (start + attempt) % count;
            Endpoint endpoint = endpoints.get(index);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(endpoint.baseUrl() + path))
                    .timeout(requestTimeout)
                    .header("Accept", ACCEPT);
            if (endpoint.authorization() != null) {
                request.header("Authorization", endpoint.authorization());
            }
            if (body != null) {
                request.header("Content-Type", CONTENT_TYPE).method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            } else {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                failures.add(endpoint.baseUrl() + " (" + describeIoFailure(e) + ")");
                lastCause = e;
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SchemaRegistryException("interrupted while calling the schema registry at " + endpoint.baseUrl(), 0, 0, e);
            }
            int status = response.statusCode();
            if (status >= 500 && attempt < count - 1) {
                failures.add(endpoint.baseUrl() + " (HTTP " + status + ")");
                continue;
            }
            preferredEndpoint.set(index);
            if (status >= 200 && status < 300) {
                try {
                    String text = response.body();
                    return text == null || text.isBlank() ? json.nullNode() : json.readTree(text);
                } catch (IOException e) {
                    throw new SchemaRegistryException("schema registry at " + endpoint.baseUrl() + " answered " + method + " " + path
                            + " with a body that is not JSON: " + abbreviate(response.body()), status, 0, e);
                }
            }
            throw mapError(endpoint.baseUrl(), method, path, status, response.body(), operation, subject, schema, id);
        }
        throw new SchemaRegistryException("schema registry unreachable for " + method + " " + path + ": tried " + String.join(", ", failures), 0, 0, lastCause);
    }

    private RuntimeException mapError(String baseUrl, String method, String path, int status, String body,
                                      Operation operation, String subject, Schema schema, int id) {
        int errorCode = 0;
        String registryMessage = abbreviate(body);
        try {
            JsonNode error = body == null || body.isBlank() ? null : json.readTree(body);
            if (error != null && error.isObject()) {
                errorCode = error.path("error_code").asInt(0);
                if (error.hasNonNull("message")) {
                    registryMessage = error.get("message").asText();
                }
            }
        } catch (IOException notJson) {
            // keep the raw (abbreviated) body as the message
        }
        String schemaName = schema == null ? "" : schema.getFullName();
        String said = " (registry said: " + registryMessage + ")";
        if (status == 409) {
            return new IncompatibleSchemaException("schema " + schemaName + " is incompatible with the latest version of subject '" + subject + "'" + said, errorCode);
        }
        if (errorCode == 40401) {
            return new SubjectNotFoundException("subject '" + subject + "' is not in the schema registry at " + baseUrl + said);
        }
        if (errorCode == 40403 || (errorCode == 40402 && operation == Operation.LOOKUP)) {
            if (operation == Operation.SCHEMA_BY_ID) {
                return new UnknownSchemaIdException(id, "registry " + baseUrl + " said: " + registryMessage);
            }
            return new SchemaNotFoundException("schema " + schemaName + " is not registered under subject '" + subject + "'" + said);
        }
        if (errorCode == 42201 || (status == 422 && (operation == Operation.REGISTER || operation == Operation.LOOKUP) && errorCode == 0)) {
            return new InvalidSchemaException("schema registry rejected schema " + schemaName + " as invalid" + said, status, errorCode);
        }
        if (status == 401 || status == 403) {
            return new SchemaRegistryException("schema registry at " + baseUrl + " refused " + method + " " + path + " with HTTP " + status
                    + (status == 401 ? ": authentication failed, check " + SerdeConfig.BASIC_AUTH_USER_INFO + " or " + SerdeConfig.BEARER_AUTH_TOKEN
                            : ": not authorised for this operation") + said, status, errorCode);
        }
        if (status == 404 && errorCode == 0) {
            return new SchemaRegistryException("schema registry at " + baseUrl + " answered HTTP 404 for " + method + " " + path
                    + " without a registry error code: is the base URL right? (Apicurio serves this API under /apis/ccompat/v7)" + said, status, 0);
        }
        return new SchemaRegistryException("schema registry at " + baseUrl + " answered HTTP " + status
                + (errorCode != 0 ? " error_code " + errorCode : "") + " for " + method + " " + path + said, status, errorCode);
    }

    private static String describeIoFailure(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused or unreachable";
        }
        if (e instanceof HttpTimeoutException) {
            return "timed out: " + e.getMessage();
        }
        if (e instanceof SSLException) {
            return "TLS failure: " + e.getMessage();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    // ---- helpers ----

    private String schemaBody(Schema schema) {
        ObjectNode body = json.createObjectNode();
        body.put("schema", schema.toString());
        return body.toString();
    }

    private Schema parseSchema(JsonNode answer, String what) {
        String type = answer.path("schemaType").asText("AVRO");
        if (!type.equalsIgnoreCase("AVRO")) {
            throw new SchemaRegistryException(what + " is a " + type + " schema; these serdes read only Avro", 200, 0);
        }
        JsonNode schemaText = answer.get("schema");
        if (schemaText == null || !schemaText.isTextual()) {
            throw new SchemaRegistryException("schema registry answer for " + what + " has no 'schema' text: " + abbreviate(answer.toString()), 200, 0);
        }
        try {
            return new Schema.Parser().parse(schemaText.asText());
        } catch (SchemaParseException e) {
            throw new SchemaRegistryException("schema registry returned a schema for " + what + " that Avro cannot parse: " + e.getMessage(), 200, 0, e);
        }
    }

    private static int requiredInt(JsonNode answer, String field, String what) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw new SchemaRegistryException("schema registry answer for " + what + " has no integer '" + field + "': " + abbreviate(String.valueOf(answer)), 200, 0);
        }
        return value.intValue();
    }

    private static String requireSubject(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("subject is blank");
        }
        return subject;
    }

    private static String encode(String pathSegment) {
        return URLEncoder.encode(pathSegment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "...";
    }

    private static String basicHeader(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    /** Strips {@code user:password@} from the URL; it becomes the endpoint's basic auth unless credentials were configured. */
    private static Endpoint endpointOf(String url, String configuredAuth) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("schema registry URL '" + url + "' is not a valid URI: " + e.getMessage(), e);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("schema registry URL '" + url + "' has no host");
        }
        String rawUserInfo = uri.getRawUserInfo();
        if (rawUserInfo == null) {
            return new Endpoint(url, configuredAuth);
        }
        String withoutUserInfo = url.replaceFirst("^(https?://)[^@/]*@", "$1");
        String auth = configuredAuth != null ? configuredAuth : basicHeader(URLDecoder.decode(rawUserInfo, StandardCharsets.UTF_8));
        return new Endpoint(withoutUserInfo, auth);
    }

    private static SSLContext sslContext(Path location, String password, String type) {
        try (InputStream in = Files.newInputStream(location)) {
            KeyStore trustStore = KeyStore.getInstance(type);
            trustStore.load(in, password == null ? null : password.toCharArray());
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load " + SerdeConfig.TRUSTSTORE_LOCATION + " '" + location + "' as " + type + ": " + e.getMessage(), e);
        }
    }
}
