package io.statusstream.redis;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Times are nanoseconds passed in; the lease time is 1 s, usable for 0.9 s after the heartbeat began. */
class LeaseKeeperTest {

    private static final long MS = 1_000_000L;

    private final LeaseKeeper lease = new LeaseKeeper(Duration.ofSeconds(1), 0);

    @Test
    void holdsNoTokenBeforeAHeartbeatTookTheLease() {
        assertThat(lease.token(5 * MS)).isZero();
    }

    @Test
    void aTokenIsUsableForNineTenthsOfTheLeaseTimeFromWhenItsHeartbeatBegan() {
        assertThat(lease.renewed(7, 100 * MS)).as("just taken").isTrue();

        assertThat(lease.token(999 * MS)).isEqualTo(7);
        assertThat(lease.token(1_000 * MS)).isZero();
    }

    @Test
    void aRenewalOfTheSameTokenIsNotATakeover() {
        lease.renewed(7, 100 * MS);

        assertThat(lease.renewed(7, 400 * MS)).isFalse();
        assertThat(lease.token(1_200 * MS)).isEqualTo(7);
        assertThat(lease.renewed(9, 700 * MS)).as("a new token is a takeover").isTrue();
    }

    @Test
    void aHeartbeatThatFoundNoLeaseEndsTheTokenAtOnce() {
        lease.renewed(7, 100 * MS);

        lease.renewed(0, 400 * MS);

        assertThat(lease.token(401 * MS)).isZero();
    }

    @Test
    void aDroppedTokenIsNotBroughtBackByAHeartbeatBegunBeforeTheDrop() {
        lease.renewed(7, 100 * MS);
        lease.drop(7, 450 * MS);

        assertThat(lease.renewed(7, 400 * MS)).isFalse();
        assertThat(lease.token(500 * MS)).isZero();
        assertThat(lease.renewed(7, 460 * MS)).as("a heartbeat begun after the drop").isTrue();
        assertThat(lease.token(500 * MS)).isEqualTo(7);
    }

    @Test
    void droppingAnotherTokenLeavesTheLeaseAlone() {
        lease.renewed(9, 100 * MS);

        lease.drop(7, 200 * MS);

        assertThat(lease.token(300 * MS)).isEqualTo(9);
    }

    @Test
    void anOutageDropsWhateverTokenIsHeld() {
        lease.renewed(9, 100 * MS);

        lease.drop(200 * MS);

        assertThat(lease.token(300 * MS)).isZero();
    }
}
