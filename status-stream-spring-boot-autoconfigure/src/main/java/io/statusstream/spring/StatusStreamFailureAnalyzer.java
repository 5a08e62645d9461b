package io.statusstream.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;

/**
 * Turns a {@link StatusStreamConfigurationException} anywhere in a startup failure's causes into Spring Boot's
 * "APPLICATION FAILED TO START" report. Registered in {@code META-INF/spring.factories}. Ordered first, so that a
 * mistake in {@code status-stream.*} found while binding the properties gets our description rather than Boot's
 * generic "Failed to bind properties". Stateless; thread-safe.
 */
final class StatusStreamFailureAnalyzer extends AbstractFailureAnalyzer<StatusStreamConfigurationException>
        implements Ordered {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, StatusStreamConfigurationException cause) {
        return new FailureAnalysis(cause.getDescription(), cause.getAction(), cause);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
