package dev.batchline.api.job;

import java.util.List;

/**
 * Where a door writes one client's job events ({@link JobEventFeed#open}). The feed calls
 * it on a virtual thread of its own, one call at a time per stream, so a call may block
 * on a slow client; a call that throws (the client went away) closes the stream.
 */
public interface JobEventSink {

	/** Writes events, in order. */
	void send(List<JobEvent> events) throws Exception;

	/** Tells a quiet client the stream is alive (sent after the heartbeat interval). */
	void heartbeat() throws Exception;

	/**
	 * Ends the stream: normally after the terminal event or when the job is gone
	 * ({@code error} null), else with the error that ended it. Not called for a stream
	 * the door cancelled.
	 */
	void end(Exception error);

}
