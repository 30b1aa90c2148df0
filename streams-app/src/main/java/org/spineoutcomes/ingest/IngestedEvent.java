package org.spineoutcomes.ingest;

import org.apache.avro.specific.SpecificRecord;
import org.spineoutcomes.events.EventType;

/**
 * A decoded, field-valid input event together with what is needed to dead-letter it later
 * (original bytes and source coordinates), should a per-patient rule reject it (R9).
 * Only forwarded within one sub-topology, never serialised.
 */
public record IngestedEvent(EventType source, SpecificRecord event, byte[] rawKey, byte[] rawValue,
                            String topic, int partition, long offset) {
}
