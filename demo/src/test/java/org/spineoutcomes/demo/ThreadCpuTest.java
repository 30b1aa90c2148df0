package org.spineoutcomes.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bench's CPU table groups threads by the names Kafka and the JVM give them (names as seen in a JFR recording). */
class ThreadCpuTest {

    @Test
    void threadsAreGroupedByStageAndPartOfTheStack() {
        assertEquals(ThreadCpu.PATIENT_STAGE, ThreadCpu.groupOf("bench-spine-4e1a2-9b3f-StreamThread-1"));
        assertEquals(ThreadCpu.CELL_STAGE, ThreadCpu.groupOf("bench-spine-cells-7a0aa2-1c-StreamThread-2"));
        assertEquals(ThreadCpu.APP_PRODUCERS,
                ThreadCpu.groupOf("kafka-producer-network-thread | bench-spine-cells-7a0aa2-1c-StreamThread-2-producer"));
        assertEquals(ThreadCpu.BROKER, ThreadCpu.groupOf("data-plane-kafka-request-handler-0"));
        assertEquals(ThreadCpu.BROKER, ThreadCpu.groupOf("kafka-1-raft-io-thread"));
        assertEquals(ThreadCpu.BROKER, ThreadCpu.groupOf("TxnMarkerSenderThread-1"));
        assertEquals(ThreadCpu.BROKER, ThreadCpu.groupOf("group-coordinator-event-processor-0"));
        assertEquals(ThreadCpu.OTHER_JAVA, ThreadCpu.groupOf("main"));
        assertEquals(ThreadCpu.OTHER_JAVA, ThreadCpu.groupOf("kafka-producer-network-thread | producer-1"), "the bench's own producer");
        assertEquals(ThreadCpu.OTHER_JAVA, ThreadCpu.groupOf("kafka-admin-client-thread | spine-topic-setup"));
        assertEquals(ThreadCpu.OTHER_JAVA, ThreadCpu.groupOf("bench-spine-4e1a2-9b3f-GlobalStreamThread"), "not a stage's stream thread");
    }

    @Test
    void threadsOutsideTheJvmsListAreGroupedByTheirLinuxNames() {
        // Linux keeps 15 characters of a thread's name: HotSpot's "C2 CompilerThread0" reads "C2 CompilerThre".
        assertEquals(ThreadCpu.JIT, ThreadCpu.systemGroupOf("C2 CompilerThre"));
        assertEquals(ThreadCpu.JIT, ThreadCpu.systemGroupOf("C1 CompilerThre"));
        assertEquals(ThreadCpu.GC, ThreadCpu.systemGroupOf("GC Thread#1"));
        assertEquals(ThreadCpu.GC, ThreadCpu.systemGroupOf("G1 Conc#0"));
        assertEquals(ThreadCpu.ROCKSDB, ThreadCpu.systemGroupOf("rocksdb:low"));
        assertEquals(null, ThreadCpu.systemGroupOf("java"), "the main thread is in the JVM's own list");
        assertEquals(null, ThreadCpu.systemGroupOf("data-plane-kafk"));
    }

    @Test
    void countsTheCpuOfTheThreadsItIsAskedFor() throws InterruptedException {
        // A thread that spins for 200 ms of CPU: the sum over threads of its name holds at least that, and the sum
        // over a name no thread has is 0.
        Thread busy = new Thread(() -> {
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long until = mx.getCurrentThreadCpuTime() + 200_000_000L;
            while (mx.getCurrentThreadCpuTime() < until) Thread.onSpinWait();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // done
            }
        }, "ForkJoinPool.commonPool-worker-test");
        busy.start();
        try {
            long seen = 0;
            for (int i = 0; i < 200 && seen < 200_000_000L; i++) {
                Thread.sleep(20);
                seen = ThreadCpu.sample().javaThreadsNanos((id, name) -> name.equals("ForkJoinPool.commonPool-worker-test"));
            }
            assertTrue(seen >= 200_000_000L, "spun 200 ms of CPU, counted " + seen + " ns");
            assertTrue(seen < 2_000_000_000L, "then slept: " + seen + " ns");
            assertEquals(0L, ThreadCpu.sample().javaThreadsNanos((id, name) -> name.equals("no such thread")));
            ThreadCpu now = ThreadCpu.sample();
            assertTrue(now.systemGroupNanos(ThreadCpu.JIT) > 0, "this JVM compiled something by now");
            assertTrue(now.processNanos() >= seen);
        } finally {
            busy.interrupt();
            busy.join();
        }
    }
}
