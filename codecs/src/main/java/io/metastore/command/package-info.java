/**
 * The typed model of every command MetaStore replicates through Raft: immutable records whose
 * byte fields are raw bytes, owned by the record once built.
 */
package io.metastore.command;
