package io.prefork.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

import io.prefork.PreforkException;

/**
 * Explains a {@link PreforkException} (bad configuration, a worker JVM that cannot adopt
 * connections) with a description and an action, as Spring Boot does for its own failures.
 */
class PreforkFailureAnalyzer extends AbstractFailureAnalyzer<PreforkException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, PreforkException cause) {
		return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
	}

	/**
	 * Format a failure like Spring Boot's "APPLICATION FAILED TO START" report, for the
	 * master, which fails before Spring Boot's reporting is in place.
	 * @param failure the failure
	 * @return the report
	 */
	static String report(PreforkException failure) {
		return String.format("%n%n***************************%nAPPLICATION FAILED TO START%n***************************"
				+ "%n%nDescription:%n%n%s%n%nAction:%n%n%s%n", failure.getMessage(), failure.getAction());
	}

}
