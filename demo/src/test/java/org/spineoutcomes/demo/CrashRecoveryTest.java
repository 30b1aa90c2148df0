package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.spineoutcomes.batch.BatchComputation;
import org.spineoutcomes.localstack.LocalStack;
import org.spineoutcomes.producer.simulate.SimulationParameters;
import org.spineoutcomes.serde.RestSchemaRegistryClient;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;
import org.spineoutcomes.validation.EventValidator;
import org.spineoutcomes.validation.Violation;

/**
 * Crash test on the real local stack (issue 11, item 3): {@code ./spine run} as a separate JVM with a
 * persistent state directory processes a simulated cohort while it is killed with SIGKILL five times
 * and the broker is restarted once, each at a random moment (seeded, printed); after the last
 * disruption it runs to the end and the final contents of the output topics equal the batch
 * recomputation exactly: patient outcomes, arm aggregates and comparisons byte for byte, and the dead
 * letters by reason, each input record dead-lettered at most once (exactly-once across the crashes).
 *
 * <p>It prints, for each disruption, how long the app took to recover: from the start of the new JVM
 * (or from the broker being back) to Kafka Streams RUNNING, and to its first commit of new input.
 *
 * <p>A moment is a point in the input's progress (a random share of the input records committed by
 * the app, one per sixth of the way, plus a random delay under 1.5 s), so every disruption falls
 * while the app is processing, however fast this machine is today.
 *
 * <p>Cohort size: 10,000 patients (about 111,000 input records), not the 20,000 the issue asks for.
 * At 20,000 patients (222,814 input records) the test passed the same way but used 760 s of CPU
 * (test JVM with the broker, six app JVMs, the registry): more than the 600 s two cores give in
 * 5 minutes, so it cannot finish in that time on the CI machine whatever else runs there. Half the
 * cohort halves the part that grows with it (simulation, batch, the stream itself, the comparison);
 * the stack, the six JVM starts and the recoveries stay. It prints the CPU time it used.
 *
 * <p>Its own stack: the broker restart must not disturb the other tests' shared stack.
 */
class CrashRecoveryTest {

    /** Cohort size (see above why not 20,000); -Dspine.crash.patients overrides it (measurements). */
    private static final int PATIENTS = Integer.getInteger("spine.crash.patients", 10_000);
    private static final long COHORT_SEED = 31;
    /** Seed of the disruption moments; -Dspine.crash.seed overrides it to try others. */
    private static final long DISRUPTION_SEED = Long.getLong("spine.crash.seed", 20_261_130L);
    private static final int KILLS = 5;
    private static final Duration BROKER_DOWN = Duration.ofSeconds(5);
    private static final Duration RECOVERY_LIMIT = Duration.ofMinutes(3);
    private static final Pattern RESTORED = Pattern.compile("restored ([0-9,]+) changelog records");

    private enum Disruption { SIGKILL, BROKER_RESTART }

    /** One disruption and what it took to recover from it; times in ms, -1 when not applicable. */
    private record Recovery(int number, Disruption what, long committedBefore, double share, long delayMs,
                            long toRunningMs, long toProcessingMs, String restored) {}

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES) // about 5 on an idle CI machine; room for a busy one
    void sigkillsAndABrokerRestart_finalOutputsEqualTheBatch() throws Exception {
        long t0 = System.nanoTime();
        Duration testJvmCpuAtStart = ownCpu();
        Duration appCpu = Duration.ZERO;
        try (LocalStack stack = LocalStack.start();
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                     AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000))) {
            long stackMs = msSince(t0);
            RestSchemaRegistryClient registry = new RestSchemaRegistryClient(stack.schemaRegistryUrl());

            long t1 = System.nanoTime();
            List<SpecificRecord> events = StackOutputs.simulatedCohort(SimulationParameters.defaults(PATIENTS, COHORT_SEED).withInvalidShare(0.005));
            Expected expected = Expected.of(events);
            long cohortMs = msSince(t1);

            long t2 = System.nanoTime();
            StackOutputs.produce(stack, registry, events);
            long produceMs = msSince(t2);
            long inputRecords = endOffsets(admin, Topics.INPUTS.stream().map(SpineTopic::name).toList());
            assertEquals(events.size(), inputRecords, "every event on the input topics");

            String applicationId = "crash-" + System.nanoTime();
            Path stateDir = Files.createTempDirectory(stack.workDir(), "crash-state");
            Path config = stack.workDir().resolve("crash-app.properties");
            Files.write(config, List.of(
                    "spine.bootstrap.servers=" + stack.bootstrapServers(),
                    "spine.schema.registry.url=" + stack.schemaRegistryUrl(),
                    "spine.application.id=" + applicationId,
                    "spine.state.dir=" + stateDir,
                    "spine.http.port=0",
                    "spine.http.bind.address=127.0.0.1",
                    "spine.publish.interval.ms=300",
                    "spine.data.cut.refresh.ms=500"));
            Path logs = Files.createDirectories(Path.of("target", "crash-recovery"));

            Random random = new Random(DISRUPTION_SEED);
            List<Disruption> plan = new ArrayList<>();
            for (int i = 0; i < KILLS; i++) plan.add(Disruption.SIGKILL);
            plan.add(random.nextInt(KILLS + 1), Disruption.BROKER_RESTART);
            System.out.printf("crash test: %,d patients, %,d input records (%,d invalid), disruption seed %d, plan %s%n",
                    PATIENTS, inputRecords, expected.invalid(), DISRUPTION_SEED, plan);

            long t3 = System.nanoTime();
            List<Recovery> recoveries = new ArrayList<>();
            int run = 1;
            SpineRunProcess app = startApp(config);
            try {
                awaitReady(app, "first start");
                for (int i = 0; i < plan.size(); i++) {
                    // One moment per sixth of the way between 6% and 88% of the input, anywhere in the middle 70% of its sixth.
                    double width = 0.82 / plan.size();
                    double share = 0.06 + width * (i + 0.15 + 0.7 * random.nextDouble());
                    long delayMs = random.nextInt(1_500);
                    long threshold = (long) (share * inputRecords);
                    long committed = awaitCommitted(admin, applicationId, threshold, app);
                    Thread.sleep(delayMs);
                    if (plan.get(i) == Disruption.SIGKILL) {
                        appCpu = appCpu.plus(app.cpu());
                        app.sigkill();
                        // Read after the kill: until the kill the app may commit more.
                        long before = committedInput(admin, applicationId);
                        saveLog(app, logs, run++);
                        app = startApp(config);
                        long startedNanos = app.startedNanos();
                        long processingNanos = awaitProgressBeyond(admin, applicationId, before, app);
                        SpineRunProcess.Line ready = awaitReady(app, "restart " + run);
                        recoveries.add(new Recovery(i + 1, Disruption.SIGKILL, before, share, delayMs,
                                (ready.nanos() - startedNanos) / 1_000_000, (processingNanos - startedNanos) / 1_000_000, restored(app)));
                    } else {
                        stack.broker().stop();
                        Thread.sleep(BROKER_DOWN.toMillis());
                        stack.broker().restart();
                        long upNanos = System.nanoTime();
                        // Read when the broker answers again: the app may commit until the broker is stopped.
                        long before = awaitCommittedInput(admin, applicationId);
                        long processingNanos = awaitProgressBeyond(admin, applicationId, before, app);
                        assertTrue(app.isAlive(), "the app outlived the broker restart; stderr:\n" + app.stderr());
                        recoveries.add(new Recovery(i + 1, Disruption.BROKER_RESTART, before, share, delayMs,
                                -1, (processingNanos - upNanos) / 1_000_000, "-"));
                    }
                    System.out.println("  " + describe(recoveries.get(recoveries.size() - 1), inputRecords));
                }
                awaitCommitted(admin, applicationId, inputRecords, app);
                awaitCellStepCaughtUp(admin, applicationId, app);
                StackOutputs.waitUntilQuiet(stack, Duration.ofSeconds(4), Duration.ofMinutes(4));
                long streamMs = msSince(t3);

                appCpu = appCpu.plus(app.cpu());
                app.sigterm();
                assertTrue(app.waitFor(Duration.ofSeconds(40)), "the last run stops on SIGTERM");
                assertEquals(0, app.exitValue(), "clean stop after the last run; stderr:\n" + app.stderr());
                saveLog(app, logs, run);

                long t4 = System.nanoTime();
                StackOutputs.Finals finals = StackOutputs.finals(stack, registry);
                DeadLetters deadLetters = DeadLetters.read(stack);
                StackOutputs.assertFinalsEqual(expected.batch(), finals, PATIENTS);
                assertEquals(expected.rejectedByReason(), deadLetters.byReason(), "dead letters by reason");
                assertEquals(deadLetters.total(), deadLetters.distinctSources(), "no input record dead-lettered twice");
                long compareMs = msSince(t4);

                long kills = recoveries.stream().filter(r -> r.what() == Disruption.SIGKILL).count();
                assertEquals(KILLS, kills);
                System.out.printf("crash test passed: %d SIGKILLs survived and 1 broker restart; outputs equal the batch "
                                + "(%,d outcomes, %,d aggregates, %,d comparisons, %,d dead letters %s)%n",
                        kills, finals.outcomes().size(), finals.aggregates().size(), finals.comparisons().size(),
                        deadLetters.total(), deadLetters.byReason());
                System.out.printf("  took %.0f s: stack %.0f s, cohort and batch %.0f s, produce %.0f s, stream with disruptions %.0f s, compare %.0f s%n",
                        msSince(t0) / 1e3, stackMs / 1e3, cohortMs / 1e3, produceMs / 1e3, streamMs / 1e3, compareMs / 1e3);
                Duration registryCpu = ProcessHandle.of(stack.registry().pid()).flatMap(h -> h.info().totalCpuDuration()).orElse(Duration.ZERO);
                Duration testCpu = ownCpu().minus(testJvmCpuAtStart);
                System.out.printf("  CPU %.0f s: test JVM with the broker %.0f s, app runs %.0f s, registry %.0f s (two cores give 600 s in 5 minutes)%n",
                        (testCpu.toMillis() + appCpu.toMillis() + registryCpu.toMillis()) / 1e3, testCpu.toMillis() / 1e3,
                        appCpu.toMillis() / 1e3, registryCpu.toMillis() / 1e3);
            } finally {
                app.close();
                if (!stack.broker().isRunning()) stack.broker().restart();
            }
        }
    }

    private static String describe(Recovery r, long inputRecords) {
        String what = r.what() == Disruption.SIGKILL ? "SIGKILL       " : "broker restart";
        String toRunning = r.toRunningMs() < 0 ? "" : String.format("JVM start -> RUNNING %5.1f s, ", r.toRunningMs() / 1e3);
        String from = r.what() == Disruption.SIGKILL ? "JVM start" : "broker back";
        return String.format("%d. %s at %,d of %,d input records committed (%.0f%%, +%d ms): %s%s -> processing again %5.1f s; restored %s",
                r.number(), what, r.committedBefore(), inputRecords, 100.0 * r.committedBefore() / inputRecords, r.delayMs(),
                toRunning, from, r.toProcessingMs() / 1e3, r.restored());
    }

    // --- the app process ----------------------------------------------------------------------

    private static SpineRunProcess startApp(Path config) throws Exception {
        return SpineRunProcess.start(config, Map.of(), List.of("-Xmx1g"));
    }

    private static SpineRunProcess.Line awaitReady(SpineRunProcess app, String which) throws InterruptedException {
        SpineRunProcess.Line line = app.nextLine(RECOVERY_LIMIT);
        assertNotNull(line, which + ": not RUNNING within " + RECOVERY_LIMIT + "; stderr:\n" + app.stderr());
        assertNotNull(SpineRunProcess.readyAddress(line), which + ": " + line.text());
        return line;
    }

    /** The restore summary the run logged when it became RUNNING ("-" when none). */
    private static String restored(SpineRunProcess app) {
        Matcher m = RESTORED.matcher(app.stderr());
        String last = "-";
        while (m.find()) last = m.group(1);
        return last;
    }

    private static void saveLog(SpineRunProcess app, Path logs, int run) throws java.io.IOException {
        Files.writeString(logs.resolve("run-" + run + ".log"), app.stderr(), StandardCharsets.UTF_8);
    }

    // --- progress, read from the group's committed offsets -------------------------------------

    /** Input records the app has committed (the sum of its group's offsets on the input topics); -1 while the broker cannot answer. */
    private static long committedInput(Admin admin, String group) {
        try {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(3, TimeUnit.SECONDS);
            Set<String> inputs = new HashSet<>(Topics.INPUTS.stream().map(SpineTopic::name).toList());
            return offsets.entrySet().stream().filter(e -> inputs.contains(e.getKey().topic()) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    /** The committed input once the broker answers (after a restart). */
    private static long awaitCommittedInput(Admin admin, String group) throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY_LIMIT.toNanos();
        long committed = committedInput(admin, group);
        while (committed < 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            committed = committedInput(admin, group);
        }
        assertTrue(committed >= 0, "the broker answers again");
        return committed;
    }

    private static long awaitCommitted(Admin admin, String group, long atLeast, SpineRunProcess app) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
        long committed = committedInput(admin, group);
        while (committed < atLeast && System.nanoTime() < deadline) {
            assertTrue(app.isAlive(), "the app stopped; stderr:\n" + app.stderr());
            Thread.sleep(200);
            committed = committedInput(admin, group);
        }
        assertTrue(committed >= atLeast, "committed " + committed + " of " + atLeast + " input records in time");
        return committed;
    }

    /** Waits for the first commit of input beyond {@code before}; returns its {@link System#nanoTime()}. */
    private static long awaitProgressBeyond(Admin admin, String group, long before, SpineRunProcess app) throws InterruptedException {
        long deadline = System.nanoTime() + RECOVERY_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (committedInput(admin, group) > before) return System.nanoTime();
            assertTrue(app.isAlive(), "the app stopped; stderr:\n" + app.stderr());
            Thread.sleep(100);
        }
        throw new AssertionError("no input committed beyond " + before + " within " + RECOVERY_LIMIT + "; stderr:\n" + app.stderr());
    }

    /**
     * Waits until the cell step has read every cell-delta record: on each partition of the hand-on
     * topic (the app runs split by default) the cell stage's committed offset is at least the end offset less one (the last offset of a
     * partition written in transactions is a commit marker, which the committed offset may stop before).
     */
    private static void awaitCellStepCaughtUp(Admin admin, String group, SpineRunProcess app) throws Exception {
        String topic = org.spineoutcomes.topology.HandOnTopics.forApplication(group).cellDeltas();
        String cellGroup = org.spineoutcomes.topology.HandOnTopics.cellStageApplicationId(group);
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (true) {
            Map<TopicPartition, Long> end = endOffsetsByPartition(admin, List.of(topic));
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(cellGroup).partitionsToOffsetAndMetadata().get();
            boolean caughtUp = end.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue() - 1);
            if (caughtUp) return;
            assertTrue(System.nanoTime() < deadline, "the cell step did not catch up: end " + end + ", committed " + committed);
            assertTrue(app.isAlive(), "the app stopped; stderr:\n" + app.stderr());
            Thread.sleep(250);
        }
    }

    private static long endOffsets(Admin admin, List<String> topics) throws Exception {
        return endOffsetsByPartition(admin, topics).values().stream().mapToLong(Long::longValue).sum();
    }

    private static Map<TopicPartition, Long> endOffsetsByPartition(Admin admin, List<String> topics) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
        for (String topic : topics) {
            for (var p : admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
                request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            }
        }
        Map<TopicPartition, Long> end = new java.util.HashMap<>();
        admin.listOffsets(request).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
        return end;
    }

    /** CPU time of this JVM (test code, broker, clients). */
    private static Duration ownCpu() {
        return Duration.ofNanos(((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime());
    }

    private static long msSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    // --- what the batch says -------------------------------------------------------------------

    /** The batch over the field-valid events, and the dead letters expected by reason (invalid fields, R9 losers). */
    private record Expected(BatchComputation.Result batch, Map<String, Integer> rejectedByReason, int invalid) {
        static Expected of(List<SpecificRecord> events) {
            EventValidator validator = new EventValidator();
            Instant clock = Instant.now();
            BatchComputation batch = new BatchComputation();
            Map<String, Integer> rejected = new TreeMap<>();
            int invalid = 0;
            for (SpecificRecord e : events) {
                List<Violation> violations = validator.validate(e, clock);
                if (violations.isEmpty()) {
                    batch.add(e);
                } else {
                    rejected.merge(violations.get(0).reason().name(), 1, Integer::sum);
                    invalid++;
                }
            }
            BatchComputation.Result result = batch.result(null);
            result.refused().forEach(r -> rejected.merge(r.reason(), 1, Integer::sum));
            return new Expected(result, rejected, invalid);
        }
    }

    /** The dead-letter topic read back (read_committed): counts by reason and distinct source records. */
    private record DeadLetters(Map<String, Integer> byReason, int total, int distinctSources) {
        static DeadLetters read(LocalStack stack) {
            Map<String, Integer> byReason = new TreeMap<>();
            Set<String> sources = new HashSet<>();
            int total = 0;
            for (ConsumerRecord<byte[], byte[]> r : StackOutputs.readAll(stack, Topics.REJECTED.name(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).records()) {
                byReason.merge(header(r, Topics.RejectionHeaders.REASON), 1, Integer::sum);
                sources.add(header(r, Topics.RejectionHeaders.SOURCE_TOPIC) + "/" + header(r, Topics.RejectionHeaders.SOURCE_PARTITION)
                        + "@" + header(r, Topics.RejectionHeaders.SOURCE_OFFSET));
                total++;
            }
            return new DeadLetters(byReason, total, sources.size());
        }

        private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
            Header h = r.headers().lastHeader(name);
            return h == null ? "?" : new String(h.value(), StandardCharsets.UTF_8);
        }
    }
}
