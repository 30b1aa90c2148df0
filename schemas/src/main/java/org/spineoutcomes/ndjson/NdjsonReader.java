package org.spineoutcomes.ndjson;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.spineoutcomes.validation.InputLimits;
import org.spineoutcomes.validation.ReasonCode;

/**
 * Streams an NDJSON file lazily, one result per event line. A line ends at "\n", "\r\n" or a lone
 * "\r" (files from old Mac tools), mixed freely. Blank lines and lines whose first
 * non-blank character is '#' are skipped but still counted, so line numbers match an editor.
 * A line over {@link InputLimits#MAX_LINE_BYTES} is reported as FIELD_TOO_LONG without being kept in
 * memory; a byte-order mark is dropped at the start of the file only.
 * Each line is decoded as strict UTF-8: a line with invalid bytes becomes an UNDECODABLE error
 * rather than silently replaced characters. Close the returned stream (try-with-resources).
 */
public final class NdjsonReader {
    private final NdjsonCodec codec;
    private final NdjsonChecker checker;

    public NdjsonReader() {
        this(new NdjsonCodec(), new NdjsonChecker());
    }

    public NdjsonReader(NdjsonCodec codec, NdjsonChecker checker) {
        this.codec = codec;
        this.checker = checker;
    }

    /** Parsed lines of a file; the file name in error text is {@code file.toString()}. */
    public Stream<NdjsonLine> lines(Path file) throws IOException {
        return lines(Files.newInputStream(file), file.toString());
    }

    /** Parsed lines of a stream (e.g. standard input, source "-"); the stream is closed with the result. */
    public Stream<NdjsonLine> lines(InputStream in, String source) {
        // Splitting is sequential; parsing is a map step, so a caller may go .parallel() and keep
        // the order with forEachOrdered (the batch command does).
        return rawLines(in, source).map(raw -> parsed(raw, source));
    }

    private Stream<RawLine> rawLines(InputStream in, String source) {
        LineSplitter splitter = new LineSplitter(new BufferedInputStream(in, 1 << 16), source);
        return StreamSupport.stream(splitter, false).onClose(() -> {
            try {
                in.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private NdjsonLine parsed(RawLine raw, String source) {
        return raw.result != null
                ? new NdjsonLine(source, raw.lineNumber, raw.result)
                : new NdjsonLine(source, raw.lineNumber, codec.parse(raw.text, raw.lineNumber));
    }

    /**
     * A checked line with the text it was parsed from (without line terminator or byte-order mark;
     * null when the line is not valid UTF-8). Parsing the text again gives the same event.
     */
    public record CheckedText(CheckedLine checked, String text) {}

    /**
     * Like {@link #checkedLines(Path, Instant)}, each line with its text (the batch command spills
     * it). A sequential stream in file order whose lines are parsed and validated in parallel a
     * chunk at a time, so memory stays bounded however large the file (a parallel stream over the
     * unsized line source buffers ever larger batches).
     */
    public Stream<CheckedText> checkedLinesWithText(Path file, Instant processingClock) throws IOException {
        String source = file.toString();
        return mapInChunks(rawLines(Files.newInputStream(file), source), 4096,
                raw -> new CheckedText(checker.check(parsed(raw, source), processingClock), raw.text));
    }

    /**
     * {@code in} mapped by {@code f}, sequential and in order; {@code f} runs in parallel over
     * chunks of {@code chunkSize} elements taken one after another. Closing the result closes {@code in}.
     */
    public static <T, R> Stream<R> mapInChunks(Stream<T> in, int chunkSize, Function<? super T, ? extends R> f) {
        Iterator<T> it = in.iterator();
        Spliterator<List<T>> chunks = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super List<T>> action) {
                if (!it.hasNext()) return false;
                List<T> chunk = new ArrayList<>(chunkSize);
                while (chunk.size() < chunkSize && it.hasNext()) chunk.add(it.next());
                action.accept(chunk);
                return true;
            }
        };
        return StreamSupport.stream(chunks, false).onClose(in::close)
                .flatMap(chunk -> chunk.parallelStream().<R>map(f).toList().stream());
    }

    /** Parsed and validated lines of a file against the processing clock. */
    public Stream<CheckedLine> checkedLines(Path file, Instant processingClock) throws IOException {
        return lines(file).map(line -> checker.check(line, processingClock));
    }

    /** Parsed and validated lines of a stream against the processing clock. */
    public Stream<CheckedLine> checkedLines(InputStream in, String source, Instant processingClock) {
        return lines(in, source).map(line -> checker.check(line, processingClock));
    }

    /** One line's text, or its decoding error, before parsing. */
    private record RawLine(long lineNumber, String text, ParseResult result) {}

    /** Splits raw bytes at "\n", "\r\n" or a lone "\r", so each line can be decoded on its own. */
    private static final class LineSplitter extends Spliterators.AbstractSpliterator<RawLine> {
        /** Marks a line over the length limit (compared by identity). */
        private static final byte[] TOO_LONG = new byte[0];
        private final InputStream in;
        private final String source;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
        private long lineNumber;
        private boolean eof;

        LineSplitter(InputStream in, String source) {
            super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
            this.in = in;
            this.source = source;
        }

        @Override
        public boolean tryAdvance(Consumer<? super RawLine> action) {
            try {
                while (!eof) {
                    byte[] raw = nextLine();
                    if (raw == null) return false;
                    lineNumber++;
                    if (raw == TOO_LONG) {
                        action.accept(new RawLine(lineNumber, null, new ParseResult.ParseError(lineNumber, null,
                                ReasonCode.FIELD_TOO_LONG, "The line has " + tooLongBytes + " bytes; a line may have at most "
                                + InputLimits.MAX_LINE_BYTES + " (1 MiB).")));
                        return true;
                    }
                    String text;
                    try {
                        text = utf8.reset().decode(ByteBuffer.wrap(raw)).toString();
                    } catch (CharacterCodingException e) {
                        action.accept(new RawLine(lineNumber, null, new ParseResult.ParseError(lineNumber, null,
                                ReasonCode.UNDECODABLE, "The line is not valid UTF-8 text.")));
                        return true;
                    }
                    if (lineNumber == 1 && text.startsWith("\uFEFF")) text = text.substring(1); // byte-order mark
                    String trimmed = text.strip();
                    if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
                    action.accept(new RawLine(lineNumber, text, null));
                    return true;
                }
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException("Reading " + source + " after line " + lineNumber, e);
            }
        }

        private final byte[] chunk = new byte[1 << 16];
        private int chunkPos;
        private int chunkLimit;
        /** The last line ended with '\r': a '\n' right after it is part of that line end ("\r\n"). */
        private boolean skipLineFeed;
        /** Bytes of the line last returned as {@link #TOO_LONG}. */
        private long tooLongBytes;

        /**
         * The next line's bytes without its terminator ("\n", "\r\n" or a lone "\r"), {@link #TOO_LONG}
         * for a line over {@link InputLimits#MAX_LINE_BYTES} (its bytes are skipped, not kept), or null at
         * end of input. Scans a chunk at a time (a byte-by-byte read() was a tenth of a large batch run).
         */
        private byte[] nextLine() throws IOException {
            buffer.reset();
            long length = 0;
            boolean tooLong = false;
            while (true) {
                if (chunkPos == chunkLimit) {
                    chunkLimit = in.read(chunk, 0, chunk.length);
                    chunkPos = 0;
                    if (chunkLimit <= 0) {
                        chunkLimit = 0;
                        eof = true;
                        if (length == 0) return null;
                        return tooLong ? tooLong(length) : buffer.toByteArray();
                    }
                }
                if (skipLineFeed) {
                    skipLineFeed = false;
                    if (chunk[chunkPos] == '\n') {
                        chunkPos++;
                        continue;
                    }
                }
                int start = chunkPos;
                while (chunkPos < chunkLimit && chunk[chunkPos] != '\n' && chunk[chunkPos] != '\r') chunkPos++;
                int n = chunkPos - start;
                length += n;
                if (!tooLong && length > InputLimits.MAX_LINE_BYTES) {
                    tooLong = true;
                    buffer.reset();
                }
                if (!tooLong) buffer.write(chunk, start, n);
                if (chunkPos < chunkLimit) {
                    skipLineFeed = chunk[chunkPos] == '\r';
                    chunkPos++; // the line end
                    return tooLong ? tooLong(length) : buffer.toByteArray();
                }
            }
        }

        private byte[] tooLong(long length) {
            tooLongBytes = length;
            return TOO_LONG;
        }
    }
}
