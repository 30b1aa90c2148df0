package org.spineoutcomes.query;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.spineoutcomes.http.BadRequest;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.Window;

/**
 * The query parameters of {@code /api/aggregates}, {@code /api/comparisons} and {@code /api/cells}, checked
 * against the schema's enums: {@code population} and {@code window} are required (one symbol each),
 * {@code stratum} defaults to ALL, {@code asOf} is an optional ISO-8601 instant (the data cut to judge
 * completeness at, R2/R33). Symbols are matched ignoring case. Anything else is a {@link BadRequest}
 * naming the parameter and the allowed values, also a parameter the endpoint does not know.
 */
public final class QueryParameters {
    private QueryParameters() {}

    public static final String POPULATION = "population";
    public static final String WINDOW = "window";
    public static final String STRATUM = "stratum";
    public static final String AS_OF = "asOf";
    /** /api/rejections: {@code all} (default: every instance, summed) or {@code instance} (this one). */
    public static final String SCOPE = "scope";

    /** One population/window/stratum, optionally at another data cut. */
    public record CellSelection(Population population, Window window, Stratum stratum, Optional<Instant> asOf) {
        /** The key the cell step partitions by (CellDeltaBatch.groupKey): population/window. */
        public String groupKey() {
            return population.name() + "/" + window.name();
        }
    }

    /** population, window (required), stratum (default ALL), asOf (optional). */
    public static CellSelection cellSelection(Map<String, String> query) {
        onlyKnown(query, List.of(POPULATION, WINDOW, STRATUM, AS_OF));
        Population population = required(query, POPULATION, Population.class);
        Window window = required(query, WINDOW, Window.class);
        Stratum stratum = query.containsKey(STRATUM) ? symbol(query.get(STRATUM), STRATUM, Stratum.class) : Stratum.ALL;
        return new CellSelection(population, window, stratum, asOf(query));
    }

    /** R36 compares the follow-up windows only. */
    static final List<Window> STANDARDISED_WINDOWS = List.of(Window.D1, Window.W1, Window.M1, Window.M3, Window.M6, Window.M12, Window.M24);

    /** One population and follow-up window of the standardised comparisons (R36), which the adjusted-cell step keeps per population. */
    public record AdjustedSelection(Population population, Window window) {}

    /** /api/adjusted-comparisons: population and window (D1..M24) required. */
    public static AdjustedSelection adjustedSelection(Map<String, String> query) {
        onlyKnown(query, List.of(POPULATION, WINDOW));
        Population population = required(query, POPULATION, Population.class);
        Window window = required(query, WINDOW, Window.class);
        if (!STANDARDISED_WINDOWS.contains(window)) {
            List<String> allowed = STANDARDISED_WINDOWS.stream().map(Enum::name).toList();
            throw new BadRequest(WINDOW, query.get(WINDOW), allowed, "window " + window.name()
                    + " has no standardised comparison (R36 compares follow-up windows): expected one of " + String.join(", ", allowed));
        }
        return new AdjustedSelection(population, window);
    }

    /** One population and stratum of the Kaplan-Meier cells and log-rank pairs (R37, R38). */
    public record SurvivalSelection(Population population, Stratum stratum) {}

    /** /api/time-to-event: population required, stratum (default ALL). */
    public static SurvivalSelection survivalSelection(Map<String, String> query) {
        onlyKnown(query, List.of(POPULATION, STRATUM));
        Population population = required(query, POPULATION, Population.class);
        Stratum stratum = query.containsKey(STRATUM) ? symbol(query.get(STRATUM), STRATUM, Stratum.class) : Stratum.ALL;
        return new SurvivalSelection(population, stratum);
    }

    /** /api/cells: no parameter (every population and window), or population and window together. */
    public static Optional<CellSelection> groupSelection(Map<String, String> query) {
        onlyKnown(query, List.of(POPULATION, WINDOW));
        if (query.isEmpty()) return Optional.empty();
        return Optional.of(new CellSelection(required(query, POPULATION, Population.class), required(query, WINDOW, Window.class),
                Stratum.ALL, Optional.empty()));
    }

    /** /api/rejections: true for scope=instance (this instance only), false for scope=all or none. */
    public static boolean instanceScope(Map<String, String> query) {
        onlyKnown(query, List.of(SCOPE));
        String scope = query.get(SCOPE);
        if (scope == null || scope.equalsIgnoreCase("all")) return false;
        if (scope.equalsIgnoreCase("instance")) return true;
        throw new BadRequest(SCOPE, scope, List.of("all", "instance"),
                "unknown scope '" + scope + "': expected all (every instance, summed) or instance (this instance only)");
    }

    /** A request with parameters where none are taken. */
    public static void none(Map<String, String> query) {
        onlyKnown(query, List.of());
    }

    static void onlyKnown(Map<String, String> query, List<String> known) {
        for (String name : query.keySet()) {
            if (!known.contains(name)) {
                throw new BadRequest(name, query.get(name), known, "unknown parameter '" + name + "': "
                        + (known.isEmpty() ? "this endpoint takes no parameters" : "expected " + String.join(", ", known)));
            }
        }
    }

    private static <E extends Enum<E>> E required(Map<String, String> query, String parameter, Class<E> type) {
        String value = query.get(parameter);
        if (value == null || value.isBlank()) {
            throw new BadRequest(parameter, null, symbols(type), "missing parameter " + parameter + ": expected one of "
                    + String.join(", ", symbols(type)));
        }
        return symbol(value, parameter, type);
    }

    static <E extends Enum<E>> E symbol(String value, String parameter, Class<E> type) {
        String wanted = value.trim().toUpperCase(Locale.ROOT);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(wanted)) return e;
        }
        throw new BadRequest(parameter, value, symbols(type), "unknown " + parameter + " '" + value + "': expected one of "
                + String.join(", ", symbols(type)));
    }

    private static Optional<Instant> asOf(Map<String, String> query) {
        String value = query.get(AS_OF);
        if (value == null) return Optional.empty();
        try {
            return Optional.of(Instant.parse(value.trim()));
        } catch (DateTimeParseException e) {
            throw new BadRequest(AS_OF, value, List.of("an ISO-8601 instant in UTC, e.g. 2025-01-31T00:00:00Z"),
                    "malformed asOf '" + value + "': expected an ISO-8601 instant in UTC, e.g. 2025-01-31T00:00:00Z");
        }
    }

    static <E extends Enum<E>> List<String> symbols(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
    }

    /** Parameter names this class knows, for the API index. */
    static final Set<String> NAMES = Set.of(POPULATION, WINDOW, STRATUM, AS_OF, SCOPE);
}
