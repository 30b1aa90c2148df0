package org.spineoutcomes.ndjson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.function.Function;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.ReasonCode;

/**
 * Reads one NDJSON line into a Jackson tree with the {@link InputLimits} checked while the tokens
 * stream by, before anything costly is built: a number's text (digits, exponent) is checked before a
 * BigDecimal is made of it, strings and lists against their size limits, nesting against its depth,
 * and a repeated key is refused. Every problem carries the path of the field where it was found, in
 * the codec's notation ({@code measurements[1].level}). Jackson's own limits are set high (the line
 * is at most {@link InputLimits#MAX_LINE_BYTES}), so ours, with their field paths, apply first.
 */
final class BoundedJsonTree {

    /** A problem at a field; {@code field} null when the line as a whole is bad. */
    static final class Problem extends Exception {
        final String field;
        final ReasonCode reason;

        Problem(String field, ReasonCode reason, String message) {
            super(message, null, false, false);
            this.field = field == null || field.isEmpty() ? null : field;
            this.reason = reason;
        }
    }

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNumberLength(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .maxNestingDepth(InputLimits.MAX_NESTING_DEPTH + 2)
                    .build())
            .build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private BoundedJsonTree() {}

    /**
     * The line's single JSON value, within the limits. {@code numberCode} gives the reason code for a number
     * beyond the limits by its field path (the field's own code, e.g. INVALID_PAIN_VAS, else INVALID_VALUE).
     */
    static JsonNode read(String line, Function<String, ReasonCode> numberCode) throws Problem {
        // at[0]: the path being read; at[1]: the key the parser's context names at that point (null: none yet)
        String[] at = {"", null};
        try (JsonParser p = FACTORY.createParser(line)) {
            JsonToken first = p.nextToken();
            if (first == null) throw new Problem(null, ReasonCode.UNDECODABLE, "The line is not valid JSON: it holds no value.");
            JsonNode root = value(p, first, "", 1, at, numberCode);
            at[0] = "";
            JsonToken after;
            try {
                after = p.nextToken();
            } catch (JsonProcessingException e) {
                after = JsonToken.NOT_AVAILABLE;
            }
            if (after != null) {
                throw new Problem(null, ReasonCode.UNDECODABLE,
                        "The line has more text after its JSON value; each line must hold exactly one event object.");
            }
            return root;
        } catch (JsonProcessingException e) {
            // Jackson reads the start of a field's value together with its name: when the failing call read a
            // new name, the problem is in that field's value.
            String where = at[0];
            if (e.getProcessor() instanceof JsonParser parser && parser.getParsingContext().inObject()) {
                String name = parser.getParsingContext().getCurrentName();
                if (name != null && !name.equals(at[1])) where = join(where, name);
            }
            throw new Problem(where, ReasonCode.UNDECODABLE, "The line is not valid JSON"
                    + (where.isEmpty() ? "" : " at " + where) + ": " + e.getOriginalMessage() + ".");
        } catch (IOException e) {
            throw new Problem(null, ReasonCode.UNDECODABLE, "The line cannot be read as JSON: " + e.getMessage());
        }
    }

    /**
     * The value starting at {@code token}; {@code path} is its field path, {@code depth} its nesting level
     * (the line's value is 1). {@code at[0]} follows the path being read, for syntax errors.
     */
    private static JsonNode value(JsonParser p, JsonToken token, String path, int depth, String[] at,
                                  Function<String, ReasonCode> numberCode) throws IOException, Problem {
        at[0] = path;
        switch (token) {
            case START_OBJECT: {
                tooDeep(path, depth);
                ObjectNode object = NODES.objectNode();
                JsonToken t;
                String previous = null;
                while (true) {
                    at[0] = path;
                    at[1] = previous;
                    if ((t = p.nextToken()) != JsonToken.FIELD_NAME) break;
                    String name = p.currentName();
                    previous = name;
                    String child = join(path, name);
                    if (name.length() > InputLimits.MAX_TEXT_LENGTH) {
                        throw new Problem(path, ReasonCode.UNDECODABLE, "A key of " + name.length()
                                + " characters is not a field of any event (keys are at most " + InputLimits.MAX_TEXT_LENGTH + " characters).");
                    }
                    if (object.has(name)) {
                        throw new Problem(child, ReasonCode.UNDECODABLE, "The key \"" + name
                                + "\" appears twice in one object; which value counts would be a guess.");
                    }
                    at[0] = child;
                    at[1] = name; // the parser's context names this field while its value is read
                    object.set(name, value(p, p.nextToken(), child, depth + 1, at, numberCode));
                }
                if (t != JsonToken.END_OBJECT) throw new Problem(path, ReasonCode.UNDECODABLE, "The object at " + path + " is not closed.");
                return object;
            }
            case START_ARRAY: {
                tooDeep(path, depth);
                ArrayNode array = NODES.arrayNode();
                JsonToken t;
                while (true) {
                    at[0] = path + "[" + array.size() + "]";
                    t = p.nextToken();
                    if (t == JsonToken.END_ARRAY) break;
                    if (t == null) throw new Problem(path, ReasonCode.UNDECODABLE, "The list at " + path + " is not closed.");
                    if (array.size() == InputLimits.MAX_LIST_ITEMS) {
                        throw new Problem(path, ReasonCode.FIELD_TOO_LONG, (path.isEmpty() ? "The line's list" : path)
                                + " has more than " + InputLimits.MAX_LIST_ITEMS + " items; at most " + InputLimits.MAX_LIST_ITEMS + " are accepted.");
                    }
                    array.add(value(p, t, path + "[" + array.size() + "]", depth + 1, at, numberCode));
                    at[0] = path;
                }
                return array;
            }
            case VALUE_STRING: {
                // Jackson has the characters already (the line is bounded); the limit is on what we keep.
                int length = p.getTextLength();
                if (length > InputLimits.MAX_ID_LENGTH) {
                    throw new Problem(path, ReasonCode.FIELD_TOO_LONG, (path.isEmpty() ? "The line's string" : path) + " has "
                            + length + " characters; no text field of an event may have more than " + InputLimits.MAX_ID_LENGTH + ".");
                }
                return NODES.textNode(p.getText());
            }
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT: {
                String text = p.getText();
                String problem = InputLimits.numberProblem(path.isEmpty() ? "The line" : path, text);
                if (problem != null) throw new Problem(path, numberCode.apply(path), problem);
                // within the limits, so both conversions are cheap
                return token == JsonToken.VALUE_NUMBER_INT ? NODES.numberNode(new BigInteger(text)) : NODES.numberNode(new BigDecimal(text));
            }
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                throw new Problem(path, ReasonCode.UNDECODABLE, "Unexpected JSON token " + token + (path.isEmpty() ? "" : " at " + path) + ".");
        }
    }

    private static void tooDeep(String path, int depth) throws Problem {
        if (depth > InputLimits.MAX_NESTING_DEPTH) {
            throw new Problem(path, ReasonCode.UNDECODABLE, "JSON nested more than " + InputLimits.MAX_NESTING_DEPTH
                    + " levels deep" + " at " + path + "; no event has such a shape.");
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}
