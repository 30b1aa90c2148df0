package org.spineoutcomes.validation;

/**
 * Size and shape limits of input events (docs/input-limits.md), one definition for the NDJSON reader,
 * the codec, the validator (Kafka records, producers) and the CLIs. Real events are far below every
 * limit; they exist so that a hostile or broken input is refused quickly and with a bounded message,
 * instead of costing seconds, gigabytes or a gigabyte-long error line.
 */
public final class InputLimits {
    private InputLimits() {}

    /** Longest NDJSON line in bytes (UTF-8, without its line end): 1 MiB. A longer line is FIELD_TOO_LONG. */
    public static final int MAX_LINE_BYTES = 1 << 20;
    /** Longest identifier (eventId, patientId, corrects, retracts, the MRN) in UTF-16 chars. */
    public static final int MAX_ID_LENGTH = 512;
    /** Longest other string (sourceSystem, a CPT or diagnosis code, studyUid) in UTF-16 chars. */
    public static final int MAX_TEXT_LENGTH = 256;
    /** Most items in one list (codes, diagnosisCodes, levels, measurements, complications, medications). */
    public static final int MAX_LIST_ITEMS = 100;
    /** Deepest JSON nesting in an NDJSON line (the event object is depth 1; real events reach 3). */
    public static final int MAX_NESTING_DEPTH = 10;
    /** Most digits in a JSON number (integer and fraction part together, exponent not counted). */
    public static final int MAX_NUMBER_DIGITS = 40;
    /** Largest exponent a JSON number may be written with, either sign: 1e40 and 1e-40 are read, 1e41 is not. */
    public static final int MAX_EXPONENT = 40;
    /** Longest rejection message (CLI error line, dead-letter header); longer ones are cut with a marker. */
    public static final int MAX_MESSAGE_LENGTH = 1000;
    /** Longest field path reported with a rejection. */
    public static final int MAX_FIELD_PATH_LENGTH = 200;
    /** Most violations of one event listed in a CLI error report; the rest are counted. */
    public static final int MAX_VIOLATIONS_SHOWN = 20;

    /** What {@link #abbreviate} appends, followed by the number of characters left out and "]". */
    public static final String CUT_MARKER = "...[cut: ";

    /**
     * {@code text} when it has at most {@code max} chars; otherwise its first {@code max} chars followed by
     * "...[cut: N more characters]". Never splits a surrogate pair.
     */
    public static String abbreviate(String text, int max) {
        if (text == null || text.length() <= max) return text;
        int end = max;
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) end--;
        return text.substring(0, end) + CUT_MARKER + (text.length() - end) + " more characters]";
    }

    /**
     * Why an identifier that is present and not blank is not acceptable, or null when it is. The message
     * names the field and the offending character by code point, never the identifier itself (it may be an
     * MRN).
     */
    public static Violation identifierProblem(String field, String value) {
        if (value.length() > MAX_ID_LENGTH) {
            return new Violation(ReasonCode.FIELD_TOO_LONG, field, field + " has " + value.length()
                    + " characters; an identifier may have at most " + MAX_ID_LENGTH + ".");
        }
        boolean visible = false;
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (isInvisible(cp)) {
                return new Violation(ReasonCode.INVALID_IDENTIFIER, field, field + " contains " + describe(cp)
                        + " at position " + (i + 1) + "; an identifier must be visible text without control, invisible or"
                        + " non-ASCII space characters.");
            }
            if (!isMark(cp) && cp != ' ') visible = true;
            i += Character.charCount(cp);
        }
        if (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ') {
            return new Violation(ReasonCode.INVALID_IDENTIFIER, field, field
                    + " starts or ends with a space; an identifier must not, since \"A1\" and \"A1 \" would be two different ids.");
        }
        if (!visible) {
            return new Violation(ReasonCode.INVALID_IDENTIFIER, field, field + " has no visible character.");
        }
        return null;
    }

    /** FIELD_TOO_LONG when a string other than an identifier is longer than {@link #MAX_TEXT_LENGTH}, else null. */
    public static Violation textProblem(String field, String value) {
        if (value == null || value.length() <= MAX_TEXT_LENGTH) return null;
        return new Violation(ReasonCode.FIELD_TOO_LONG, field, field + " has " + value.length()
                + " characters; at most " + MAX_TEXT_LENGTH + " are accepted.");
    }

    /** FIELD_TOO_LONG when a list has more than {@link #MAX_LIST_ITEMS} items, else null. */
    public static Violation listProblem(String field, int size) {
        if (size <= MAX_LIST_ITEMS) return null;
        return new Violation(ReasonCode.FIELD_TOO_LONG, field, field + " has " + size + " items; at most "
                + MAX_LIST_ITEMS + " are accepted.");
    }

    /**
     * Why the written form of a JSON number is beyond the limits (digits, exponent), or null when it is
     * within them. Looks only at the text, in time linear in its length, so it can run before any
     * BigDecimal or BigInteger is made from it. {@code text} is a JSON number token.
     */
    public static String numberProblem(String field, String text) {
        int exponentAt = -1;
        int digits = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == 'e' || c == 'E') {
                exponentAt = i;
                break;
            }
            if (c >= '0' && c <= '9') digits++;
        }
        if (digits > MAX_NUMBER_DIGITS) {
            return field + " is a number written with " + digits + " digits; at most " + MAX_NUMBER_DIGITS + " are accepted.";
        }
        if (exponentAt >= 0) {
            int i = exponentAt + 1;
            if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) i++;
            while (i < text.length() - 1 && text.charAt(i) == '0') i++; // leading zeros of the exponent
            String magnitude = text.substring(i);
            if (magnitude.length() > 3 || Integer.parseInt(magnitude) > MAX_EXPONENT) {
                return field + " is a number with the exponent " + abbreviate(text.substring(exponentAt), 24)
                        + "; exponents from -" + MAX_EXPONENT + " to " + MAX_EXPONENT + " are accepted.";
            }
        }
        return null;
    }

    private static boolean isInvisible(int cp) {
        switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.LINE_SEPARATOR,
                 Character.PARAGRAPH_SEPARATOR:
                return true;
            case Character.SPACE_SEPARATOR:
                return cp != ' ';
            default:
                // letters that render as nothing: Hangul fillers, the braille blank
                return cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2800;
        }
    }

    private static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.COMBINING_SPACING_MARK;
    }

    private static String describe(int cp) {
        String name = Character.getName(cp);
        return String.format("U+%04X", cp) + (name == null ? "" : " " + name);
    }
}
