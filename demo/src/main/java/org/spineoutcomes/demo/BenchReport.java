package org.spineoutcomes.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The benchmark's results: named rows (measure, value, unit) printed as one aligned table and written as
 * a flat JSON object (row key to value; units are in the key names). Hand-written JSON: the rows are
 * numbers, booleans and short strings only.
 */
final class BenchReport {

    /** One result: {@code key} in the JSON, {@code label} and {@code unit} in the table. */
    record Row(String key, String label, Object value, String unit, int decimals) {}

    private final List<Row> rows = new ArrayList<>();

    /** A text value (commit, mode, start time). */
    BenchReport text(String key, String label, String value) {
        rows.add(new Row(key, label, value, "", 0));
        return this;
    }

    /** A yes/no (JSON true/false). */
    BenchReport flag(String key, String label, boolean value) {
        rows.add(new Row(key, label, value, "", 0));
        return this;
    }

    /** A whole number. */
    BenchReport count(String key, String label, long value, String unit) {
        rows.add(new Row(key, label, value, unit, 0));
        return this;
    }

    /** A decimal number, shown with {@code decimals} places (the JSON keeps them too). NaN becomes null. */
    BenchReport number(String key, String label, double value, String unit, int decimals) {
        rows.add(new Row(key, label, value, unit, decimals));
        return this;
    }

    /** Rows made by {@code row} for each item, in the items' order (keeps a report's chain in one piece). */
    <T> BenchReport each(Iterable<T> items, java.util.function.BiConsumer<BenchReport, T> row) {
        for (T item : items) row.accept(this, item);
        return this;
    }

    void printTable(PrintStream out) {
        int labelWidth = "measure".length();
        int valueWidth = "value".length();
        int unitWidth = "unit".length();
        for (Row r : rows) {
            labelWidth = Math.max(labelWidth, r.label().length());
            valueWidth = Math.max(valueWidth, display(r).length());
            unitWidth = Math.max(unitWidth, r.unit().length());
        }
        String format = "%-" + labelWidth + "s  %" + valueWidth + "s  %s%n";
        out.printf(Locale.ROOT, format, "measure", "value", "unit");
        out.println("-".repeat(labelWidth + 2 + valueWidth + 2 + unitWidth));
        for (Row r : rows) out.printf(Locale.ROOT, format, r.label(), display(r), r.unit());
        out.flush();
    }

    /** Writes the JSON to {@code dir}/bench-{utc}.json and {@code dir}/bench-latest.json; returns the first. */
    Path writeJson(Path dir, String utcStamp) throws IOException {
        Files.createDirectories(dir);
        String json = toJson();
        Path file = dir.resolve("bench-" + utcStamp + ".json");
        Files.writeString(file, json, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("bench-latest.json"), json, StandardCharsets.UTF_8);
        return file;
    }

    String toJson() {
        StringBuilder b = new StringBuilder("{\n");
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            b.append("  ").append(quote(r.key())).append(": ").append(jsonValue(r));
            b.append(i + 1 < rows.size() ? ",\n" : "\n");
        }
        return b.append("}\n").toString();
    }

    private static String display(Row r) {
        if (r.value() instanceof Double d) {
            return d.isNaN() ? "n/a" : String.format(Locale.ROOT, "%,." + r.decimals() + "f", d);
        }
        if (r.value() instanceof Long l) return String.format(Locale.ROOT, "%,d", l);
        if (r.value() instanceof Boolean b) return b ? "yes" : "no";
        return String.valueOf(r.value());
    }

    private static String jsonValue(Row r) {
        if (r.value() instanceof Double d) {
            if (d.isNaN() || d.isInfinite()) return "null";
            return String.format(Locale.ROOT, "%." + r.decimals() + "f", d);
        }
        if (r.value() instanceof Long l) return Long.toString(l);
        if (r.value() instanceof Boolean b) return b.toString();
        return r.value() == null ? "null" : quote(r.value().toString());
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
