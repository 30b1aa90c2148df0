package org.spineoutcomes.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.spineoutcomes.app.AppConfig;
import org.spineoutcomes.serde.SchemaRegistryClient;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/stream}: server-sent events of the result topics' changes, for dashboards.
 *
 * <p>One Kafka consumer per instance (started with the first client) tails the four result topics
 * ({@link #FEEDS}: arm aggregates, arm comparisons, standardised comparisons, time to event):
 * read_committed, no consumer group, every partition assigned and read from the end. Each record becomes
 * an event for every connected client, named after its topic:
 * <pre>
 * event: aggregate
 * data: {"key":"ITT/VERTEBROPLASTY/M3/ALL","value":{...the aggregate, suppressed where needed...}}
 * </pre>
 * ({@code comparison}, {@code adjusted-comparison} and {@code time-to-event} alike, each suppressed as
 * the query API shows it; a deleted record has {@code "value":null}). A client
 * first gets {@code event: hello} (this instance, the suppression threshold) once the tail is in place,
 * then the changes, and a {@code : keep-alive} comment after {@link #KEEP_ALIVE} without any. Each client
 * has a thread and a bounded queue of its own: a slow client cannot hold up the others; one whose queue
 * overflows, or whose connection fails on a write, is removed.
 */
public final class EventStream implements HttpHandler, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventStream.class);

    public static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** Connected clients at most; more get 503. */
    public static final int MAX_CLIENTS = 64;
    /** Events waiting for one client at most; beyond it the client is dropped (it reconnects and reloads). */
    static final int QUEUE = 10_000;

    /** One tailed topic: its SSE event name and how one of its values is shown (suppression applied). */
    public record Feed(String topic, String event, Function<byte[], ObjectNode> show) {}

    /** The events in the order of the topics in {@link #feeds}. */
    public static final List<String> EVENT_NAMES = List.of("aggregate", "comparison", "adjusted-comparison", "time-to-event");

    private final Supplier<Consumer<String, byte[]>> consumers;
    private final Map<String, Feed> feeds = new LinkedHashMap<>();
    private final Suppression suppression;
    private final String instance;
    private final Duration keepAlive;
    private final ObjectMapper mapper = new ObjectMapper();
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final CountDownLatch tailing = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicInteger clientNumber = new AtomicInteger();
    private volatile boolean closed;
    private volatile Consumer<String, byte[]> consumer;
    private Thread tail;

    public EventStream(Supplier<Consumer<String, byte[]>> consumers, List<Feed> feeds, Suppression suppression,
                       String instance, Duration keepAlive) {
        this.consumers = consumers;
        feeds.forEach(f -> this.feeds.put(f.topic(), f));
        this.suppression = suppression;
        this.instance = instance;
        this.keepAlive = keepAlive;
    }

    /** The stream of a running app: its brokers and kafka.* security settings, its registry. */
    public static EventStream forApp(AppConfig config, SchemaRegistryClient registry, Suppression suppression, String instance) {
        Properties p = new Properties();
        p.putAll(config.kafkaClientSettings());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, config.applicationId() + "-event-stream");
        return new EventStream(() -> new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()),
                feeds(registry, suppression), suppression, instance, KEEP_ALIVE);
    }

    /** The four result topics, each value shown as the query API shows it. */
    public static List<Feed> feeds(SchemaRegistryClient registry, Suppression suppression) {
        return List.of(
                feed(Topics.ARM_AGGREGATES, EVENT_NAMES.get(0), registry, suppression::aggregate),
                feed(Topics.ARM_COMPARISONS, EVENT_NAMES.get(1), registry, suppression::comparison),
                feed(Topics.ADJUSTED_COMPARISONS, EVENT_NAMES.get(2), registry, suppression::adjustedComparison),
                feed(Topics.TIME_TO_EVENT, EVENT_NAMES.get(3), registry, suppression::timeToEvent));
    }

    private static <V> Feed feed(SpineTopic<String, V> topic, String event, SchemaRegistryClient registry, Function<V, ObjectNode> show) {
        Deserializer<V> values = topic.valueSerde(registry).deserializer();
        return new Feed(topic.name(), event, bytes -> show.apply(values.deserialize(topic.name(), bytes)));
    }

    /** Connected clients now. */
    public int clientCount() {
        return clients.size();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("GET")) {
            exchange.getResponseHeaders().set("Allow", "GET");
            reply(exchange, 405, "{\"error\":\"server-sent events: GET only\"}");
            return;
        }
        if (closed || clients.size() >= MAX_CLIENTS) {
            exchange.getResponseHeaders().set("Retry-After", "5");
            reply(exchange, 503, "{\"error\":\"" + (closed ? "stopping" : "too many event-stream clients (" + MAX_CLIENTS + ")") + "\"}");
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Accel-Buffering", "no");
        exchange.sendResponseHeaders(200, 0);
        Client client = new Client(exchange, clientNumber.incrementAndGet());
        clients.add(client);
        startTail();
        client.start();
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", QueryApi.JSON);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        exchange.close();
    }

    private void startTail() {
        if (!started.compareAndSet(false, true)) return;
        tail = new Thread(this::runTail, "spine-event-stream-tail");
        tail.setDaemon(true);
        tail.start();
    }

    private void runTail() {
        Consumer<String, byte[]> c = consumers.get();
        consumer = c;
        try {
            assignAtEnd(c);
            while (!closed) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    String event = event(r);
                    if (event != null) broadcast(event);
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            if (!closed) LOG.warn("event stream: the tail of the output topics stopped: {}", e.toString());
        } finally {
            c.close(Duration.ofSeconds(2));
        }
    }

    /** Every partition of the two topics, positioned at the end (retried until the topics are there). */
    private void assignAtEnd(Consumer<String, byte[]> c) {
        List<String> topics = List.copyOf(feeds.keySet());
        while (!closed) {
            try {
                List<TopicPartition> parts = new ArrayList<>();
                for (String topic : topics) {
                    List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
                    if (infos != null) infos.forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
                }
                if (parts.stream().map(TopicPartition::topic).distinct().count() == topics.size()) {
                    c.assign(parts);
                    c.seekToEnd(parts);
                    // Resolve the end offsets now, so what is published after "hello" is never skipped.
                    parts.forEach(tp -> c.position(tp, Duration.ofSeconds(30)));
                    tailing.countDown();
                    return;
                }
            } catch (WakeupException e) {
                throw e;
            } catch (KafkaException e) {
                LOG.debug("event stream: output topics not reachable yet: {}", e.toString());
            }
            try {
                Thread.sleep(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The SSE text of one output record; null when it cannot be decoded (logged). */
    String event(ConsumerRecord<String, byte[]> r) {
        Feed feed = feeds.get(r.topic());
        if (feed == null) return null;
        ObjectNode data = mapper.createObjectNode();
        data.put("key", r.key());
        try {
            if (r.value() == null) {
                data.putNull("value");
            } else {
                data.set("value", feed.show().apply(r.value()));
            }
        } catch (RuntimeException e) {
            LOG.warn("event stream: cannot decode {} at {}-{}@{}: {}", r.key(), r.topic(), r.partition(), r.offset(), e.toString());
            return null;
        }
        data.put("publishedAt", Instant.ofEpochMilli(r.timestamp()).toString());
        return "event: " + feed.event() + "\ndata: " + json(data) + "\n\n";
    }

    private void broadcast(String event) {
        for (Client c : clients) c.offer(event);
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String hello() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("instance", instance);
        m.put("minCellSize", suppression.minCellSize());
        m.put("suppressionReason", suppression.reason());
        m.put("topics", List.copyOf(feeds.keySet()));
        m.put("events", feeds.values().stream().map(Feed::event).toList());
        m.put("keepAliveSeconds", keepAlive.toSeconds());
        return "event: hello\ndata: " + json(m) + "\n\n";
    }

    @Override
    public void close() {
        closed = true;
        Consumer<String, byte[]> c = consumer;
        if (c != null) c.wakeup();
        if (tail != null) {
            try {
                tail.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Client client : List.copyOf(clients)) client.stop();
    }

    /** One connected client: its queue and its writer thread. */
    private final class Client {
        private final HttpExchange exchange;
        private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
        private final Thread writer;
        private final AtomicBoolean gone = new AtomicBoolean();

        Client(HttpExchange exchange, int number) {
            this.exchange = exchange;
            this.writer = new Thread(this::run, "spine-event-stream-client-" + number);
            writer.setDaemon(true);
        }

        void start() {
            writer.start();
        }

        void offer(String event) {
            if (!queue.offer(event)) {
                LOG.warn("event stream: client {} fell {} events behind; disconnected (it can reconnect)", exchange.getRemoteAddress(), QUEUE);
                stop();
            }
        }

        private void run() {
            try (OutputStream out = exchange.getResponseBody()) {
                write(out, "retry: 3000\n: connected to " + instance + "\n\n");
                while (!tailing.await(keepAlive.toMillis(), TimeUnit.MILLISECONDS)) {
                    if (gone.get() || closed) return;
                    write(out, ": waiting for the output topics\n\n");
                }
                write(out, hello());
                while (!gone.get() && !closed) {
                    String event = queue.poll(keepAlive.toMillis(), TimeUnit.MILLISECONDS);
                    write(out, event != null ? event : ": keep-alive\n\n");
                }
            } catch (IOException e) {
                LOG.debug("event stream: client {} left ({})", exchange.getRemoteAddress(), e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                stop();
            }
        }

        private void write(OutputStream out, String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        void stop() {
            if (gone.compareAndSet(false, true)) {
                clients.remove(this);
                writer.interrupt();
                try {
                    exchange.close();
                } catch (RuntimeException ignored) {
                    // already broken
                }
            }
        }
    }
}
