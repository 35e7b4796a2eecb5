package io.prefork.autoconfigure;

import java.io.IOException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Set;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.FileAppender;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.slf4j.LoggerFactory;

import org.springframework.util.ClassUtils;

/**
 * Reopens the log files this process writes, after logrotate moved them (SIGUSR1). Logback's
 * file appenders (Spring Boot's {@code logging.file.name}, and any in a logback-spring.xml)
 * swap to a freshly opened file under the same name without losing an event; other
 * logging systems (Log4j2, java.util.logging) have no such call, so nothing is reopened
 * there and the caller reports 0.
 */
final class LogFiles {

	private static final Log logger = LogFactory.getLog(LogFiles.class);

	private static final boolean LOGBACK = ClassUtils.isPresent("ch.qos.logback.classic.LoggerContext",
			LogFiles.class.getClassLoader());

	private LogFiles() {
	}

	/**
	 * Reopen every log file.
	 * @return how many files were reopened
	 */
	static int reopen() {
		return LOGBACK ? Logback.reopen() : 0;
	}

	private static final class Logback {

		static int reopen() {
			if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
				return 0;
			}
			Set<FileAppender<?>> files = Collections.newSetFromMap(new IdentityHashMap<>());
			for (Logger each : context.getLoggerList()) {
				Iterator<Appender<ILoggingEvent>> appenders = each.iteratorForAppenders();
				while (appenders.hasNext()) {
					if (appenders.next() instanceof FileAppender<?> file && file.isStarted() && file.getFile() != null) {
						files.add(file);
					}
				}
			}
			int reopened = 0;
			for (FileAppender<?> file : files) {
				try {
					// Swaps the stream under the appender's lock: no event is lost or dropped.
					file.openFile(file.getFile());
					reopened++;
				}
				catch (IOException ex) {
					logger.warn("Cannot reopen log file " + file.getFile() + ": " + ex.getMessage());
				}
			}
			return reopened;
		}

	}

}
