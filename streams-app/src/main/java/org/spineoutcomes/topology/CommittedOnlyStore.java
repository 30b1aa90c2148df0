package org.spineoutcomes.topology;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.internals.InternalProcessorContext;
import org.apache.kafka.streams.processor.internals.RecordCollector;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.apache.kafka.streams.state.internals.StoreQueryUtils;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A persistent key-value store (RocksDB) that holds only what committed transactions wrote, so that
 * under exactly-once its local state is trusted after a crash and need not be wiped.
 *
 * <p>Why: Kafka Streams 4.3's own RocksDB store takes writes as records are processed, before the
 * transaction that carries the same changes to the changelog commits. After a crash it may hold
 * writes of a transaction that was then aborted, so under exactly-once Kafka Streams wipes the
 * task's state and restores it all from the changelogs ("task corrupted"; KIP-892 is to change this
 * in Kafka itself). A 20,000-patient app restores about a million changelog records after each crash.
 *
 * <p>How: this store sits below the change-logging layer (a write still goes to the changelog in the
 * transaction at once) and keeps writes in memory until their transaction has committed:
 * <ul>
 *   <li>writes go to {@code current};</li>
 *   <li>at the start of every commit Kafka Streams flushes the task's stores ({@link #flushCache()}),
 *       then commits the transaction. {@code current} then holds exactly what that transaction
 *       carries and is set aside as {@code sealed}, with the offset of the last changelog record
 *       acknowledged so far (all earlier records of this store belong to it or to earlier ones);</li>
 *   <li>the next write after that shows the commit succeeded (processing goes on only after a
 *       commit; a failed one closes the task, and under exactly-once Kafka Streams deletes its
 *       state): {@code sealed} goes to RocksDB, with its changelog offset, in one atomic write to
 *       RocksDB's write-ahead log, so a crash (also SIGKILL) keeps both or neither;</li>
 *   <li>Kafka Streams' checkpoints ({@link #commit(Map)}: right after a commit it waited for, at a clean
 *       close, after restoring) write {@code sealed} and the offsets they are given;</li>
 *   <li>reads see {@code current} over {@code sealed} over RocksDB, so processing reads its own writes.</li>
 * </ul>
 * After a crash the store reports the offset it recorded; Kafka Streams restores only the changelog
 * records after it (committed ones, read_committed; a record replayed over data that already has it
 * changes nothing), and the task does not count as corrupted. Restored records are written as they
 * come (they are committed data).
 *
 * <p>This relies on how Kafka Streams 4.3 commits (read in its sources; the crash test exercises it):
 * a thread flushes its tasks' stores, commits its transaction, and only then processes again, with
 * no record or punctuation in between; no store of this topology forwards records when flushed (none
 * has Kafka's record cache), so no write reaches a store between its flush and the commit; and a
 * commit that fails closes the tasks dirty, which under exactly-once deletes their state directories.
 *
 * <p>The database lives in the task directory under {@value #DIRECTORY}/, not under Kafka's
 * rocksdb/, so state written by Kafka's own store (an older release of this app) is never taken for
 * committed-only data: such a task has no offset here, and Kafka Streams restores it from scratch once.
 * Interactive queries read the same merged view.
 */
final class CommittedOnlyStore implements KeyValueStore<Bytes, byte[]>, CachedStateStore<Bytes, byte[]> {

    /** Directory of these stores inside a task's state directory. */
    static final String DIRECTORY = "committed-only";
    /** A delete among the pending writes (the maps take no null values); compared by identity. */
    private static final byte[] DELETED = new byte[0];
    /** The offset reported when Kafka recorded "unknown" (an empty changelog): replay from its first record. */
    private static final long FROM_THE_START = -1L;
    private static final byte[] OFFSETS_FAMILY = "offsets".getBytes(StandardCharsets.UTF_8);
    /** One block cache for every store of this kind in the process, so memory does not grow with the number of tasks. */
    private static final long SHARED_CACHE_BYTES = 64L << 20;
    private static LRUCache sharedCache;

    private final String name;
    /**
     * Length of the key prefix RocksDB also indexes in its Bloom filters (0: none), for a store read by prefix scans of
     * at least that length: a scan then skips every sorted run whose filter says it holds no key with that prefix.
     */
    private final int scanPrefixLength;
    private final Position position = Position.emptyPosition();
    /** Writes since the last flush: the transaction in progress. */
    private volatile ConcurrentSkipListMap<Bytes, byte[]> current = new ConcurrentSkipListMap<>();
    /** Writes of the transaction being committed; go to RocksDB with the next write or checkpoint. */
    private volatile ConcurrentSkipListMap<Bytes, byte[]> sealed = new ConcurrentSkipListMap<>();
    /** The changelog offset acknowledged when {@link #sealed} was set aside (null: none yet in this run). */
    private Long sealedOffset;
    private StateStoreContext context;
    private TopicPartition changelog;

    private RocksDB db;
    private ColumnFamilyHandle dataFamily;
    private ColumnFamilyHandle offsetsFamily;
    /**
     * Levelled compaction with LZ4, two 8 MB write buffers (32 MB for a store that grows with the cohort). Kafka
     * Streams' own store uses universal compaction without compression and three 16 MB buffers; measured here in
     * session 18 (recorded-order backfill) those spent less on compaction but more on reads (prefix scans of a
     * patient's events over more sorted runs, uncompressed blocks), and a million patients took 26 % longer with 2.8
     * times the state on disk. A {@code rocksdb.config.setter} may choose them.
     */
    static final CompactionStyle COMPACTION = CompactionStyle.LEVEL;
    static final CompressionType COMPRESSION = CompressionType.LZ4_COMPRESSION;
    static final long WRITE_BUFFER_BYTES = 8L << 20;
    /**
     * The write buffer of a store that keeps an entry per patient or per event, so grows with the cohort. Its keys are
     * pseudonyms spread over the whole key space, so every compaction out of level 0 rewrites the whole level it lands
     * in: flushing four times as much at a time rewrites that level a quarter as often. Measured in session 23
     * (a million patients in recorded order): see docs/benchmark-history.md.
     */
    static final long LARGE_WRITE_BUFFER_BYTES = 32L << 20;
    static final int WRITE_BUFFERS = 2;
    /** This store's write buffer; also the most write-ahead log it keeps (the data family flushes about when it would anyway). */
    private final long writeBufferBytes;
    private DBOptions dbOptions;
    private ColumnFamilyOptions familyOptions;
    /** The application's {@code rocksdb.config.setter}, if any, and the options it was given (closed with the store). */
    private RocksDBConfigSetter configSetter;
    private Options setterOptions;
    private BloomFilter filter;
    private WriteOptions writeOptions;
    private final Set<RocksRange> openIterators = Collections.synchronizedSet(new HashSet<>());
    private volatile boolean open;

    CommittedOnlyStore(String name) {
        this(name, 0);
    }

    CommittedOnlyStore(String name, int scanPrefixLength) {
        this(name, scanPrefixLength, WRITE_BUFFER_BYTES);
    }

    CommittedOnlyStore(String name, int scanPrefixLength, long writeBufferBytes) {
        if (scanPrefixLength < 0) throw new IllegalArgumentException("scan prefix length must be >= 0: " + scanPrefixLength);
        if (writeBufferBytes < 1L << 20) throw new IllegalArgumentException("write buffer must be at least 1 MB: " + writeBufferBytes);
        this.name = name;
        this.scanPrefixLength = scanPrefixLength;
        this.writeBufferBytes = writeBufferBytes;
    }

    /**
     * The supplier of persistent stores of this kind, to hand to {@code Stores.keyValueStoreBuilder}. With
     * {@code scanPrefixLength} > 0, prefix scans of at least that many bytes are found through a prefix Bloom filter
     * (their first {@code scanPrefixLength} bytes); 0 for a store not read that way. {@code growsWithCohort}: the store
     * keeps an entry per patient or per event, and gets {@link #LARGE_WRITE_BUFFER_BYTES} of write buffer.
     */
    static KeyValueBytesStoreSupplier supplier(String name, int scanPrefixLength, boolean growsWithCohort) {
        long writeBuffer = growsWithCohort ? LARGE_WRITE_BUFFER_BYTES : WRITE_BUFFER_BYTES;
        return new KeyValueBytesStoreSupplier() {
            @Override public String name() { return name; }
            @Override public KeyValueStore<Bytes, byte[]> get() { return new CommittedOnlyStore(name, scanPrefixLength, writeBuffer); }
            @Override public String metricsScope() { return "rocksdb"; }
        };
    }

    private static synchronized LRUCache sharedCache() {
        if (sharedCache == null) {
            RocksDB.loadLibrary();
            sharedCache = new LRUCache(SHARED_CACHE_BYTES);
        }
        return sharedCache;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized void init(StateStoreContext stateStoreContext, StateStore root) {
        this.context = stateStoreContext;
        current = new ConcurrentSkipListMap<>();
        sealed = new ConcurrentSkipListMap<>();
        sealedOffset = null;
        changelog = null;
        if (stateStoreContext instanceof InternalProcessorContext<?, ?> internal) {
            String topic = internal.changelogFor(name);
            if (topic != null) changelog = new TopicPartition(topic, stateStoreContext.taskId().partition());
        }
        openDb(new File(new File(stateStoreContext.stateDir(), DIRECTORY), name));
        open = true;
        stateStoreContext.register(root, (BatchingStateRestoreCallback) this::restoreAll);
    }

    private void openDb(File dir) {
        try {
            Files.createDirectories(dir.toPath());
        } catch (IOException e) {
            throw new ProcessorStateException("cannot create the directory of store " + name + ": " + dir, e);
        }
        configSetter = configSetter();
        BlockBasedTableConfig table = new BlockBasedTableConfig();
        table.setBlockCache(sharedCache());
        filter = new BloomFilter(10);
        table.setFilterPolicy(filter);
        ColumnFamilyOptions family = new ColumnFamilyOptions()
                .setTableFormatConfig(table)
                .setCompressionType(COMPRESSION)
                .setCompactionStyle(COMPACTION)
                .setWriteBufferSize(writeBufferBytes)
                .setMaxWriteBufferNumber(WRITE_BUFFERS);
        // Files written before (or without) this setting have no prefix entries; RocksDB then reads them as before.
        if (scanPrefixLength > 0) family.useFixedLengthPrefixExtractor(scanPrefixLength);
        DBOptions database = new DBOptions()
                .setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true)
                .setInfoLogLevel(InfoLogLevel.ERROR_LEVEL)
                .setKeepLogFileNum(2)
                // Both column families share the write-ahead log, and a log file is kept until every family with
                // data in it has flushed its memtable. The offsets family gets a few bytes per batch and would
                // never fill its memtable, so every log file of the run was kept (a 20,000-patient benchmark
                // left 295 MB of state; 184 MB with a 16 MB cap): past this size RocksDB flushes the families holding the oldest file.
                .setMaxTotalWalSize(writeBufferBytes);
        try {
            applyConfigSetter(database, family, table);
        } catch (RuntimeException e) {
            closeNative(); // a failing setter leaves no native options behind
            throw e;
        }
        // The write-ahead log stays on (the default): it is what makes an applied batch survive a crash.
        // Not synced: a killed process loses nothing the operating system has; a lost machine may lose the
        // last batches, and RocksDB then recovers a consistent earlier point (offsets are in each batch).
        writeOptions = new WriteOptions();
        List<ColumnFamilyDescriptor> families = List.of(
                new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions),
                new ColumnFamilyDescriptor(OFFSETS_FAMILY, familyOptions));
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try {
            db = RocksDB.open(dbOptions, dir.getAbsolutePath(), families, handles);
        } catch (RocksDBException e) {
            closeNative();
            throw new ProcessorStateException("cannot open store " + name + " in " + dir, e);
        }
        dataFamily = handles.get(0);
        offsetsFamily = handles.get(1);
    }

    /** The application's {@code rocksdb.config.setter} (StreamsConfig), or null; loaded before any native options exist. */
    private RocksDBConfigSetter configSetter() {
        Object setting = context == null ? null : context.appConfigs().get(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG);
        if (setting == null) return null;
        try {
            return setting instanceof Class<?> type ? (RocksDBConfigSetter) Utils.newInstance(type)
                    : Utils.newInstance(setting.toString(), RocksDBConfigSetter.class);
        } catch (ClassNotFoundException | ClassCastException e) {
            throw new org.apache.kafka.common.config.ConfigException(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, setting,
                    "not a RocksDBConfigSetter class on the class path");
        }
    }

    /**
     * Honoured as by Kafka's own RocksDB store: the setter sees one {@link Options} holding this store's defaults and may
     * change any of them; both column families then open with the result. Without a setter the defaults apply as they are.
     */
    private void applyConfigSetter(DBOptions database, ColumnFamilyOptions family, BlockBasedTableConfig table) {
        if (configSetter == null) {
            dbOptions = database;
            familyOptions = family;
            return;
        }
        setterOptions = new Options(database, family);
        // The copy holds the table settings natively but not as a Java object; setters read it to change it.
        setterOptions.setTableFormatConfig(table);
        database.close();
        family.close();
        configSetter.setConfig(name, setterOptions, context.appConfigs());
        dbOptions = new DBOptions(setterOptions);
        familyOptions = new ColumnFamilyOptions(setterOptions);
    }

    /** Writes RocksDB's memtables to a new file and waits for it, for tests: later reads then come from files too. */
    synchronized void flushMemtables() {
        checkOpen();
        try (org.rocksdb.FlushOptions wait = new org.rocksdb.FlushOptions().setWaitForFlush(true)) {
            db.flush(wait, dataFamily);
        } catch (RocksDBException e) {
            throw new ProcessorStateException("flushing store " + name, e);
        }
    }

    /** A RocksDB property of the data family (e.g. {@code rocksdb.num-files-at-level1}), for tests and diagnostics. */
    synchronized String rocksProperty(String property) {
        checkOpen();
        try {
            return db.getProperty(dataFamily, property);
        } catch (RocksDBException e) {
            throw new ProcessorStateException("reading property " + property + " of store " + name, e);
        }
    }

    // --- reads: current over sealed over RocksDB ------------------------------------------------

    @Override
    public synchronized byte[] get(Bytes key) {
        byte[] v = current.get(key);
        if (v == null) v = sealed.get(key);
        if (v != null) return v == DELETED ? null : v;
        checkOpen();
        try {
            return db.get(dataFamily, key.get());
        } catch (RocksDBException e) {
            throw new ProcessorStateException("reading store " + name, e);
        }
    }

    @Override
    public synchronized KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        if (from != null && to != null && from.compareTo(to) > 0) return MergedIterator.empty();
        return new MergedIterator(pending(from, to, false), rocks(from, to, null, false), false);
    }

    @Override
    public synchronized KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        if (from != null && to != null && from.compareTo(to) > 0) return MergedIterator.empty();
        return new MergedIterator(pending(from, to, true), rocks(from, to, null, true), true);
    }

    @Override
    public synchronized KeyValueIterator<Bytes, byte[]> all() {
        return new MergedIterator(pending(null, null, false), rocks(null, null, null, false), false);
    }

    @Override
    public synchronized KeyValueIterator<Bytes, byte[]> reverseAll() {
        return new MergedIterator(pending(null, null, true), rocks(null, null, null, true), true);
    }

    @Override
    public synchronized <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        Bytes start = Bytes.wrap(prefixKeySerializer.serialize(null, prefix));
        NavigableMap<Bytes, byte[]> matching = new TreeMap<>();
        for (NavigableMap<Bytes, byte[]> part : List.of(sealed, current)) {
            for (Map.Entry<Bytes, byte[]> e : part.tailMap(start, true).entrySet()) {
                if (!startsWith(e.getKey(), start)) break;
                matching.put(e.getKey(), e.getValue());
            }
        }
        return new MergedIterator(matching, rocks(start, null, start, false), false);
    }

    static boolean startsWith(Bytes key, Bytes prefix) {
        byte[] k = key.get();
        byte[] p = prefix.get();
        if (k.length < p.length) return false;
        for (int i = 0; i < p.length; i++) {
            if (k[i] != p[i]) return false;
        }
        return true;
    }

    /** A snapshot of the pending writes in [from, to] (null: open), the newest winning, in iteration order. */
    private NavigableMap<Bytes, byte[]> pending(Bytes from, Bytes to, boolean reverse) {
        TreeMap<Bytes, byte[]> snapshot = new TreeMap<>();
        for (NavigableMap<Bytes, byte[]> part : List.of(sealed, current)) {
            NavigableMap<Bytes, byte[]> slice = part;
            if (from != null) slice = slice.tailMap(from, true);
            if (to != null) slice = slice.headMap(to, true);
            snapshot.putAll(slice);
        }
        return reverse ? snapshot.descendingMap() : snapshot;
    }

    private RocksRange rocks(Bytes from, Bytes to, Bytes prefix, boolean reverse) {
        checkOpen();
        ReadOptions options = new ReadOptions();
        // A forward scan of one prefix stops at the first key past it (upper bound) and, when the prefix is at least as long
        // as the filtered one, asks each sorted run's prefix filter first. Every other iterator reads in total key order
        // (with a prefix extractor RocksDB would otherwise only promise keys of the seek key's prefix).
        boolean forwardPrefixScan = prefix != null && !reverse;
        byte[] after = forwardPrefixScan ? prefixSuccessor(prefix.get()) : null;
        Slice bound = after == null ? null : new Slice(after);
        if (bound != null) options.setIterateUpperBound(bound);
        if (forwardPrefixScan && scanPrefixLength > 0 && configSetter == null && prefix.get().length >= scanPrefixLength) {
            options.setPrefixSameAsStart(true);
        } else {
            options.setTotalOrderSeek(true);
        }
        RocksRange range = new RocksRange(db.newIterator(dataFamily, options), options, bound, from, to, prefix, reverse);
        openIterators.add(range);
        return range;
    }

    /** The smallest key greater than every key starting with {@code prefix}, or null when there is none (all 0xFF). */
    static byte[] prefixSuccessor(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] next = Arrays.copyOf(prefix, i + 1);
                next[i]++;
                return next;
            }
        }
        return null;
    }

    @Override
    public synchronized long approximateNumEntries() {
        checkOpen();
        long below;
        try {
            below = db.getLongProperty(dataFamily, "rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            throw new ProcessorStateException("reading store " + name, e);
        }
        long n = below + current.size() + sealed.size();
        return n < 0 ? Long.MAX_VALUE : n;
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return StoreQueryUtils.handleBasicQueries(query, positionBound, config, this, position, context);
    }

    @Override
    public Position getPosition() {
        return position;
    }

    // --- writes: kept until their transaction has committed -------------------------------------

    @Override
    public synchronized void put(Bytes key, byte[] value) {
        Objects.requireNonNull(key, "key cannot be null");
        checkOpen();
        if (!sealed.isEmpty()) {
            // Processing goes on, so the commit that carried the sealed writes succeeded.
            applySealed(null);
        }
        current.put(key, value == null ? DELETED : value);
        StoreQueryUtils.updatePosition(position, context);
    }

    @Override
    public synchronized byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] old = get(key);
        if (old == null) put(key, value);
        return old;
    }

    @Override
    public synchronized void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        for (KeyValue<Bytes, byte[]> e : entries) put(e.key, e.value);
    }

    @Override
    public synchronized byte[] delete(Bytes key) {
        byte[] old = get(key);
        put(key, null);
        return old;
    }

    /**
     * The start of a commit: the writes since the last one are what this transaction carries; they
     * are set aside until a later write or checkpoint shows it committed. Without new writes, what is
     * set aside stays as it is.
     */
    @Override
    public synchronized void flushCache() {
        if (current.isEmpty()) return;
        sealed = current; // empty before: a write applies what was sealed
        current = new ConcurrentSkipListMap<>();
        sealedOffset = acknowledgedChangelogOffset();
    }

    /** A dirty close: whatever is pending belongs to no committed transaction. */
    @Override
    public synchronized void clearCache() {
        dropPending();
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Bytes, byte[]> listener, boolean sendOldValues) {
        return false;
    }

    /**
     * Kafka Streams' checkpoint: right after a commit it waited for (also at a clean close), or after
     * restoring. With offsets, the sealed writes have committed: they go to RocksDB with the offsets
     * (writes after the last flush, if any, belong to the next transaction and stay pending). Without
     * offsets (the store of a task found corrupted, which Kafka Streams deletes next), the pending
     * writes are dropped and the recorded offsets removed. A null offset removes that partition's.
     */
    @Override
    public synchronized void commit(Map<TopicPartition, Long> changelogOffsets) {
        checkOpen();
        if (changelogOffsets.isEmpty()) {
            dropPending();
            try (ReadOptions all = new ReadOptions().setTotalOrderSeek(true); RocksIterator it = db.newIterator(offsetsFamily, all);
                 WriteBatch batch = new WriteBatch()) {
                for (it.seekToFirst(); it.isValid(); it.next()) batch.delete(offsetsFamily, it.key());
                db.write(writeOptions, batch);
            } catch (RocksDBException e) {
                throw new ProcessorStateException("clearing the offsets of store " + name, e);
            }
            return;
        }
        applySealed(changelogOffsets);
    }

    /** Writes {@link #sealed} and its changelog offset (or the given offsets) to RocksDB in one atomic batch. */
    private void applySealed(Map<TopicPartition, Long> offsets) {
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<Bytes, byte[]> e : sealed.entrySet()) {
                if (e.getValue() == DELETED) batch.delete(dataFamily, e.getKey().get());
                else batch.put(dataFamily, e.getKey().get(), e.getValue());
            }
            if (offsets != null) {
                for (Map.Entry<TopicPartition, Long> o : offsets.entrySet()) {
                    if (o.getValue() == null) batch.delete(offsetsFamily, offsetKey(o.getKey()));
                    else batch.put(offsetsFamily, offsetKey(o.getKey()), longBytes(o.getValue()));
                }
            } else if (sealedOffset != null && changelog != null) {
                batch.put(offsetsFamily, offsetKey(changelog), longBytes(sealedOffset));
            }
            if (batch.count() > 0) db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new ProcessorStateException("writing store " + name, e);
        }
        sealed = new ConcurrentSkipListMap<>();
        sealedOffset = null;
    }

    /** Restored changelog records: committed data, written as they come. */
    synchronized void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
        checkOpen();
        try (WriteBatch batch = new WriteBatch()) {
            for (KeyValue<byte[], byte[]> r : records) {
                if (r.value == null) batch.delete(dataFamily, r.key);
                else batch.put(dataFamily, r.key, r.value);
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new ProcessorStateException("restoring store " + name, e);
        }
    }

    /** The offset of the last changelog record of this store acknowledged to this task's producer, if any. */
    private Long acknowledgedChangelogOffset() {
        if (changelog == null || !(context instanceof RecordCollector.Supplier supplier)) return null;
        RecordCollector collector = supplier.recordCollector();
        return collector == null ? null : collector.offsets().get(changelog);
    }

    /**
     * The recorded changelog offset. Kafka's "unknown" (-4: its changelog had no record when it was
     * checkpointed) becomes "from the first record": the data here is committed data in any case, so
     * a full replay over it is correct. Null (nothing recorded: a new store, or one that never reached
     * its first checkpoint) lets Kafka Streams decide, which under exactly-once restores a non-empty
     * task from scratch.
     */
    @Override
    public synchronized Long committedOffset(TopicPartition partition) {
        checkOpen();
        try {
            byte[] v = db.get(offsetsFamily, offsetKey(partition));
            if (v == null) return null;
            long offset = ByteBuffer.wrap(v).getLong();
            return offset < FROM_THE_START ? FROM_THE_START : offset;
        } catch (RocksDBException e) {
            throw new ProcessorStateException("reading the offsets of store " + name, e);
        }
    }

    private static byte[] offsetKey(TopicPartition partition) {
        return partition.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] longBytes(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    @Override
    public boolean managesOffsets() {
        return true;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    private void checkOpen() {
        if (!open) throw new InvalidStateStoreException("store " + name + " is not open");
    }

    private void dropPending() {
        current = new ConcurrentSkipListMap<>();
        sealed = new ConcurrentSkipListMap<>();
        sealedOffset = null;
    }

    /** Without a checkpoint before, what is pending is dropped: it belongs to no committed transaction. */
    @Override
    public synchronized void close() {
        if (!open) return;
        open = false;
        dropPending();
        List<RocksRange> iterators;
        synchronized (openIterators) {
            iterators = new ArrayList<>(openIterators);
        }
        iterators.forEach(RocksRange::close);
        closeNative();
    }

    private void closeNative() {
        if (dataFamily != null) dataFamily.close();
        if (offsetsFamily != null) offsetsFamily.close();
        if (db != null) db.close();
        if (writeOptions != null) writeOptions.close();
        if (dbOptions != null) dbOptions.close();
        if (familyOptions != null) familyOptions.close();
        if (configSetter != null) configSetter.close(name, setterOptions);
        if (setterOptions != null) setterOptions.close();
        if (filter != null) filter.close();
        dataFamily = null;
        offsetsFamily = null;
        db = null;
        writeOptions = null;
        dbOptions = null;
        familyOptions = null;
        configSetter = null;
        setterOptions = null;
        filter = null;
    }

    /** RocksDB entries in [from, to] (null: open) and, when given, with a prefix; forwards or backwards. */
    private final class RocksRange implements KeyValueIterator<Bytes, byte[]> {
        private final RocksIterator it;
        private final ReadOptions options;
        private final Slice bound;
        private final Bytes from;
        private final Bytes to;
        private final Bytes prefix;
        private final boolean reverse;
        private boolean closed;

        RocksRange(RocksIterator it, ReadOptions options, Slice bound, Bytes from, Bytes to, Bytes prefix, boolean reverse) {
            this.it = it;
            this.options = options;
            this.bound = bound;
            this.from = from;
            this.to = to;
            this.prefix = prefix;
            this.reverse = reverse;
            if (reverse) {
                if (to == null) it.seekToLast();
                else it.seekForPrev(to.get());
            } else {
                if (from == null) it.seekToFirst();
                else it.seek(from.get());
            }
        }

        @Override
        public synchronized boolean hasNext() {
            if (closed) throw new InvalidStateStoreException("iterator of store " + name + " is closed");
            if (!it.isValid()) return false;
            Bytes key = Bytes.wrap(it.key());
            if (prefix != null && !startsWith(key, prefix)) return false;
            return reverse ? from == null || key.compareTo(from) >= 0 : to == null || key.compareTo(to) <= 0;
        }

        @Override
        public synchronized KeyValue<Bytes, byte[]> next() {
            if (!hasNext()) throw new NoSuchElementException();
            KeyValue<Bytes, byte[]> kv = KeyValue.pair(Bytes.wrap(it.key()), it.value());
            if (reverse) it.prev();
            else it.next();
            return kv;
        }

        @Override
        public synchronized Bytes peekNextKey() {
            if (!hasNext()) throw new NoSuchElementException();
            return Bytes.wrap(it.key());
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            it.close();
            options.close();
            if (bound != null) bound.close();
            openIterators.remove(this);
        }
    }

    /** Pending writes (a snapshot, in iteration order) over RocksDB's entries; pending deletes hide what is below. */
    private static final class MergedIterator implements KeyValueIterator<Bytes, byte[]> {
        private final Iterator<Map.Entry<Bytes, byte[]>> pending;
        private final KeyValueIterator<Bytes, byte[]> below;
        private final boolean reverse;
        private Map.Entry<Bytes, byte[]> nextPending;
        private KeyValue<Bytes, byte[]> next;

        MergedIterator(NavigableMap<Bytes, byte[]> pending, KeyValueIterator<Bytes, byte[]> below, boolean reverse) {
            this.pending = pending.entrySet().iterator();
            this.below = below;
            this.reverse = reverse;
            this.nextPending = this.pending.hasNext() ? this.pending.next() : null;
        }

        /** An empty range (from after to), as Kafka's stores answer it. */
        static KeyValueIterator<Bytes, byte[]> empty() {
            return new MergedIterator(new TreeMap<>(), null, false);
        }

        private int compare(Bytes a, Bytes b) {
            return reverse ? b.compareTo(a) : a.compareTo(b);
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                Bytes belowKey = below != null && below.hasNext() ? below.peekNextKey() : null;
                if (nextPending == null && belowKey == null) return false;
                int order = nextPending == null ? 1 : belowKey == null ? -1 : compare(nextPending.getKey(), belowKey);
                if (order <= 0) {
                    if (order == 0) below.next(); // the pending write replaces what is below
                    Map.Entry<Bytes, byte[]> p = nextPending;
                    nextPending = pending.hasNext() ? pending.next() : null;
                    if (p.getValue() != DELETED) next = KeyValue.pair(p.getKey(), p.getValue());
                } else {
                    next = below.next();
                }
            }
            return true;
        }

        @Override
        public KeyValue<Bytes, byte[]> next() {
            if (!hasNext()) throw new NoSuchElementException();
            KeyValue<Bytes, byte[]> result = next;
            next = null;
            return result;
        }

        @Override
        public Bytes peekNextKey() {
            if (!hasNext()) throw new NoSuchElementException();
            return next.key;
        }

        @Override
        public void close() {
            if (below != null) below.close();
        }
    }
}
