package org.spineoutcomes.topology;

import java.util.*;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.testing.*;

class TmpReproTest {
    @Test
    void profile() {
        RandomCohort.Cohort cohort = RandomCohort.generate(3, 120);
        List<SpecificRecord> order = cohort.interleaving(5);
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            try (SpineTestDriver d = new SpineTestDriver(TopologySettings.defaults().withDataCut(OrderIndependenceTest.FIXED_CUT), OrderIndependenceTest.WALL_CLOCK)) {
                d.pipeAll(order);
                long t1 = System.nanoTime();
                int n = d.outcomes.poll().size() + d.aggregates.poll().size() + d.comparisons.poll().size();
                System.err.println("PROF events=" + order.size() + " pipe ms=" + (t1 - t0) / 1e6 + " outputs=" + n + " read ms=" + (System.nanoTime() - t1) / 1e6);
            }
        }
    }
}
