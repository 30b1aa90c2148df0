package org.spineoutcomes.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.spineoutcomes.topology.HandOnTopics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the hand-on topics of a split app and trims them: every {@link #EVERY}, the records before the
 * cell stage's committed offsets are deleted, as Kafka Streams does for its own repartition topics
 * (repartition.purge.interval.ms). Without it they would keep every batch forever.
 */
final class HandOnPurge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HandOnPurge.class);
    static final Duration EVERY = Duration.ofSeconds(30);

    private final Map<String, Object> adminConfig;
    private final String cellStageGroup;
    private final HandOnTopics topics;
    private final Map<TopicPartition, Long> purgedTo = new HashMap<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "spine-hand-on-purge");
        t.setDaemon(true);
        return t;
    });
    private Admin admin;

    HandOnPurge(Map<String, Object> adminConfig, String cellStageGroup, HandOnTopics topics) {
        this.adminConfig = adminConfig;
        this.cellStageGroup = cellStageGroup;
        this.topics = topics;
    }

    /**
     * Creates the topics that do not exist yet (partitions and settings of {@link HandOnTopics}). While no
     * broker answers it keeps asking (every {@link #RETRY_EVERY}), as Kafka Streams' own start waits for the
     * brokers; the start-up watch says meanwhile what to check. A refusal (no right to create topics, a bad
     * setting) fails at once, naming the topics.
     */
    static void createTopics(Map<String, Object> adminConfig, HandOnTopics topics, java.util.function.BooleanSupplier giveUp) {
        createTopics(adminConfig, topics, giveUp, RETRY_EVERY);
    }

    /** As above, asking every {@code retryEvery} (each attempt waits at most twice that for an answer). */
    static void createTopics(Map<String, Object> adminConfig, HandOnTopics topics, java.util.function.BooleanSupplier giveUp, Duration retryEvery) {
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                try {
                    createMissing(admin, topics, retryEvery);
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof org.apache.kafka.common.errors.RetriableException)) {
                        throw new IllegalStateException("cannot create the hand-on topics " + topics.names() + ": " + e.getCause(), e.getCause());
                    }
                } catch (java.util.concurrent.TimeoutException e) {
                    // no broker answered in time: ask again
                }
                if (giveUp.getAsBoolean()) throw new IllegalStateException("stopped before the hand-on topics could be created (no broker answered)");
                LOG.debug("no broker answered while creating the hand-on topics; asking again in {}", retryEvery);
                Thread.sleep(retryEvery.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the hand-on topics", e);
        }
    }

    static final Duration RETRY_EVERY = Duration.ofSeconds(5);

    private static void createMissing(Admin admin, HandOnTopics topics, Duration retryEvery)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        Set<String> existing = admin.listTopics().names().get(retryEvery.toMillis() * 2, TimeUnit.MILLISECONDS);
        List<NewTopic> missing = new ArrayList<>();
        for (String name : topics.names()) {
            if (!existing.contains(name)) {
                missing.add(new NewTopic(name, java.util.Optional.of(topics.partitions()), java.util.Optional.empty()).configs(HandOnTopics.CONFIG));
            }
        }
        if (missing.isEmpty()) return;
        try {
            admin.createTopics(missing).all().get(retryEvery.toMillis() * 2, TimeUnit.MILLISECONDS);
            LOG.info("created the hand-on topics {}", missing.stream().map(NewTopic::name).toList());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) throw e;
        }
    }

    void start() {
        scheduler.scheduleWithFixedDelay(this::purgeOnce, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes what the cell stage has committed past; the next round retries whatever fails. */
    void purgeOnce() {
        try {
            trim();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("hand-on topics not trimmed this round: {}", e.toString());
        }
    }

    /**
     * One round: deletes the records before the cell stage's committed offset on every partition of the
     * hand-on topics where that offset moved. Returns the new start offsets (the partitions trimmed).
     */
    synchronized Map<TopicPartition, Long> trim() throws Exception {
        if (admin == null) admin = Admin.create(adminConfig);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(cellStageGroup)
                .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        committed.forEach((tp, offset) -> {
            if (offset != null && topics.names().contains(tp.topic()) && offset.offset() > purgedTo.getOrDefault(tp, 0L)) {
                delete.put(tp, RecordsToDelete.beforeOffset(offset.offset()));
            }
        });
        Map<TopicPartition, Long> trimmed = new HashMap<>();
        if (delete.isEmpty()) return trimmed;
        admin.deleteRecords(delete).all().get(10, TimeUnit.SECONDS);
        delete.forEach((tp, r) -> {
            purgedTo.put(tp, r.beforeOffset());
            trimmed.put(tp, r.beforeOffset());
        });
        return trimmed;
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (admin != null) admin.close(Duration.ofSeconds(5));
    }
}
