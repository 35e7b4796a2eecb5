package io.prefork.sample;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1}, made
 * with the JDK's keytool, as a PKCS12 key store and as PEM files, and a client
 * {@link SSLContext} that trusts only it.
 */
final class SelfSignedCertificate {

	static final String PASSWORD = "secret";

	private static final String ALIAS = "server";

	private final Path keyStore;

	private final Path certificatePem;

	private final Path privateKeyPem;

	private final Certificate certificate;

	private SelfSignedCertificate(Path keyStore, Path certificatePem, Path privateKeyPem, Certificate certificate) {
		this.keyStore = keyStore;
		this.certificatePem = certificatePem;
		this.privateKeyPem = privateKeyPem;
		this.certificate = certificate;
	}

	static SelfSignedCertificate create(Path directory) throws IOException, GeneralSecurityException,
			InterruptedException {
		Path keyStore = directory.resolve("server.p12");
		String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
		Process process = new ProcessBuilder(keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname",
				"secp256r1", "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1,ip:::1",
				"-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD)
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
			throw new IOException("keytool failed: " + output);
		}
		KeyStore store = KeyStore.getInstance("PKCS12");
		try (InputStream in = Files.newInputStream(keyStore)) {
			store.load(in, PASSWORD.toCharArray());
		}
		Certificate certificate = store.getCertificate(ALIAS);
		Path certificatePem = Files.writeString(directory.resolve("server.crt"),
				pem("CERTIFICATE", certificate.getEncoded()));
		Path privateKeyPem = Files.writeString(directory.resolve("server.key"),
				pem("PRIVATE KEY", store.getKey(ALIAS, PASSWORD.toCharArray()).getEncoded()));
		return new SelfSignedCertificate(keyStore, certificatePem, privateKeyPem, certificate);
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n"
				+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	Certificate certificate() {
		return this.certificate;
	}

	/**
	 * Return a client TLS context that trusts this certificate and nothing else.
	 * @return the context
	 */
	SSLContext trustingClient() throws GeneralSecurityException, IOException {
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		trust.setCertificateEntry(ALIAS, this.certificate);
		TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trustManagers.init(trust);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trustManagers.getTrustManagers(), null);
		return context;
	}

	/**
	 * The settings that make the server use this certificate, in one of the ways Spring
	 * Boot offers.
	 * @param style {@code server.ssl} (a key store in {@code server.ssl.*}), {@code jks-bundle}
	 * or {@code pem-bundle} (an SSL bundle named in {@code server.ssl.bundle})
	 * @return {@code --name=value} arguments
	 */
	List<String> serverArguments(String style) {
		return switch (style) {
			case "server.ssl" -> List.of("--server.ssl.key-store=file:" + this.keyStore,
					"--server.ssl.key-store-type=PKCS12", "--server.ssl.key-store-password=" + PASSWORD);
			case "jks-bundle" -> List.of("--spring.ssl.bundle.jks.web.keystore.location=file:" + this.keyStore,
					"--spring.ssl.bundle.jks.web.keystore.type=PKCS12",
					"--spring.ssl.bundle.jks.web.keystore.password=" + PASSWORD, "--server.ssl.bundle=web");
			case "pem-bundle" -> List.of(
					"--spring.ssl.bundle.pem.web.keystore.certificate=file:" + this.certificatePem,
					"--spring.ssl.bundle.pem.web.keystore.private-key=file:" + this.privateKeyPem,
					"--server.ssl.bundle=web");
			default -> throw new IllegalArgumentException(style);
		};
	}

}
