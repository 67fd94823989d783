package dev.streamchat.gateway.testing;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.json.JSONException;
import org.json.JSONObject;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;

/**
 * One browser tab as the gateway sees it: a Java socket.io client that records the stream events it receives. Every
 * payload of those events must be one JSON object (contract section 0): anything else is recorded in
 * {@link #notObjects} with the event name and the arguments, and {@link #close()} fails the test with them (a cast in
 * the client's callback thread would only be logged there, and the test would wait for events that never come).
 */
public final class UserSocket implements AutoCloseable {

    public record Received(String event, JSONObject payload, long atNanos) {
        public String streamId() {
            return payload.optString("streamId", null);
        }

        public long seq() {
            return payload.optLong("seq", -1);
        }
    }

    private static final List<String> EVENTS = List.of("chat-stream-start", "chat-stream-token", "chat-stream-progress",
            "chat-stream-complete", "chat-stream-error", "document-ready", "chat-session-saved", "socket-error");

    /**
     * One HTTP client for every tab of the JVM, without OkHttp's default dispatcher limits (64 calls, 5 per host): a
     * WebSocket holds its call for its whole life, so the default would hang the 65th open tab (the soak opens 500).
     */
    private static final okhttp3.OkHttpClient HTTP;
    /**
     * The dispatcher's threads (one per handshake in flight), ended 2 s after they go idle rather than OkHttp's 60 s,
     * so a test measuring the heap can wait for the clients' threads to be gone.
     */
    private static final java.util.concurrent.ThreadPoolExecutor DISPATCH = new java.util.concurrent.ThreadPoolExecutor(0,
            Integer.MAX_VALUE, 2, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "OkHttp Dispatcher");
        t.setDaemon(true);
        return t;
    });

    static {
        okhttp3.Dispatcher dispatcher = new okhttp3.Dispatcher(DISPATCH);
        dispatcher.setMaxRequests(10_000);
        dispatcher.setMaxRequestsPerHost(10_000);
        HTTP = new okhttp3.OkHttpClient.Builder().dispatcher(dispatcher)
                .readTimeout(java.time.Duration.ofMinutes(1)).build();
    }

    public final Socket socket;
    public final Queue<Received> received = new ConcurrentLinkedQueue<>();
    public final AtomicBoolean connected = new AtomicBoolean();
    /** Set once the server disconnected this socket (or refused its CONNECT: then {@link #connectError} too). */
    public final AtomicBoolean closedByServer = new AtomicBoolean();
    public final AtomicReference<Object> connectError = new AtomicReference<>();
    /** Events whose arguments were not exactly one JSON object, as "event-name [type value, ...]". */
    public final Queue<String> notObjects = new ConcurrentLinkedQueue<>();

    /**
     * {@code options} on the shared HTTP client: every socket.io client of the test JVM should use it, or the library's
     * default client (64 calls) hangs the next handshake once other tests hold 64 sockets.
     */
    public static IO.Options onSharedHttp(IO.Options options) {
        options.callFactory = HTTP;
        options.webSocketFactory = HTTP;
        return options;
    }

    public UserSocket(int port, String token) {
        io.socket.client.SocketOptionBuilder options = IO.Options.builder()
                .setForceNew(true)
                .setReconnection(false)
                .setTimeout(60_000) // a loaded build machine (or the soak's hundreds of handshakes) may take more than 20 s
                .setTransports(new String[] {"websocket"})
                .setAuth(Map.of("token", token));
        IO.Options built = options.build();
        built.callFactory = HTTP;
        built.webSocketFactory = HTTP;
        socket = IO.socket(URI.create("http://127.0.0.1:" + port), built);
        socket.on(Socket.EVENT_CONNECT, args -> connected.set(true));
        socket.on(Socket.EVENT_DISCONNECT, args -> {
            connected.set(false);
            if (args.length > 0 && "io server disconnect".equals(args[0])) {
                closedByServer.set(true);
            }
        });
        socket.on(Socket.EVENT_CONNECT_ERROR, args -> {
            connectError.set(args.length > 0 ? args[0] : "connect_error");
            closedByServer.set(true);
        });
        for (String event : EVENTS) {
            socket.on(event, args -> {
                if (args.length == 1 && args[0] instanceof JSONObject payload) {
                    received.add(new Received(event, payload, System.nanoTime()));
                } else {
                    String problem = event + " " + describe(args);
                    notObjects.add(problem);
                    System.err.println("UserSocket: payload is not one JSON object: " + problem);
                }
            });
        }
        socket.connect();
    }

    /** Threads the JVM's test tabs hold for handshakes now (busy or idle). */
    public static int clientThreads() {
        return DISPATCH.getPoolSize();
    }

    public List<Received> ofStream(String streamId) {
        return received.stream().filter(r -> streamId.equals(r.streamId())).toList();
    }

    /** The stream's final event ({@code chat-stream-complete} or {@code chat-stream-error}), or null before it. */
    public Received finalOf(String streamId) {
        return ofStream(streamId).stream().filter(r -> r.event().equals("chat-stream-complete")
                || r.event().equals("chat-stream-error")).findFirst().orElse(null);
    }

    /** How many final events of the stream arrived (the contract allows exactly one). */
    public long finalsOf(String streamId) {
        return ofStream(streamId).stream().filter(r -> r.event().equals("chat-stream-complete")
                || r.event().equals("chat-stream-error")).count();
    }

    public long completes() {
        return received.stream().filter(r -> r.event().equals("chat-stream-complete")).count();
    }

    public long ended() {
        return received.stream().filter(r -> r.event().equals("chat-stream-complete")
                || r.event().equals("chat-stream-error")).count();
    }

    /**
     * socket.io-client-java 2.1.2 hands an event that arrived before it processed the CONNECT ack to listeners with the
     * event name as the first argument and the payload second; the gateway must never send one that early.
     */
    private static String describe(Object[] args) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            out.append(i == 0 ? "" : ", ").append(arg == null ? "null" : arg.getClass().getSimpleName() + " " + arg);
        }
        return out.append(']').toString();
    }

    /** Fails with every event whose payload was not one JSON object. */
    public void assertPayloadsWereObjects() {
        if (!notObjects.isEmpty()) {
            throw new AssertionError("events whose payload is not one JSON object: " + List.copyOf(notObjects));
        }
    }

    /** The {@code socket-error} payloads received. */
    public List<JSONObject> socketErrors() {
        return received.stream().filter(r -> r.event().equals("socket-error")).map(Received::payload).toList();
    }

    public List<String> errors() {
        return received.stream().filter(r -> r.event().equals("chat-stream-error")).map(r -> r.payload().toString()).toList();
    }

    /** How many events had arrived when the last resume ack arrived (acks and events share one ordered thread). */
    public final java.util.concurrent.atomic.AtomicInteger receivedAtAck = new java.util.concurrent.atomic.AtomicInteger(-1);

    /** Emits {@code chat-resume} and returns the ack payload holder (filled when the ack arrives). */
    public AtomicReference<JSONObject> resume(String streamId, long afterSeq) {
        AtomicReference<JSONObject> ack = new AtomicReference<>();
        try {
            socket.emit("chat-resume", new JSONObject().put("streamId", streamId).put("afterSeq", afterSeq),
                    (Ack) args -> {
                        receivedAtAck.set(received.size());
                        ack.set((JSONObject) args[0]);
                    });
        } catch (JSONException e) {
            throw new IllegalStateException(e);
        }
        return ack;
    }

    /** Emits {@code chat-stop} and returns the ack payload holder (filled when the ack arrives). */
    public AtomicReference<JSONObject> stop(String streamId) {
        AtomicReference<JSONObject> ack = new AtomicReference<>();
        try {
            socket.emit("chat-stop", new JSONObject().put("streamId", streamId), (Ack) args -> ack.set((JSONObject) args[0]));
        } catch (JSONException e) {
            throw new IllegalStateException(e);
        }
        return ack;
    }

    @Override
    public void close() {
        socket.disconnect();
        socket.close();
        assertPayloadsWereObjects();
    }
}
