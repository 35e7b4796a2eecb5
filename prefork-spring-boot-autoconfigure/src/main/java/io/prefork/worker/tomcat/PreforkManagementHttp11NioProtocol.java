package io.prefork.worker.tomcat;

import io.prefork.protocol.Connector;

/**
 * The protocol of a worker's management server (a separate {@code management.server.port}):
 * fed by the master with the connections of the management port it listens on.
 */
public class PreforkManagementHttp11NioProtocol extends PreforkHttp11NioProtocol {

	/**
	 * Create the protocol for this worker process's management server.
	 */
	public PreforkManagementHttp11NioProtocol() {
		super(Connector.MANAGEMENT);
	}

	@Override
	protected String getNamePrefix() {
		return "http-prefork-management";
	}

}
