package io.prefork.master;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.pool.WorkerState;
import io.prefork.posix.PosixException;
import io.prefork.protocol.Message;
import io.prefork.protocol.Message.PoolCallDone.Answer;
import io.prefork.protocol.Message.PoolCallDone.Outcome;
import io.prefork.protocol.MessageCodec;

/**
 * Relays pool calls: a worker asks, the master passes the call to every other worker that
 * is not stopping (starting ones queue it), collects who answered, went away or ran out of
 * time, and tells the caller. It never reads the call's files and never waits on a worker:
 * a worker whose channel is full is reported unreachable. Touched only by the loop thread.
 */
final class PoolCallRelay {

	private static final Log logger = LogFactory.getLog(PoolCallRelay.class);

	private static final long ANSWER_WITHIN_NANOS = TimeUnit.MILLISECONDS.toNanos(Message.PoolCall.ANSWER_WITHIN_MILLIS);

	private final WorkerTable workers;

	private final Map<Long, Call> calls = new LinkedHashMap<>();

	PoolCallRelay(WorkerTable workers) {
		this.workers = workers;
	}

	void start(WorkerProcess caller, long callId, long now) {
		Call call = new Call(caller, now + ANSWER_WITHIN_NANOS);
		byte[] frame = MessageCodec.encode(new Message.PoolCall(callId));
		for (WorkerProcess worker : this.workers.all()) {
			if (worker != caller && worker.channel() != null && worker.state() != WorkerState.STOPPING) {
				call.outcomes.put(worker, send(worker, frame) ? null : Outcome.UNREACHABLE);
			}
		}
		this.calls.put(callId, call);
		finishIfComplete(callId, call);
	}

	private static boolean send(WorkerProcess worker, byte[] frame) {
		try {
			return worker.channel().trySend(frame);
		}
		catch (PosixException ex) {
			return false;
		}
	}

	void answered(WorkerProcess worker, Message.PoolCallAnswered answered) {
		Call call = this.calls.get(answered.callId());
		if (call != null && call.outcomes.containsKey(worker) && call.outcomes.get(worker) == null) {
			call.outcomes.put(worker, answered.queued() ? Outcome.QUEUED : Outcome.ANSWERED);
			finishIfComplete(answered.callId(), call);
		}
	}

	/**
	 * A worker exited or its channel closed: it answers nothing more, and hears of nothing.
	 * @param worker the worker
	 */
	void lost(WorkerProcess worker) {
		for (Map.Entry<Long, Call> entry : List.copyOf(this.calls.entrySet())) {
			Call call = entry.getValue();
			if (call.caller == worker) {
				this.calls.remove(entry.getKey());
			}
			else if (call.outcomes.containsKey(worker) && call.outcomes.get(worker) == null) {
				call.outcomes.put(worker, Outcome.GONE);
				finishIfComplete(entry.getKey(), call);
			}
		}
	}

	void expire(long now) {
		for (Map.Entry<Long, Call> entry : List.copyOf(this.calls.entrySet())) {
			if (now - entry.getValue().deadline >= 0) {
				entry.getValue().outcomes.replaceAll((worker, outcome) -> (outcome != null) ? outcome : Outcome.NO_ANSWER);
				finishIfComplete(entry.getKey(), entry.getValue());
			}
		}
	}

	long nextDeadline(long next) {
		for (Call call : this.calls.values()) {
			next = Dispatcher.earlier(next, call.deadline);
		}
		return next;
	}

	private void finishIfComplete(long callId, Call call) {
		if (call.outcomes.containsValue(null)) {
			return;
		}
		this.calls.remove(callId);
		List<Answer> answers = new ArrayList<>();
		call.outcomes.forEach((worker, outcome) -> answers.add(new Answer(worker.slot, worker.pid, outcome)));
		answers.sort(Comparator.comparingInt(Answer::slot));
		try {
			if (call.caller.channel() == null
					|| !call.caller.channel().trySend(MessageCodec.encode(new Message.PoolCallDone(callId, answers)))) {
				logger.debug(call.caller + ": cannot tell it pool call " + callId + " is done (its channel is full or closed)");
			}
		}
		catch (PosixException ex) {
			logger.debug(call.caller + ": cannot tell it pool call " + callId + " is done (" + ex.getMessage() + ")");
		}
	}

	private static final class Call {

		private final WorkerProcess caller;

		private final long deadline;

		/** Each worker the call went to, with its outcome ({@code null} while awaited). */
		private final Map<WorkerProcess, Outcome> outcomes = new LinkedHashMap<>();

		Call(WorkerProcess caller, long deadline) {
			this.caller = caller;
			this.deadline = deadline;
		}

	}

}
