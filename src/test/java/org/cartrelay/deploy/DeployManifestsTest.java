package org.cartrelay.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.cartrelay.testing.SharedHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code deploy/compose.yaml} and every file under {@code deploy/kubernetes/} against the hub they deploy: each
 * {@code CARTRELAY_*}, {@code SPRING_*}, {@code MANAGEMENT_*} and {@code SERVER_*} variable is the relaxed-binding
 * form of a property in the configuration metadata (the hub's and Spring Boot's), secrets come from the environment
 * or a Secret and never stand in the files, the image is the one the pom's {@code image} profile builds, the port is
 * the hub's, and the probes and the Compose health check ask paths that answer as liveness and readiness on a real
 * hub.
 */
class DeployManifestsTest {

    private static final Path DEPLOY = Path.of("deploy");
    private static final Path COMPOSE = DEPLOY.resolve("compose.yaml");
    private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    private static final Pattern HUB_SETTING = Pattern.compile("(CARTRELAY|SPRING|MANAGEMENT|SERVER)_[A-Z0-9_]+");
    private static final Pattern SECRET = Pattern.compile(".*(PASSWORD|SECRET|KEY|TOKEN|PASSPHRASE).*");
    /** A whole value taken from the environment: {@code ${NAME}}, {@code ${NAME:?why}}, {@code ${NAME:-}}. */
    private static final Pattern INTERPOLATED = Pattern.compile("\\$\\{[A-Z0-9_]+(:?[?-][^}]*)?}");

    private static final Pattern IMAGE_WITH_DEFAULT = Pattern.compile("\\$\\{[A-Z0-9_]+:-([^}]+)}");
    private static final Pattern HEALTH_CHECK = Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/(\\d+).*GET (\\S+) HTTP");

    @RegisterExtension
    static final SharedHub HUB = new SharedHub(hub -> hub);

    private final JibProfile jib = JibProfile.read();
    private final Map<String, Object> compose = compose();
    private final List<Map<String, Object>> kubernetes = kubernetes();

    @Test
    void everyHubSettingIsTheRelaxedFormOfARealProperty() throws IOException {
        Set<String> known = knownProperties();
        List<String> settings = new ArrayList<>();
        services()
                .values()
                .forEach(service -> settings.addAll(environment(service).keySet()));
        containers().forEach(container -> list(container.get("env")).forEach(env -> settings.add(name(env))));
        assertThat(settings).contains("SPRING_DATASOURCE_URL", "CARTRELAY_ADMIN_PASSWORD");
        List<String> unknown = settings.stream()
                .filter(setting -> HUB_SETTING.matcher(setting).matches())
                .filter(setting -> !known.contains(relaxed(setting)))
                .distinct()
                .toList();
        assertThat(unknown)
                .as("settings that no property of the metadata binds")
                .isEmpty();
        // every variable a container gets is listed one by one, so the check above sees them all
        containers().forEach(container -> assertThat(container).doesNotContainKey("envFrom"));
    }

    @Test
    void secretsComeFromTheEnvironmentOrASecretNeverFromTheFiles() {
        services()
                .forEach((name, service) -> environment(service).forEach((setting, value) -> {
                    if (SECRET.matcher(setting).matches()) {
                        assertThat(value)
                                .as("%s of service %s", setting, name)
                                .isNotNull()
                                .matches(INTERPOLATED);
                    }
                }));
        Map<String, Map<String, Object>> secrets = new LinkedHashMap<>();
        kubernetes.stream()
                .filter(doc -> "Secret".equals(doc.get("kind")))
                .forEach(doc -> secrets.put(name(map(doc.get("metadata"))), doc));
        assertThat(secrets).isNotEmpty();
        secrets.values().forEach(secret -> {
            assertThat(secret).doesNotContainKey("data");
            assertThat(map(secret.get("stringData")).values())
                    .as("the Secret example holds placeholders only")
                    .allSatisfy(value -> assertThat(value.toString()).startsWith("REPLACE-ME"));
        });
        containers()
                .forEach(container -> list(container.get("env")).forEach(env -> {
                    if (SECRET.matcher(name(env)).matches()) {
                        assertThat(map(env)).as("%s", name(env)).doesNotContainKey("value");
                        Map<String, Object> ref =
                                map(map(map(env).get("valueFrom")).get("secretKeyRef"));
                        assertThat(secrets).containsKey(name(ref));
                        assertThat(map(secrets.get(name(ref)).get("stringData")))
                                .containsKey(ref.get("key").toString());
                    }
                }));
    }

    @Test
    void theImageIsTheOneThePomBuilds() {
        assertThat(hubs()).hasSize(2).allSatisfy(hub -> {
            Matcher image = IMAGE_WITH_DEFAULT.matcher(hub.get("image").toString());
            assertThat(image.matches()).as("image %s", hub.get("image")).isTrue();
            assertThat(image.group(1)).isEqualTo(jib.imageName());
        });
        assertThat(containers())
                .isNotEmpty()
                .allSatisfy(container -> assertThat(container.get("image")).isEqualTo(jib.imageName()));
    }

    @Test
    void thePortIsTheOneTheHubListensOn() throws IOException {
        int port = ImageBuildTest.serverPort();
        assertThat(hubs())
                .allSatisfy(hub -> assertThat(list(hub.get("ports")))
                        .singleElement()
                        .satisfies(mapping -> assertThat(mapping.toString()).endsWith(":" + port)));
        assertThat(hubs())
                .allSatisfy(hub -> assertThat(healthCheck(hub).group(1)).isEqualTo(String.valueOf(port)));
        for (Map<String, Object> container : containers()) {
            assertThat(list(container.get("ports")))
                    .singleElement()
                    .satisfies(p -> assertThat(map(p).get("containerPort")).isEqualTo(port));
            for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                Object probePort = map(map(container.get(probe)).get("httpGet")).get("port");
                assertThat(containerPort(container, probePort))
                        .as("%s's port", probe)
                        .isEqualTo(port);
            }
        }
        kubernetes.stream()
                .filter(doc -> "Service".equals(doc.get("kind")))
                .flatMap(service -> list(map(service.get("spec")).get("ports")).stream())
                .forEach(servicePort -> containers()
                        .forEach(container -> assertThat(containerPort(
                                        container, map(servicePort).get("targetPort")))
                                .isEqualTo(port)));
    }

    @Test
    void theProbesAskPathsThatAnswerAsLivenessAndReadinessOnARealHub() throws IOException {
        for (Map<String, Object> container : containers()) {
            assertProbe(probePath(container, "startupProbe"), "livenessState");
            assertProbe(probePath(container, "livenessProbe"), "livenessState");
            assertProbe(probePath(container, "readinessProbe"), "readinessState", "db");
        }
        // Compose restarts a hub whose JVM ended; its health check is readiness
        for (Map<String, Object> hub : hubs()) {
            assertProbe(healthCheck(hub).group(2), "readinessState", "db");
        }
    }

    @Test
    void theComposeHealthCheckPassesOnAReadyHubAndFailsWhereNoneListens() throws Exception {
        for (Map<String, Object> hub : hubs()) {
            List<Object> test = list(map(hub.get("healthcheck")).get("test"));
            assertThat(test.subList(0, 3)).containsExactly("CMD", "bash", "-c");
            String script = test.get(3).toString();
            String port = healthCheck(hub).group(1);
            assertThat(run(script.replace(
                            "/127.0.0.1/" + port, "/127.0.0.1/" + HUB.hub().port())))
                    .as("exit code against the ready hub")
                    .isZero();
            int closed;
            try (ServerSocket socket = new ServerSocket(0)) {
                closed = socket.getLocalPort();
            }
            assertThat(run(script.replace("/127.0.0.1/" + port, "/127.0.0.1/" + closed)))
                    .as("exit code where no hub listens")
                    .isNotZero();
        }
    }

    @Test
    void theDeploymentRunsTwoReplicasAsTheImagesNonRootUserWithinLimits() {
        String[] user =
                jib.resolved("configuration/container/user").orElseThrow().split(":");
        List<Map<String, Object>> deployments = kubernetes.stream()
                .filter(doc -> "Deployment".equals(doc.get("kind")))
                .toList();
        assertThat(deployments).singleElement().satisfies(deployment -> {
            Map<String, Object> spec = map(deployment.get("spec"));
            assertThat(spec.get("replicas")).isEqualTo(2);
            Map<String, Object> security =
                    map(map(map(map(spec.get("template")).get("spec"))).get("securityContext"));
            assertThat(security.get("runAsNonRoot")).isEqualTo(true);
            assertThat(security.get("runAsUser")).hasToString(user[0]);
            assertThat(security.get("runAsGroup")).hasToString(user[1]);
        });
        assertThat(containers()).allSatisfy(container -> {
            Map<String, Object> resources = map(container.get("resources"));
            assertThat(map(resources.get("requests"))).containsKeys("cpu", "memory");
            assertThat(map(resources.get("limits"))).containsKey("memory");
            assertThat(map(container.get("securityContext")).get("allowPrivilegeEscalation"))
                    .isEqualTo(false);
        });
    }

    @Test
    void kafkaRunsInKRaftModeAndTheHubsTakeNoticesInThroughIt() {
        Map<String, Object> kafka = map(services().get("kafka"));
        assertThat(kafka.get("image").toString()).startsWith("apache/kafka:");
        Map<String, String> environment = environment(kafka);
        assertThat(environment.get("KAFKA_PROCESS_ROLES")).contains("broker", "controller");
        assertThat(environment).doesNotContainKey("KAFKA_ZOOKEEPER_CONNECT");
        // room for more processing consumers than the two hubs' one each
        assertThat(Integer.parseInt(environment.get("KAFKA_NUM_PARTITIONS"))).isGreaterThan(2);
        String listener = environment.get("KAFKA_ADVERTISED_LISTENERS").replaceAll(".*//", "");
        assertThat(hubs()).allSatisfy(hub -> {
            Map<String, String> settings = environment(hub);
            assertThat(settings.get("CARTRELAY_INTAKE_MODE")).isEqualTo("${CARTRELAY_INTAKE_MODE:-kafka}");
            assertThat(settings.get("CARTRELAY_INTAKE_KAFKA_BROKERS")).isEqualTo(listener);
            assertThat(map(hub.get("depends_on"))).containsKey("kafka");
        });
    }

    @Test
    void theReadmeNamesEveryFile() throws IOException {
        String readme = Files.readString(DEPLOY.resolve("README.md"));
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            files.filter(Files::isRegularFile)
                    .map(file -> DEPLOY.relativize(file).toString())
                    .filter(file -> !file.equals("README.md"))
                    .forEach(file -> assertThat(readme).as("deploy/README.md").contains(file));
        }
    }

    private static void assertProbe(String path, String... components) throws IOException {
        var answer = HUB.hub().get(path);
        assertThat(answer.statusCode()).as("GET %s", path).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(answer.body());
        assertThat(body.path("status").asText()).isEqualTo("UP");
        List<String> names = new ArrayList<>();
        body.path("components").fieldNames().forEachRemaining(names::add);
        assertThat(names).as("components of %s", path).containsExactlyInAnyOrder(components);
    }

    private static int run(String script) throws Exception {
        Process bash = new ProcessBuilder("bash", "-c", script)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(bash.waitFor(20, TimeUnit.SECONDS))
                .as("the health check ends")
                .isTrue();
        return bash.exitValue();
    }

    private static Matcher healthCheck(Map<String, Object> hub) {
        String script = list(map(hub.get("healthcheck")).get("test")).toString();
        Matcher check = HEALTH_CHECK.matcher(script);
        assertThat(check.find()).as("health check %s", script).isTrue();
        return check;
    }

    private static String probePath(Map<String, Object> container, String probe) {
        return map(map(container.get(probe)).get("httpGet")).get("path").toString();
    }

    /** A port as a probe or Service names it: a number, or the name of one of the container's ports. */
    private static Object containerPort(Map<String, Object> container, Object port) {
        if (port instanceof Integer) {
            return port;
        }
        return list(container.get("ports")).stream()
                .map(DeployManifestsTest::map)
                .filter(named -> port.equals(named.get("name")))
                .map(named -> named.get("containerPort"))
                .findFirst()
                .orElse(null);
    }

    /** Compose's services that run the hub. */
    private List<Map<String, Object>> hubs() {
        return services().entrySet().stream()
                .filter(service -> service.getKey().startsWith("hub-"))
                .map(service -> map(service.getValue()))
                .toList();
    }

    private Map<String, Object> services() {
        return map(compose.get("services"));
    }

    private List<Map<String, Object>> containers() {
        return kubernetes.stream()
                .filter(doc -> "Deployment".equals(doc.get("kind")))
                .flatMap(doc ->
                        list(map(map(map(doc.get("spec")).get("template")).get("spec"))
                                        .get("containers"))
                                .stream())
                .map(DeployManifestsTest::map)
                .toList();
    }

    /** A Compose service's environment, written as a map or as a list of NAME=value (or NAME alone). */
    private static Map<String, String> environment(Object service) {
        Object environment = map(service).get("environment");
        Map<String, String> result = new LinkedHashMap<>();
        if (environment instanceof Map<?, ?> entries) {
            entries.forEach((name, value) -> result.put(name.toString(), value == null ? null : value.toString()));
        } else if (environment instanceof List<?> entries) {
            for (Object entry : entries) {
                String[] pair = entry.toString().split("=", 2);
                result.put(pair[0], pair.length > 1 ? pair[1] : null);
            }
        }
        return result;
    }

    /** What a relaxed-binding name and a property name have in common: no separators, lower case. */
    private static String relaxed(String name) {
        return name.replaceAll("[-._]", "").toLowerCase(Locale.ROOT);
    }

    /** Every property of the configuration metadata on the class path: the hub's (target/classes) and the jars'. */
    private static Set<String> knownProperties() throws IOException {
        Set<String> known = new HashSet<>();
        boolean hubs = false;
        ObjectMapper json = new ObjectMapper();
        Enumeration<URL> files =
                DeployManifestsTest.class.getClassLoader().getResources("META-INF/spring-configuration-metadata.json");
        while (files.hasMoreElements()) {
            URL file = files.nextElement();
            hubs |= file.toString().contains("/target/classes/");
            try (InputStream in = file.openStream()) {
                json.readTree(in)
                        .path("properties")
                        .forEach(property ->
                                known.add(relaxed(property.path("name").asText())));
            }
        }
        assertThat(hubs)
                .as("the hub's own metadata in target/classes; the compile step writes it")
                .isTrue();
        assertThat(known).contains(relaxed("spring.datasource.url"), relaxed("cartrelay.admin.password"));
        return known;
    }

    private static Map<String, Object> compose() {
        try (Reader in = Files.newBufferedReader(COMPOSE)) {
            return new Yaml().load(in);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + COMPOSE, e);
        }
    }

    private static List<Map<String, Object>> kubernetes() {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (Stream<Path> files = Files.list(KUBERNETES)) {
            for (Path file : files.sorted().toList()) {
                assertThat(file.toString()).endsWith(".yaml");
                try (Reader in = Files.newBufferedReader(file)) {
                    for (Object document : new Yaml().loadAll(in)) {
                        if (document != null) {
                            documents.add(map(document));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + KUBERNETES, e);
        }
        return documents;
    }

    private static String name(Object element) {
        return map(element).get("name").toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return (List<Object>) value;
    }
}
