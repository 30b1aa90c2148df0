package org.spineoutcomes.producer.publish;

/** Where an accepted event landed. {@code pseudonym} is the record key (never the MRN). */
public record PublishResult(String eventId, String topic, int partition, long offset, String pseudonym) {
}
