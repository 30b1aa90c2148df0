package org.spineoutcomes.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Properties;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store below the change-logging layer that keeps a transaction's writes out of RocksDB until
 * it has committed: written values are read back at once; they reach RocksDB with the first write
 * after the flush that sealed them (processing went on, so that commit succeeded) or at a
 * checkpoint, together with their changelog offset; deletes hide what is below; iteration merges
 * both in key order; what is pending when the store closes without a checkpoint (a crash, a dirty
 * close) is not in RocksDB when it opens again.
 */
class CommittedOnlyStoreTest {
    private static final TopicPartition CHANGELOG = new TopicPartition("app-s-changelog", 0);

    @TempDir
    Path dir;

    private StateStoreContext context;
    private CommittedOnlyStore store;

    @BeforeEach
    void open() {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        context = new MockProcessorContext<>(p, new TaskId(0, 0), dir.toFile()).getStateStoreContext();
        store = new CommittedOnlyStore("s");
        store.init(context, store);
    }

    /** Closes without a checkpoint (what is pending is lost, as in a crash) and opens the same directory again. */
    private void reopen() {
        store.close();
        store = new CommittedOnlyStore("s");
        store.init(context, store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Bytes key(String k) {
        return Bytes.wrap(k.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] value(String v) {
        return v.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] v) {
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** key, value, key, value, ...: written in one transaction that commits, then Kafka Streams' checkpoint at {@code offset}. */
    private void committed(long offset, String... keysAndValues) {
        for (int i = 0; i < keysAndValues.length; i += 2) store.put(key(keysAndValues[i]), value(keysAndValues[i + 1]));
        store.flushCache();
        store.commit(Map.of(CHANGELOG, offset));
    }

    private static List<String> entries(KeyValueIterator<Bytes, byte[]> it) {
        List<String> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                out.add(new String(kv.key.get(), StandardCharsets.UTF_8) + "=" + text(kv.value));
            }
        }
        return out;
    }

    @Test
    void aWriteIsReadBackAtOnce_butReachesRocksDbOnlyAfterItsCommit() {
        store.put(key("a"), value("1"));
        assertEquals("1", text(store.get(key("a"))), "read back at once");
        store.flushCache(); // commit 1 starts: "a" is what it carries
        reopen();           // the process dies before commit 1 finished
        assertNull(store.get(key("a")), "a transaction that did not finish left nothing");
        assertNull(store.committedOffset(CHANGELOG));

        store.put(key("a"), value("1"));
        store.flushCache(); // commit 1 starts
        store.put(key("b"), value("2")); // processing goes on: commit 1 finished
        store.flushCache(); // commit 2 starts
        reopen();
        assertEquals("1", text(store.get(key("a"))));
        assertNull(store.get(key("b")), "commit 2 did not finish");

        store.put(key("b"), value("2"));
        store.flushCache();
        store.commit(Map.of(CHANGELOG, 41L)); // Kafka Streams' checkpoint right after a commit
        reopen();
        assertEquals("2", text(store.get(key("b"))));
        assertEquals(41L, store.committedOffset(CHANGELOG));
    }

    @Test
    void aFlushWithoutNewWrites_keepsTheSealedWritesPending() {
        store.put(key("a"), value("1"));
        store.flushCache();
        store.flushCache(); // an idle commit, or the flush of a dirty close after a failed commit
        reopen();
        assertNull(store.get(key("a")));
    }

    @Test
    void aWriteAfterTheLastFlushStaysPendingAtACheckpoint() {
        committed(7, "a", "1");
        store.put(key("late"), value("x")); // the next transaction's
        assertEquals("x", text(store.get(key("late"))));
        reopen();
        assertEquals("1", text(store.get(key("a"))));
        assertNull(store.get(key("late")));
        assertEquals(7L, store.committedOffset(CHANGELOG));
    }

    @Test
    void aDirtyClose_dropsWhatIsPending() {
        store.put(key("a"), value("1"));
        store.flushCache(); // its commit fails: Kafka Streams closes the task dirty
        store.clearCache();
        assertNull(store.get(key("a")));

        store.put(key("a"), value("1"));
        store.flushCache();
        store.put(key("b"), value("2")); // "a" committed and went down; "b" is pending
        store.clearCache();
        assertEquals("1", text(store.get(key("a"))));
        assertNull(store.get(key("b")));
    }

    @Test
    void deletesHideWhatIsBelow_untilAndAfterTheyReachRocksDb() {
        committed(1, "a", "1");

        assertArrayEquals(value("1"), store.delete(key("a")), "delete answers the old value");
        assertNull(store.get(key("a")));
        assertEquals(List.of(), entries(store.all()));
        assertNull(store.putIfAbsent(key("a"), value("again")), "absent after the delete");
        store.delete(key("a"));
        store.flushCache();
        store.commit(Map.of(CHANGELOG, 2L));
        reopen();
        assertNull(store.get(key("a")));
        assertEquals(List.of(), entries(store.all()));
    }

    @Test
    void iterationMergesPendingWritesOverRocksDb_inKeyOrder() {
        committed(4, "a", "old-a", "c", "old-c", "e", "old-e", "g", "old-g"); // in RocksDB
        store.put(key("b"), value("new-b"));
        store.put(key("c"), value("new-c"));
        store.flushCache();                   // b, c sealed
        store.delete(key("e"));               // current (and b, c go down)
        store.put(key("h"), value("new-h"));
        store.put(key("b"), value("newer-b"));
        store.flushCache();
        store.put(key("i"), value("new-i"));  // current over sealed over RocksDB

        assertEquals(List.of("a=old-a", "b=newer-b", "c=new-c", "g=old-g", "h=new-h", "i=new-i"), entries(store.all()));
        assertEquals(List.of("i=new-i", "h=new-h", "g=old-g", "c=new-c", "b=newer-b", "a=old-a"), entries(store.reverseAll()));
        assertEquals(List.of("b=newer-b", "c=new-c"), entries(store.range(key("b"), key("e"))));
        assertEquals(List.of("c=new-c", "b=newer-b"), entries(store.reverseRange(key("b"), key("e"))));
        assertEquals(List.of("g=old-g", "h=new-h", "i=new-i"), entries(store.range(key("f"), null)));
        assertEquals(List.of("a=old-a", "b=newer-b"), entries(store.range(null, key("b"))));
        assertEquals(List.of(), entries(store.range(key("e"), key("b"))), "from after to: nothing");
        assertTrue(store.approximateNumEntries() >= 4, "at least what is below: " + store.approximateNumEntries());

        KeyValueIterator<Bytes, byte[]> it = store.range(key("g"), key("g"));
        assertEquals(key("g"), it.peekNextKey());
        it.next();
        assertThrows(NoSuchElementException.class, it::next);
        it.close();
    }

    @Test
    void prefixScan_seesPendingAndCommittedKeysOfThePrefixOnly() {
        committed(4, "cell|1", "cell|1", "cell|3", "cell|3", "cellar", "cellar", "other", "other");
        store.put(key("cell|2"), value("new"));
        store.delete(key("cell|3"));
        store.put(key("celm"), value("not the prefix"));
        assertEquals(List.of("cell|1=cell|1", "cell|2=new"), entries(store.prefixScan("cell|", new StringSerializer())));
    }

    /** Closes store "s" and opens the same directory with a prefix filter of {@code length} bytes (0: none). */
    private void reopenWithScanPrefix(int length) {
        store.close();
        store = new CommittedOnlyStore("s", length);
        store.init(context, store);
    }

    @Test
    void aPrefixFilteredStore_scansExactlyThePrefixesKeys_fromOldFilesNewFilesAndPendingWrites() throws Exception {
        // Written before the store had a prefix filter: a file without prefix entries.
        committed(1, "patient1\0a", "1a", "patient2\0a", "2a", "pat\0y", "short y");
        store.flushMemtables();
        reopenWithScanPrefix(8);
        assertTrue(optionsFile().contains("prefix_extractor=rocksdb.FixedPrefix.8"), "the store opens with an 8-byte prefix extractor");
        // A file with prefix entries, a longer id sharing patient1's first 8 bytes, the memtable, then pending writes.
        committed(2, "patient1\0b", "1b", "patient1x\0c", "1x c", "pat\0z", "short z");
        store.flushMemtables();
        committed(3, "patient1\0c", "1c", "patient3\0a", "3a");
        store.put(key("patient1\0d"), value("1d pending"));
        store.delete(key("patient1\0a"));
        store.put(key("patient1\0a"), value("1a again"));

        assertEquals(List.of("patient1\0a=1a again", "patient1\0b=1b", "patient1\0c=1c", "patient1\0d=1d pending"),
                entries(store.prefixScan("patient1\0", new StringSerializer())));
        assertEquals(List.of("patient1x\0c=1x c"), entries(store.prefixScan("patient1x\0", new StringSerializer())));
        assertEquals(List.of("patient2\0a=2a"), entries(store.prefixScan("patient2\0", new StringSerializer())));
        assertEquals(List.of(), entries(store.prefixScan("patient4\0", new StringSerializer())));
        // Shorter than the filtered prefix: read in key order, unfiltered.
        assertEquals(List.of("pat\0y=short y", "pat\0z=short z"), entries(store.prefixScan("pat\0", new StringSerializer())));
        // Ranges and full scans cross prefixes in key order, forwards and backwards.
        assertEquals(List.of("patient1\0c=1c", "patient1\0d=1d pending", "patient1x\0c=1x c", "patient2\0a=2a"),
                entries(store.range(key("patient1\0c"), key("patient2\0a"))));
        assertEquals(List.of("patient2\0a=2a", "patient1x\0c=1x c", "patient1\0d=1d pending"),
                entries(store.reverseRange(key("patient1\0d"), key("patient2\0a"))));
        assertEquals(9, entries(store.all()).size());
        // The same after the pending writes commit and everything is in files.
        store.flushCache();
        store.commit(Map.of(CHANGELOG, 4L));
        store.put(key("other"), value("x")); // processing goes on: the sealed writes go to RocksDB
        store.flushMemtables();
        assertEquals(List.of("patient1\0a=1a again", "patient1\0b=1b", "patient1\0c=1c", "patient1\0d=1d pending"),
                entries(store.prefixScan("patient1\0", new StringSerializer())));
    }

    @Test
    void prefixSuccessor_isTheFirstKeyAfterEveryKeyWithThePrefix() {
        assertEquals("ab", new String(CommittedOnlyStore.prefixSuccessor(value("aa")), StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {'a', 'b'}, CommittedOnlyStore.prefixSuccessor(new byte[] {'a', 'a', (byte) 0xFF, (byte) 0xFF}));
        assertArrayEquals(new byte[] {1}, CommittedOnlyStore.prefixSuccessor(new byte[] {0}));
        assertNull(CommittedOnlyStore.prefixSuccessor(new byte[] {(byte) 0xFF, (byte) 0xFF}));
    }

    @Test
    void restoredRecords_areWrittenAsTheyCome() {
        // What Kafka Streams' restore consumer hands over is committed data: it goes down at once.
        store.restoreAll(List.of(KeyValue.pair(value("a"), value("1")), KeyValue.pair(value("b"), value("2")),
                KeyValue.pair(value("a"), null)));
        reopen();
        assertNull(store.get(key("a")));
        assertEquals("2", text(store.get(key("b"))));
    }

    @Test
    void offsets_unknownMeansFromTheStart_noneMeansKafkaDecides() {
        assertNull(store.committedOffset(CHANGELOG), "a new store has recorded nothing");
        store.commit(Map.of(CHANGELOG, -4L)); // Kafka's "unknown": its changelog had no record yet
        assertEquals(-1L, store.committedOffset(CHANGELOG), "replay from the first record: the data here is committed data");
        store.commit(Map.of(CHANGELOG, 12L));
        assertEquals(12L, store.committedOffset(CHANGELOG));
        java.util.Map<TopicPartition, Long> remove = new java.util.HashMap<>();
        remove.put(CHANGELOG, null);
        store.commit(remove);
        assertNull(store.committedOffset(CHANGELOG));
        store.commit(Map.of(CHANGELOG, 13L));
        store.commit(Map.of()); // a corrupted task's store: offsets cleared
        assertNull(store.committedOffset(CHANGELOG));
        assertTrue(store.managesOffsets());
        assertTrue(store.persistent());
        assertEquals("s", store.name());
    }

    @Test
    void aCheckpointWithoutOffsets_dropsWhatIsPending() {
        store.put(key("a"), value("1"));
        store.flushCache();
        store.put(key("b"), value("2")); // "a" goes down
        store.commit(Map.of());          // a corrupted task's store: Kafka Streams deletes it next
        assertEquals("1", text(store.get(key("a"))));
        assertNull(store.get(key("b")));
    }

    @Test
    void aClosedStoreAndItsIterators_refuseUse() {
        committed(1, "a", "1");
        KeyValueIterator<Bytes, byte[]> it = store.all();
        store.close();
        assertThrows(org.apache.kafka.streams.errors.InvalidStateStoreException.class, it::hasNext);
        assertThrows(org.apache.kafka.streams.errors.InvalidStateStoreException.class, () -> store.get(key("a")));
        store = new CommittedOnlyStore("s");
        store.init(context, store);
    }

    /**
     * The offsets family gets a few bytes per commit and never fills its memtable; without a cap on the
     * write-ahead log every log file of the run stayed on disk (RocksDB keeps a file until every family with
     * data in it has flushed). 64 MB written in 64 commits: the logs stay under twice the cap.
     */
    @Test
    void theWriteAheadLogStaysBounded_howeverMuchIsWritten() {
        java.util.Random random = new java.util.Random(5);
        byte[] value = new byte[1024];
        for (int commit = 0; commit < 64; commit++) {
            for (int i = 0; i < 1024; i++) {
                random.nextBytes(value);
                store.put(key("k" + (commit * 1024 + i)), value.clone());
            }
            store.flushCache();
            store.commit(Map.of(CHANGELOG, (long) commit));
        }
        store.put(key("last"), value("1")); // applies the last sealed batch
        // RocksDB flushes in the background and deletes a log file once the flush ends; on a busy machine the
        // last scheduled flush may still run, so wait for it (up to 30 s) rather than read the disk mid-flush.
        long walBytes = walBytes();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (walBytes >= 2 * CommittedOnlyStore.WRITE_BUFFER_BYTES && System.nanoTime() < deadline) {
            sleepQuietly(50);
            walBytes = walBytes();
        }
        assertTrue(walBytes < 2 * CommittedOnlyStore.WRITE_BUFFER_BYTES, walBytes + " bytes of write-ahead log");
        assertEquals(1024, store.get(key("k65535")).length);
    }

    /** Opens store "s" in the same directory with a {@code rocksdb.config.setter} (null: none). */
    private void reopenWith(Class<? extends RocksDBConfigSetter> setter) {
        store.close();
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        if (setter != null) p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, setter.getName());
        context = new MockProcessorContext<>(p, new TaskId(0, 0), dir.toFile()).getStateStoreContext();
        store = new CommittedOnlyStore("s");
        store.init(context, store);
    }

    private long filesBelowLevel0() {
        long files = 0;
        for (int level = 1; level < 7; level++) files += Long.parseLong(store.rocksProperty("rocksdb.num-files-at-level" + level));
        return files;
    }

    /** The newest OPTIONS file RocksDB wrote for the store: the settings it actually opened with. */
    private String optionsFile() throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir.resolve(CommittedOnlyStore.DIRECTORY).resolve("s"))) {
            Path newest = files.filter(f -> f.getFileName().toString().startsWith("OPTIONS-")).max(java.util.Comparator.naturalOrder())
                    .orElseThrow();
            return java.nio.file.Files.readString(newest);
        }
    }

    /** Records what it was given, and sets what Kafka Streams' own RocksDB store uses: universal compaction, no compression. */
    public static final class KafkaStreamsDefaults implements RocksDBConfigSetter {
        static final List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public void setConfig(String storeName, org.rocksdb.Options options, Map<String, Object> configs) {
            seen.add("set " + storeName + " " + options.compactionStyle() + " " + options.compressionType() + " " + options.writeBufferSize()
                    + " " + (options.tableFormatConfig() instanceof org.rocksdb.BlockBasedTableConfig));
            options.setCompactionStyle(org.rocksdb.CompactionStyle.UNIVERSAL);
            options.setCompressionType(org.rocksdb.CompressionType.NO_COMPRESSION);
            options.setWriteBufferSize(16L << 20);
            options.setMaxWriteBufferNumber(3);
        }

        @Override
        public void close(String storeName, org.rocksdb.Options options) {
            seen.add("close " + storeName);
        }
    }

    @Test
    void withoutASetter_theStoreOpensWithLevelledCompactionAndLz4() throws Exception {
        String options = optionsFile();
        assertTrue(options.contains("compaction_style=kCompactionStyleLevel"), "levelled compaction");
        assertTrue(options.contains("compression=kLZ4Compression"), "LZ4");
        assertTrue(options.contains("write_buffer_size=8388608"), "8 MB write buffers");
        assertTrue(options.contains("max_write_buffer_number=2"), "two of them");
    }

    @Test
    void aStoreThatGrowsWithTheCohort_opensWith32MbWriteBuffers_andKeepsAsMuchWriteAheadLog() throws Exception {
        store.close();
        store = (CommittedOnlyStore) CommittedOnlyStore.supplier("s", 0, true).get();
        store.init(context, store);
        String options = optionsFile();
        assertTrue(options.contains("write_buffer_size=33554432"), "32 MB write buffers");
        assertTrue(options.contains("max_write_buffer_number=2"), "two of them");
        assertTrue(options.contains("max_total_wal_size=33554432"), "write-ahead log capped at one buffer");
        store.close();
        store = (CommittedOnlyStore) CommittedOnlyStore.supplier("s", 0, false).get();
        store.init(context, store);
        options = optionsFile();
        assertTrue(options.contains("write_buffer_size=8388608"), "8 MB write buffers otherwise");
        assertTrue(options.contains("max_total_wal_size=8388608"), "and 8 MB of write-ahead log");
    }

    @Test
    void aRocksDbConfigSetter_seesTheDefaults_changesWhatTheStoreOpensWith_andIsClosedWithIt() throws Exception {
        KafkaStreamsDefaults.seen.clear();
        reopenWith(KafkaStreamsDefaults.class);
        assertEquals(List.of("set s LEVEL LZ4_COMPRESSION 8388608 true"), KafkaStreamsDefaults.seen);
        String options = optionsFile();
        assertTrue(options.contains("compaction_style=kCompactionStyleUniversal"), "the setter's compaction style");
        assertTrue(options.contains("compression=kNoCompression"), "the setter's compression");
        assertTrue(options.contains("write_buffer_size=16777216"), "the setter's write buffer");
        assertTrue(options.contains("max_write_buffer_number=3"), "the setter's number of them");
        committed(3, "a", "1");
        store.close();
        assertEquals(List.of("set s LEVEL LZ4_COMPRESSION 8388608 true", "close s"), KafkaStreamsDefaults.seen);
        reopenWith(null);
        assertEquals("1", text(store.get(key("a"))));
    }

    /**
     * A setter may change the compaction style of existing state: files levelled compaction moved below level 0
     * are read with universal compaction (each level one sorted run), and back with the defaults.
     */
    @Test
    void aStoreWrittenWithLevelledCompaction_opensWithUniversalCompactionAndBack_withAllItsData() {
        byte[] filler = new byte[4096];
        long offset = 0;
        // About 40 MB, flushed every 8 MB: at least five files, compacted out of level 0 at four. The flushes are
        // explicit because a full write buffer alone left three files once (the fillers compress to almost nothing).
        for (int batch = 0; batch < 40; batch++) {
            for (int i = 0; i < 256; i++) {
                filler[0] = (byte) i;
                store.put(key("k" + (batch * 256 + i)), filler.clone());
            }
            store.flushCache();
            store.commit(Map.of(CHANGELOG, offset++));
            if (batch % 8 == 7) store.flushMemtables();
        }
        long deadline = System.currentTimeMillis() + 30_000;
        while (filesBelowLevel0() == 0 && System.currentTimeMillis() < deadline) sleepQuietly(50);
        // RocksDB sizes levels dynamically (its default): level 0 compacts straight into the lowest level in use.
        assertTrue(filesBelowLevel0() > 0, "levelled compaction moved files below level 0: " + store.rocksProperty("rocksdb.levelstats"));
        reopenWith(KafkaStreamsDefaults.class);
        assertAllFillers();
        byte[] rewritten = new byte[4096];
        rewritten[0] = 99;
        store.put(key("k0"), rewritten);
        store.flushCache();
        store.commit(Map.of(CHANGELOG, offset));
        reopenWith(null);
        assertEquals(99, store.get(key("k0"))[0], "written under universal compaction");
        assertEquals(1, store.get(key("k1"))[0], "written under levelled compaction");
        assertEquals(40L, store.committedOffset(CHANGELOG));
    }

    private void assertAllFillers() {
        for (int n = 0; n < 40 * 256; n++) {
            byte[] v = store.get(key("k" + n));
            assertEquals(4096, v.length, "k" + n);
            assertEquals((byte) (n % 256), v[0], "k" + n);
        }
        assertEquals(39L, store.committedOffset(CHANGELOG));
    }

    /** Sizes of the log files under the state directory; a file RocksDB deletes meanwhile counts as 0 bytes. */
    private long walBytes() {
        return logBytes(dir.toFile());
    }

    private static long logBytes(java.io.File directory) {
        java.io.File[] entries = directory.listFiles();
        if (entries == null) return 0;
        long sum = 0;
        for (java.io.File entry : entries) {
            if (entry.isDirectory()) sum += logBytes(entry);
            else if (entry.getName().endsWith(".log")) sum += entry.length();
        }
        return sum;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for RocksDB's background flush", e);
        }
    }
}
