package org.spineoutcomes.runtime;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.spineoutcomes.http.HttpRoutes;
import org.spineoutcomes.http.Reply;

/**
 * The operations endpoints every instance serves:
 * <ul>
 *   <li>{@code GET /health}: 200 while the process is alive and Kafka Streams is not stopped or failed
 *       (ERROR, PENDING_ERROR, NOT_RUNNING, PENDING_SHUTDOWN give 503); for a liveness probe;</li>
 *   <li>{@code GET /ready}: 200 only in state RUNNING with the brokers and the schema registry answering and
 *       processing not paused; else 503 with a {@code reason} (starting, rebalancing, stopping, or which
 *       dependency does not answer); for a readiness probe or a load balancer;</li>
 *   <li>{@code GET /metrics}: Prometheus text format.</li>
 * </ul>
 * The health bodies are JSON: {@code {"status":"UP","state":"RUNNING"}}.
 */
public final class RuntimeEndpoints {
    public static final String HEALTH = "/health";
    public static final String READY = "/ready";
    public static final String METRICS = "/metrics";
    /** Prometheus text exposition format 0.0.4. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final Set<KafkaStreams.State> UNHEALTHY = Set.of(
            KafkaStreams.State.ERROR, KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.PENDING_SHUTDOWN);

    private RuntimeEndpoints() {
    }

    /**
     * @param dependencyProblem why the instance should not get traffic although Kafka Streams may be RUNNING
     *                          (a broker or the schema registry does not answer, processing paused); empty when none
     */
    public static void register(HttpRoutes routes, Supplier<KafkaStreams.State> state, Supplier<Optional<String>> dependencyProblem,
                                PrometheusMeterRegistry meters) {
        routes.get(HEALTH, request -> {
            KafkaStreams.State s = state.get();
            boolean up = !UNHEALTHY.contains(s);
            return Reply.json(up ? 200 : 503, body("status", up ? "UP" : "DOWN", s));
        });
        routes.get(READY, request -> {
            KafkaStreams.State s = state.get();
            Optional<String> problem = dependencyProblem.get();
            boolean ready = s == KafkaStreams.State.RUNNING && problem.isEmpty();
            Map<String, Object> body = body("ready", ready, s);
            if (!ready) body.put("reason", problem.orElse("Kafka Streams is " + s + ", not RUNNING"));
            return Reply.json(ready ? 200 : 503, body);
        });
        routes.get(METRICS, request -> Reply.text(200, meters.scrape(), PROMETHEUS_TEXT));
    }

    private static Map<String, Object> body(String name, Object value, KafkaStreams.State state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(name, value);
        m.put("state", state.name());
        return m;
    }
}
