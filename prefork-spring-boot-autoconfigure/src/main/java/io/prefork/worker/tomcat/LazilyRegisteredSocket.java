package io.prefork.worker.tomcat;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SocketChannel;

import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SendfileDataBase;
import org.apache.tomcat.util.net.SendfileState;

/**
 * A handed-over connection that joins the poller's selector only when Tomcat first waits on
 * it (for more of a request, the next request on a kept-alive connection, a blocked write or
 * a file sent in the background). One answered and closed straight away, as most are, never
 * touches the selector: no {@code epoll_ctl}, and its descriptor closes at once instead of
 * at the poller's next turn.
 */
final class LazilyRegisteredSocket extends NioEndpoint.NioSocketWrapper {

	private final Object registration = new Object();

	private boolean registered;

	LazilyRegisteredSocket(NioChannel channel, NioEndpoint endpoint) {
		super(channel, endpoint);
	}

	@Override
	public void registerReadInterest() {
		joinSelector();
		super.registerReadInterest();
	}

	@Override
	public void registerWriteInterest() {
		joinSelector();
		super.registerWriteInterest();
	}

	@Override
	public SendfileState processSendfile(SendfileDataBase sendfileData) {
		joinSelector();
		return super.processSendfile(sendfileData);
	}

	// With no interest yet: Tomcat's poller adds the interest the caller asks for, as for a
	// socket it registered itself. Registering again would reset that interest, hence once.
	private void joinSelector() {
		synchronized (this.registration) {
			if (this.registered) {
				return;
			}
			this.registered = true;
			SocketChannel channel = getSocket().getIOChannel();
			if (channel == null) {
				return;
			}
			try {
				channel.register(getPoller().getSelector(), 0, this);
			}
			catch (ClosedChannelException | ClosedSelectorException | CancelledKeyException ex) {
				// Closed meanwhile: the poller finds no key for it and closes this wrapper,
				// as it does for a socket Tomcat registered that closed under it.
			}
		}
	}

}
