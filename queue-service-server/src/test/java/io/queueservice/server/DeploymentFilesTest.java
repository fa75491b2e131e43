package io.queueservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.queueservice.config.ConfigReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The deployment files (Dockerfile, docker-compose.yml, kubernetes/, railway.toml, docker/rabbitmq/)
 * agree with the code: they parse, set only variables the service reads (the list comes from {@link
 * ConfigReader#namesRead()}, not from a hand-kept list) and every one it needs, use the port, probe paths
 * and run modes it serves, and build and run the jar as scripts/start.sh does. No Docker or Kubernetes
 * needed. That the probe paths answer, and the image's health check works, is checked against a running
 * service by {@link TestPublishScriptIT}.
 */
class DeploymentFilesTest {
    static final Path ROOT = MonitoringFiles.repoRoot();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final String IMAGE = "queue-service:local";

    // --- every file parses

    @Test
    void everyYamlJsonAndTomlFileParses() throws IOException {
        List<String> parsed = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(DeploymentFilesTest::isRepoFile).toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".yml") || name.endsWith(".yaml")) {
                    assertThat(yamlDocuments(f)).as("YAML documents in %s", f).isNotEmpty();
                } else if (name.endsWith(".json")) {
                    JSON.readTree(f.toFile());
                } else if (name.endsWith(".toml")) {
                    new TomlMapper().readTree(f.toFile());
                } else {
                    continue;
                }
                parsed.add(ROOT.relativize(f).toString());
            }
        }
        assertThat(parsed)
                .contains(
                        "docker-compose.yml",
                        "railway.toml",
                        "docker/rabbitmq/definitions.json",
                        "kubernetes/30-api.yaml",
                        "monitoring/grafana/dashboards/queue-service.json");
    }

    private static boolean isRepoFile(Path f) {
        Path rel = ROOT.relativize(f);
        for (Path part : rel) {
            String p = part.toString();
            if (p.equals("target") || p.startsWith(".")) {
                return false;
            }
        }
        return Files.isRegularFile(f);
    }

    // --- variables

    @Test
    void composeSetsOnlyVariablesTheServiceReadsAndEveryOneItNeeds() {
        int checked = 0;
        for (Map.Entry<String, JsonNode> service : composeServices().entrySet()) {
            JsonNode s = service.getValue();
            if (!IMAGE.equals(s.path("image").asText())) {
                continue;
            }
            Map<String, String> env = new LinkedHashMap<>();
            s.path("environment")
                    .properties()
                    .forEach(e -> env.put(e.getKey(), interpolate(e.getValue().asText())));
            checkEnvironment("compose service " + service.getKey(), env, mode(s.path("command")));
            checked++;
        }
        assertThat(checked).as("compose services running the image").isEqualTo(2);
    }

    @Test
    void kubernetesSetsOnlyVariablesTheServiceReadsAndEveryOneItNeeds() {
        List<JsonNode> deployments = kubernetes("Deployment");
        assertThat(deployments).hasSize(2);
        for (JsonNode d : deployments) {
            JsonNode container = d.at("/spec/template/spec/containers/0");
            checkEnvironment(
                    "Deployment " + d.at("/metadata/name").asText(),
                    kubernetesEnv(container),
                    mode(container.path("args")));
        }
    }

    /**
     * The settings a deployment gives the service are valid together, each is one the service reads, and
     * those a deployment cannot leave to their defaults are there.
     */
    private static void checkEnvironment(String where, Map<String, String> env, Mode mode) {
        ConfigReader reader = new ConfigReader(env);
        assertThatCode(() -> ServerConfig.from(reader, mode.api()))
                .as("configuration of %s", where)
                .doesNotThrowAnyException();
        assertThat(reader.namesRead())
                .as("variables the service reads, against those %s sets", where)
                .containsAll(env.keySet());
        // The default broker is localhost: wrong in any container.
        assertThat(env).as("settings of %s", where).containsKey("RABBITMQ_URL");
        assertThat(env.get("RABBITMQ_URL")).doesNotContain("localhost", "127.0.0.1");
        if (mode.emailWorker()) {
            assertThat(env).as("settings of %s", where).containsKeys("SMTP_HOST", "SMTP_PORT", "SMTP_FROM");
        }
    }

    /** Compose's {@code ${NAME:-default}} becomes its default; anything else must be literal. */
    private static String interpolate(String value) {
        String v = value.replaceAll("\\$\\{[A-Za-z_][A-Za-z0-9_]*:-([^}]*)}", "$1");
        assertThat(v).as("a compose value needing a variable from the shell").doesNotContain("${");
        return v;
    }

    /** The container's variables: its ConfigMaps, then its own env (from values or Secrets). */
    private static Map<String, String> kubernetesEnv(JsonNode container) {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            JsonNode map = named("ConfigMap", from.at("/configMapRef/name").asText());
            map.path("data")
                    .properties()
                    .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        for (JsonNode e : container.path("env")) {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            String value = ref.isMissingNode()
                    ? e.path("value").asText()
                    : named("Secret", ref.path("name").asText())
                            .at("/stringData/" + ref.path("key").asText())
                            .asText();
            env.put(e.path("name").asText(), value);
        }
        return env;
    }

    // --- ports, probes, commands

    @Test
    void kubernetesProbesPortsAndCommandsMatchWhatTheServiceServes() {
        for (JsonNode d : kubernetes("Deployment")) {
            String name = d.at("/metadata/name").asText();
            JsonNode container = d.at("/spec/template/spec/containers/0");
            int port = Integer.parseInt(kubernetesEnv(container).get("PORT"));
            assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
            assertThat(container.at("/ports/0/containerPort").asInt())
                    .as("%s container port", name)
                    .isEqualTo(port);
            assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
            assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
            assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/healthz/ready");
            assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
            JsonNode annotations = d.at("/spec/template/metadata/annotations");
            assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
            assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(port));
            assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
            assertThat(container.at("/resources/requests/memory").asText()).isEqualTo("128Mi");
            assertThat(container.at("/resources/requests/cpu").asText()).isEqualTo("100m");
            assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("256Mi");
            assertThat(container.at("/resources/limits/cpu").asText()).isEqualTo("200m");
            // The image's user (Dockerfile: USER 10001), so runAsNonRoot holds.
            assertThat(d.at("/spec/template/spec/securityContext/runAsUser").asInt())
                    .isEqualTo(10001);
        }
        Mode api = mode(deployment("queue-service-api").at("/spec/template/spec/containers/0/args"));
        Mode worker = mode(deployment("queue-service-email-worker").at("/spec/template/spec/containers/0/args"));
        assertThat(api).isEqualTo(Mode.apiOnly());
        assertThat(worker).isEqualTo(Mode.emailWorkerOnly());

        JsonNode service = named("Service", "queue-service");
        assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
        assertThat(service.at("/spec/selector/app.kubernetes.io~1component").asText())
                .isEqualTo("api");
        assertThat(named("HorizontalPodAutoscaler", "queue-service-api")
                        .at("/spec/scaleTargetRef/name")
                        .asText())
                .isEqualTo("queue-service-api");
        assertThat(kubernetes("PodDisruptionBudget")).hasSize(2);
    }

    @Test
    void kubernetesFilesApplyInOrderIntoOneNamespace() throws IOException {
        List<Path> files = kubernetesFiles();
        assertThat(files.get(0).getFileName()).hasToString("00-namespace.yaml");
        assertThat(files).allSatisfy(f -> assertThat(f.getFileName().toString()).matches("\\d\\d-[a-z0-9.-]+\\.yaml"));
        for (JsonNode doc : kubernetes(null)) {
            if (doc.path("kind").asText().equals("Namespace")) {
                assertThat(doc.at("/metadata/name").asText()).isEqualTo("queue-service");
            } else {
                assertThat(doc.at("/metadata/namespace").asText())
                        .as("namespace of %s", doc.at("/metadata/name").asText())
                        .isEqualTo("queue-service");
            }
        }
        JsonNode cluster = named("RabbitmqCluster", "rabbitmq");
        assertThat(cluster.path("apiVersion").asText()).isEqualTo("rabbitmq.com/v1beta1");
        assertThat(cluster.at("/spec/replicas").asInt()).isEqualTo(3);
        // The API and the email worker declare quorum queues (DEFAULT_QUEUE_TYPE); the vhost's default says
        // the same for queues other clients declare without a type.
        assertThat(named("ConfigMap", "queue-service")
                        .at("/data/DEFAULT_QUEUE_TYPE")
                        .asText())
                .isEqualTo("quorum");
        assertThat(named("Vhost", "prod").at("/spec/defaultQueueType").asText()).isEqualTo("quorum");
    }

    @Test
    void composeWiresPortsHealthMonitoringAndStartOrder() {
        Map<String, JsonNode> services = composeServices();
        JsonNode api = services.get("queue-service");
        assertThat(api.path("ports").get(0).asText())
                .isEqualTo("3000:" + api.at("/environment/PORT").asText());
        assertThat(api.at("/healthcheck/test").toString()).contains("/healthz/ready");
        for (String s : List.of("queue-service", "email-worker")) {
            assertThat(services.get(s).at("/depends_on/rabbitmq/condition").asText())
                    .as("%s starts once the broker is healthy", s)
                    .isEqualTo("service_healthy");
        }
        assertThat(services.get("email-worker").at("/environment/SMTP_HOST").asText())
                .isEqualTo("mailpit");
        assertThat(services.get("rabbitmq").path("healthcheck").isObject()).isTrue();
        assertThat(services.get("rabbitmq").path("volumes").toString())
                .contains(
                        "./docker/rabbitmq/rabbitmq.conf",
                        "./docker/rabbitmq/enabled_plugins",
                        "./docker/rabbitmq/definitions.json");
        assertThat(read(ROOT.resolve("docker/rabbitmq/enabled_plugins")))
                .contains("rabbitmq_management", "rabbitmq_prometheus");
        assertThat(services.get("prometheus").path("volumes").toString())
                .contains("./monitoring/prometheus:/etc/prometheus");
        assertThat(services.get("grafana").path("volumes").toString())
                .contains(
                        "./monitoring/grafana/provisioning:/etc/grafana/provisioning",
                        "./monitoring/grafana/dashboards:/var/lib/grafana/dashboards/queue-service");
        // Prometheus scrapes each process of the service by its compose name and container port.
        String prometheus = read(ROOT.resolve("monitoring/prometheus/prometheus.yml"));
        for (String s : List.of("queue-service", "email-worker")) {
            assertThat(prometheus)
                    .contains(s + ":" + services.get(s).at("/environment/PORT").asText());
        }
    }

    @Test
    void railwayChecksReadinessOfTheDockerImage() throws IOException {
        JsonNode railway =
                new TomlMapper().readTree(ROOT.resolve("railway.toml").toFile());
        assertThat(railway.at("/build/builder").asText()).isEqualTo("DOCKERFILE");
        assertThat(railway.at("/build/dockerfilePath").asText()).isEqualTo("Dockerfile");
        assertThat(railway.at("/deploy/healthcheckPath").asText()).isEqualTo("/healthz/ready");
    }

    // --- the Dockerfile against scripts/start.sh

    @Test
    void dockerfileBuildsAndRunsTheJarAsStartShDoes() throws IOException {
        String start = read(ROOT.resolve("scripts/start.sh"));
        String docker = read(ROOT.resolve("Dockerfile"));

        String build = group(start, "(?m)^\\s*(mvn [^\\n]*package)\\s*$");
        assertThat(docker)
                .as("the Dockerfile builds with start.sh's command")
                .containsPattern("(?m)^RUN (--mount=\\S+ )*" + Pattern.quote(build) + "$");

        String jar = group(start, "(?m)^JAR=(\\S+)$");
        assertThat(docker).contains("COPY --from=build /src/" + jar + " /app/queue-service.jar");

        // start.sh: exec java "${java_opts[@]}" -jar "$JAR" "$@"; the image: the same, through sh.
        assertThat(start).contains("exec java \"${java_opts[@]}\" -jar \"$JAR\" \"$@\"");
        JsonNode entrypoint = JSON.readTree(group(docker, "(?m)^ENTRYPOINT (\\[.*])$"));
        assertThat(entrypoint.get(2).asText()).isEqualTo("exec java $JAVA_OPTS -jar /app/queue-service.jar \"$@\"");
        assertThat(Mode.parse(strings(JSON.readTree(group(docker, "(?m)^CMD (\\[.*])$")))))
                .isEqualTo(Mode.apiOnly());

        // The same JVM options, but the heap follows the container's memory limit.
        List<String> scriptOpts = words(group(start, "JAVA_OPTS=\"\\$\\{JAVA_OPTS:-([^}]*)}\""));
        List<String> imageOpts = words(group(docker, "(?m)^ENV JAVA_OPTS=\"([^\"]*)\"$"));
        assertThat(scriptOpts).contains("-Xmx64m");
        assertThat(imageOpts)
                .containsExactlyElementsOf(scriptOpts.stream()
                        .map(o -> o.startsWith("-Xmx") ? "-XX:MaxRAMPercentage=25" : o)
                        .toList());

        int defaultPort = ServerConfig.from(Map.of(), false).port();
        assertThat(docker).contains("EXPOSE " + defaultPort).contains("USER 10001:10001");
        assertThat(healthcheckCommand()).contains("${PORT:-" + defaultPort + "}", "GET /healthz ");
        assertThat(read(ROOT.resolve(".dockerignore"))).contains("*\n").doesNotContain("!.env");
    }

    /** The HEALTHCHECK's bash command line (exec form). */
    static String healthcheckCommand() throws IOException {
        JsonNode cmd = JSON.readTree(group(read(ROOT.resolve("Dockerfile")), "(?m)^\\s+CMD (\\[\"bash\".*])$"));
        assertThat(cmd.get(1).asText()).isEqualTo("-c");
        return cmd.get(2).asText();
    }

    // --- RabbitMQ definitions: environments and permissions

    @Test
    void definitionsGiveEachEnvironmentAVhostAndLeastPrivilegeUsers() throws Exception {
        JsonNode defs =
                JSON.readTree(ROOT.resolve("docker/rabbitmq/definitions.json").toFile());
        for (String env : List.of("dev", "staging", "prod")) {
            JsonNode vhost = find(defs.path("vhosts"), "name", env);
            assertThat(vhost.at("/metadata/default_queue_type").asText()).isEqualTo("quorum");

            Permissions gateway = Permissions.of(find(defs.path("permissions"), "user", "gateway-" + env));
            Permissions worker = Permissions.of(find(defs.path("permissions"), "user", "email-worker-" + env));
            assertThat(find(defs.path("permissions"), "user", "gateway-" + env)
                            .path("vhost")
                            .asText())
                    .isEqualTo(env);

            // The email worker: its exchange, its queue, the retry queues <q>.retry.<ms> and <q>.dlq.
            List<String> own = List.of(
                    "email",
                    "email_confirmation",
                    "email_confirmation.dlq",
                    "email_confirmation.retry.1000",
                    "email_confirmation.retry.60000");
            assertThat(own).allMatch(worker.configure);
            assertThat(List.of("orders", "email_confirmation.retry.x", "email2", "amq.default"))
                    .noneMatch(worker.configure);
            // Publishes retries and dead letters through the default exchange, binds its queue.
            assertThat(List.of("amq.default", "email_confirmation")).allMatch(worker.write);
            assertThat(List.of("orders", "amq.topic", "email")).noneMatch(worker.write);
            // Consumes its queue, binds from its exchange, declares retry queues dead-lettering to it.
            assertThat(List.of("email", "email_confirmation", "email_confirmation.retry.2000"))
                    .allMatch(worker.read);
            assertThat(List.of("orders", "email_confirmation.dlq")).noneMatch(worker.read);

            // The gateway: whatever API clients manage, never the worker's resources nor amq.*.
            assertThat(List.of("orders", "logs", "email_events", "emails")).allMatch(gateway.configure);
            assertThat(own).noneMatch(gateway.configure);
            assertThat(List.of("amq.direct", "amq.default")).noneMatch(gateway.configure);
            assertThat(List.of("amq.default", "email", "orders")).allMatch(gateway.write);
            assertThat(List.of("email_confirmation", "email_confirmation.dlq")).noneMatch(gateway.write);
            assertThat(List.of("orders", "amq.topic")).allMatch(gateway.read);
            assertThat(own).noneMatch(gateway.read);
        }

        // Only dev users have a password, and it is the documented example Compose uses.
        for (JsonNode user : defs.path("users")) {
            String name = user.path("name").asText();
            String hash = user.path("password_hash").asText();
            if (name.endsWith("-staging") || name.endsWith("-prod")) {
                assertThat(hash).as("password hash of %s", name).isEmpty();
            } else {
                assertThat(hashMatches(hash, name + "-example-password"))
                        .as("example password of %s", name)
                        .isTrue();
            }
        }
        for (JsonNode s : composeServices().values()) {
            if (IMAGE.equals(s.path("image").asText())) {
                URI url = URI.create(s.at("/environment/RABBITMQ_URL").asText());
                String user = url.getUserInfo().split(":")[0];
                assertThat(url.getUserInfo()).isEqualTo(user + ":" + user + "-example-password");
                assertThat(url.getPath()).isEqualTo("/dev");
                assertThat(find(defs.path("permissions"), "user", user)
                                .path("vhost")
                                .asText())
                        .isEqualTo("dev");
            }
        }

        // Kubernetes grants the prod users the same permissions.
        for (JsonNode p : kubernetes("Permission")) {
            JsonNode same = find(
                    defs.path("permissions"),
                    "user",
                    p.at("/spec/userReference/name").asText());
            assertThat(p.at("/spec/vhost").asText())
                    .isEqualTo(same.path("vhost").asText());
            for (String kind : List.of("configure", "write", "read")) {
                assertThat(p.at("/spec/permissions/" + kind).asText())
                        .isEqualTo(same.path(kind).asText());
            }
        }
        assertThat(kubernetes("Permission")).hasSize(2);
    }

    private record Permissions(
            java.util.function.Predicate<String> configure,
            java.util.function.Predicate<String> write,
            java.util.function.Predicate<String> read) {
        // RabbitMQ matches with PCRE (Erlang's re), unanchored; these expressions mean the same in Java.
        static Permissions of(JsonNode p) {
            return new Permissions(
                    Pattern.compile(p.path("configure").asText()).asPredicate(),
                    Pattern.compile(p.path("write").asText()).asPredicate(),
                    Pattern.compile(p.path("read").asText()).asPredicate());
        }
    }

    /** RabbitMQ's rabbit_password_hashing_sha256: base64(salt + sha256(salt + password)), 4-byte salt. */
    private static boolean hashMatches(String hash, String password) throws NoSuchAlgorithmException {
        byte[] raw = Base64.getDecoder().decode(hash);
        byte[] salt = Arrays.copyOf(raw, 4);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(salt);
        byte[] digest = sha.digest(password.getBytes(StandardCharsets.UTF_8));
        return Arrays.equals(digest, Arrays.copyOfRange(raw, 4, raw.length));
    }

    // --- helpers

    private static Mode mode(JsonNode args) {
        return Mode.parse(strings(args));
    }

    private static String[] strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out.toArray(String[]::new);
    }

    private static List<String> words(String s) {
        return List.of(s.trim().split("\\s+"));
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("a match of %s", regex).isTrue();
        return m.group(1);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode n : array) {
            if (n.path(field).asText().equals(value)) {
                return n;
            }
        }
        throw new AssertionError("no entry with " + field + "=" + value);
    }

    private static Map<String, JsonNode> composeServices() {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        yamlDocuments(ROOT.resolve("docker-compose.yml"))
                .get(0)
                .path("services")
                .properties()
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static List<Path> kubernetesFiles() throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve("kubernetes"))) {
            return files.sorted().toList();
        }
    }

    /** The Kubernetes objects of {@code kind} (all when null), in apply order. */
    private static List<JsonNode> kubernetes(String kind) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (Path f : kubernetesFiles()) {
                for (JsonNode doc : yamlDocuments(f)) {
                    if (kind == null || doc.path("kind").asText().equals(kind)) {
                        out.add(doc);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode named(String kind, String name) {
        return kubernetes(kind).stream()
                .filter(d -> d.at("/metadata/name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in kubernetes/"));
    }

    private static JsonNode deployment(String name) {
        return named("Deployment", name);
    }

    private static List<JsonNode> yamlDocuments(Path file) {
        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isNull() && !doc.isMissingNode()) {
                    docs.add(doc);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
