package io.prefork.routing;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionCookieScannerTests {

	private final SessionCookieScanner scanner = new SessionCookieScanner("JSESSIONID", "jsessionid", 4);

	private int scan(String head, boolean last) {
		byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
		return this.scanner.scan(bytes, bytes.length, last);
	}

	private int scan(String head) {
		return scan(head, false);
	}

	@Test
	void sessionCookieGivesItsSlot() {
		assertThat(scan("GET / HTTP/1.1\r\nHost: x\r\nCookie: JSESSIONID=ABC.w2\r\n\r\n")).isEqualTo(2);
	}

	@Test
	void cookieAmongOthersWithAnySpacingAndCase() {
		assertThat(scan("GET / HTTP/1.1\r\ncookie:a=1;  JSESSIONID = \"ABC.w1\" ; b=2\r\n\r\n")).isEqualTo(1);
		assertThat(scan("POST /x HTTP/1.1\r\nCOOKIE: theme=dark; JSESSIONID=ABC.w3\r\n\r\n")).isEqualTo(3);
	}

	@Test
	void cookieIsEnoughBeforeTheHeadEnds() {
		assertThat(scan("GET / HTTP/1.1\r\nCookie: JSESSIONID=ABC.w2\r\nAccept: */")).isEqualTo(2);
	}

	@Test
	void cookieOnAnUnfinishedLineIsNotTrusted() {
		assertThat(scan("GET / HTTP/1.1\r\nCookie: JSESSIONID=ABC.w2")).isEqualTo(SessionCookieScanner.NEED_MORE);
		assertThat(scan("GET / HTTP/1.1\r\nCookie: JSESSIONID=ABC.w2", true)).isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

	@Test
	void otherCookieNamesAndNamesThatOnlyLookAlikeDoNotCount() {
		assertThat(scan("GET / HTTP/1.1\r\nCookie: XJSESSIONID=ABC.w2; jsessionid=ABC.w1\r\n\r\n"))
			.isEqualTo(SessionCookieScanner.NO_ROUTE);
		assertThat(scan("GET / HTTP/1.1\r\nX-Cookie: JSESSIONID=ABC.w2\r\n\r\n")).isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

	@Test
	void configuredCookieName() {
		SessionCookieScanner custom = new SessionCookieScanner("SESSION", "SESSION", 4);
		byte[] head = "GET / HTTP/1.1\r\nCookie: JSESSIONID=A.w1; SESSION=B.w3\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
		assertThat(custom.scan(head, head.length, false)).isEqualTo(3);
	}

	@Test
	void aCookieWithoutOurRouteIsSkippedForALaterOne() {
		assertThat(scan("GET / HTTP/1.1\r\nCookie: JSESSIONID=OLD\r\nCookie: JSESSIONID=NEW.w1\r\n\r\n")).isEqualTo(1);
		assertThat(scan("GET / HTTP/1.1\r\nCookie: JSESSIONID=A.w9; JSESSIONID=B.w0\r\n\r\n")).isZero();
	}

	@Test
	void completeHeadWithoutSessionHasNoRoute() {
		assertThat(scan("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")).isEqualTo(SessionCookieScanner.NO_ROUTE);
		assertThat(scan("GET /hello HTTP/1.0\n\n")).isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

	@Test
	void pathParameterRoutesWhenThereIsNoCookie() {
		assertThat(scan("GET /cart;jsessionid=ABC.w1?x=1 HTTP/1.1\r\nHost: x\r\n\r\n")).isEqualTo(1);
		assertThat(scan("GET /a;jsessionid=ABC.w1/b HTTP/1.1\r\n\r\n")).isEqualTo(1);
		assertThat(scan("GET /a;jsessionid=ABC.w1;v=2 HTTP/1.1\r\n\r\n")).isEqualTo(1);
	}

	@Test
	void cookieWinsOverThePathParameter() {
		assertThat(scan("GET /a;jsessionid=ABC.w1 HTTP/1.1\r\nCookie: JSESSIONID=ABC.w2\r\n\r\n")).isEqualTo(2);
	}

	@Test
	void pathParameterWaitsForTheHeadToEndInCaseACookieFollows() {
		assertThat(scan("GET /a;jsessionid=ABC.w1 HTTP/1.1\r\nHost: x\r\n")).isEqualTo(SessionCookieScanner.NEED_MORE);
		assertThat(scan("GET /a;jsessionid=ABC.w1 HTTP/1.1\r\nHost: x\r\n", true)).isEqualTo(1);
	}

	@Test
	void pathParameterOnlyInTheRequestTarget() {
		assertThat(scan("GET /a HTTP/1.1;jsessionid=ABC.w1\r\n\r\n")).isEqualTo(SessionCookieScanner.NO_ROUTE);
		assertThat(scan("GET /a HTTP/1.1\r\nReferer: /b;jsessionid=ABC.w1\r\n\r\n"))
			.isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

	@Test
	void nothingYetOrAPartialRequestLineNeedsMore() {
		assertThat(scan("")).isEqualTo(SessionCookieScanner.NEED_MORE);
		assertThat(scan("GE")).isEqualTo(SessionCookieScanner.NEED_MORE);
		assertThat(scan("GET /some/long/pa")).isEqualTo(SessionCookieScanner.NEED_MORE);
		assertThat(scan("GET / HTTP/1.1\r\nHost: x\r\n")).isEqualTo(SessionCookieScanner.NEED_MORE);
		assertThat(scan("", true)).isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

	@Test
	void tlsAndHttp2AreNeverHeldBack() {
		byte[] clientHello = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 };
		assertThat(this.scanner.scan(clientHello, clientHello.length, false)).isEqualTo(SessionCookieScanner.NO_ROUTE);
		assertThat(scan("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")).isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

	@Test
	void garbageIsNotHeldBack() {
		assertThat(scan("\r\n\r\n")).isEqualTo(SessionCookieScanner.NO_ROUTE);
		assertThat(scan(" GET / HTTP/1.1\r\n")).isEqualTo(SessionCookieScanner.NO_ROUTE);
		assertThat(scan("get / HTTP/1.1\r\n")).isEqualTo(SessionCookieScanner.NO_ROUTE);
		assertThat(scan("A".repeat(100))).isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

	@Test
	void hugeHeadWithoutEndIsDecidedWhenTheBufferIsFull() {
		String head = "GET / HTTP/1.1\r\nX-Big: " + "x".repeat(8000);
		assertThat(scan(head)).isEqualTo(SessionCookieScanner.NEED_MORE);
		assertThat(scan(head, true)).isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

	@Test
	void manyCookiesAndHostileBytes() {
		StringBuilder cookies = new StringBuilder("GET / HTTP/1.1\r\nCookie: ");
		for (int i = 0; i < 1000; i++) {
			cookies.append("c").append(i).append("=;=;;JSESSIONID;JSESSIONID=\"; ");
		}
		cookies.append("JSESSIONID=X.w2\r\n\r\n");
		assertThat(scan(cookies.toString())).isEqualTo(2);
		byte[] hostile = new byte[4096];
		for (int i = 0; i < hostile.length; i++) {
			hostile[i] = (byte) (i * 31);
		}
		byte[] prefixed = ("GET / HTTP/1.1\r\nCookie: " + new String(hostile, StandardCharsets.ISO_8859_1))
			.getBytes(StandardCharsets.ISO_8859_1);
		assertThat(this.scanner.scan(prefixed, prefixed.length, true)).isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

	@Test
	void routesBeyondThePoolAreIgnored() {
		assertThat(scan("GET / HTTP/1.1\r\nCookie: JSESSIONID=ABC.w4\r\n\r\n")).isEqualTo(SessionCookieScanner.NO_ROUTE);
	}

}
