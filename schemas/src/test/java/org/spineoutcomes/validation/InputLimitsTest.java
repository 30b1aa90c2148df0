package org.spineoutcomes.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InputLimitsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "0, true", "-0.5, true", "1e40, true", "1E-40, true", "1e+0040, true", "1e00000000000000000007, true",
            "1e41, false", "1e-41, false", "1e999999999, false", "1e99999999999999999999, false",
            "1234567890123456789012345678901234567890, true", "12345678901234567890123456789012345678901, false",
            "0.0000000000000000000000000000000000000001, false", "-123456789.0123456789012345678901234567890, true"})
    void numberText(String text, boolean accepted) {
        assertEquals(accepted, InputLimits.numberProblem("x", text) == null, text);
    }

    @Test
    void abbreviateKeepsShortTextAndMarksTheCut() {
        assertEquals("abc", InputLimits.abbreviate("abc", 3));
        assertEquals("ab...[cut: 3 more characters]", InputLimits.abbreviate("abcde", 2));
        assertNull(InputLimits.abbreviate(null, 2));
        // never half a surrogate pair: the emoji is cut whole
        assertEquals("a...[cut: 2 more characters]", InputLimits.abbreviate("a\uD83D\uDE00", 2));
    }

    @Test
    void aViolationMessageIsCut() {
        Violation v = new Violation(ReasonCode.UNDECODABLE, "f".repeat(300), "m".repeat(5000));
        assertEquals(InputLimits.MAX_MESSAGE_LENGTH + "...[cut: 4000 more characters]".length(), v.message().length());
        assertEquals(InputLimits.MAX_FIELD_PATH_LENGTH + "...[cut: 100 more characters]".length(), v.field().length());
        assertEquals(true, v.describe().endsWith("4000 more characters] [UNDECODABLE]"));
    }
}
