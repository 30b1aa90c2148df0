package org.spineoutcomes.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.spineoutcomes.ndjson.NdjsonCodec;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;

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
 * Whatever is shown carries {@code "suppressed": false}.
 */
public final class Suppression {
    /** The threshold when none is configured (a common disclosure-control rule for health statistics). */
    public static final int DEFAULT_MIN_CELL_SIZE = 11;

    /** What a suppressed aggregate keeps: the cell's key and the data cut. */
    public static final List<String> AGGREGATE_KEY_FIELDS = List.of("population", "arm", "window", "stratum", "dataCut");
    /** What a suppressed comparison keeps: its key. */
    public static final List<String> COMPARISON_KEY_FIELDS = List.of("population", "comparison", "firstArm", "secondArm", "window", "stratum");

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
        boolean first = suppresses(comparison.getFirstPatients());
        boolean second = suppresses(comparison.getSecondPatients());
        if (first || second) {
            ObjectNode out = suppressed(full, COMPARISON_KEY_FIELDS);
            ArrayNode arms = out.putArray("suppressedArms");
            if (first) arms.add(comparison.getFirstArm().name());
            if (second) arms.add(comparison.getSecondArm().name());
            return out;
        }
        suppressEntries(full, "meanDifferences", "measure", "n1", "n2");
        suppressEntries(full, "adjustedDifferences", "measure", "n1", "n2");
        suppressEntries(full, "riskDifferences", "flag", "n1", "n2");
        full.put("suppressed", false);
        return full;
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
