package io.prefork.protocol;

import java.util.List;

/**
 * A message on a worker's control channel. One message is one {@code SOCK_SEQPACKET}
 * packet; {@link MessageCodec} frames it.
 */
public sealed interface Message {

	/**
	 * Master to worker: here is a connection (its fd rides along the packet) for one of the
	 * worker's servers.
	 *
	 * @param connectionId the master's id for the connection
	 * @param connector the server that serves it
	 */
	record Handoff(long connectionId, Connector connector) implements Message {

		/**
		 * A connection for the application's server.
		 * @param connectionId the master's id for the connection
		 */
		public Handoff(long connectionId) {
			this(connectionId, Connector.SERVER);
		}

	}

	/**
	 * Master to worker: accept one connection from the inherited listening socket.
	 *
	 * @param connectionId the master's id for the connection, if there is one
	 */
	record AcceptCommand(long connectionId) implements Message {
	}

	/**
	 * Worker to master: the application has started and takes connections.
	 *
	 * @param pid the worker's pid
	 */
	record Ready(long pid) implements Message {
	}

	/**
	 * Worker to master: the application has started and now serves its warm-up requests to
	 * itself; {@link Ready} follows when they are done (or their time is up).
	 *
	 * @param timeoutMillis the most the warm-up may take, as the worker bound
	 * {@code server.prefork.worker.warmup.timeout}
	 */
	record Warming(long timeoutMillis) implements Message {
	}

	/**
	 * Worker to master: Tomcat has taken the handed-over connection. For the application's
	 * server it also answers every connection handed to this worker before it that the worker
	 * has not answered about: a worker acknowledges the connections it found in one wake-up
	 * with one message, sending {@link NotAccepted} for any it could not take first.
	 *
	 * @param connectionId the connection's id
	 * @param connector the server it was handed to
	 */
	record Accepted(long connectionId, Connector connector) implements Message {

		/**
		 * About a connection of the application's server.
		 * @param connectionId the connection's id
		 */
		public Accepted(long connectionId) {
			this(connectionId, Connector.SERVER);
		}

	}

	/**
	 * Worker to master: there was no connection to take after all (another process took it,
	 * or the client gave up), or the passed one was unusable.
	 *
	 * @param connectionId the connection's id
	 * @param connector the server it was handed to
	 */
	record NotAccepted(long connectionId, Connector connector) implements Message {

		/**
		 * About a connection of the application's server.
		 * @param connectionId the connection's id
		 */
		public NotAccepted(long connectionId) {
			this(connectionId, Connector.SERVER);
		}

	}

	/**
	 * Worker to master, every second: still alive, and how many requests it has served.
	 *
	 * @param requestsServed the requests it has completed so far
	 */
	record Heartbeat(long requestsServed) implements Message {
	}

	/**
	 * Worker to master: a request ran past {@code server.prefork.timeouts.request}; the
	 * worker has answered it (504) if its response had not started, and must be stopped.
	 *
	 * @param elapsedMillis how long the request had been running
	 */
	record RequestTimedOut(long elapsedMillis) implements Message {
	}

	/**
	 * Worker to master: the application asks the whole server to shut down gracefully.
	 *
	 * @param exitCode the exit code the master should end with
	 */
	record ShutdownRequest(long exitCode) implements Message {
	}

	/**
	 * Worker to master: the application (the actuator endpoint) asks for a pool change, as
	 * the matching signal would.
	 *
	 * @param command {@link #RELOAD}, {@link #ADD_WORKER} or {@link #REMOVE_WORKER}
	 */
	record PoolCommand(long command) implements Message {

		/** Replace every worker, one at a time (SIGHUP). */
		public static final long RELOAD = 1;

		/** One worker more (SIGTTIN). */
		public static final long ADD_WORKER = 2;

		/** One worker fewer (SIGTTOU). */
		public static final long REMOVE_WORKER = 3;

	}

	/**
	 * Worker to master: the connection is closed.
	 *
	 * @param connectionId the connection's id
	 * @param connector the server it was handed to
	 * @param leftOpen whether the worker, retiring while the pool goes on, closed its
	 * descriptor without ending the connection, between requests (it had read nothing, or
	 * last wrote an answer): whatever the client sent since, unread, starts a new request,
	 * and the master decides what becomes of it
	 */
	record Closed(long connectionId, Connector connector, boolean leftOpen) implements Message {

		/**
		 * About a connection of the application's server.
		 * @param connectionId the connection's id
		 */
		public Closed(long connectionId) {
			this(connectionId, Connector.SERVER, false);
		}

	}

	/**
	 * Master to worker: stop serving and exit, for the given reason; the application hears
	 * it first. The master sends SIGTERM instead only when it cannot send this.
	 *
	 * @param reason the reason's code (the master's exit-cause ordinal)
	 */
	record Retire(long reason) implements Message {
	}

	/**
	 * A pool call: an operation that every worker should run (an actuator write, a scrape).
	 * Worker to master: run this on the other workers. Master to worker: run this. The
	 * request and the answers are files in the pool's private directory, named after the id.
	 *
	 * @param callId the caller's pid in the high 32 bits and its own sequence number in the
	 * low 32 bits, so unique in the pool
	 */
	record PoolCall(long callId) implements Message {

		/** How long the master gives the other workers to answer: a scrape takes milliseconds. */
		public static final long ANSWER_WITHIN_MILLIS = 5_000;

	}

	/**
	 * Worker to master: this worker has run a pool call and written its answer, or, still
	 * starting, has queued it to run once the application is up.
	 *
	 * @param callId the call's id
	 * @param queued {@code true} if queued rather than run
	 */
	record PoolCallAnswered(long callId, boolean queued) implements Message {
	}

	/**
	 * Master to the caller of a pool call: every other worker it went to has answered, gone
	 * or run out of time.
	 *
	 * @param callId the call's id
	 * @param answers one per worker the call went to
	 */
	record PoolCallDone(long callId, List<Answer> answers) implements Message {

		/**
		 * Create the message.
		 * @param callId the call's id
		 * @param answers one per worker the call went to
		 */
		public PoolCallDone {
			answers = List.copyOf(answers);
		}

		/**
		 * What became of the call in one worker.
		 *
		 * @param slot the worker's slot
		 * @param pid the worker's pid
		 * @param outcome what became of it
		 */
		public record Answer(int slot, int pid, Outcome outcome) {
		}

		/**
		 * What became of a pool call in one worker.
		 */
		public enum Outcome {

			/** It ran the call; its answer is in its file. */
			ANSWERED,

			/** It is starting and runs the call once the application is up. */
			QUEUED,

			/** It did not answer in time. */
			NO_ANSWER,

			/** It exited (or its channel closed) before answering. */
			GONE,

			/** The call could not be sent to it (its channel was full). */
			UNREACHABLE

		}

	}

}
