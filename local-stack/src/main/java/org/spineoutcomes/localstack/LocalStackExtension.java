package org.spineoutcomes.localstack;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a running {@link LocalStack}: one per test JVM, started on first
 * use, shared by every test class that uses the extension, closed when the JVM's test run ends.
 *
 * <pre>{@code
 * @ExtendWith(LocalStackExtension.class)
 * class MyIT {
 *     @Test void roundTrip(LocalStack stack) { ... stack.bootstrapServers() ... }
 * }
 * }</pre>
 * Tests share the broker and registry, so use unique consumer group ids and either the contract
 * topics with unique keys or topics of your own.
 */
public final class LocalStackExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalStackExtension.class);
    private static final String KEY = "local-stack";

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == LocalStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext)
            throws ParameterResolutionException {
        return stack(extensionContext);
    }

    /** The shared stack, started if this is the first request in this JVM. */
    public static LocalStack stack(ExtensionContext context) {
        // The root store outlives every test class, so one stack serves the whole test JVM.
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(KEY, key -> new SharedStack(LocalStack.start()), SharedStack.class)
                .stack();
    }

    /** JUnit (5.13+) closes AutoCloseable values of the root store when the test run ends. */
    private record SharedStack(LocalStack stack) implements AutoCloseable {
        @Override
        public void close() {
            stack.close();
        }
    }
}
