package org.spineoutcomes.app;

/**
 * One configuration value as given, and where it came from: {@code default}, {@code file /path/app.properties},
 * {@code env SPINE_HTTP_PORT}, {@code option --recompute} or {@code code} (set by a program, e.g. a test).
 */
public record ConfigValue(String value, String origin) {
}
