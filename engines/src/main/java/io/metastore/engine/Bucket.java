package io.metastore.engine;

import java.util.Objects;

/**
 * A named, ordered keyspace inside an engine: a column family in RocksDB, a sorted map in
 * memory. Names are short printable ASCII so they can be used as column-family names and
 * written into snapshot streams.
 */
public record Bucket(String name) {
    public Bucket {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > 64) {
            throw new IllegalArgumentException("bucket name must have 1..64 characters: '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException("bucket name must be printable ASCII: '" + name + "'");
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
