package io.statusstream.spring;

import java.util.Objects;

/**
 * A mistake in how the application configures its status streams, found at startup: a definition without access
 * policy, a property out of range, a stream name under {@code status-stream.streams} that no definition has, and the
 * like. The application does not start; Spring Boot prints its {@linkplain #getDescription() description} and
 * {@linkplain #getAction() action} as an "APPLICATION FAILED TO START" report instead of a stack trace. Properties are
 * named as they are written in {@code application.properties} ({@code status-stream.poll-interval}).
 *
 * <p>It extends {@link IllegalStateException}: the configuration, not one argument, is wrong. Immutable;
 * thread-safe.
 */
public final class StatusStreamConfigurationException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    private final String description;
    /** What to do about it. */
    private final String action;

    /**
     * Creates the exception; public for the starters, which check that the application's web stack is theirs.
     *
     * @param description what is wrong, naming the stream or property; never {@code null}
     * @param action      what to do about it; never {@code null}
     */
    public StatusStreamConfigurationException(String description, String action) {
        super(Objects.requireNonNull(description, "description") + ". " + Objects.requireNonNull(action, "action"));
        this.description = description;
        this.action = action;
    }

    /**
     * What is wrong, naming the stream or property as the application writes it.
     *
     * @return the description, never {@code null}, without trailing period
     */
    public String getDescription() {
        return description;
    }

    /**
     * What to change so that the application starts.
     *
     * @return the action, never {@code null}
     */
    public String getAction() {
        return action;
    }
}
