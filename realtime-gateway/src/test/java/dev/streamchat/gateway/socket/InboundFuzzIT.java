package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.when;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.SocketIOClient;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.auth.JwtTokens;
import dev.streamchat.gateway.socket.StreamCommands.ResumeStatus;
import dev.streamchat.gateway.socket.StreamCommands.StopResult;
import reactor.core.publisher.Mono;

/**
 * Random and mutated Engine.IO / Socket.IO frames against the real socket server, over WebSocket and polling, before
 * and after sign-in. Seeded ({@code -Dfuzz.seed=N} to replay a run; the seed is printed) and bounded (a few hundred
 * frames; {@code -Dfuzz.rounds=60} for a longer hunt: what reaches netty-socketio also depends on timing, the
 * per-second cap, so a rare path can need many rounds). Checks, every round: no session that never offered a valid
 * token is accepted; no signed-in socket gets more events handled than the per-second cap allows; nothing reaches
 * netty-socketio's exception hook; and retained heap after GC does not grow from round to round.
 */
class InboundFuzzIT extends InboundSocketTest {

    static final int ROUNDS = Integer.getInteger("fuzz.rounds", 4);
    static final int CAP_PER_SECOND = 10;
    static final long HEAP_GROWTH_LIMIT = 48L * 1024 * 1024;
    static final String INTRUDER = "intruder";
    static final byte[] SPECIALS = "[{]},:\"\u001e0123456789-/".getBytes(StandardCharsets.UTF_8);

    private final long seed = Long.getLong("fuzz.seed", 20261202L);
    private final Random random = new Random(seed);
    private final String forged = new JwtTokens("another-secret-another-secret-another-secret", Duration.ofHours(1),
            Clock.systemUTC()).issue(INTRUDER, "pro");

    private List<byte[]> corpus(String token) {
        List<String> text = List.of(
                "40", "40{}", "40{\"token\":\"" + token + "\"}", "40/chat,{\"token\":\"" + token + "\"}",
                "42[\"chat-stop\",{\"streamId\":\"s1\"}]", "4212[\"chat-resume\",{\"streamId\":\"s1\",\"afterSeq\":0}]",
                "42[\"chat-resume\",{\"streamId\":\"s1\",\"afterSeq\":3}]", "42[\"x\",[1,{\"a\":[null,true]}]]",
                "41", "3", "2probe", "5", "6", "1", "451-[\"chat-stop\",{\"_placeholder\":true,\"num\":0}]",
                "43[\"ok\"]", "44{\"message\":\"x\"}", "b" + "QUJD", "32:42[\"chat-stop\",{\"streamId\":\"s\"}]");
        List<byte[]> corpus = new ArrayList<>();
        text.forEach(packet -> corpus.add(packet.getBytes(StandardCharsets.UTF_8)));
        corpus.add(new byte[] {0x00, 0x02, (byte) 0xFF, '4', '0'});
        corpus.add(InboundProtocolIT.v3Framed("42[\"chat-stop\",{\"streamId\":\"s1\"}]", "3"));
        return corpus;
    }

    private byte[] mutate(byte[] seedPacket) {
        byte[] packet = seedPacket;
        int mutations = random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            packet = switch (random.nextInt(10)) {
                case 0 -> flip(packet);
                case 1 -> insert(packet, (byte) random.nextInt(256));
                case 2 -> insert(packet, SPECIALS[random.nextInt(SPECIALS.length)]);
                case 3 -> packet.length > 1 ? Arrays.copyOf(packet, random.nextInt(packet.length)) : packet;
                case 4 -> concat(packet, new byte[] {0x1E}, packet);
                case 5 -> concat(Integer.toString(packet.length).getBytes(StandardCharsets.UTF_8), new byte[] {':'}, packet);
                case 6 -> concat(new byte[] {0x00, (byte) (packet.length % 10), (byte) 0xFF}, packet, new byte[0]);
                case 7 -> randomBytes(1 + random.nextInt(64));
                case 8 -> concat(packet, "[".repeat(random.nextInt(40)).getBytes(StandardCharsets.UTF_8), new byte[0]);
                default -> packet;
            };
        }
        return packet;
    }

    private byte[] flip(byte[] packet) {
        if (packet.length == 0) {
            return packet;
        }
        byte[] copy = packet.clone();
        copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
        return copy;
    }

    private byte[] insert(byte[] packet, byte value) {
        int at = packet.length == 0 ? 0 : random.nextInt(packet.length + 1);
        byte[] copy = new byte[packet.length + 1];
        System.arraycopy(packet, 0, copy, 0, at);
        copy[at] = value;
        System.arraycopy(packet, at, copy, at + 1, packet.length - at);
        return copy;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b, byte[] c) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        out.writeBytes(c);
        return out.toByteArray();
    }

    private byte[] frame(List<byte[]> corpus) {
        return mutate(corpus.get(random.nextInt(corpus.size())));
    }

    private void send(RawEngineIo.Ws ws, byte[] frame) {
        if (random.nextInt(4) == 0) {
            ws.tryBinary(frame);
        } else {
            ws.tryText(new String(frame, StandardCharsets.UTF_8));
        }
    }

    private double exceptionsIntoNetty() {
        return meters.get("gateway.socket.errors").counter().count();
    }

    private long stopsOf(String userId) {
        return mockingDetails(streamCommands).getInvocations().stream()
                .filter(invocation -> invocation.getMethod().getName().equals("stop")
                        || invocation.getMethod().getName().equals("resume"))
                .filter(invocation -> userId.equals(invocation.getArgument(0)))
                .count();
    }

    private static long retainedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void hostileFramesNeverSignInNeverPassTheCapNeverThrowAndNeverPileUp() throws Exception {
        System.out.println("InboundFuzzIT seed=" + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        when(streamCommands.stop(any(), any())).thenReturn(Mono.just(StopResult.ALREADY_FINISHED));
        when(streamCommands.resume(any(), any(), org.mockito.ArgumentMatchers.anyLong(), any(), any()))
                .thenReturn(Mono.just(ResumeStatus.UNKNOWN));
        double exceptionsBefore = exceptionsIntoNetty();
        long baseline = 0;
        int frames = 0;
        for (int round = 0; round < ROUNDS; round++) {
            List<RawEngineIo.Ws> anonymous = new ArrayList<>();
            Map<String, long[]> signedIn = new HashMap<>();
            List<RawEngineIo.Ws> open = new ArrayList<>();
            try {
                // Before sign-in: only forged or no credentials, so nothing may be accepted.
                for (int i = 0; i < 5; i++) {
                    RawEngineIo.Ws ws = RawEngineIo.Ws.open(SOCKET_PORT);
                    anonymous.add(ws);
                    open.add(ws);
                    for (int f = 0; f < 8 && !ws.isClosed(); f++, frames++) {
                        send(ws, frame(corpus(forged)));
                    }
                }
                // After sign-in: mutated traffic from a real user.
                for (int i = 0; i < 5; i++) {
                    String userId = "fuzz-" + round + "-" + i;
                    long started = System.nanoTime();
                    RawEngineIo.Ws ws = RawEngineIo.Ws.authenticated(SOCKET_PORT, tokens.issue(userId, "free"));
                    open.add(ws);
                    for (int f = 0; f < 15 && !ws.isClosed(); f++, frames++) {
                        send(ws, frame(corpus(forged)));
                    }
                    signedIn.put(userId, new long[] {started, System.nanoTime()});
                }
                // Polling, before sign-in.
                for (int i = 0; i < 2; i++) {
                    RawEngineIo.Polling polling = RawEngineIo.Polling.open(SOCKET_PORT);
                    List<String> answers = new ArrayList<>();
                    for (int f = 0; f < 4; f++, frames++) {
                        byte[] body = frame(corpus(forged));
                        if (polling.post(body) != 200) {
                            break;
                        }
                    }
                    List<String> packets = polling.poll(Duration.ofSeconds(5));
                    if (packets != null) {
                        answers.addAll(packets);
                    }
                    assertThat(answers).as("polling answers to an anonymous session").noneMatch(p -> p.startsWith("40{"));
                }

                for (RawEngineIo.Ws ws : anonymous) {
                    assertThat(ws.received).as("answers to an anonymous session").noneMatch(p -> p.startsWith("40{"));
                }
                for (SocketIOClient client : namespace.getAllClients()) {
                    AuthenticatedUser user = client.get(AuthenticatedUser.SOCKET_KEY);
                    assertThat(user == null ? null : user.userId()).isNotEqualTo(INTRUDER);
                }
                for (Map.Entry<String, long[]> session : signedIn.entrySet()) {
                    double seconds = (System.nanoTime() - session.getValue()[0]) / 1e9;
                    assertThat(stopsOf(session.getKey())).as("events handled for " + session.getKey())
                            .isLessThanOrEqualTo((long) (CAP_PER_SECOND * (1 + Math.ceil(seconds))));
                }
                assertThat(exceptionsIntoNetty()).as("exceptions into netty (seed " + seed + ")").isEqualTo(exceptionsBefore);
            } finally {
                open.forEach(RawEngineIo.Ws::close);
            }
            long heap = retainedHeap();
            if (round == 0) {
                baseline = heap;
            } else {
                assertThat(heap - baseline).as("retained heap growth after round " + round).isLessThan(HEAP_GROWTH_LIMIT);
            }
        }
        System.out.println("InboundFuzzIT frames=" + frames + " retainedHeapGrowthBytes=" + (retainedHeap() - baseline));
    }
}
