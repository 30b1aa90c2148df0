package org.spineoutcomes.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.schema.AdjustedComparison;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.schema.TimeToEvent;

/**
 * Small-cell suppression of everything the query API and the dashboard show (spine.dashboard.min.cell.size,
 * default 11). The JSON is that of the batch and export files ({@link NdjsonCodec#formatRecord}), with:
 * <ol>
 *   <li>an aggregate whose cell has fewer patients than the threshold: only its key fields (population,
 *       arm, window, stratum) and dataCut are kept, every number removed, {@code "suppressed": true} and
 *       {@code "reason": "fewer than 11 patients"} added;</li>
 *   <li>in a cell that is shown, each statistic over fewer than the threshold (a measure's, pair's or
 *       flag's {@code n}) is replaced by its name plus {@code suppressed} and {@code reason};</li>
 *   <li>a comparison with a suppressed cell on either side (firstPatients or secondPatients under the
 *       threshold): key fields only, {@code suppressed}, {@code reason} and {@code suppressedArms};
 *       otherwise each difference with {@code n1} or {@code n2} under the threshold is suppressed as in 2.</li>
 * </ol>
 * The standardised comparisons and time-to-event records (R36-R38) follow the same idea:
 * <ol start="4">
 *   <li>a standardised comparison with {@code n1} or {@code n2} under the threshold is suppressed whole
 *       (key fields, {@code suppressed}, {@code reason}, {@code suppressedArms}); in one that is shown, each
 *       pattern whose {@code n1} or {@code n2} is under the threshold keeps only its name, {@code suppressed}
 *       and {@code reason} (its counts and sums are gone; the estimate over all patterns is shown);</li>
 *   <li>a Kaplan-Meier record whose cell has fewer patients is suppressed whole (key fields only); in one
 *       that is shown the per-day counts ({@code days}) are left out (a day's count is a handful of
 *       patients), and each point of {@code reported} and {@code curve} with fewer patients at risk keeps
 *       only its day, {@code suppressed} and {@code reason}; so a curve ends where fewer remain at risk;</li>
 *   <li>a log-rank record with {@code patients1} or {@code patients2} under the threshold is suppressed whole
 *       (with {@code suppressedArms}).</li>
 * </ol>
 * Whatever is shown carries {@code "suppressed": false}.
 */
public final class Suppression {
    /** The threshold when none is configured (a common disclosure-control rule for health statistics). */
    public static final int DEFAULT_MIN_CELL_SIZE = 11;

    /** What a suppressed aggregate keeps: the cell's key and the data cut. */
    public static final List<String> AGGREGATE_KEY_FIELDS = List.of("population", "arm", "window", "stratum", "dataCut");
    /** What a suppressed comparison keeps: its key. */
    public static final List<String> COMPARISON_KEY_FIELDS = List.of("population", "comparison", "firstArm", "secondArm", "window", "stratum");
    private static final List<String> ADJUSTED_KEY_FIELDS = List.of("population", "comparison", "firstArm", "secondArm", "window", "measure");
    private static final List<String> KAPLAN_MEIER_KEY_FIELDS = List.of("population", "arm", "stratum");
    private static final List<String> LOG_RANK_KEY_FIELDS = List.of("population", "comparison", "firstArm", "secondArm", "stratum");

    private final int minCellSize;
    private final NdjsonCodec codec = new NdjsonCodec();
    private final ObjectMapper mapper = new ObjectMapper();

    public Suppression(int minCellSize) {
        if (minCellSize < 1) throw new IllegalArgumentException("minimum cell size must be at least 1: " + minCellSize);
        this.minCellSize = minCellSize;
    }

    public int minCellSize() { return minCellSize; }

    /** "fewer than 11 patients". */
    public String reason() {
        return "fewer than " + minCellSize + " patients";
    }

    /** True when {@code patients} (or observations) are too few to show. */
    public boolean suppresses(long patients) {
        return patients < minCellSize;
    }

    /** The aggregate's JSON with the rules above applied. */
    public ObjectNode aggregate(ArmAggregate aggregate) {
        ObjectNode full = json(codec.formatRecord(aggregate));
        if (suppresses(aggregate.getPatients())) {
            return suppressed(full, AGGREGATE_KEY_FIELDS);
        }
        suppressEntries(full, "measures", "measure", "n");
        suppressEntries(full, "proportions", "flag", "n");
        suppressEntries(full, "paired", "measure", "n");
        full.put("suppressed", false);
        return full;
    }

    /** The comparison's JSON with the rules above applied. */
    public ObjectNode comparison(ArmComparison comparison) {
        ObjectNode full = json(codec.formatRecord(comparison));
        ObjectNode whole = suppressedArms(full, COMPARISON_KEY_FIELDS, comparison.getFirstPatients(), comparison.getSecondPatients(),
                comparison.getFirstArm().name(), comparison.getSecondArm().name());
        if (whole != null) return whole;
        suppressEntries(full, "meanDifferences", "measure", "n1", "n2");
        suppressEntries(full, "adjustedDifferences", "measure", "n1", "n2");
        suppressEntries(full, "riskDifferences", "flag", "n1", "n2");
        full.put("suppressed", false);
        return full;
    }

    /** Whether the standardised comparison is shown as its key only (rule 4: an arm under the threshold). */
    public boolean suppressesWhole(AdjustedComparison comparison) {
        return suppresses(comparison.getN1()) || suppresses(comparison.getN2());
    }

    /** Whether the Kaplan-Meier or log-rank record is shown as its key only (rules 5, 6: a curve or an arm under the threshold). */
    public boolean suppressesWhole(TimeToEvent record) {
        if (record.getLogRank() != null) {
            return suppresses(record.getLogRank().getPatients1()) || suppresses(record.getLogRank().getPatients2());
        }
        return record.getKaplanMeier() != null && suppresses(record.getKaplanMeier().getPatients());
    }

    /** The standardised comparison's JSON with rule 4 applied. */
    public ObjectNode adjustedComparison(AdjustedComparison comparison) {
        ObjectNode full = json(codec.formatRecord(comparison));
        ObjectNode whole = suppressedArms(full, ADJUSTED_KEY_FIELDS, comparison.getN1(), comparison.getN2(),
                comparison.getFirstArm().name(), comparison.getSecondArm().name());
        if (whole != null) return whole;
        suppressEntries(full, "patterns", "pattern", "n1", "n2");
        full.put("suppressed", false);
        return full;
    }

    /** The Kaplan-Meier or log-rank record's JSON with rules 5 and 6 applied. */
    public ObjectNode timeToEvent(TimeToEvent record) {
        ObjectNode full = json(codec.formatRecord(record));
        if (record.getLogRank() != null) {
            ObjectNode whole = suppressedArms(full, LOG_RANK_KEY_FIELDS, record.getLogRank().getPatients1(),
                    record.getLogRank().getPatients2(), record.getFirstArm().name(), record.getSecondArm().name());
            if (whole != null) return whole;
        } else if (record.getKaplanMeier() != null) {
            if (suppresses(record.getKaplanMeier().getPatients())) return suppressed(full, KAPLAN_MEIER_KEY_FIELDS);
            ObjectNode km = (ObjectNode) full.get("kaplanMeier");
            km.remove("days");
            suppressEntries(km, "reported", "day", "atRisk");
            suppressEntries(km, "curve", "day", "atRisk");
        }
        full.put("suppressed", false);
        return full;
    }

    /** The suppressed form of a two-arm record when either count is under the threshold; null when it is shown. */
    private ObjectNode suppressedArms(ObjectNode full, List<String> keep, long first, long second, String firstArm, String secondArm) {
        if (!suppresses(first) && !suppresses(second)) return null;
        ObjectNode out = suppressed(full, keep);
        ArrayNode arms = out.putArray("suppressedArms");
        if (suppresses(first)) arms.add(firstArm);
        if (suppresses(second)) arms.add(secondArm);
        return out;
    }

    private ObjectNode suppressed(ObjectNode full, List<String> keep) {
        ObjectNode out = mapper.createObjectNode();
        for (String field : keep) {
            if (full.has(field)) out.set(field, full.get(field));
        }
        out.put("suppressed", true);
        out.put("reason", reason());
        return out;
    }

    /** Replaces each entry of the array whose count fields are under the threshold by its name plus the suppression. */
    private void suppressEntries(ObjectNode parent, String arrayField, String nameField, String... countFields) {
        JsonNode array = parent.get(arrayField);
        if (array == null || !array.isArray()) return;
        ArrayNode out = mapper.createArrayNode();
        for (JsonNode entry : array) {
            boolean small = false;
            for (String count : countFields) {
                small |= suppresses(entry.path(count).asLong(0));
            }
            if (small) {
                ObjectNode s = out.addObject();
                s.set(nameField, entry.get(nameField));
                s.put("suppressed", true);
                s.put("reason", reason());
            } else {
                out.add(entry);
            }
        }
        parent.set(arrayField, out);
    }

    private ObjectNode json(String text) {
        try {
            return (ObjectNode) mapper.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the record codec wrote invalid JSON", e);
        }
    }
}
