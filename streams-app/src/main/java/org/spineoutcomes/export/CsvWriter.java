package org.spineoutcomes.export;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * RFC 4180 text: fields separated by commas, records ended by CRLF, a field quoted (with inner
 * quotes doubled) when it holds a comma, a quote, CR or LF. Values become text the same way in
 * every export CSV (docs/exports.md, "Cell format"): null is an empty field, a double is the
 * decimal the NDJSON shows for it without an exponent (1.0E-4 is 0.0001, 4.0 is 4), instants are
 * ISO-8601 UTC, dates YYYY-MM-DD, enums by symbol, booleans true/false.
 */
public final class CsvWriter {
    private CsvWriter() {}

    /** The record separator RFC 4180 prescribes. */
    public static final String CRLF = "\r\n";

    /** One record: the cells as text, quoted where needed, then CRLF. */
    public static String row(List<?> values) {
        StringBuilder b = new StringBuilder();
        appendRow(b, values);
        return b.toString();
    }

    /** Appends one record to {@code out}. */
    public static void appendRow(StringBuilder out, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) out.append(',');
            appendQuoted(out, text(values.get(i)));
        }
        out.append(CRLF);
    }

    /** The unquoted text of one value (see the class comment); "" for null. */
    public static String text(Object value) {
        if (value == null) return "";
        if (value instanceof Double d) return decimal(d);
        if (value instanceof Float f) return decimal(Double.parseDouble(Float.toString(f)));
        if (value instanceof CharSequence || value instanceof Number || value instanceof Boolean
                || value instanceof Instant || value instanceof LocalDate || value instanceof Enum<?>) {
            return value.toString();
        }
        throw new IllegalArgumentException("no CSV form for a " + value.getClass().getName() + ": " + value);
    }

    /** Plain decimal of a finite double, the digits of Double.toString without exponent or trailing zeros. */
    static String decimal(double d) {
        if (!Double.isFinite(d)) throw new IllegalArgumentException("not a finite number: " + d);
        if (d == 0) return "0";
        return new BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
    }

    private static void appendQuoted(StringBuilder out, String s) {
        boolean quote = false;
        for (int i = 0; i < s.length() && !quote; i++) {
            char c = s.charAt(i);
            quote = c == ',' || c == '"' || c == '\r' || c == '\n';
        }
        if (!quote) {
            out.append(s);
            return;
        }
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') out.append('"');
            out.append(c);
        }
        out.append('"');
    }
}
