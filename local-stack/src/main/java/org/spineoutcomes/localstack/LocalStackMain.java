package org.spineoutcomes.localstack;

import java.util.concurrent.CountDownLatch;

import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/** Starts the local stack, prints where to connect, and runs until Ctrl-C. */
public final class LocalStackMain {
    private LocalStackMain() {}

    public static void main(String[] args) throws InterruptedException {
        LocalStack stack = LocalStack.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Stopping the local stack...");
            stack.close();
            stopped.countDown();
        }, "local-stack-main-shutdown"));

        System.out.printf("Local stack ready in %.1f s (broker %.1f s, schema registry %.1f s, in parallel)%n",
                stack.totalStartTime().toMillis() / 1000.0, stack.brokerStartTime().toMillis() / 1000.0,
                stack.registryStartTime().toMillis() / 1000.0);
        System.out.println("  Kafka bootstrap.servers : " + stack.bootstrapServers());
        System.out.println("  schema.registry.url     : " + stack.schemaRegistryUrl() + "   (Confluent API)");
        System.out.println("  Apicurio native API     : " + stack.apicurioRegistryUrl());
        System.out.println("  state folder            : " + stack.workDir() + "   (removed on exit)");
        System.out.println("  topics:");
        for (SpineTopic<?, ?> topic : Topics.ALL) {
            System.out.printf("    %-28s %d partitions  %s%n", topic.name(), topic.partitions(),
                    topic.config().getOrDefault("cleanup.policy", "delete"));
        }
        System.out.println("Press Ctrl-C to stop.");
        stopped.await();
    }
}
