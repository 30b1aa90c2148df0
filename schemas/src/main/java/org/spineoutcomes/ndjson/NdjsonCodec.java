package org.spineoutcomes.ndjson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventType;
import org.spineoutcomes.validation.FieldRange;
import org.spineoutcomes.validation.ReasonCode;

/**
 * The NDJSON text form of input events: one JSON object per line with a {@code "type"}
 * ({@code procedure | imaging | followup}) and the fields of that event's Avro schema by their Avro
 * names. Values are friendly: timestamps are ISO-8601 strings with an offset (R1), dates
 * {@code YYYY-MM-DD}, unions the plain value or null, enums by symbol, absent optional fields take
 * the schema default, unknown fields are rejected.
 *
 * <p>Decoding walks the Avro schema, so fields added by schema evolution are understood without
 * code changes. It reports the first problem of a line, with its field path and reason code; range
 * checks (NRS 0-10 etc.) are left to {@link org.spineoutcomes.validation.EventValidator}, except where
 * the JSON type itself is wrong for the field (painNrs 7.5), and except the ranges of decimal fields
 * ({@link FieldRange}), which are checked here on the decimal as written (R35) before it becomes a
 * double. The line is read within the {@link org.spineoutcomes.validation.InputLimits} (number digits
 * and exponent, string length, list items, nesting, repeated keys) before any value is converted.
 * Thread-safe.
 */
public final class NdjsonCodec {

    /** The discriminator field; not part of any Avro schema. */
    public static final String TYPE_FIELD = "type";

    private static final String VERTEBRAL_LEVEL = "org.spineoutcomes.schema.VertebralLevel";
    private static final String COMPLICATION_TYPE = "org.spineoutcomes.schema.ComplicationType";

    /** Codes for a number of the wrong kind (7.5 for an int) in fields that have their own code. */
    private static final Map<String, ReasonCode> FIELD_CODES = Map.ofEntries(
            Map.entry("painNrs", ReasonCode.INVALID_PAIN_NRS),
            Map.entry("painVas", ReasonCode.INVALID_PAIN_VAS),
            Map.entry("odi", ReasonCode.INVALID_ODI),
            Map.entry("rmdq", ReasonCode.INVALID_RMDQ),
            Map.entry("rmdqItems", ReasonCode.INVALID_RMDQ),
            Map.entry("eq5dIndex", ReasonCode.INVALID_EQ5D),
            Map.entry("anteriorHeightMm", ReasonCode.INVALID_HEIGHT),
            Map.entry("middleHeightMm", ReasonCode.INVALID_HEIGHT),
            Map.entry("posteriorHeightMm", ReasonCode.INVALID_HEIGHT),
            Map.entry("kyphoticAngleDeg", ReasonCode.INVALID_ANGLE),
            Map.entry("ageYears", ReasonCode.INVALID_AGE));

    private static final Set<String> ID_FIELDS = Set.of("eventId", "patientId");

    /** Writing only; lines are read by {@link BoundedJsonTree} (exact decimals, limits, repeated keys refused). */
    private final JsonMapper mapper = JsonMapper.builder().build();

    /** Decodes one line; {@code lineNumber} is only carried into the error. */
    public ParseResult parse(String line, long lineNumber) {
        JsonNode root;
        try {
            root = BoundedJsonTree.read(line, path -> FIELD_CODES.getOrDefault(leaf(path), ReasonCode.INVALID_VALUE));
        } catch (BoundedJsonTree.Problem e) {
            return new ParseResult.ParseError(lineNumber, e.field, e.reason, e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return new ParseResult.ParseError(lineNumber, null, ReasonCode.UNDECODABLE,
                    "The line is not a JSON object; each line must be one event object.");
        }
        JsonNode typeNode = root.get(TYPE_FIELD);
        if (typeNode == null || typeNode.isNull()) {
            return new ParseResult.ParseError(lineNumber, TYPE_FIELD, ReasonCode.MISSING_FIELD,
                    "type is missing; it must be one of " + typeNames() + ".");
        }
        Optional<EventType> type = typeNode.isTextual() ? EventType.fromJsonName(typeNode.textValue()) : Optional.empty();
        if (type.isEmpty()) {
            return new ParseResult.ParseError(lineNumber, TYPE_FIELD, ReasonCode.WRONG_EVENT_TYPE,
                    "type is " + typeNode + "; it must be one of " + typeNames() + ".");
        }
        ObjectNode body = ((ObjectNode) root).deepCopy();
        body.remove(TYPE_FIELD);
        try {
            Schema schema = type.get().schema();
            Object record = decode(body, schema, "", SpecificData.getForSchema(schema));
            return new ParseResult.Parsed(type.get(), (SpecificRecord) record);
        } catch (DecodeException e) {
            return new ParseResult.ParseError(lineNumber, e.field, e.reason, e.getMessage());
        }
    }

    /**
     * Writes one event as a single line (no line break) in the shape {@link #parse} reads:
     * "type" first, then every field in schema order; optional fields that are null are omitted.
     * Timestamps are written in UTC with "Z". Throws IllegalArgumentException for a non-finite
     * number (JSON has none) or a record that is not an input event.
     */
    public String format(SpecificRecord event) {
        EventType type = EventType.of(event);
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put(TYPE_FIELD, type.jsonName());
        writeFields(out, event, event.getSchema(), "", SpecificData.getForSchema(event.getSchema()));
        try {
            return mapper.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON for " + event.getSchema().getName(), e);
        }
    }

    /**
     * Writes any record (e.g. the output records PatientOutcome, ArmAggregate, ArmComparison) as one
     * JSON line in the same friendly shape, without a "type" field: field names as in the schema,
     * unions as plain values, timestamps ISO-8601 UTC, dates YYYY-MM-DD, enums by symbol.
     */
    public String formatRecord(SpecificRecord record) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        writeFields(out, record, record.getSchema(), "", SpecificData.getForSchema(record.getSchema()));
        try {
            return mapper.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON for " + record.getSchema().getName(), e);
        }
    }

    private static String typeNames() {
        StringBuilder b = new StringBuilder();
        for (EventType t : EventType.values()) {
            if (b.length() > 0) b.append(", ");
            b.append('"').append(t.jsonName()).append('"');
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- decoding

    private Object decode(JsonNode node, Schema schema, String path, SpecificData model) throws DecodeException {
        LogicalType logical = schema.getLogicalType();
        switch (schema.getType()) {
            case RECORD:
                return decodeRecord(node, schema, path, model);
            case UNION:
                return decodeUnion(node, schema, path, model);
            case NULL:
                if (node.isNull()) return null;
                throw new DecodeException(path, ReasonCode.UNDECODABLE, path + " must be null.");
            case STRING:
                if (node.isTextual()) return node.textValue();
                throw wrongType(path, node, "a string");
            case BOOLEAN:
                if (node.isBoolean()) return node.booleanValue();
                throw wrongType(path, node, "true or false");
            case INT:
                if (logical instanceof LogicalTypes.Date) return decodeDate(node, path);
                return integral(node, path, Integer.MIN_VALUE, Integer.MAX_VALUE).intValueExact();
            case LONG:
                if (logical instanceof LogicalTypes.TimestampMillis || logical instanceof LogicalTypes.TimestampMicros) {
                    return decodeTimestamp(node, path, logical instanceof LogicalTypes.TimestampMillis);
                }
                return integral(node, path, Long.MIN_VALUE, Long.MAX_VALUE).longValueExact();
            case FLOAT:
                return (float) finite(node, path, true);
            case DOUBLE:
                return finite(node, path, false);
            case ENUM:
                return decodeEnum(node, schema, path, model);
            case ARRAY: {
                if (!node.isArray()) throw wrongType(path, node, "a JSON array");
                List<Object> items = new ArrayList<>(node.size());
                for (int i = 0; i < node.size(); i++) {
                    items.add(decode(node.get(i), schema.getElementType(), path + "[" + i + "]", model));
                }
                return items;
            }
            case MAP: {
                if (!node.isObject()) throw wrongType(path, node, "a JSON object");
                Map<String, Object> map = new LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    map.put(e.getKey(), decode(e.getValue(), schema.getValueType(), path + "." + e.getKey(), model));
                }
                return map;
            }
            case BYTES:
            case FIXED: {
                if (!node.isTextual()) throw wrongType(path, node, "a base64 string");
                byte[] bytes;
                try {
                    bytes = Base64.getDecoder().decode(node.textValue());
                } catch (IllegalArgumentException e) {
                    throw new DecodeException(path, ReasonCode.UNDECODABLE, path + " is not valid base64.");
                }
                if (schema.getType() == Schema.Type.BYTES) return ByteBuffer.wrap(bytes);
                if (bytes.length != schema.getFixedSize()) {
                    throw new DecodeException(path, ReasonCode.UNDECODABLE, path + " must hold exactly "
                            + schema.getFixedSize() + " bytes, not " + bytes.length + ".");
                }
                return model.createFixed(null, bytes, schema);
            }
            default:
                throw new DecodeException(path, ReasonCode.UNDECODABLE, path + " has an unsupported Avro type " + schema.getType() + ".");
        }
    }

    private Object decodeRecord(JsonNode node, Schema schema, String path, SpecificData model) throws DecodeException {
        if (!node.isObject()) throw wrongType(path, node, "a JSON object");
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (schema.getField(name) == null) {
                String known = schema.getFields().stream().map(Schema.Field::name).collect(Collectors.joining(", "));
                throw new DecodeException(join(path, name), ReasonCode.UNDECODABLE, "Unknown field " + join(path, name)
                        + " in " + schema.getName() + "; known fields are: " + known + ".");
            }
        }
        IndexedRecord record = (IndexedRecord) model.newRecord(null, schema);
        for (Schema.Field field : schema.getFields()) {
            String fieldPath = join(path, field.name());
            JsonNode value = node.get(field.name());
            Object decoded;
            if (value == null) {
                if (!field.hasDefaultValue()) throw missing(fieldPath, path.isEmpty() && ID_FIELDS.contains(field.name()));
                // a copy, so no two records share a mutable default list
                decoded = model.deepCopy(field.schema(), model.getDefaultValue(field));
            } else if (value.isNull() && !acceptsNull(field.schema())) {
                throw missing(fieldPath, path.isEmpty() && ID_FIELDS.contains(field.name()));
            } else {
                decoded = decode(value, field.schema(), fieldPath, model);
            }
            record.put(field.pos(), decoded);
        }
        return record;
    }

    private Object decodeUnion(JsonNode node, Schema schema, String path, SpecificData model) throws DecodeException {
        if (node.isNull()) {
            if (acceptsNull(schema)) return null;
            throw missing(path, false);
        }
        DecodeException first = null;
        for (Schema branch : schema.getTypes()) {
            if (branch.getType() == Schema.Type.NULL) continue;
            try {
                return decode(node, branch, path, model);
            } catch (DecodeException e) {
                if (first == null) first = e;
            }
        }
        if (first == null) throw new DecodeException(path, ReasonCode.UNDECODABLE, path + " must be null.");
        throw first;
    }

    private Object decodeEnum(JsonNode node, Schema schema, String path, SpecificData model) throws DecodeException {
        ReasonCode code = switch (schema.getFullName()) {
            case VERTEBRAL_LEVEL -> ReasonCode.INVALID_LEVEL;
            case COMPLICATION_TYPE -> ReasonCode.UNKNOWN_COMPLICATION_TYPE;
            default -> ReasonCode.UNDECODABLE;
        };
        if (!node.isTextual()) throw wrongType(path, node, "one of the symbols " + schema.getEnumSymbols());
        String symbol = node.textValue();
        if (!schema.hasEnumSymbol(symbol)) {
            throw new DecodeException(path, code, path + " is \"" + symbol + "\"; it must be one of "
                    + String.join(", ", schema.getEnumSymbols()) + ".");
        }
        return model.createEnum(symbol, schema);
    }

    private static Instant decodeTimestamp(JsonNode node, String path, boolean millis) throws DecodeException {
        if (!node.isTextual()) {
            throw new DecodeException(path, ReasonCode.INVALID_TIMESTAMP, path + " is " + node
                    + "; it must be an ISO-8601 timestamp string with an offset, e.g. \"2024-03-01T09:30:00Z\".");
        }
        String text = node.textValue();
        try {
            OffsetDateTime parsed = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            Instant instant = parsed.toInstant();
            if (millis && instant.getNano() % 1_000_000 != 0) {
                throw new DecodeException(path, ReasonCode.INVALID_TIMESTAMP, path + " is \"" + text
                        + "\", finer than milliseconds; the contract stores milliseconds, so give at most 3 fraction digits.");
            }
            instant.toEpochMilli(); // throws ArithmeticException beyond the long range
            return instant;
        } catch (DateTimeParseException e) {
            if (isLocalDateTime(text)) {
                throw new DecodeException(path, ReasonCode.INVALID_TIMESTAMP, path + " is \"" + text
                        + "\", which has no offset; add one, e.g. \"" + text + "Z\" or \"" + text + "+01:00\" (R1).");
            }
            throw new DecodeException(path, ReasonCode.INVALID_TIMESTAMP, path + " is \"" + text
                    + "\", not an ISO-8601 timestamp with an offset such as \"2024-03-01T09:30:00Z\".");
        } catch (ArithmeticException | DateTimeException e) {
            throw new DecodeException(path, ReasonCode.INVALID_TIMESTAMP, path + " is \"" + text + "\", out of range.");
        }
    }

    private static boolean isLocalDateTime(String text) {
        try {
            LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static LocalDate decodeDate(JsonNode node, String path) throws DecodeException {
        if (node.isTextual()) {
            try {
                return LocalDate.parse(node.textValue(), DateTimeFormatter.ISO_LOCAL_DATE);
            } catch (DateTimeParseException e) {
                // fall through to the common message
            }
        }
        throw new DecodeException(path, ReasonCode.INVALID_TIMESTAMP, path + " is " + node
                + "; it must be a date string \"YYYY-MM-DD\", e.g. \"2024-03-01\".");
    }

    /** An exact integer in [min, max]; 7.0 counts as 7, 7.5 does not. */
    private static BigInteger integral(JsonNode node, String path, long min, long max) throws DecodeException {
        if (!node.isNumber()) throw wrongType(path, node, "an integer");
        BigDecimal value = node.decimalValue();
        ReasonCode code = FIELD_CODES.getOrDefault(leaf(path), ReasonCode.UNDECODABLE);
        BigInteger whole;
        try {
            whole = value.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new DecodeException(path, code, path + " is " + value.toPlainString() + "; it must be a whole number.");
        }
        if (whole.compareTo(BigInteger.valueOf(min)) < 0 || whole.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new DecodeException(path, code, path + " is " + whole + ", outside the range of its Avro type ("
                    + min + " to " + max + ").");
        }
        return whole;
    }

    private static double finite(JsonNode node, String path, boolean asFloat) throws DecodeException {
        if (!node.isNumber()) throw wrongType(path, node, "a number");
        BigDecimal exact = node.decimalValue();
        FieldRange range = FieldRange.forField(leaf(path));
        if (range != null && !range.contains(exact)) {
            // R35: the range is checked on the decimal as written, not on the double it rounds to
            throw new DecodeException(path, range.reason(), range.message(path, exact.toPlainString()));
        }
        double value = exact.doubleValue();
        if (!Double.isFinite(value) || (asFloat && !Float.isFinite((float) value))) {
            throw new DecodeException(path, FIELD_CODES.getOrDefault(leaf(path), ReasonCode.INVALID_VALUE),
                    path + " is " + node.decimalValue().toString() + ", too large for a " + (asFloat ? "float" : "double") + ".");
        }
        return value;
    }

    private static boolean acceptsNull(Schema schema) {
        return switch (schema.getType()) {
            case NULL -> true;
            case UNION -> schema.getTypes().stream().anyMatch(s -> s.getType() == Schema.Type.NULL);
            default -> false;
        };
    }

    private static DecodeException missing(String path, boolean isId) {
        return isId
                ? new DecodeException(path, ReasonCode.MISSING_ID, path + " is missing; every event needs one.")
                : new DecodeException(path, ReasonCode.MISSING_FIELD, path + " is required but missing.");
    }

    private static DecodeException wrongType(String path, JsonNode node, String expected) {
        String shown = node.toString();
        if (shown.length() > 60) shown = shown.substring(0, 57) + "...";
        return new DecodeException(path, ReasonCode.UNDECODABLE, path + " is " + shown + " (" + kind(node)
                + "); it must be " + expected + ".");
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase();
        };
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private static String leaf(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    // ---------------------------------------------------------------- encoding

    private void writeFields(ObjectNode out, IndexedRecord record, Schema schema, String path, SpecificData model) {
        for (Schema.Field field : schema.getFields()) {
            Object value = record.get(field.pos());
            if (value == null && acceptsNull(field.schema())) continue;
            out.set(field.name(), encode(value, field.schema(), join(path, field.name()), model));
        }
    }

    private JsonNode encode(Object value, Schema schema, String path, SpecificData model) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (schema.getType() == Schema.Type.UNION) {
            if (value == null) return f.nullNode();
            return encode(value, schema.getTypes().get(model.resolveUnion(schema, value)), path, model);
        }
        if (value == null) throw new IllegalArgumentException(path + " is null but its schema " + schema + " does not allow null");
        switch (schema.getType()) {
            case RECORD: {
                ObjectNode node = f.objectNode();
                writeFields(node, (IndexedRecord) value, schema, path, model);
                return node;
            }
            case STRING:
            case ENUM:
                return f.textNode(value.toString());
            case BOOLEAN:
                return f.booleanNode((Boolean) value);
            case INT:
                if (value instanceof LocalDate date) return f.textNode(date.toString());
                return f.numberNode(((Number) value).intValue());
            case LONG:
                if (value instanceof Instant instant) return f.textNode(instant.toString());
                return f.numberNode(((Number) value).longValue());
            case FLOAT:
            case DOUBLE: {
                double d = ((Number) value).doubleValue();
                if (!Double.isFinite(d)) throw new IllegalArgumentException(path + " is " + d + "; JSON has no non-finite numbers");
                return schema.getType() == Schema.Type.FLOAT ? f.numberNode((float) d) : f.numberNode(d);
            }
            case ARRAY: {
                ArrayNode array = f.arrayNode();
                int i = 0;
                for (Object item : (Collection<?>) value) {
                    array.add(encode(item, schema.getElementType(), path + "[" + i++ + "]", model));
                }
                return array;
            }
            case MAP: {
                ObjectNode node = f.objectNode();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                    node.set(e.getKey().toString(), encode(e.getValue(), schema.getValueType(), path + "." + e.getKey(), model));
                }
                return node;
            }
            case BYTES: {
                ByteBuffer buffer = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                return f.textNode(Base64.getEncoder().encodeToString(bytes));
            }
            case FIXED:
                return f.textNode(Base64.getEncoder().encodeToString(((GenericFixed) value).bytes()));
            case NULL:
                return f.nullNode();
            default:
                throw new IllegalArgumentException(path + " has an unsupported Avro type " + schema.getType());
        }
    }

    /** A decoding problem at one field; no stack trace (it is an expected outcome, not a bug). */
    private static final class DecodeException extends Exception {
        final String field;
        final ReasonCode reason;

        DecodeException(String field, ReasonCode reason, String message) {
            super(message, null, false, false);
            this.field = field;
            this.reason = reason;
        }
    }
}
