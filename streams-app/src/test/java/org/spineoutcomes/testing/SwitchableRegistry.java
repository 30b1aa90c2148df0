package org.spineoutcomes.testing;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.serde.SchemaRegistryException;

/**
 * A registry that can be switched off: while off, every call fails as the REST client fails when the
 * registry does not answer (status 0) or answers with {@code status}, and is counted.
 */
public final class SwitchableRegistry implements SchemaRegistryClient {
    private final SchemaRegistryClient delegate;
    private volatile int downStatus = -1;
    private final AtomicInteger callsWhileDown = new AtomicInteger();

    public SwitchableRegistry(SchemaRegistryClient delegate) {
        this.delegate = delegate;
    }

    /** Off: calls fail with this HTTP status (0 = no answer, 503 = server error). */
    public void down(int status) {
        downStatus = status;
    }

    public void up() {
        downStatus = -1;
    }

    /** Calls made while off. */
    public int callsWhileDown() {
        return callsWhileDown.get();
    }

    private void check() {
        int status = downStatus;
        if (status >= 0) {
            callsWhileDown.incrementAndGet();
            throw new SchemaRegistryException(status == 0 ? "schema registry unreachable: connection refused (test)"
                    : "schema registry answered HTTP " + status + " (test)", status, 0);
        }
    }

    @Override public int register(String subject, Schema schema) { check(); return delegate.register(subject, schema); }
    @Override public Schema getSchemaById(int id) { check(); return delegate.getSchemaById(id); }
    @Override public RegisteredSchema getLatestVersion(String subject) { check(); return delegate.getLatestVersion(subject); }
    @Override public int getId(String subject, Schema schema) { check(); return delegate.getId(subject, schema); }
    @Override public boolean testCompatibility(String subject, Schema schema) { check(); return delegate.testCompatibility(subject, schema); }
    @Override public List<String> getAllSubjects() { check(); return delegate.getAllSubjects(); }
    @Override public Optional<String> getCompatibility(String subject) { check(); return delegate.getCompatibility(subject); }
    @Override public void setCompatibility(String subject, String level) { check(); delegate.setCompatibility(subject, level); }

    @Override
    public String toString() {
        return "switchable " + delegate;
    }
}
