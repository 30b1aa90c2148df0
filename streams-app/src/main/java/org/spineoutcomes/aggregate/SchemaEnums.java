package org.spineoutcomes.aggregate;

/** Converts the plain strings of {@link org.spineoutcomes.stats.CellKey} to schema enums, naming the field on failure. */
final class SchemaEnums {
    private SchemaEnums() {}

    static <E extends Enum<E>> E parse(Class<E> type, String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is missing");
        }
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": unknown " + type.getSimpleName() + " '" + value + "'", e);
        }
    }
}
