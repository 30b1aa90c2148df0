package org.spineoutcomes.demo;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a phase's CPU went, by group of Java threads (the JVM's per-thread CPU clocks): the stream threads
 * of each stage, the app's producer network threads, the broker, and the rest of the Java threads; what
 * the process used beyond all Java threads is native work (garbage collection, the JIT compiler, RocksDB's
 * background flushes and compactions), read per thread from Linux where it can be. A thread that ended within
 * the phase is not counted; one that started within it counts whole.
 */
final class ThreadCpu {

    /** Groups, in report order; {@link #groupOf} names a thread's. */
    static final String PATIENT_STAGE = "patient-stage stream threads";
    static final String CELL_STAGE = "cell-stage stream threads";
    static final String APP_PRODUCERS = "app producers' network threads";
    static final String BROKER = "broker threads";
    static final String OTHER_JAVA = "other Java threads (bench, clients)";
    static final String GC = "JVM garbage collector threads";
    static final String JIT = "JVM compiler threads (JIT)";
    static final String ROCKSDB = "RocksDB background threads (flush, compaction)";
    static final String NATIVE = "other CPU of the process";
    /** Every group in report order, with its key in the bench's JSON (CPU per event in us). */
    static final Map<String, String> JSON_KEYS = jsonKeys();
    /** Linux reports thread CPU in clock ticks of 10 ms (USER_HZ is 100 on every common architecture). */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final Map<Long, Long> cpuByThread;
    private final Map<Long, String> nameByThread;
    private final long processNanos;
    /** Threads the JVM does not list (GC, JIT, RocksDB's own): per Linux thread id, its name and CPU ns. */
    private final Map<String, Long> systemCpu;
    private final Map<String, String> systemNames;

    private ThreadCpu(Map<Long, Long> cpuByThread, Map<Long, String> nameByThread, long processNanos,
                      Map<String, Long> systemCpu, Map<String, String> systemNames) {
        this.cpuByThread = cpuByThread;
        this.nameByThread = nameByThread;
        this.processNanos = processNanos;
        this.systemCpu = systemCpu;
        this.systemNames = systemNames;
    }

    private static Map<String, String> jsonKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put(PATIENT_STAGE, "patientStageCpuMicrosPerEvent");
        keys.put(CELL_STAGE, "cellStageCpuMicrosPerEvent");
        keys.put(APP_PRODUCERS, "appProducersCpuMicrosPerEvent");
        keys.put(BROKER, "brokerCpuMicrosPerEvent");
        keys.put(OTHER_JAVA, "otherJavaCpuMicrosPerEvent");
        keys.put(GC, "gcCpuMicrosPerEvent");
        keys.put(JIT, "jitCpuMicrosPerEvent");
        keys.put(ROCKSDB, "rocksDbCpuMicrosPerEvent");
        keys.put(NATIVE, "nativeCpuMicrosPerEvent");
        return java.util.Collections.unmodifiableMap(keys);
    }

    static ThreadCpu sample() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo info : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (info == null) continue;
            long t = mx.getThreadCpuTime(info.getThreadId());
            if (t < 0) continue;
            cpu.put(info.getThreadId(), t);
            names.put(info.getThreadId(), info.getThreadName());
        }
        Map<String, Long> systemCpu = new HashMap<>();
        Map<String, String> systemNames = new HashMap<>();
        readSystemThreads(systemCpu, systemNames);
        return new ThreadCpu(cpu, names, StreamBenchmark.processCpuNanos(), systemCpu, systemNames);
    }

    /** The process's threads as Linux sees them (/proc/self/task): GC, JIT and RocksDB threads only; nothing elsewhere. */
    private static void readSystemThreads(Map<String, Long> cpu, Map<String, String> names) {
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) return;
        for (java.io.File task : tasks) {
            try {
                String name = java.nio.file.Files.readString(task.toPath().resolve("comm")).strip();
                if (systemGroupOf(name) == null) continue;
                String stat = java.nio.file.Files.readString(task.toPath().resolve("stat"));
                // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                cpu.put(task.getName(), (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK);
                names.put(task.getName(), name);
            } catch (java.io.IOException | RuntimeException e) {
                // a thread that ended while being read: not counted
            }
        }
    }

    /** GC, JIT or RocksDB for the names HotSpot and RocksDB give their threads; null for any other thread. */
    static String systemGroupOf(String name) {
        if (name.startsWith("rocksdb")) return ROCKSDB;
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) return GC;
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) return JIT;
        return null;
    }

    /** The stage or part of the local stack a thread works for, from the names Kafka gives its threads. */
    static String groupOf(String name) {
        boolean app = name.contains("bench-spine");
        if (app && name.contains("-StreamThread-") && !name.contains("producer")) return name.contains("-cells-") ? CELL_STAGE : PATIENT_STAGE;
        if (app && name.startsWith("kafka-producer-network-thread")) return APP_PRODUCERS;
        if (name.startsWith("data-plane-") || name.startsWith("kafka-") && !name.startsWith("kafka-producer") && !name.startsWith("kafka-admin")
                || name.startsWith("TxnMarkerSender") || name.startsWith("AddPartitionsToTxn") || name.startsWith("group-coordinator")
                || name.startsWith("quorum-controller") || name.startsWith("controller-") || name.startsWith("broker-")
                || name.startsWith("log-") || name.startsWith("ExpirationReaper") || name.startsWith("executor-")) {
            return BROKER;
        }
        return OTHER_JAVA;
    }

    /** The process's CPU clock when this sample was taken (ns). */
    long processNanos() {
        return processNanos;
    }

    /** CPU ns so far of the Java threads that {@code which} accepts (by thread id and name), those alive now. */
    long javaThreadsNanos(java.util.function.BiPredicate<Long, String> which) {
        long sum = 0;
        for (Map.Entry<Long, Long> e : cpuByThread.entrySet()) {
            if (which.test(e.getKey(), nameByThread.get(e.getKey()))) sum += e.getValue();
        }
        return sum;
    }

    /** CPU ns so far of the threads Linux lists in a native group ({@link #GC}, {@link #JIT}, {@link #ROCKSDB}). */
    long systemGroupNanos(String group) {
        long sum = 0;
        for (Map.Entry<String, Long> e : systemCpu.entrySet()) {
            if (group.equals(systemGroupOf(systemNames.get(e.getKey())))) sum += e.getValue();
        }
        return sum;
    }

    /** CPU ns per group between {@code start} and this sample, in report order ({@link #JSON_KEYS}), the remainder last. */
    Map<String, Long> since(ThreadCpu start) {
        Map<String, Long> groups = new LinkedHashMap<>();
        for (String g : JSON_KEYS.keySet()) groups.put(g, 0L);
        long counted = 0;
        for (Map.Entry<Long, Long> e : cpuByThread.entrySet()) {
            long used = e.getValue() - start.cpuByThread.getOrDefault(e.getKey(), 0L);
            if (used <= 0) continue;
            groups.merge(groupOf(nameByThread.get(e.getKey())), used, Long::sum);
            counted += used;
        }
        for (Map.Entry<String, Long> e : systemCpu.entrySet()) {
            long used = e.getValue() - start.systemCpu.getOrDefault(e.getKey(), 0L);
            if (used <= 0) continue;
            groups.merge(systemGroupOf(systemNames.get(e.getKey())), used, Long::sum);
            counted += used;
        }
        groups.put(NATIVE, Math.max(0, processNanos - start.processNanos - counted));
        return groups;
    }
}
