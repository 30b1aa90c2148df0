package org.spineoutcomes.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Searches bytes and text for raw identifiers (MRNs, names, a birth date) and keeps where each one was
 * found. Bytes are read as ISO-8859-1, one char per byte, so an ASCII identifier is found in any
 * surrounding encoding (Avro binary, JSON, RocksDB and log segment files). Identifiers are grouped by
 * their first four characters, each group found with one pass of {@link String#indexOf}, so hundreds of
 * identifiers cost a few passes over each input.
 */
final class IdentifierScan {
    private final Map<String, List<String>> byPrefix = new TreeMap<>();
    private final List<String> findings = new ArrayList<>();
    private final Map<String, long[]> scanned = new TreeMap<>();
    private final int identifiers;

    IdentifierScan(Collection<String> identifiers) {
        TreeSet<String> unique = new TreeSet<>(identifiers);
        for (String id : unique) {
            if (id.length() < 4) throw new IllegalArgumentException("an identifier this short would match by chance: " + id);
            byPrefix.computeIfAbsent(id.substring(0, 4), p -> new ArrayList<>()).add(id);
        }
        this.identifiers = unique.size();
    }

    int identifiers() {
        return identifiers;
    }

    /** Scans one input of {@code category} (e.g. "topic records"), naming it {@code where} in a finding. */
    void bytes(String category, String where, byte[] bytes) {
        if (bytes == null) return;
        text(category, where, new String(bytes, StandardCharsets.ISO_8859_1), bytes.length);
    }

    void text(String category, String where, String text) {
        text(category, where, text, text.getBytes(StandardCharsets.UTF_8).length);
    }

    private void text(String category, String where, String text, long size) {
        long[] counts = scanned.computeIfAbsent(category, c -> new long[2]);
        counts[0]++;
        counts[1] += size;
        for (Map.Entry<String, List<String>> group : byPrefix.entrySet()) {
            for (int at = text.indexOf(group.getKey()); at >= 0; at = text.indexOf(group.getKey(), at + 1)) {
                for (String id : group.getValue()) {
                    if (text.startsWith(id, at)) findings.add(category + ": " + where + " contains " + id + " at " + at);
                }
            }
        }
    }

    /** Every regular file under {@code dir} (files that vanish while walking, e.g. RocksDB's, are skipped). */
    void files(String category, Path dir) {
        files(category, dir, name -> true);
    }

    /** The regular files under {@code dir} whose names {@code names} accepts. */
    void files(String category, Path dir, Predicate<String> names) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path file : walk.filter(Files::isRegularFile).filter(f -> names.test(f.getFileName().toString())).toList()) {
                try {
                    bytes(category, file.toString(), Files.readAllBytes(file));
                } catch (NoSuchFileException gone) {
                    // deleted meanwhile (a compacted segment, a RocksDB temp file)
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> findings() {
        return List.copyOf(findings);
    }

    /** Per category: how many inputs and bytes were scanned. */
    Map<String, long[]> scanned() {
        return scanned;
    }

    String summary() {
        StringBuilder b = new StringBuilder("scanned for " + identifiers + " identifiers:");
        scanned.forEach((category, c) -> b.append(String.format("%n  %-22s %,9d items %,14d bytes", category, c[0], c[1])));
        return b.toString();
    }
}
