/** An in-memory storage engine with two locking modes: one global lock, or sharded concurrent maps. */
package io.metastore.engine.memory;
