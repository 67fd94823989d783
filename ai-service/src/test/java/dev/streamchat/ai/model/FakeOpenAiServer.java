package dev.streamchat.ai.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A fake OpenAI chat-completions server for tests, on raw sockets so it can do what a real server does: stream
 * {@code chat.completion.chunk} SSE lines at a pace, end with a usage chunk ({@code choices: []}) and
 * {@code data: [DONE]}, fail mid-stream, answer an HTTP error, and notice when the client closes the connection.
 * Each request takes the next queued {@link Reply} (or {@link Reply#defaultReply()}); request bodies are recorded.
 */
public final class FakeOpenAiServer implements AutoCloseable {

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fake-openai");
        thread.setDaemon(true);
        return thread;
    });
    private final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    private final List<String> requestBodies = new CopyOnWriteArrayList<>();
    private final List<Long> clientClosedAtNanos = new CopyOnWriteArrayList<>();
    private final List<Long> lastTokenWrittenAtNanos = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private FakeOpenAiServer(ServerSocket server) {
        this.server = server;
        threads.submit(this::acceptLoop);
    }

    public static FakeOpenAiServer start() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return new FakeOpenAiServer(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What {@code OPENAI_BASE_URL} should be. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getLocalPort() + "/v1";
    }

    public void enqueue(Reply reply) {
        replies.add(reply);
    }

    /** Forgets queued replies and recorded requests. */
    public void reset() {
        replies.clear();
        requestBodies.clear();
        clientClosedAtNanos.clear();
        lastTokenWrittenAtNanos.clear();
    }

    public List<String> requestBodies() {
        return List.copyOf(requestBodies);
    }

    /** {@code System.nanoTime()} of each time a client closed the connection before the reply was over. */
    public List<Long> clientClosedAtNanos() {
        return List.copyOf(clientClosedAtNanos);
    }

    /** {@code System.nanoTime()} right after the last token of each completed reply was written. */
    public List<Long> lastTokenWrittenAtNanos() {
        return List.copyOf(lastTokenWrittenAtNanos);
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                threads.submit(() -> serve(socket));
            } catch (IOException e) {
                if (!closed) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            int length = contentLength(head);
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            requestBodies.add(body);
            Reply reply = replies.poll();
            (reply == null ? Reply.defaultReply() : reply).writeTo(socket, this);
        } catch (IOException e) {
            // the client went away; recorded where it matters
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in request head");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring("content-length:".length()).strip());
            }
        }
        return 0;
    }

    /** A scripted reply: tokens at a pace, then the end (normal, error chunk, abort, or HTTP error). */
    public static final class Reply {
        private final List<String> tokens = new ArrayList<>();
        private Duration firstDelay = Duration.ZERO;
        private Duration pace = Duration.ZERO;
        private CountDownLatch gateBeforeLast;
        private int promptTokens = 11;
        private int completionTokens = -1;
        private int abortAfter = -1;
        private int errorChunkAfter = -1;
        private int httpStatus = 200;
        private String httpBody;

        public static Reply tokens(String... tokens) {
            Reply reply = new Reply();
            reply.tokens.addAll(List.of(tokens));
            return reply;
        }

        public static Reply defaultReply() {
            return tokens("Hello", " world");
        }

        /** Answers {@code status} with a JSON error body and no stream. */
        public static Reply httpError(int status, String jsonBody) {
            Reply reply = new Reply();
            reply.httpStatus = status;
            reply.httpBody = jsonBody;
            return reply;
        }

        /** Waits this long (sending nothing) before the first token: a slow model. */
        public Reply firstTokenAfter(Duration delay) {
            this.firstDelay = delay;
            return this;
        }

        /** Waits this long between tokens. */
        public Reply pace(Duration pace) {
            this.pace = pace;
            return this;
        }

        /** Holds the last token back until {@code gate} opens (or 30 s pass). */
        public Reply holdLastTokenUntil(CountDownLatch gate) {
            this.gateBeforeLast = gate;
            return this;
        }

        public Reply usage(int prompt, int completion) {
            this.promptTokens = prompt;
            this.completionTokens = completion;
            return this;
        }

        /**
         * Drops the connection (no final chunk, no [DONE]) after {@code n} tokens (and one pace). Note the JDK client
         * may discard tokens it has buffered but not yet handed out when the drop arrives: pace the reply when a test
         * needs every token before the failure.
         */
        public Reply abortAfter(int n) {
            this.abortAfter = n;
            return this;
        }

        /** Sends OpenAI's mid-stream error chunk {@code {"error":{...}}} after {@code n} tokens, then ends. */
        public Reply errorChunkAfter(int n) {
            this.errorChunkAfter = n;
            return this;
        }

        void writeTo(Socket socket, FakeOpenAiServer server) throws IOException {
            OutputStream out = socket.getOutputStream();
            if (httpStatus != 200) {
                byte[] body = httpBody.getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + httpStatus + " Error\r\nContent-Type: application/json\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
                return;
            }
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            try {
                pause(socket, firstDelay);
                chunk(out, data("{\"role\":\"assistant\",\"content\":\"\"}", null));
                for (int i = 0; i < tokens.size(); i++) {
                    if (i > 0) {
                        pause(socket, pace);
                    }
                    if (i == abortAfter) {
                        socket.shutdownOutput(); // the body ends without its last chunk: a broken stream
                        socket.close();
                        return;
                    }
                    if (i == errorChunkAfter) {
                        chunk(out, "data: {\"error\":{\"message\":\"The server had an error while processing your request.\","
                                + "\"type\":\"server_error\",\"code\":null}}\n\n");
                        chunk(out, "data: [DONE]\n\n");
                        end(out);
                        return;
                    }
                    if (i == tokens.size() - 1 && gateBeforeLast != null) {
                        gateBeforeLast.await(30, TimeUnit.SECONDS);
                    }
                    chunk(out, data("{\"content\":" + jsonString(tokens.get(i)) + "}", null));
                }
                server.lastTokenWrittenAtNanos.add(System.nanoTime());
                chunk(out, data("{}", "\"stop\""));
                int completion = completionTokens >= 0 ? completionTokens : tokens.size();
                chunk(out, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,"
                        + "\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + promptTokens
                        + ",\"completion_tokens\":" + completion + ",\"total_tokens\":" + (promptTokens + completion)
                        + "}}\n\n");
                chunk(out, "data: [DONE]\n\n");
                end(out);
            } catch (IOException e) {
                server.clientClosedAtNanos.add(System.nanoTime());
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String data(String delta, String finishReason) {
            return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\","
                    + "\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":" + finishReason + "}]}\n\n";
        }

        private static void chunk(OutputStream out, String text) throws IOException {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        private static void end(OutputStream out) throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /**
         * The fake model's pacing. It waits by reading the request side of the socket with a timeout, so a client
         * that closes the connection meanwhile is noticed at once (the read returns end-of-stream).
         */
        private static void pause(Socket socket, Duration duration) throws IOException {
            long deadline = System.nanoTime() + duration.toNanos();
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                try {
                    if (socket.getInputStream().read() < 0) {
                        throw new IOException("client closed the connection");
                    }
                } catch (SocketTimeoutException paced) {
                    // nothing from the client: it is still there
                }
            }
            socket.setSoTimeout(0);
        }

        private static String jsonString(String value) {
            StringBuilder out = new StringBuilder("\"");
            for (char c : value.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            return out.append('"').toString();
        }
    }
}
