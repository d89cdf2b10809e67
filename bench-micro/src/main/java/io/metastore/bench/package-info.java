/**
 * JMH benchmarks of MetaStore's parts, one class per subject and operation, each axis a {@code @Param}.
 */
package io.metastore.bench;
