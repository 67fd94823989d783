package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.config.TestRedis;
import io.lettuce.core.api.reactive.RedisReactiveCommands;

/**
 * Claiming a new stream against a real (embedded) Redis: one script takes the session lock, the lease and the user's
 * slot and records the stream, or refuses in the contract's order and takes nothing.
 */
class StreamClaimTests {

    static TestRedis redis;
    static StreamStore store;

    @BeforeAll
    static void start() {
        redis = TestRedis.start();
        store = new StreamStore(redis.gatewayRedis(), new StreamProperties(true, Duration.ofSeconds(60),
                Duration.ofSeconds(120), Duration.ofSeconds(300), Duration.ofMillis(50)));
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static StreamSpec spec(String userId, String sessionId) {
        String question = "What is in the report?";
        return new StreamSpec(new AuthenticatedUser(userId, "pro"), sessionId, id(), id(), id(), "req-1", question,
                new AiRequest(userId, null, null, question, List.of(), null, null, null), StreamSpec.Kind.NEW_EXCHANGE,
                Instant.now());
    }

    private static StreamClaim claim(StreamSpec spec, String newSessionOwner, int maxStreams) {
        return store.claim(spec, newSessionOwner, maxStreams, "{\"status\":\"in_progress\"}").block(Duration.ofSeconds(10));
    }

    private static RedisReactiveCommands<String, String> commands() {
        return redis.gatewayRedis().commands().block(Duration.ofSeconds(10));
    }

    /** Whether anything of the stream's record is in Redis: meta, state key, running index, the user's running set. */
    private static boolean recorded(StreamSpec spec) {
        RedisReactiveCommands<String, String> r = commands();
        long keys = r.exists(StreamStore.metaKey(spec.streamId()), StreamStore.stateKey(spec)).block();
        boolean indexed = r.zscore(StreamStore.RUNNING_INDEX, spec.streamId()).blockOptional().isPresent();
        boolean listed = Boolean.TRUE.equals(r.sismember(StreamStore.userStreamsKey(spec.userId()), spec.streamId()).block());
        return keys > 0 || indexed || listed;
    }

    @Test
    void aTakenClaimHoldsTheSessionAndRecordsTheStreamAsRunning() {
        String user = "u" + id();
        String session = id();
        StreamSpec first = spec(user, session);
        assertThat(claim(first, user, 3)).isEqualTo(StreamClaim.TAKEN);

        RedisReactiveCommands<String, String> r = commands();
        assertThat(r.get(StreamStore.sessionLockKey(session)).block()).isEqualTo(first.streamId());
        assertThat(r.get(StreamStore.sessionOwnerKey(session)).block()).isEqualTo(user);
        assertThat(r.exists(StreamStore.leaseKey(first.streamId())).block()).isEqualTo(1L);
        assertThat(r.hgetall(StreamStore.metaKey(first.streamId())).collectMap(kv -> kv.getKey(), kv -> kv.getValue()).block())
                .containsEntry("uid", user).containsEntry("sess", session).containsEntry("status", StreamStore.STATUS_RUNNING)
                .containsEntry("q", first.question()).containsEntry("crid", "req-1").containsEntry("kind", "exchange");
        assertThat(recorded(first)).isTrue();
        assertThat(r.pttl(StreamStore.metaKey(first.streamId())).block()).isPositive();

        // The session is busy while the first stream's lease lives: refused, and the second stream left no trace.
        StreamSpec second = spec(user, session);
        assertThat(claim(second, null, 3)).isEqualTo(StreamClaim.SESSION_BUSY);
        assertThat(recorded(second)).isFalse();
        assertThat(r.get(StreamStore.sessionLockKey(session)).block()).isEqualTo(first.streamId());
    }

    @Test
    void aUserAtTheStreamLimitIsRefusedWithNothingTakenAndAnEndedStreamFreesItsSlot() {
        String user = "u" + id();
        StreamSpec one = spec(user, id());
        StreamSpec two = spec(user, id());
        assertThat(claim(one, user, 2)).isEqualTo(StreamClaim.TAKEN);
        assertThat(claim(two, user, 2)).isEqualTo(StreamClaim.TAKEN);

        StreamSpec three = spec(user, id());
        assertThat(claim(three, user, 2)).isEqualTo(StreamClaim.NO_SLOT);
        assertThat(recorded(three)).isFalse();
        RedisReactiveCommands<String, String> r = commands();
        assertThat(r.exists(StreamStore.sessionLockKey(three.sessionId()), StreamStore.leaseKey(three.streamId()),
                StreamStore.sessionOwnerKey(three.sessionId())).block()).isZero();

        // A stream whose lease is gone (it ended, or its node died) no longer counts.
        r.del(StreamStore.leaseKey(one.streamId())).block();
        assertThat(claim(three, user, 2)).isEqualTo(StreamClaim.TAKEN);
    }

    @Test
    void aDeletedSessionIsRefusedWithNothingTaken() {
        String user = "u" + id();
        String session = id();
        store.markDeleted(session).block(Duration.ofSeconds(10));
        StreamSpec spec = spec(user, session);
        assertThat(claim(spec, null, 3)).isEqualTo(StreamClaim.SESSION_DELETED);
        assertThat(recorded(spec)).isFalse();
        assertThat(commands().exists(StreamStore.sessionLockKey(session), StreamStore.leaseKey(spec.streamId())).block())
                .isZero();
    }

    @Test
    void discardAndUnlockGiveBackWhatAClaimTook() {
        String user = "u" + id();
        String session = id();
        StreamSpec spec = spec(user, session);
        assertThat(claim(spec, user, 1)).isEqualTo(StreamClaim.TAKEN);
        store.discard(spec).then(store.unlockSession(session, spec.streamId())).block(Duration.ofSeconds(10));
        assertThat(recorded(spec)).isFalse();
        // The session and the user's only slot are free again.
        assertThat(claim(spec(user, session), null, 1)).isEqualTo(StreamClaim.TAKEN);
    }
}
