package io.prefork.worker.tomcat;

import org.apache.coyote.http11.Http11NioProtocol;

import io.prefork.protocol.Connector;
import io.prefork.worker.Worker;

/**
 * Tomcat's HTTP/1.1 NIO protocol fed by the prefork master instead of a bound port. Tomcat
 * creates protocols by class name, hence the no-argument constructor reaching for the
 * process's {@link Worker}.
 */
public class PreforkHttp11NioProtocol extends Http11NioProtocol {

	/**
	 * Create the protocol for this worker process.
	 */
	public PreforkHttp11NioProtocol() {
		this(Connector.SERVER);
	}

	PreforkHttp11NioProtocol(Connector connector) {
		super(new HandoffEndpoint(Worker.current(), connector));
	}

	@Override
	protected String getNamePrefix() {
		return "http-prefork";
	}

}
