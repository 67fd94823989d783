package dev.streamchat.infra.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Everything in {@code infra/deploy} and the two Dockerfiles, checked without a Docker engine or a cluster: first
 * against published schemas ({@code src/test/js/validate.mjs}: kubernetes-models, the Compose Specification schema,
 * dockerfilelint), then for what this system needs of them (probes, drain time, secrets without defaults, who may
 * reach the ai-service, the nginx upstream names, layered non-root images).
 */
class DeployFilesTests {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEPLOY = ROOT.resolve("infra/deploy");
    private static final Path JS = Path.of("src/test/js").toAbsolutePath();

    private static Map<String, Object> schemaReport;
    private static List<Map<String, Object>> k8s;
    private static Map<String, Object> compose;

    @BeforeAll
    static void load() throws Exception {
        schemaReport = yaml(validate());
        k8s = new ArrayList<>();
        try (var files = Files.list(DEPLOY.resolve("k8s"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    if (document != null) {
                        k8s.add(map(document));
                    }
                }
            }
        }
        compose = yaml(Files.readString(DEPLOY.resolve("compose.yaml")));
    }

    // ---- schemas ----

    @Test
    void everyKubernetesObjectMatchesTheApiSchema() {
        List<Map<String, Object>> objects = list(schemaReport.get("kubernetes"));
        assertThat(objects).as("objects the validator saw").hasSize(k8s.size());
        assertThat(objects).allSatisfy(o -> assertThat(o.get("error")).as(o.get("file") + " " + o.get("kind") + " " + o.get("name")).isNull());
    }

    @Test
    void theComposeFileMatchesTheComposeSpecification() {
        assertThat(list(schemaReport.get("compose"))).isEmpty();
    }

    @Test
    void theDockerfilesPassTheLinter() {
        // dockerfilelint 1.8 reads HEALTHCHECK options with /--\w+/, so it takes the valid --start-period for an
        // unknown "--start": that one report on a HEALTHCHECK line is the linter's bug, everything else counts.
        List<Map<String, Object>> issues = list(schemaReport.get("dockerfiles")).stream()
                .filter(i -> !("HEALTHCHECK".equals(i.get("instruction")) && "Invalid Argument Format".equals(i.get("title"))))
                .toList();
        assertThat(issues).isEmpty();
    }

    // ---- Kubernetes ----

    @Test
    void theManifestsHoldEveryKindOperatorsExpect() {
        Set<String> kinds = k8s.stream().map(o -> (String) o.get("kind")).collect(Collectors.toSet());
        assertThat(kinds).contains("Deployment", "Service", "Ingress", "ConfigMap", "Secret", "PodDisruptionBudget",
                "HorizontalPodAutoscaler", "NetworkPolicy");
        assertThat(names("Deployment")).containsExactlyInAnyOrder("gateway", "ai-service");
        assertThat(names("PodDisruptionBudget")).containsExactlyInAnyOrder("gateway", "ai-service");
        assertThat(names("HorizontalPodAutoscaler")).containsExactlyInAnyOrder("gateway", "ai-service");
        for (Map<String, Object> hpa : objects("HorizontalPodAutoscaler")) {
            assertThat(names("Deployment")).contains((String) path(hpa, "spec", "scaleTargetRef", "name"));
        }
    }

    @Test
    void theSecretShipsWithNoUsableValue() {
        Map<String, Object> secret = object("Secret", "streamchat-secrets");
        Map<String, Object> values = map(secret.get("stringData"));
        assertThat(values).containsKeys("JWT_SECRET", "AI_SERVICE_API_KEY");
        assertThat(values.values()).allSatisfy(v -> assertThat(String.valueOf(v)).isEmpty());
        assertThat(secret).doesNotContainKey("data");
        Map<String, Object> config = map(object("ConfigMap", "streamchat-config").get("data"));
        assertThat(config.keySet()).as("secrets never sit in the ConfigMap").doesNotContain("JWT_SECRET", "AI_SERVICE_API_KEY", "OPENAI_API_KEY");
        assertThat(config).containsEntry("APP_MODE", "production").containsEntry("COOKIE_SECURE", "true");
    }

    @Test
    void podsAreProbedOnActuatorHealthGroupsOfTheManagementPort() {
        for (Map<String, Object> deployment : objects("Deployment")) {
            Map<String, Object> container = container(deployment);
            List<Map<String, Object>> ports = list(container.get("ports"));
            Set<Object> portNames = ports.stream().map(p -> p.get("name")).collect(Collectors.toSet());
            assertThat(path(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
            assertThat(path(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
            for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
                assertThat(path(container, probe, "httpGet", "port")).as(probe).isEqualTo("management");
            }
            assertThat(portNames).contains("management");
            int management = ports.stream().filter(p -> "management".equals(p.get("name")))
                    .map(p -> (Integer) p.get("containerPort")).findFirst().orElseThrow();
            Map<String, Object> config = map(object("ConfigMap", "streamchat-config").get("data"));
            assertThat(config.get("MANAGEMENT_SERVER_PORT")).isEqualTo(String.valueOf(management));
            assertThat(config.get("MANAGEMENT_PORT")).isEqualTo(String.valueOf(management));
            List<Map<String, Object>> envFrom = list(container.get("envFrom"));
            assertThat(envFrom.toString()).contains("streamchat-config", "streamchat-secrets");
            assertThat(path(deployment, "spec", "template", "spec", "securityContext", "runAsNonRoot")).isEqualTo(true);
            assertThat(path(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
            assertThat(path(container, "resources", "limits", "memory")).isNotNull();
        }
    }

    @Test
    void terminationGraceCoversTheDrainAndTheShutdownGrace() {
        Map<String, Object> config = map(object("ConfigMap", "streamchat-config").get("data"));
        int drain = Integer.parseInt((String) config.get("SHUTDOWN_DRAIN_S"));
        int grace = Integer.parseInt((String) config.get("SHUTDOWN_GRACE_S"));
        for (Map<String, Object> deployment : objects("Deployment")) {
            assertThat(path(deployment, "spec", "template", "spec", "terminationGracePeriodSeconds"))
                    .as(path(deployment, "metadata", "name") + ": SHUTDOWN_DRAIN_S + SHUTDOWN_GRACE_S + 10")
                    .isEqualTo(drain + grace + 10);
        }
    }

    @Test
    void onlyTheGatewayReachesTheAiServiceApi() {
        Map<String, Object> policy = objects("NetworkPolicy").get(0);
        assertThat(path(policy, "spec", "podSelector", "matchLabels", "app")).isEqualTo("ai-service");
        assertThat(items(path(policy, "spec", "policyTypes"))).contains("Ingress");
        List<Map<String, Object>> rules = list(path(policy, "spec", "ingress"));
        List<Map<String, Object>> apiRules = rules.stream()
                .filter(r -> list(r.get("ports")).stream().anyMatch(p -> Integer.valueOf(8090).equals(p.get("port")))).toList();
        assertThat(apiRules).hasSize(1);
        assertThat(list(apiRules.get(0).get("from"))).containsExactly(
                Map.of("podSelector", Map.of("matchLabels", Map.of("app", "gateway"))));
        assertThat(names("Ingress")).allSatisfy(name -> assertThat(
                        list(path(object("Ingress", name), "spec", "rules")).toString()).doesNotContain("ai-service"));
    }

    @Test
    void theIngressesCarryTheWebSocketAndSseSettings() {
        Map<String, Object> socket = map(path(object("Ingress", "streamchat-socket"), "metadata", "annotations"));
        assertThat(Integer.parseInt((String) socket.get("nginx.ingress.kubernetes.io/proxy-read-timeout")))
                .as("longer than ping interval + timeout (45 s)").isGreaterThan(45);
        assertThat(socket).containsEntry("nginx.ingress.kubernetes.io/affinity", "cookie");
        assertThat(list(path(object("Ingress", "streamchat-socket"), "spec", "rules")).toString()).contains("/socket.io/", "socket");

        Map<String, Object> sse = map(path(object("Ingress", "streamchat-sse"), "metadata", "annotations"));
        assertThat(sse).containsEntry("nginx.ingress.kubernetes.io/proxy-buffering", "off");
        assertThat(list(path(object("Ingress", "streamchat-sse"), "spec", "rules")).toString())
                .contains("/api/v1/chat/stream", "/api/v1/chat/streams");

        Map<String, Object> rest = map(path(object("Ingress", "streamchat"), "metadata", "annotations"));
        assertThat(rest).containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "11m");
        for (Map<String, Object> service : objects("Service")) {
            assertThat(list(path(service, "spec", "ports")).toString()).as("no Service exposes the management port")
                    .doesNotContain("9090", "management");
        }
    }

    // ---- compose ----

    @Test
    void composeRunsTheWholeTopologyWithHealthchecksAndOrder() {
        Map<String, Object> services = map(compose.get("services"));
        assertThat(services.keySet()).containsExactlyInAnyOrder("redis", "mongo", "ai-service", "gateway-1", "gateway-2", "nginx");
        assertThat((String) map(services.get("redis")).get("image")).startsWith("redis:7");
        assertThat((String) map(services.get("mongo")).get("image")).startsWith("mongo:7");
        assertThat(map(services.get("mongo")).get("command").toString()).contains("--replSet");
        assertThat(path(map(services.get("mongo")), "healthcheck", "test").toString()).contains("rs.initiate");
        for (String name : services.keySet()) {
            assertThat(map(services.get(name))).as(name + " healthcheck").containsKey("healthcheck");
        }
        assertThat(map(path(map(services.get("ai-service")), "depends_on")).keySet()).contains("redis", "mongo");
        for (String gateway : List.of("gateway-1", "gateway-2")) {
            Map<String, Object> node = map(services.get(gateway));
            Map<String, Object> dependsOn = map(node.get("depends_on"));
            assertThat(dependsOn.keySet()).contains("ai-service", "redis", "mongo");
            assertThat(dependsOn.values()).allSatisfy(d -> assertThat(map(d)).containsEntry("condition", "service_healthy"));
            Map<String, Object> env = map(node.get("environment"));
            assertThat(env).containsEntry("APP_MODE", "production").containsEntry("AI_SERVICE_URL", "http://ai-service:8090");
            assertThat(env.get("JWT_SECRET").toString()).as("required, no default").startsWith("${JWT_SECRET:?");
            assertThat(env.get("AI_SERVICE_API_KEY").toString()).startsWith("${AI_SERVICE_API_KEY:?");
            assertThat(items(node.get("networks"))).containsExactlyInAnyOrder("edge", "backend");
            assertThat(node).doesNotContainKey("ports");
        }
        Map<String, Object> nginx = map(services.get("nginx"));
        assertThat(items(nginx.get("networks"))).as("nginx reaches only the gateways").containsExactly("edge");
        assertThat(items(map(services.get("ai-service")).get("networks"))).containsExactly("backend");
        assertThat(map(nginx.get("depends_on")).keySet()).containsExactlyInAnyOrder("gateway-1", "gateway-2");
        String mount = items(nginx.get("volumes")).get(0).toString();
        assertThat(DEPLOY.resolve(mount.substring(0, mount.indexOf(':')))).exists();
        services.forEach((name, service) -> {
            if (!name.equals("nginx")) {
                assertThat(map(service)).as(name + " publishes no port").doesNotContainKey("ports");
            }
        });
    }

    @Test
    void theNginxUpstreamsNameTheComposeGateways() throws IOException {
        String site = Files.readString(DEPLOY.resolve("nginx/streamchat.conf"));
        Set<String> servers = Pattern.compile("server (gateway-\\d+):\\d+").matcher(site).results()
                .map(m -> m.group(1)).collect(Collectors.toSet());
        assertThat(servers).containsExactlyInAnyOrderElementsOf(
                map(compose.get("services")).keySet().stream().filter(s -> s.startsWith("gateway-")).toList());
        assertThat(site).as("no directive names the ai-service").doesNotContainPattern("(?m)^[^#\\n]*ai-service");
    }

    // ---- images ----

    @Test
    void eachServiceImageIsMultiStageLayeredNonRootAndChecksItsHealth() throws IOException {
        for (String module : List.of("ai-service", "realtime-gateway")) {
            String dockerfile = Files.readString(ROOT.resolve(module).resolve("Dockerfile"));
            List<String> froms = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(dockerfile).results().map(m -> m.group(1)).toList();
            assertThat(froms).as(module + " stages").hasSizeGreaterThanOrEqualTo(2);
            assertThat(froms.get(0).equals("maven:3.9-eclipse-temurin-17") || froms.contains("maven:3.9-eclipse-temurin-17")).isTrue();
            String runtime = froms.get(froms.size() - 1);
            assertThat(runtime).as(module + " runtime base").matches("eclipse-temurin:17-jre.*|gcr.io/distroless/java17.*");
            String runtimeStage = dockerfile.substring(dockerfile.lastIndexOf("FROM "));
            Matcher user = Pattern.compile("(?m)^USER\\s+(\\S+)").matcher(runtimeStage);
            assertThat(user.find()).as(module + " USER").isTrue();
            assertThat(user.group(1)).doesNotStartWith("root").doesNotStartWith("0");
            assertThat(runtimeStage).contains("HEALTHCHECK").contains("/actuator/health/liveness");
            assertThat(runtimeStage).contains("-XX:MaxRAMPercentage=").contains("-XX:+ExitOnOutOfMemoryError");
            assertThat(dockerfile).contains("-Djarmode=tools").contains("extract --layers --launcher")
                    .contains(module + "/target/" + module + "-0.1.0-SNAPSHOT-exec.jar");
            for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
                assertThat(runtimeStage).contains("COPY --from=build /layers/" + layer + "/ ./");
            }
            assertThat(runtimeStage).contains("org.springframework.boot.loader.launch.JarLauncher");
            assertThat(runtimeStage).doesNotContain("mvn ").doesNotContain("npm ");
        }
        assertThat(Files.readString(ROOT.resolve(".dockerignore"))).contains("**/target/", "**/node_modules/", "data/", ".env");
    }

    // ---- helpers ----

    private static String validate() throws Exception {
        if (!Files.isDirectory(JS.resolve("node_modules/kubernetes-models"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"), 300);
        }
        String output = run(List.of("node", JS.resolve("validate.mjs").toString(), DEPLOY.toString(), ROOT.toString()), 120);
        return output.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("no report from validate.mjs: " + output));
    }

    private static String run(List<String> command, int timeoutSeconds) throws Exception {
        Process process = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(command + " did not finish in " + timeoutSeconds + " s");
        }
        String text = output.get(10, TimeUnit.SECONDS);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(command + " exited " + process.exitValue() + ": " + text);
        }
        return text;
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> yaml(String text) {
        return map(new Yaml(new LoaderOptions()).load(text));
    }

    private static List<Map<String, Object>> objects(String kind) {
        return k8s.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    }

    private static List<String> names(String kind) {
        return objects(kind).stream().map(o -> (String) path(o, "metadata", "name")).toList();
    }

    private static Map<String, Object> object(String kind, String name) {
        return objects(kind).stream().filter(o -> name.equals(path(o, "metadata", "name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static Map<String, Object> container(Map<String, Object> deployment) {
        return list(path(deployment, "spec", "template", "spec", "containers")).get(0);
    }

    private static Object path(Map<String, Object> root, String... keys) {
        Object current = root;
        for (String key : keys) {
            current = current == null ? null : map(current).get(key);
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> items(Object value) {
        return value == null ? List.of() : (List<Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }
}
