package dev.streamchat.gateway.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.streamchat.gateway.config.TestBackends;

/**
 * Debian's nginx running {@code infra/deploy/nginx/streamchat.conf} as a process on a free port, with only the
 * upstream {@code server} addresses rewritten. The file is included from a minimal {@code nginx.conf} that keeps
 * every path (pid, logs, temp files) in its own directory and logs which upstream served each request.
 */
final class Nginx implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/sbin/nginx");
    static final Path SITE = Path.of("..", "infra", "deploy", "nginx", "streamchat.conf");

    final Path dir;
    final int port;
    private Process process;

    /**
     * @param servers what each {@code server gateway-N:PORT} of the site becomes, e.g. {@code gateway-1:8080 -> 127.0.0.1:4711}
     */
    Nginx(Path dir, Map<String, String> servers) {
        this.dir = dir;
        this.port = TestBackends.freePort();
        try {
            String site = Files.readString(SITE, StandardCharsets.UTF_8);
            for (Map.Entry<String, String> server : servers.entrySet()) {
                String before = "server " + server.getKey() + " ";
                if (!site.contains(before)) {
                    throw new IllegalStateException("the site has no upstream server " + server.getKey());
                }
                site = site.replace(before, "server " + server.getValue() + " ");
            }
            if (!site.contains("listen 80;")) {
                throw new IllegalStateException("the site no longer listens on 80");
            }
            site = site.replace("listen 80;", "listen 127.0.0.1:" + port + ";");
            Files.writeString(dir.resolve("streamchat.conf"), site);
            boolean root = "root".equals(System.getProperty("user.name"));
            Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                    root ? "user root;" : "",
                    "worker_processes 1;",
                    "error_log " + dir.resolve("error.log") + " warn;",
                    "pid " + dir.resolve("nginx.pid") + ";",
                    "events { worker_connections 512; }",
                    "http {",
                    "  log_format upstream '$upstream_addr $request_method $uri transport=$arg_transport sid=$arg_sid $status';",
                    "  access_log " + dir.resolve("access.log") + " upstream;",
                    "  client_body_temp_path " + dir.resolve("body") + ";",
                    "  proxy_temp_path " + dir.resolve("proxy") + ";",
                    "  fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                    "  uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                    "  scgi_temp_path " + dir.resolve("scgi") + ";",
                    "  include " + dir.resolve("streamchat.conf") + ";",
                    "}", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** {@code nginx -t}: its exit code and output. */
    Result test() {
        return run(List.of(BINARY.toString(), "-t", "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString()));
    }

    void start() {
        try {
            process = new ProcessBuilder(BINARY.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString(),
                    "-g", "daemon off;").redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        org.awaitility.Awaitility.await("nginx listening").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50)).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("nginx exited: " + log("stdout.log") + log("error.log"));
                    }
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                        return true;
                    } catch (IOException notYet) {
                        return false;
                    }
                });
    }

    List<String> accessLog() {
        try {
            return Files.readAllLines(dir.resolve("access.log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String log(String name) {
        try {
            Path file = dir.resolve(name);
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command + " did not finish");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
