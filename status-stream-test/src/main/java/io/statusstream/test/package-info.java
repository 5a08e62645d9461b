/**
 * Test kit for applications that serve status streams: {@link io.statusstream.test.StatusStreamClient} (real HTTP,
 * random port), {@link io.statusstream.test.MockMvcStreamClient} (MockMvc) and
 * {@link io.statusstream.test.RecordingEventSink} (an engine without HTTP) all give a
 * {@link io.statusstream.test.TestStream}: the events as a browser's {@code EventSource} dispatches them, with
 * assertions for snapshots, changes, removals, heartbeats and increasing ids, and reconnection with
 * {@code Last-Event-ID}.
 */
package io.statusstream.test;
