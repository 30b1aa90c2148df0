package org.spineoutcomes.producer.cli;

import java.io.PrintWriter;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.spineoutcomes.validation.ReasonCode;

/** Counts of sent / rejected / failed for a command's closing summary. */
final class RejectionReport {
    final Map<ReasonCode, Long> rejectedByReason = new EnumMap<>(ReasonCode.class);
    long sent;
    long failed;

    void rejected(ReasonCode reason) { rejectedByReason.merge(reason, 1L, Long::sum); }

    long rejectedCount() { return rejectedByReason.values().stream().mapToLong(Long::longValue).sum(); }

    void print(PrintWriter out, String what) {
        String reasons = rejectedByReason.isEmpty() ? "" : " (" + rejectedByReason.entrySet().stream()
                .map(e -> e.getKey() + ": " + e.getValue()).collect(Collectors.joining(", ")) + ")";
        out.println(what + ": sent " + sent + ", rejected " + rejectedCount() + reasons
                + (failed > 0 ? ", failed to deliver " + failed : ""));
        out.flush();
    }

    int exitCode() {
        if (failed > 0) return ExitCodes.FAILURE;
        return rejectedCount() > 0 ? ExitCodes.SOME_REJECTED : ExitCodes.OK;
    }
}
