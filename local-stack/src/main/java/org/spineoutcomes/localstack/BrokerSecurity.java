package org.spineoutcomes.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A secured client listener for the local broker: TLS with a self-signed certificate for 127.0.0.1
 * (made by the JDK's keytool, new for each stack) and SASL/SCRAM-SHA-512 authentication. The broker
 * itself authenticates as {@value #BROKER_USER} on the same listener (the transaction coordinator
 * talks to the partition leaders over the inter-broker listener, here itself); that credential is
 * written into the metadata log when the storage is formatted ({@code kafka-storage format --add-scram}),
 * since a KRaft broker cannot create it before it runs. Further users are added through the Admin API
 * ({@link LocalStack#addScramUser}). The controller listener stays PLAINTEXT on 127.0.0.1 and serves
 * only the controller quorum.
 */
public final class BrokerSecurity {
    public static final String MECHANISM = "SCRAM-SHA-512";
    public static final String LISTENER = "SASL_SSL";
    /** The broker's own SCRAM user (inter-broker traffic); also the stack's administrator. */
    public static final String BROKER_USER = "broker";
    static final String STORE_TYPE = "PKCS12";

    private final Path keystore;
    private final Path truststore;
    private final String keystorePassword;
    private final String truststorePassword;
    private final String brokerPassword;

    private BrokerSecurity(Path keystore, Path truststore, String keystorePassword, String truststorePassword, String brokerPassword) {
        this.keystore = keystore;
        this.truststore = truststore;
        this.keystorePassword = keystorePassword;
        this.truststorePassword = truststorePassword;
        this.brokerPassword = brokerPassword;
    }

    /** Makes a key pair and self-signed certificate for 127.0.0.1/localhost under {@code dir}, a trust store holding it, and random passwords. */
    public static BrokerSecurity generate(Path dir) {
        try {
            Files.createDirectories(dir);
            Path keystore = dir.resolve("broker-keystore.p12");
            Path truststore = dir.resolve("truststore.p12");
            String keystorePassword = randomSecret();
            String truststorePassword = randomSecret();
            keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "7",
                    "-keystore", keystore.toString(), "-storetype", STORE_TYPE, "-storepass", keystorePassword);
            writeTruststore(keystore, keystorePassword, truststore, truststorePassword);
            return new BrokerSecurity(keystore, truststore, keystorePassword, truststorePassword, randomSecret());
        } catch (IOException e) {
            throw new UncheckedIOException("Could not create the broker's TLS material in " + dir, e);
        }
    }

    /** A random 128-bit secret as 32 hex digits. */
    public static String randomSecret() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static void keytool(String... args) throws IOException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed: " + output.trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running keytool", e);
        }
    }

    /** A trust store with the broker's certificate only. */
    private static void writeTruststore(Path keystore, String keystorePassword, Path truststore, String truststorePassword) throws IOException {
        try (InputStream in = Files.newInputStream(keystore); OutputStream out = Files.newOutputStream(truststore)) {
            KeyStore keys = KeyStore.getInstance(STORE_TYPE);
            keys.load(in, keystorePassword.toCharArray());
            Certificate certificate = keys.getCertificate("broker");
            KeyStore trust = KeyStore.getInstance(STORE_TYPE);
            trust.load(null, null);
            trust.setCertificateEntry("spine-local-broker", certificate);
            trust.store(out, truststorePassword.toCharArray());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot write the trust store: " + e.getMessage(), e);
        }
    }

    /** Settings of the broker: the SASL_SSL listener on {@code port}, the controller on {@code controllerPort}. */
    Map<String, String> brokerSettings(int port, int controllerPort) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("listeners", LISTENER + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        c.put("advertised.listeners", LISTENER + "://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        c.put("listener.security.protocol.map", LISTENER + ":SASL_SSL,CONTROLLER:PLAINTEXT");
        c.put("inter.broker.listener.name", LISTENER);
        c.put("sasl.enabled.mechanisms", MECHANISM);
        c.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        String listener = "listener.name." + LISTENER.toLowerCase(Locale.ROOT) + ".";
        c.put(listener + MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config", jaas(BROKER_USER, brokerPassword));
        c.put(listener + "ssl.keystore.location", keystore.toAbsolutePath().toString());
        c.put(listener + "ssl.keystore.password", keystorePassword);
        c.put(listener + "ssl.keystore.type", STORE_TYPE);
        c.put(listener + "ssl.key.password", keystorePassword);
        // The broker is a client of its own listener (inter-broker): it must trust the certificate too.
        c.put(listener + "ssl.truststore.location", truststore.toAbsolutePath().toString());
        c.put(listener + "ssl.truststore.password", truststorePassword);
        c.put(listener + "ssl.truststore.type", STORE_TYPE);
        return c;
    }

    /** Arguments for {@code kafka-storage format}: the broker's own SCRAM credential in the bootstrap metadata. */
    List<String> formatArguments() {
        return List.of("--add-scram", MECHANISM + "=[name=" + BROKER_USER + ",password=" + brokerPassword + "]");
    }

    /** Client settings (security.protocol, sasl.*, ssl.*) for {@code user} with {@code password}. */
    public Map<String, String> clientSettings(String user, String password) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("security.protocol", LISTENER);
        c.put("sasl.mechanism", MECHANISM);
        c.put("sasl.jaas.config", jaas(user, password));
        c.put("ssl.truststore.location", truststore.toAbsolutePath().toString());
        c.put("ssl.truststore.password", truststorePassword);
        c.put("ssl.truststore.type", STORE_TYPE);
        return c;
    }

    /** Client settings of the broker's own user, the stack's administrator (topics, SCRAM users). */
    public Map<String, String> adminSettings() {
        return clientSettings(BROKER_USER, brokerPassword);
    }

    /** The JAAS line of a SCRAM client login. */
    public static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    public Path truststore() {
        return truststore;
    }

    public String truststorePassword() {
        return truststorePassword;
    }
}
