package dev.streamchat.gateway.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import com.mongodb.reactivestreams.client.MongoCollection;
import org.bson.Document;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.publisher.Mono;

/**
 * The {@code users} collection as far as auth needs it: {@code {_id: userId, plan, chatRequestCount, periodStart}}.
 * The plan stored here is the plan in force (contract section 2), whatever an older token says: quota decisions read
 * it through {@link #inForce}, cached per node for at most {@link #PLAN_CACHE_TTL} (a plan change made on another
 * node, or directly in MongoDB, is in force everywhere within that time). MongoDB trouble becomes a fast 503.
 */
@Component
public class UserAccounts {

    static final String COLLECTION = "users";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    /** How long a node trusts a plan it read; a downgrade is in force everywhere after at most this long. */
    public static final Duration PLAN_CACHE_TTL = Duration.ofSeconds(5);
    private static final int PLAN_CACHE_MAX = 10_000;

    /** A plan read from MongoDB; {@code plan} is null for a user without a document (the token's claim is in force). */
    private record CachedPlan(String plan, long expiresAtNanos) {
    }

    private final ConcurrentHashMap<String, CachedPlan> plans = new ConcurrentHashMap<>();
    /** The plan reads under way, one per user: callers that come while one runs share its answer. */
    private final ConcurrentHashMap<String, Mono<Optional<String>>> reads = new ConcurrentHashMap<>();

    private final ReactiveMongoTemplate mongo;
    private final Clock clock;
    /** The driver's {@code users} collection, looked up once. */
    private volatile MongoCollection<Document> collection;

    @Autowired
    public UserAccounts(ReactiveMongoTemplate mongo) {
        this(mongo, Clock.systemUTC());
    }

    UserAccounts(ReactiveMongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    /** Creates the user or changes their plan; a new user starts with no chats counted in this month (UTC). */
    public Mono<Void> upsert(String userId, String plan) {
        Date periodStart = Date.from(LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant());
        Update update = new Update()
                .set("plan", plan)
                .setOnInsert("chatRequestCount", 0)
                .setOnInsert("periodStart", periodStart);
        return mongo.upsert(Query.query(Criteria.where("_id").is(userId)), update, COLLECTION)
                .timeout(TIMEOUT)
                .onErrorMap(UserAccounts::unavailable)
                .doOnSuccess(ignored -> {
                    reads.remove(userId);
                    plans.remove(userId);
                })
                .then();
    }

    /**
     * Starts reading the user's plan now unless it is cached or already being read, so that the {@link #inForce} of
     * the same request, after its token's revocation check and its body, finds the read done or under way: the read
     * overlaps those steps instead of following them. A failure is left to that call (it reads again).
     */
    public void prefetch(String userId) {
        if (cached(userId) == null) {
            read(userId).subscribe(plan -> { }, error -> { });
        }
    }

    /**
     * The caller with the plan in force: the stored plan (cached up to {@link #PLAN_CACHE_TTL}), or the token's
     * claim for a user without a document. 503 when MongoDB cannot answer.
     */
    public Mono<AuthenticatedUser> inForce(AuthenticatedUser caller) {
        CachedPlan cached = cached(caller.userId());
        if (cached != null) {
            return Mono.just(withPlan(caller, cached.plan()));
        }
        return read(caller.userId()).map(stored -> withPlan(caller, stored.orElse(null)));
    }

    private CachedPlan cached(String userId) {
        CachedPlan cached = plans.get(userId);
        return cached != null && System.nanoTime() - cached.expiresAtNanos() < 0 ? cached : null;
    }

    /** The user's stored plan (empty without a document), read once for every caller that asks while it runs. */
    private Mono<Optional<String>> read(String userId) {
        return reads.computeIfAbsent(userId, this::newRead);
    }

    /**
     * A read that caches what it found unless {@link #upsert} changed the plan meanwhile (the upsert takes the read
     * out of {@link #reads}: it may have seen the old plan).
     */
    private Mono<Optional<String>> newRead(String userId) {
        AtomicReference<Mono<Optional<String>>> self = new AtomicReference<>();
        Mono<Optional<String>> read = storedPlan(userId)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .doOnNext(plan -> {
                    if (reads.get(userId) == self.get()) {
                        remember(userId, plan.orElse(null));
                    }
                })
                .doFinally(signal -> reads.remove(userId, self.get()))
                .cache();
        self.set(read);
        return read;
    }

    private void remember(String userId, String plan) {
        if (plans.size() >= PLAN_CACHE_MAX) {
            plans.clear(); // bounded: a burst of distinct users only costs re-reads
        }
        plans.put(userId, new CachedPlan(plan, System.nanoTime() + PLAN_CACHE_TTL.toNanos()));
    }

    /** The caller with {@code plan}, or as the token says when it is null or the same. */
    private static AuthenticatedUser withPlan(AuthenticatedUser caller, String plan) {
        return plan == null || plan.equals(caller.plan()) ? caller : new AuthenticatedUser(caller.userId(), plan);
    }

    /**
     * The stored plan, or empty when the user has no document. Read with the driver's collection, not the template's
     * {@code findById}: its query mapping and database lookup were most of a stream start's MongoDB CPU on the event
     * loop, for a lookup by {@code _id} that needs no mapping.
     */
    public Mono<String> storedPlan(String userId) {
        return collection()
                .flatMap(users -> Mono.from(users.find(new Document("_id", userId)).first()))
                .timeout(TIMEOUT)
                .onErrorMap(UserAccounts::unavailable)
                .flatMap(document -> Mono.justOrEmpty(document.get("plan") instanceof String plan
                        && JwtTokens.PLAN.matcher(plan).matches() ? plan : null));
    }

    private Mono<MongoCollection<Document>> collection() {
        MongoCollection<Document> known = collection;
        return known != null ? Mono.just(known) : mongo.getCollection(COLLECTION).doOnNext(found -> collection = found);
    }

    private static Throwable unavailable(Throwable error) {
        return error instanceof ApiException ? error
                : new ApiException(ErrorCode.UNAVAILABLE, "The user store is unavailable, try again shortly.",
                        Duration.ofSeconds(2), java.util.Map.of());
    }
}
