package org.spineoutcomes.query;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.spineoutcomes.schema.PatientOutcome;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;
import org.spineoutcomes.stats.PatternStatistics;
import org.spineoutcomes.stats.SurvivalCounts;

/**
 * What the query API reads from the running app: who owns a key, this instance's stores, its ingest
 * counters and the other instances. {@link KafkaStateAccess} is the real one; tests use fakes.
 * Local reads throw {@link NotAvailable} while the partition cannot be queried here.
 */
public interface StateAccess {

    /** This instance's application.server, host:port. */
    String self();

    /**
     * The instance owning {@code key} of {@code store}: patient pseudonym, population/window for the cell stores,
     * population for the standardisation and Kaplan-Meier stores.
     */
    Owner owner(String store, String key);

    /** The patient's current outcome from this instance's store partition; empty when unknown or without outcome. */
    Optional<PatientOutcome> patient(String pseudonym, int partition);

    /** The cell's exact statistics with its completeness counts, from this instance's partition; null when the cell does not exist. */
    CellStatistics cell(CellKey key, int partition);

    /** The cell's patient count from this instance's partition (0 when the cell does not exist); cheaper than {@link #cell}. */
    long patients(CellKey key, int partition);

    /** An R36 standardisation cell (population/arm/window/ALL) from this instance's partition; null when it does not exist. */
    PatternStatistics standardisationCell(CellKey key, int partition);

    /** An R37 Kaplan-Meier cell (population/arm/OVERALL/stratum) from this instance's partition; null when it has no patient. */
    SurvivalCounts survivalCell(CellKey key, int partition);

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
