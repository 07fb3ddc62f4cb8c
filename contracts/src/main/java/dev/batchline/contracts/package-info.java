/**
 * What the Batchline services say to each other over Kafka: topic names, event records,
 * their JSON codec and CloudEvents envelope.
 */
package dev.batchline.contracts;
