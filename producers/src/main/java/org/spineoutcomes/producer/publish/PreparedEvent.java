package org.spineoutcomes.producer.publish;

import org.apache.avro.specific.SpecificRecord;

/**
 * An event that passed validation, with its patient id already replaced by the pseudonym: ready to
 * send. Lets a caller validate a whole batch first and send only if all of it is valid (the FHIR
 * transaction semantics).
 */
public record PreparedEvent(String topic, String pseudonym, String eventId, SpecificRecord value) {
}
