package org.spineoutcomes.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

/** The state the split app reports for its two Kafka Streams applications (the least advanced of the two). */
class SpineStreamsAppStateTest {

    @Test
    void runningOnlyWhenBothRun() {
        assertEquals(State.RUNNING, SpineStreamsApp.combine(State.RUNNING, State.RUNNING));
        assertEquals(State.REBALANCING, SpineStreamsApp.combine(State.RUNNING, State.REBALANCING));
        assertEquals(State.REBALANCING, SpineStreamsApp.combine(State.REBALANCING, State.RUNNING));
        assertEquals(State.CREATED, SpineStreamsApp.combine(State.CREATED, State.REBALANCING));
    }

    @Test
    void aFailureOrAStopWins() {
        assertEquals(State.ERROR, SpineStreamsApp.combine(State.RUNNING, State.ERROR));
        assertEquals(State.ERROR, SpineStreamsApp.combine(State.PENDING_SHUTDOWN, State.ERROR));
        assertEquals(State.PENDING_ERROR, SpineStreamsApp.combine(State.PENDING_ERROR, State.NOT_RUNNING));
        assertEquals(State.NOT_RUNNING, SpineStreamsApp.combine(State.NOT_RUNNING, State.PENDING_SHUTDOWN));
        assertEquals(State.PENDING_SHUTDOWN, SpineStreamsApp.combine(State.RUNNING, State.PENDING_SHUTDOWN));
    }
}
