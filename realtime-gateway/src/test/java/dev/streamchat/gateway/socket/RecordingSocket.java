package dev.streamchat.gateway.socket;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.json.JSONObject;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;

/**
 * A Java socket.io client (io.socket 2.1.2) that records, in arrival order, its lifecycle (connect, connect_error
 * with message, disconnect with reason), the events named at open, and acks. No automatic reconnection.
 */
final class RecordingSocket implements AutoCloseable {

    record Entry(String kind, String name, Object data) {
    }

    final Socket socket;
    final Queue<Entry> log = new ConcurrentLinkedQueue<>();

    private RecordingSocket(Socket socket) {
        this.socket = socket;
    }

    static Builder to(int port) {
        return new Builder(port);
    }

    static final class Builder {
        private final int port;
        private String transport = "websocket";
        private String authToken;
        private boolean sendAuth;
        private final Map<String, List<String>> headers = new java.util.HashMap<>();
        private final List<String> events = new ArrayList<>(List.of(SocketEvents.SOCKET_ERROR));

        Builder(int port) {
            this.port = port;
        }

        Builder transport(String transport) {
            this.transport = transport;
            return this;
        }

        Builder authToken(String token) {
            this.authToken = token;
            this.sendAuth = true;
            return this;
        }

        Builder cookie(String token) {
            headers.put("Cookie", List.of("token=" + token));
            return this;
        }

        Builder origin(String origin) {
            headers.put("Origin", List.of(origin));
            return this;
        }

        Builder listen(String... names) {
            events.addAll(List.of(names));
            return this;
        }

        RecordingSocket connect() {
            io.socket.client.SocketOptionBuilder options = IO.Options.builder()
                    .setForceNew(true)
                    .setReconnection(false)
                    .setTransports(new String[] {transport})
                    .setExtraHeaders(headers);
            if (sendAuth) {
                options.setAuth(Map.of("token", authToken));
            }
            Socket socket = IO.socket(URI.create("http://127.0.0.1:" + port),
                    dev.streamchat.gateway.testing.UserSocket.onSharedHttp(options.build()));
            RecordingSocket recording = new RecordingSocket(socket);
            socket.on(Socket.EVENT_CONNECT, args -> recording.log.add(new Entry("connect", null, null)));
            socket.on(Socket.EVENT_CONNECT_ERROR, args -> recording.log.add(new Entry("connect_error",
                    args.length > 0 && args[0] instanceof JSONObject json ? json.optString("message") : String.valueOf(args.length > 0 ? args[0] : null),
                    null)));
            socket.on(Socket.EVENT_DISCONNECT, args -> recording.log.add(new Entry("disconnect",
                    args.length > 0 ? String.valueOf(args[0]) : null, null)));
            for (String event : events) {
                socket.on(event, args -> recording.log.add(new Entry("event", event, args.length > 0 ? toJava(args[0]) : null)));
            }
            socket.connect();
            return recording;
        }
    }

    /** org.json values as plain Java: objects as maps (a JSON null kept as a null value), arrays as lists. */
    static Object toJava(Object value) {
        try {
            if (value instanceof JSONObject json) {
                Map<String, Object> map = new java.util.LinkedHashMap<>();
                java.util.Iterator<String> keys = json.keys();
                while (keys.hasNext()) {
                    String key = keys.next();
                    map.put(key, toJava(json.get(key)));
                }
                return map;
            }
            if (value instanceof org.json.JSONArray array) {
                List<Object> list = new ArrayList<>();
                for (int i = 0; i < array.length(); i++) {
                    list.add(toJava(array.get(i)));
                }
                return list;
            }
            return value == JSONObject.NULL ? null : value;
        } catch (org.json.JSONException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean connected() {
        return log.stream().anyMatch(entry -> entry.kind().equals("connect"));
    }

    String connectError() {
        return log.stream().filter(entry -> entry.kind().equals("connect_error")).map(Entry::name).findFirst().orElse(null);
    }

    String disconnectReason() {
        return log.stream().filter(entry -> entry.kind().equals("disconnect")).map(Entry::name).findFirst().orElse(null);
    }

    List<Object> events(String name) {
        return log.stream().filter(entry -> entry.kind().equals("event") && entry.name().equals(name)).map(Entry::data).toList();
    }

    /** Emits with an ack; the ack's first argument is logged as kind "ack" under the event name. */
    void emitWithAck(String event, Object payload) {
        socket.emit(event, new Object[] {payload}, (Ack) args -> log.add(new Entry("ack", event, args.length > 0 ? toJava(args[0]) : null)));
    }

    List<Object> acks(String event) {
        return log.stream().filter(entry -> entry.kind().equals("ack") && entry.name().equals(event)).map(Entry::data).toList();
    }

    @Override
    public void close() {
        socket.close();
        socket.off();
    }
}
