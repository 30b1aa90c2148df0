package org.spineoutcomes.demo;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Where the process's CPU went in each 5 s of a phase, by thread group, and the garbage collector's pauses in
 * each: beside the latencies by 5 s, it tells a slow start that is the machine's (a compaction, a collection,
 * the JIT compiler) from one that is the stream threads' own work.
 */
final class PhaseTimeline implements AutoCloseable {

    static final long WINDOW_MS = 5_000;

    /** A stop-the-world pause: when it started (epoch ms) and how long it took. */
    record Pause(long startMs, long durationMs) {}

    private final long phaseStartMs;
    private final List<ThreadCpu> samples = new ArrayList<>();
    private final List<Long> sampleMs = new ArrayList<>();
    private final ConcurrentLinkedQueue<Pause> pauses = new ConcurrentLinkedQueue<>();
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::onGc;
    /** GC notifications give times since the JVM started. */
    private final long jvmStartMs = ManagementFactory.getRuntimeMXBean().getStartTime();

    PhaseTimeline(long phaseStartMs) {
        this.phaseStartMs = phaseStartMs;
        samples.add(ThreadCpu.sample());
        sampleMs.add(phaseStartMs);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(listener, null, null);
                emitters.add(emitter);
            }
        }
    }

    private void onGc(Notification n, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
        // G1's and Parallel's collectors each report their pauses; a concurrent cycle is not a pause of the app.
        if (info.getGcName().contains("Concurrent")) return;
        pauses.add(new Pause(jvmStartMs + info.getGcInfo().getStartTime(), info.getGcInfo().getDuration()));
    }

    /** Samples the threads' CPU when a 5 s window of the phase ended since the last sample. */
    void tick(long nowMs) {
        long last = sampleMs.get(sampleMs.size() - 1);
        if (nowMs - phaseStartMs >= (last - phaseStartMs) / WINDOW_MS * WINDOW_MS + WINDOW_MS) {
            samples.add(ThreadCpu.sample());
            sampleMs.add(nowMs);
        }
    }

    /** One line per window sampled: cores by thread group, then the garbage collector's pauses in it. */
    String table() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < samples.size(); i++) {
            long fromMs = sampleMs.get(i - 1);
            long toMs = sampleMs.get(i);
            Map<String, Long> cpu = samples.get(i).since(samples.get(i - 1));
            b.append(line(fromMs - phaseStartMs, toMs - phaseStartMs, cpu, pausesBetween(fromMs, toMs)));
        }
        return b.toString();
    }

    private List<Pause> pausesBetween(long fromMs, long toMs) {
        return pauses.stream().filter(p -> p.startMs() >= fromMs && p.startMs() < toMs).toList();
    }

    /** A window's line: total cores and the groups that used at least 0.05 core, and its pauses (count, longest, sum). */
    static String line(long fromMs, long toMs, Map<String, Long> cpuByGroup, List<Pause> pauses) {
        double wallNanos = Math.max(1, toMs - fromMs) * 1e6;
        double total = cpuByGroup.values().stream().mapToLong(Long::longValue).sum() / wallNanos;
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "  %5.1f-%5.1f s: %.2f cores", fromMs / 1e3, toMs / 1e3, total));
        cpuByGroup.forEach((group, nanos) -> {
            double cores = nanos / wallNanos;
            if (cores >= 0.05) b.append(String.format(Locale.ROOT, "; %s %.2f", shortName(group), cores));
        });
        long longest = pauses.stream().mapToLong(Pause::durationMs).max().orElse(0);
        long sum = pauses.stream().mapToLong(Pause::durationMs).sum();
        b.append(String.format(Locale.ROOT, " | GC pauses %d, longest %d ms, %d ms in all%n", pauses.size(), longest, sum));
        return b.toString();
    }

    private static String shortName(String group) {
        return switch (group) {
            case ThreadCpu.PATIENT_STAGE -> "patient stage";
            case ThreadCpu.CELL_STAGE -> "cell stage";
            case ThreadCpu.APP_PRODUCERS -> "app producers";
            case ThreadCpu.BROKER -> "broker";
            case ThreadCpu.OTHER_JAVA -> "other Java";
            case ThreadCpu.GC -> "GC";
            case ThreadCpu.JIT -> "JIT";
            case ThreadCpu.ROCKSDB -> "RocksDB";
            default -> "other";
        };
    }

    @Override
    public void close() {
        for (NotificationEmitter e : emitters) {
            try {
                e.removeNotificationListener(listener);
            } catch (ListenerNotFoundException ignored) {
                // not registered: nothing to remove
            }
        }
    }
}
