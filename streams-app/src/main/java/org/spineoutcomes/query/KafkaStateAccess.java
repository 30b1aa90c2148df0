package org.spineoutcomes.query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.spineoutcomes.ingest.IngestMetrics;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;
import org.spineoutcomes.topology.DataCut;
import org.spineoutcomes.topology.PatientState;
import org.spineoutcomes.topology.CompletenessEntries;
import org.spineoutcomes.topology.SpineTopology;
import org.spineoutcomes.validation.ReasonCode;

/**
 * {@link StateAccess} over a running {@link KafkaStreams}: ownership from
 * {@link KafkaStreams#queryMetadataForKey}, local reads through interactive queries (IQv2 key and range
 * queries on the one partition that holds the key, active task only), the data cut from the global
 * store, the ingest counters from the app's metrics.
 *
 * <p>The stores keep recently written values as objects until the next commit; the IQv2 queries read
 * the store beneath, that is the state as of the task's last commit (at most about a second old under
 * load), and never touch the object layer's pending writes from a foreign thread.
 */
public final class KafkaStateAccess implements StateAccess {
    private static final Serializer<String> KEYS = new StringSerializer();

    private final KafkaStreams streams;
    /** The Kafka Streams application holding a store (two when the app runs split). */
    private final java.util.function.Function<String, KafkaStreams> withStore;
    private final HostInfo self;
    private final Instant configuredCut;

    /**
     * @param streams       the application with the patient stage (ingest counts, data cut, instances)
     * @param withStore     the application holding a given store (two when the app runs split)
     * @param self          this instance's application.server
     * @param configuredCut spine.data.cut, or null (then the cut comes from the global data-cut store)
     */
    public KafkaStateAccess(KafkaStreams streams, java.util.function.Function<String, KafkaStreams> withStore, HostInfo self, Instant configuredCut) {
        this.streams = streams;
        this.withStore = withStore;
        this.self = self;
        this.configuredCut = configuredCut;
    }

    @Override
    public String self() {
        return hostPort(self);
    }

    static String hostPort(HostInfo h) {
        return (h.host().contains(":") ? "[" + h.host() + "]" : h.host()) + ":" + h.port();
    }

    @Override
    public Owner owner(String store, String key) {
        KeyQueryMetadata metadata;
        KafkaStreams streams = withStore.apply(store);
        try {
            metadata = streams.queryMetadataForKey(store, key, KEYS);
        } catch (StreamsException | IllegalStateException e) {
            return Owner.unavailable("Kafka Streams is " + streams.state() + " (" + e.getMessage() + ")");
        }
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null
                || HostInfo.unavailable().equals(metadata.activeHost()) || metadata.partition() < 0) {
            return Owner.unavailable("no instance owns the key yet (state " + streams.state() + ": starting or rebalancing)");
        }
        return metadata.activeHost().equals(self) ? Owner.local(self(), metadata.partition())
                : Owner.remote(hostPort(metadata.activeHost()), metadata.partition());
    }

    @Override
    public Optional<PatientOutcome> patient(String pseudonym, int partition) {
        PatientState state = one(SpineTopology.PATIENT_STORE, KeyQuery.<String, PatientState>withKey(pseudonym), partition);
        return state == null ? Optional.empty() : Optional.ofNullable(state.outcome());
    }

    @Override
    public CellStatistics cell(CellKey key, int partition) {
        String cellKey = key.asText();
        CellStatistics stats = one(SpineTopology.CELL_STORE, KeyQuery.<String, CellStatistics>withKey(cellKey), partition);
        if (stats == null || stats.isEmpty()) return null;
        // Completeness counts: one entry per cell and page of 64 days ("cell|@2023-12-21"), or per date in a
        // store not yet upgraded ("cell|2024-03-31"); '~' sorts after '@' and every date character.
        String prefix = CompletenessEntries.prefix(cellKey);
        RangeQuery<String, long[]> range = RangeQuery.withRange(prefix, prefix + "~");
        org.spineoutcomes.stats.CompletenessCounts counts = new org.spineoutcomes.stats.CompletenessCounts();
        try (KeyValueIterator<String, long[]> it = one(SpineTopology.COMPLETENESS_STORE, range, partition)) {
            while (it.hasNext()) {
                KeyValue<String, long[]> kv = it.next();
                CompletenessEntries.addTo(counts, kv.key, kv.value);
            }
        }
        stats.addCompleteness(counts);
        return stats;
    }

    @Override
    public PatternStatistics standardisationCell(CellKey key, int partition) {
        PatternStatistics s = one(SpineTopology.STANDARDISATION_STORE, KeyQuery.<String, PatternStatistics>withKey(key.asText()), partition);
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public SurvivalCounts survivalCell(CellKey key, int partition) {
        SurvivalCounts s = one(SpineTopology.SURVIVAL_STORE, KeyQuery.<String, SurvivalCounts>withKey(key.asText()), partition);
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public long patients(CellKey key, int partition) {
        CellStatistics stats = one(SpineTopology.CELL_STORE, KeyQuery.<String, CellStatistics>withKey(key.asText()), partition);
        return stats == null || stats.isEmpty() ? 0 : stats.patients();
    }

    /** One query on one partition of this instance's active tasks; NotAvailable unless it succeeded. */
    private <R> R one(String store, Query<R> query, int partition) {
        StateQueryResult<R> result;
        KafkaStreams streams = withStore.apply(store);
        try {
            result = streams.query(StateQueryRequest.inStore(store).withQuery(query).withPartitions(Set.of(partition)).requireActive());
        } catch (StreamsException | IllegalStateException e) {
            throw new NotAvailable("store " + store + " cannot be queried (Kafka Streams is " + streams.state() + ": " + e.getMessage() + ")");
        }
        QueryResult<R> r = result.getPartitionResults().get(partition);
        if (r == null) {
            throw new NotAvailable("partition " + partition + " of " + store + " is not hosted here (it is moving)");
        }
        if (r.isFailure()) {
            throw new NotAvailable("partition " + partition + " of " + store + ": " + r.getFailureReason() + " (" + r.getFailureMessage() + ")");
        }
        return r.getResult();
    }

    @Override
    public Optional<Instant> dataCut() {
        if (configuredCut != null) return Optional.of(configuredCut);
        try {
            ReadOnlyKeyValueStore<String, Long> store = streams.store(StoreQueryParameters.fromNameAndType(
                    SpineTopology.DATA_CUT_STORE, QueryableStoreTypes.<String, Long>keyValueStore()));
            return DataCut.current(store, null);
        } catch (StreamsException | IllegalStateException e) {
            throw new NotAvailable("the data-cut store cannot be read (Kafka Streams is " + streams.state() + ")");
        }
    }

    @Override
    public IngestCounts ingestCounts() {
        long in = 0;
        long accepted = 0;
        Map<String, Long> byReason = new LinkedHashMap<>();
        for (ReasonCode reason : ReasonCode.values()) byReason.put(reason.name(), 0L);
        for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
            MetricName m = e.getKey();
            if (!IngestMetrics.GROUP.equals(m.group())) continue;
            long value = Math.round(((Number) e.getValue().metricValue()).doubleValue());
            switch (m.name()) {
                case "records-in-total" -> in += value;
                case "records-accepted-total" -> accepted += value;
                case "records-rejected-total" -> byReason.merge(m.tags().getOrDefault("reason", "UNKNOWN"), value, Long::sum);
                default -> { }
            }
        }
        return new IngestCounts(in, accepted, byReason);
    }

    @Override
    public List<String> instances() {
        Set<String> all = new TreeSet<>();
        all.add(self());
        try {
            for (StreamsMetadata m : streams.metadataForAllStreamsClients()) {
                if (m.hostInfo() != null && m.hostInfo().port() > 0) all.add(hostPort(m.hostInfo()));
            }
        } catch (StreamsException | IllegalStateException e) {
            // not running yet: this instance alone
        }
        return new ArrayList<>(all);
    }
}
