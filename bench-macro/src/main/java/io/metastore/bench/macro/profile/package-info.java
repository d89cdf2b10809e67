/** async-profiler, attached to a server JVM for a window of a cell, writing CPU and allocation flame graphs. */
package io.metastore.bench.macro.profile;
