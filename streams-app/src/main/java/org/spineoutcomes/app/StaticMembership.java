package org.spineoutcomes.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The instance's name for static group membership (Kafka's {@code group.instance.id}; Kafka Streams
 * gives each stream thread's consumer the name plus "-1", "-2", ...).
 *
 * <p>Why: after a crash (SIGKILL, OOM kill, power loss) the dead instance does not leave the consumer
 * group. With dynamic membership the restarted instance joins as a new member and the rebalance
 * waits for the dead one until its session times out (45 s by default). A static member that comes
 * back under the same name replaces its old self at once and gets its tasks back.
 *
 * <p>The name is {@code spine.instance.id} when set; otherwise it is kept in the state directory
 * (file {@value #FILE}, made once with a random name), so it belongs to the state it names: the same
 * directory after a restart, the same member. Without a configured state directory the state is a
 * new temp directory at every start and there is no name to keep: dynamic membership. The streams
 * rebalance protocol ({@code streams.group.protocol=streams}) has no static membership in Kafka 4.3.
 */
public final class StaticMembership {
    /** The file in spine.state.dir that keeps the instance's name. */
    public static final String FILE = "spine-instance-id";
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    private StaticMembership() {}

    /** The configured name, else the one kept in the configured state directory (made there the first time), else none. */
    public static Optional<String> instanceId(AppConfig config) throws IOException {
        if (config.instanceId().isPresent()) {
            return config.instanceId();
        }
        if (config.streamsRebalanceProtocol() || config.stateDir().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(keptIn(config.stateDir().get()));
    }

    /** The name kept in {@code stateDir}, made (atomically) when there is none yet. */
    static String keptIn(Path stateDir) throws IOException {
        Path file = stateDir.resolve(FILE);
        if (Files.isRegularFile(file)) {
            String name = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!VALID.matcher(name).matches()) {
                throw new IOException(file + " does not hold an instance name (letters, digits, '.', '_' or '-', at most 200); "
                        + "delete it to get a new one, or set " + AppConfig.INSTANCE_ID);
            }
            return name;
        }
        Files.createDirectories(stateDir);
        String name = "spine-" + UUID.randomUUID();
        Path tmp = Files.createTempFile(stateDir, FILE, ".tmp");
        Files.writeString(tmp, name + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file);
        }
        return name;
    }
}
