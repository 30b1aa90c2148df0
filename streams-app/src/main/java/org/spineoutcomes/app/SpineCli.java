package org.spineoutcomes.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.spineoutcomes.batch.BatchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the streams-app module: {@code spine run} (the streaming app) and {@code spine batch}. */
@Command(name = "spine", mixinStandardHelpOptions = true, version = "spine-outcomes 0.1.0",
        description = "Spine Outcomes: streaming and batch computation of spine-fracture treatment outcomes.",
        subcommands = {SpineCli.Run.class, BatchCommand.class, org.spineoutcomes.export.ExportCommand.class})
public final class SpineCli implements Callable<Integer> {

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 2;
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the Kafka Streams app against a broker and schema registry (config: defaults < --config file < SPINE_* env).")
    static final class Run implements Callable<Integer> {
        @Option(names = "--config", description = "Properties file (keys as in the README, e.g. spine.bootstrap.servers).")
        Path config;

        @Option(names = "--recompute", description = "Recompute every stored patient under the current rules at start, "
                + "even where its stored rules version is current (same as spine.rules.recompute=true).")
        boolean recompute;

        @Override
        public Integer call() throws Exception {
            java.util.List<String> args = new java.util.ArrayList<>();
            if (config != null) args.addAll(java.util.List.of("--config", config.toString()));
            if (recompute) args.add("--recompute");
            SpineStreamsApp.main(args.toArray(String[]::new));
            return 0;
        }
    }

    public static void main(String[] args) {
        System.setProperty("org.apache.avro.SERIALIZABLE_PACKAGES",
                System.getProperty("org.apache.avro.SERIALIZABLE_PACKAGES", "org.spineoutcomes"));
        System.exit(new CommandLine(new SpineCli()).execute(args));
    }
}
