package org.spineoutcomes.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.http.BadRequest;
import org.spineoutcomes.schema.Population;
import org.spineoutcomes.schema.Stratum;
import org.spineoutcomes.schema.Window;

class QueryParametersTest {

    static Map<String, String> q(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return m;
    }

    @Test
    void validSelection_symbolsIgnoringCase_stratumDefaultsToAll() {
        QueryParameters.CellSelection s = QueryParameters.cellSelection(q("population", "itt", "window", "M1"));
        assertEquals(new QueryParameters.CellSelection(Population.ITT, Window.M1, Stratum.ALL, Optional.empty()), s);
        assertEquals("ITT/M1", s.groupKey());
        QueryParameters.CellSelection t = QueryParameters.cellSelection(
                q("population", "AS_TREATED", "window", "POST", "stratum", "sex_f", "asOf", "2025-01-31T00:00:00Z"));
        assertEquals(Stratum.SEX_F, t.stratum());
        assertEquals(Optional.of(Instant.parse("2025-01-31T00:00:00Z")), t.asOf());
    }

    @Test
    void unknownPopulation_namesTheParameterAndTheAllowedValues() {
        BadRequest e = assertThrows(BadRequest.class, () -> QueryParameters.cellSelection(q("population", "ITX", "window", "M1")));
        assertEquals("unknown population 'ITX': expected one of ITT, AS_TREATED", e.getMessage());
        assertEquals("population", e.parameter());
        assertEquals("ITX", e.value());
        assertEquals(List.of("ITT", "AS_TREATED"), e.allowed());
    }

    @Test
    void unknownWindow_andMissingWindow() {
        assertEquals("unknown window 'M2': expected one of BASELINE, D1, W1, M1, M3, M6, M12, M24, POST, OVERALL",
                assertThrows(BadRequest.class, () -> QueryParameters.cellSelection(q("population", "ITT", "window", "M2"))).getMessage());
        BadRequest missing = assertThrows(BadRequest.class, () -> QueryParameters.cellSelection(q("population", "ITT")));
        assertEquals("missing parameter window: expected one of BASELINE, D1, W1, M1, M3, M6, M12, M24, POST, OVERALL", missing.getMessage());
        assertEquals(null, missing.value());
    }

    @Test
    void unknownStratum_listsAllStrata() {
        BadRequest e = assertThrows(BadRequest.class, () -> QueryParameters.cellSelection(q("population", "ITT", "window", "M1", "stratum", "AGE_OVER_90")));
        assertEquals("stratum", e.parameter());
        assertEquals(11, e.allowed().size());
        assertTrue(e.getMessage().startsWith("unknown stratum 'AGE_OVER_90': expected one of ALL, FRACTURE_AGE_LE_6W,"), e.getMessage());
    }

    @Test
    void malformedAsOf() {
        BadRequest e = assertThrows(BadRequest.class, () -> QueryParameters.cellSelection(q("population", "ITT", "window", "M1", "asOf", "2025-13-01")));
        assertEquals("malformed asOf '2025-13-01': expected an ISO-8601 instant in UTC, e.g. 2025-01-31T00:00:00Z", e.getMessage());
        assertEquals("asOf", e.parameter());
    }

    @Test
    void unknownParameterName_isRefusedWithTheKnownOnes() {
        BadRequest e = assertThrows(BadRequest.class, () -> QueryParameters.cellSelection(q("population", "ITT", "windw", "M1")));
        assertEquals("unknown parameter 'windw': expected population, window, stratum, asOf", e.getMessage());
        assertEquals("unknown parameter 'x': this endpoint takes no parameters",
                assertThrows(BadRequest.class, () -> QueryParameters.none(q("x", "1"))).getMessage());
    }

    @Test
    void cellsTakeBothOrNeither_rejectionsTakeAScope() {
        assertEquals(Optional.empty(), QueryParameters.groupSelection(q()));
        assertEquals("ITT/M3", QueryParameters.groupSelection(q("population", "ITT", "window", "M3")).orElseThrow().groupKey());
        assertThrows(BadRequest.class, () -> QueryParameters.groupSelection(q("population", "ITT")));
        assertFalse(QueryParameters.instanceScope(q()));
        assertTrue(QueryParameters.instanceScope(q("scope", "instance")));
        assertEquals("unknown scope 'mine': expected all (every instance, summed) or instance (this instance only)",
                assertThrows(BadRequest.class, () -> QueryParameters.instanceScope(q("scope", "mine"))).getMessage());
    }
}
