/** What a cell measures: a MetaStore server or etcd started as a separate process, or an endpoint that is already running. */
package io.metastore.bench.macro.subject;
