/**
 * Raft log entry codecs: a 4-byte versioned header followed by a JSON, Kryo or protobuf body, and
 * a decoder that reads entries of every codec as well as legacy headerless Kryo entries.
 */
package io.metastore.codec;
