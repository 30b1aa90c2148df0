package org.spineoutcomes.ndjson;

/**
 * One non-blank, non-comment line of an NDJSON source with its decoding result.
 *
 * @param source     file name (or "-" for standard input) used in error text
 * @param lineNumber 1-based physical line number, counting blank and comment lines
 */
public record NdjsonLine(String source, long lineNumber, ParseResult result) {

    /** Error text "{@code <file>:<line>: field <path>: <message> [<REASON>]}", or empty when the line parsed. */
    public String errorText() {
        return result instanceof ParseResult.ParseError e ? e.describe(source) : "";
    }
}
