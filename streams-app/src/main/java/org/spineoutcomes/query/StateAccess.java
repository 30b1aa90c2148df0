package org.spineoutcomes.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;

/**
 * What the query API reads from the running app: who owns a key, this instance's stores, its ingest
 * counters and the other instances. {@link KafkaStateAccess} is the real one; tests use fakes.
 * Local reads throw {@link NotAvailable} while the partition cannot be queried here.
 */
public interface StateAccess {

    /** This instance's application.server, host:port. */
    String self();

    /** The instance owning {@code key} of {@code store} (patient pseudonym, or population/window for the cell stores). */
    Owner owner(String store, String key);

    /** The patient's current outcome from this instance's store partition; empty when unknown or without outcome. */
    Optional<PatientOutcome> patient(String pseudonym, int partition);

    /** The cell's exact statistics with its completeness counts, from this instance's partition; null when the cell does not exist. */
    CellStatistics cell(CellKey key, int partition);

    /** The cell's patient count from this instance's partition (0 when the cell does not exist); cheaper than {@link #cell}. */
    long patients(CellKey key, int partition);

    /** The current data cut (R2): the configured one, else the largest occurred-at published by the patient tasks. */
    Optional<Instant> dataCut();

    /** This instance's ingest counters summed over its tasks: records-in, accepted, and rejected per reason code. */
    IngestCounts ingestCounts();

    /** Every instance of the application (host:port), this one included. */
    List<String> instances();

    /** Ingest counters of one instance. */
    record IngestCounts(long recordsIn, long accepted, Map<String, Long> rejectedByReason) {
        public long rejected() {
            return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
