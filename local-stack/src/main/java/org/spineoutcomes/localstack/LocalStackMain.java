package org.spineoutcomes.localstack;

import java.util.List;
import java.util.Map;

import java.util.concurrent.CountDownLatch;

import org.spineoutcomes.kafka.ClientSecurity;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/** Starts the local stack, prints where to connect, and runs until Ctrl-C. */
public final class LocalStackMain {
    private LocalStackMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("--create-topics")) {
            System.exit(createTopics(args, System.getenv()));
        }
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

    /**
     * {@code --create-topics BOOTSTRAP_SERVERS REGISTRY_URL [REPLICATION_FACTOR]}: on an existing cluster
     * (docker compose, a company cluster), creates the contract's topics (existing ones are left as they
     * are) and sets each contract subject to BACKWARD, then exits. A secured cluster takes the Kafka client
     * security settings from SPINE_KAFKA__* variables (as ./spine run). Exit code 2 for wrong arguments.
     */
    public static int createTopics(String[] args, Map<String, String> env) {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: --create-topics BOOTSTRAP_SERVERS REGISTRY_URL [REPLICATION_FACTOR]");
            return 2;
        }
        short replication;
        try {
            replication = args.length == 4 ? Short.parseShort(args[3]) : 1;
        } catch (NumberFormatException e) {
            System.err.println("error: REPLICATION_FACTOR must be a small whole number, not '" + args[3] + "'");
            return 2;
        }
        Map<String, String> security;
        try {
            security = ClientSecurity.load(null, env);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            return 2;
        }
        LocalStack.createContractTopics(args[1], security, replication);
        List<String> governed = LocalStack.governContractSubjects(args[2]);
        System.out.printf("contract topics present on %s (%d); subjects set to BACKWARD on %s: %d%n",
                args[1], Topics.ALL.size(), args[2], governed.size());
        return 0;
    }
}
