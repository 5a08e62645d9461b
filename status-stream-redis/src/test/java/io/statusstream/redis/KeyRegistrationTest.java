package io.statusstream.redis;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class KeyRegistrationTest {

    private final KeyRegistration registration = new KeyRegistration();

    private KeyRegistration.Delta beat(Set<String> watched, boolean wasRegistered) {
        KeyRegistration.Delta delta = registration.next(watched);
        registration.sent(delta, wasRegistered);
        return delta;
    }

    @Test
    void theFirstHeartbeatReplacesTheMembersSetWithEveryKey() {
        KeyRegistration.Delta delta = registration.next(Set.of("1", "2"));

        assertThat(delta.reset()).isTrue();
        assertThat(delta.added()).containsExactlyInAnyOrder("1", "2");
        assertThat(delta.removed()).isEmpty();
    }

    @Test
    void laterHeartbeatsSendOnlyWhatChanged() {
        beat(Set.of("1", "2"), false);

        KeyRegistration.Delta delta = registration.next(Set.of("2", "3"));

        assertThat(delta.reset()).isFalse();
        assertThat(delta.added()).containsExactly("3");
        assertThat(delta.removed()).containsExactly("1");
    }

    @Test
    void keysTheMemberLoadedItselfAreRemovedWhenNobodyWatchesThem() {
        beat(Set.of("1"), false);
        registration.loaded(List.of("5", "1"));

        KeyRegistration.Delta delta = registration.next(Set.of("1"));

        assertThat(delta.added()).isEmpty();
        assertThat(delta.removed()).containsExactly("5");
        assertThat(registration.next(Set.of("1")).removed()).as("reported once").isEmpty();
    }

    @Test
    void aRegistrationThatExpiredInRedisIsSentWholeNextTime() {
        beat(Set.of("1", "2"), false);
        beat(Set.of("1", "2", "3"), false);

        KeyRegistration.Delta delta = registration.next(Set.of("1", "2", "3"));

        assertThat(delta.reset()).isTrue();
        assertThat(delta.added()).containsExactlyInAnyOrder("1", "2", "3");
    }

    @Test
    void aRegistrationStillInRedisIsNotSentAgain() {
        beat(Set.of("1", "2"), false);
        beat(Set.of("1", "2"), true);

        assertThat(registration.next(Set.of("1", "2")).reset()).isFalse();
    }

    @Test
    void everyKeyIsSentAgainAfterAFailureOrALoss() {
        beat(Set.of("1", "2"), false);
        registration.resendAll();

        KeyRegistration.Delta delta = registration.next(Set.of("1", "2"));

        assertThat(delta.reset()).isTrue();
        assertThat(delta.added()).containsExactlyInAnyOrder("1", "2");
    }
}
