/** Raft log entry codecs: a 4-byte versioned header plus a JSON, Kryo or protobuf body, and a decoder for all of them. */
package io.metastore.codec;
