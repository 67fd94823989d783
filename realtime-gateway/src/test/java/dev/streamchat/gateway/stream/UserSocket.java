package dev.streamchat.gateway.stream;

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

/** One browser tab as the gateway sees it: a Java socket.io client that records the stream events it receives. */
final class UserSocket implements AutoCloseable {

    record Received(String event, JSONObject payload, long atNanos) {
        String streamId() {
            return payload.optString("streamId", null);
        }

        long seq() {
            return payload.optLong("seq", -1);
        }
    }

    private static final List<String> EVENTS = List.of("chat-stream-start", "chat-stream-token", "chat-stream-progress",
            "chat-stream-complete",
            "chat-stream-error", "document-ready");

    final Socket socket;
    final Queue<Received> received = new ConcurrentLinkedQueue<>();
    final AtomicBoolean connected = new AtomicBoolean();

    UserSocket(int port, String token) {
        io.socket.client.SocketOptionBuilder options = IO.Options.builder()
                .setForceNew(true)
                .setReconnection(false)
                .setTransports(new String[] {"websocket"})
                .setAuth(Map.of("token", token));
        socket = IO.socket(URI.create("http://127.0.0.1:" + port), options.build());
        socket.on(Socket.EVENT_CONNECT, args -> connected.set(true));
        socket.on(Socket.EVENT_DISCONNECT, args -> connected.set(false));
        for (String event : EVENTS) {
            socket.on(event, args -> received.add(new Received(event, (JSONObject) args[0], System.nanoTime())));
        }
        socket.connect();
    }

    List<Received> ofStream(String streamId) {
        return received.stream().filter(r -> streamId.equals(r.streamId())).toList();
    }

    long completes() {
        return received.stream().filter(r -> r.event().equals("chat-stream-complete")).count();
    }

    long ended() {
        return received.stream().filter(r -> r.event().equals("chat-stream-complete")
                || r.event().equals("chat-stream-error")).count();
    }

    List<String> errors() {
        return received.stream().filter(r -> r.event().equals("chat-stream-error")).map(r -> r.payload().toString()).toList();
    }

    /** How many events had arrived when the last resume ack arrived (acks and events share one ordered thread). */
    final java.util.concurrent.atomic.AtomicInteger receivedAtAck = new java.util.concurrent.atomic.AtomicInteger(-1);

    /** Emits {@code chat-resume} and returns the ack payload holder (filled when the ack arrives). */
    AtomicReference<JSONObject> resume(String streamId, long afterSeq) {
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
    AtomicReference<JSONObject> stop(String streamId) {
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
    }
}
