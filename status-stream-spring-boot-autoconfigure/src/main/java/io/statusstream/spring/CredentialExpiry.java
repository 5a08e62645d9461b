package io.statusstream.spring;

import org.springframework.util.ClassUtils;

import java.security.Principal;
import java.time.Instant;

/**
 * When a principal's credentials expire, where they say so: a Spring Security {@code Authentication} whose
 * credentials or principal is an OAuth2 token (a bearer token's or a JWT's {@code exp}). Everything else never
 * expires here (a session's expiry is the session's own). Stateless; loads no Spring Security class unless present.
 */
final class CredentialExpiry {

    private static final boolean OAUTH2_PRESENT = ClassUtils.isPresent(
            "org.springframework.security.oauth2.core.OAuth2Token", CredentialExpiry.class.getClassLoader())
            && ClassUtils.isPresent("org.springframework.security.core.Authentication",
            CredentialExpiry.class.getClassLoader());

    private CredentialExpiry() {
    }

    /** @return the expiry, or {@code null} if the credentials say none */
    static Instant of(Principal principal) {
        return OAUTH2_PRESENT ? OAuth2.expiry(principal) : null;
    }

    /** Kept apart so that its types are loaded only when they are on the class path. */
    private static final class OAuth2 {

        static Instant expiry(Principal principal) {
            if (!(principal instanceof org.springframework.security.core.Authentication authentication)) {
                return null;
            }
            if (authentication.getCredentials() instanceof org.springframework.security.oauth2.core.OAuth2Token token) {
                return token.getExpiresAt();
            }
            if (authentication.getPrincipal() instanceof org.springframework.security.oauth2.core.OAuth2Token token) {
                return token.getExpiresAt();
            }
            return null;
        }
    }
}
