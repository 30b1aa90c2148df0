package org.spineoutcomes.benchmarks;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.spineoutcomes.aggregate.AggregateMapper;
import org.spineoutcomes.aggregate.Comparison;
import org.spineoutcomes.aggregate.ComparisonMapper;
import org.spineoutcomes.schema.ArmAggregate;
import org.spineoutcomes.schema.ArmComparison;
import org.spineoutcomes.stats.CellKey;
import org.spineoutcomes.stats.CellStatistics;

/**
 * A publication whose sums were all seen before (derived statistics remembered, the default): what a
 * round pays for the measures and flags of a cell that did not change since its last publication.
 * Compare with {@link PipelineBenchmarks#cellPublication} and {@link PipelineBenchmarks#comparisonPublication}
 * (the same cells, computed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx1g", "-Dorg.apache.avro.SERIALIZABLE_PACKAGES=org.spineoutcomes"})
public class RepublicationBenchmarks {

    private CellStatistics busyCell;
    private CellKey busyKey;
    private CellStatistics kpCell;
    private Instant cut;

    @Setup(Level.Trial)
    public void prepare() {
        Cohort cohort = new Cohort(2_000, 42);
        busyKey = Cohort.BUSY;
        busyCell = cohort.cell(busyKey);
        kpCell = cohort.cell(Cohort.KYPHOPLASTY);
        cut = cohort.result.dataCut();
    }

    /** The aggregate of a cell whose sums were published before. */
    @Benchmark
    public ArmAggregate cellRepublication() {
        return AggregateMapper.toArmAggregate(busyKey, busyCell, cut);
    }

    /** A comparison of two cells whose sums were published before. */
    @Benchmark
    public ArmComparison comparisonRepublication() {
        return ComparisonMapper.toArmComparison("ITT", Comparison.KP_vs_VP, "M1", "ALL", kpCell, busyCell);
    }
}
