package org.spineoutcomes.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kafka client security settings from a file and SPINE_KAFKA__* variables, and the one line for a refused connection. */
class ClientSecurityTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"p4ss\";";

    @TempDir
    Path dir;

    private Path file(String... lines) throws IOException {
        Path f = dir.resolve("client.properties");
        Files.write(f, List.of(lines));
        return f;
    }

    @Test
    void fileThenEnvironment_theEnvironmentWins_andTheAppsOwnKeysAreSkipped() throws IOException {
        Path f = file("spine.bootstrap.servers=kafka:9093", "streams.num.stream.threads=2",
                "kafka.security.protocol=SASL_SSL", "kafka.sasl.mechanism=SCRAM-SHA-256", "kafka.ssl.truststore.location=/etc/ts.p12");
        Map<String, String> s = ClientSecurity.load(f, Map.of("SPINE_KAFKA__SASL_MECHANISM", "SCRAM-SHA-512",
                "SPINE_KAFKA__SASL_JAAS_CONFIG", JAAS, "SPINE_KAFKA__SSL_TRUSTSTORE_LOCATION", " ", "SPINE_BOOTSTRAP_SERVERS", "ignored:1", "PATH", "/bin"));
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS), s,
                "a blank variable clears the file's value");
        assertEquals(Map.of(), ClientSecurity.load(null, Map.of()));
        assertEquals("SPINE_KAFKA__SASL_JAAS_CONFIG", ClientSecurity.envName("sasl.jaas.config"));
    }

    @Test
    void anUnknownKeyOrAClientSettingThatIsNotForSecurity_isRefusedInOneLine() throws IOException {
        Path typo = file("kafka.sasl.mechansim=SCRAM-SHA-512");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientSecurity.load(typo, Map.of()));
        assertEquals("unknown Kafka client security setting kafka.sasl.mechansim (in " + typo + "): expected kafka.security.protocol, "
                + "kafka.sasl.* or kafka.ssl.* (in a file; SPINE_KAFKA__SASL_JAAS_CONFIG and the like in the environment)", e.getMessage());
        Path other = file("bootstrap.servers=kafka:9092");
        assertEquals("unknown key bootstrap.servers in " + other + ": expected kafka.security.protocol, kafka.sasl.* or kafka.ssl.* "
                + "(Kafka client security settings)", assertThrows(IllegalArgumentException.class, () -> ClientSecurity.load(other, Map.of())).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ClientSecurity.load(null, Map.of("SPINE_KAFKA__ACKS", "all")));
        assertFalse(ClientSecurity.isSecuritySetting("acks"));
        assertTrue(ClientSecurity.prefixedNames().contains("kafka.sasl.jaas.config"));
        assertEquals("Kafka client settings file " + dir.resolve("none") + ": not found",
                assertThrows(IllegalArgumentException.class, () -> ClientSecurity.load(dir.resolve("none"), Map.of())).getMessage());
    }

    @Test
    void aBadValue_namesTheKeyWhereItCameFromAndWhatIsExpected() {
        IllegalArgumentException protocol = assertThrows(IllegalArgumentException.class,
                () -> ClientSecurity.load(null, Map.of("SPINE_KAFKA__SECURITY_PROTOCOL", "TLS")));
        assertTrue(protocol.getMessage().startsWith("SPINE_KAFKA__SECURITY_PROTOCOL=TLS (from env SPINE_KAFKA__SECURITY_PROTOCOL): expected a Kafka string "),
                protocol.getMessage());
        assertTrue(protocol.getMessage().endsWith(" value for security.protocol"), protocol.getMessage());
        assertTrue(protocol.getMessage().contains("SASL_SSL"), "the allowed values: " + protocol.getMessage());
    }

    @Test
    void aRefusedConnection_isExplainedInOneLine() {
        String bootstrap = "kafka-1:9093";
        assertEquals("Kafka at kafka-1:9093 refused the credentials (SaslAuthenticationException: Authentication failed: invalid credentials): "
                        + "check the user and password in kafka.sasl.jaas.config (SPINE_KAFKA__SASL_JAAS_CONFIG) and kafka.sasl.mechanism",
                ClientSecurity.explain(new SaslAuthenticationException("Authentication failed:\n invalid credentials"), bootstrap));
        assertEquals("the TLS handshake with Kafka at kafka-1:9093 failed (SslAuthenticationException: SSL handshake failed): check "
                        + "kafka.ssl.truststore.location and its password, and that the broker's certificate names the host you connect to",
                ClientSecurity.explain(new SslAuthenticationException("SSL handshake failed"), bootstrap));
        SaslAuthenticationException inner = new SaslAuthenticationException("no");
        assertSame(inner, ClientSecurity.authenticationFailure(new KafkaException("outer", new RuntimeException("middle", inner))));
        assertNull(ClientSecurity.authenticationFailure(new KafkaException("timeout")));
    }
}
