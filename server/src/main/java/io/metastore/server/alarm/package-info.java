/** Alarms: the replicated set of raised alarms and the space quota that raises NOSPACE. */
package io.metastore.server.alarm;
