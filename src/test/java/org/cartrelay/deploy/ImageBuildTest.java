package org.cartrelay.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.w3c.dom.Element;
import org.yaml.snakeyaml.Yaml;

/**
 * The container image as the pom's {@code image} profile defines it (Jib, README "Container image"), checked on the
 * pom itself since no registry for the base image is reachable from the build machine: {@code -Pimage package} writes
 * the tarball under {@code target/}; the base image is a property with a default, so it can be swapped on the
 * command line; the image runs the hub's real main class as a numeric non-root user, exposes the port the hub
 * listens on, and has the hub's home as working directory with a writable data volume.
 */
class ImageBuildTest {

    private final JibProfile jib = JibProfile.read();

    @Test
    void theImageProfileBuildsTheTarballInThePackagePhase() {
        assertThat(jib.resolved("version")).contains("3.5.2");
        List<Element> executions = JibProfile.children(jib.element("executions").orElseThrow(), "execution");
        assertThat(executions).anySatisfy(execution -> {
            assertThat(JibProfile.child(execution, "phase").map(Element::getTextContent))
                    .contains("package");
            assertThat(JibProfile.children(JibProfile.child(execution, "goals").orElseThrow(), "goal"))
                    .extracting(Element::getTextContent)
                    .contains("buildTar");
        });
        // build.directory is target/ unless the pom moves it
        assertThat(JibProfile.child(JibProfile.child(jibProject(), "build").orElseThrow(), "directory"))
                .isEmpty();
        assertThat(jib.raw("configuration/outputPaths/tar").orElseThrow())
                .startsWith("${project.build.directory}/")
                .endsWith(".tar");
    }

    @Test
    void theBaseImageIsAPropertyWithADefault() {
        String from = jib.raw("configuration/from/image").orElseThrow();
        assertThat(from).matches("\\$\\{[^}]+}");
        String property = from.substring(2, from.length() - 1);
        assertThat(jib.property(property))
                .as("the default of %s in the pom's properties", property)
                .hasValueSatisfying(base -> assertThat(base).isNotBlank().contains("17"));
    }

    @Test
    void theUserIsNumericAndNotRoot() {
        String user = jib.resolved("configuration/container/user").orElseThrow();
        // numeric, so Kubernetes' runAsNonRoot can verify it without reading the image's /etc/passwd
        assertThat(user).matches("\\d+:\\d+");
        for (String id : user.split(":")) {
            assertThat(Integer.parseInt(id)).as("uid and gid of %s", user).isPositive();
        }
        assertThat(user).doesNotContain("root");
    }

    @Test
    void theEntrypointIsTheHubsApplicationClass() throws Exception {
        Class<?> main =
                Class.forName(jib.resolved("configuration/container/mainClass").orElseThrow());
        assertThat(main).hasAnnotation(SpringBootApplication.class);
        Method entry = main.getMethod("main", String[].class);
        assertThat(Modifier.isStatic(entry.getModifiers())).isTrue();
        // a fixed heap would ignore the container's memory limit
        assertThat(JibProfile.children(
                        jib.element("configuration/container/jvmFlags").orElseThrow(), "jvmFlag"))
                .extracting(Element::getTextContent)
                .contains("-XX:+ExitOnOutOfMemoryError")
                .anyMatch(flag -> flag.startsWith("-XX:MaxRAMPercentage="))
                .noneMatch(flag -> flag.startsWith("-Xmx"));
    }

    @Test
    void theExposedPortIsTheOneTheHubListensOn() throws IOException {
        assertThat(JibProfile.children(
                        jib.element("configuration/container/ports").orElseThrow(), "port"))
                .extracting(Element::getTextContent)
                .containsExactly(String.valueOf(serverPort()));
    }

    @Test
    void theWorkingDirectoryIsTheHubsHomeWithAWritableDataVolume() {
        String home = jib.resolved("configuration/container/workingDirectory").orElseThrow();
        assertThat(jib.resolved("configuration/container/environment/CARTRELAY_HOME"))
                .contains(home);
        assertThat(JibProfile.children(
                        jib.element("configuration/container/volumes").orElseThrow(), "volume"))
                .extracting(Element::getTextContent)
                .containsExactly(home + "/data");
        // the image's files belong to root: the hub's user writes only into the data folder
        assertThat(JibProfile.children(
                        jib.element("configuration/extraDirectories/permissions")
                                .orElseThrow(),
                        "permission"))
                .anySatisfy(permission -> {
                    assertThat(JibProfile.child(permission, "file").map(Element::getTextContent))
                            .contains(home + "/data");
                    assertThat(JibProfile.child(permission, "mode").map(Element::getTextContent))
                            .contains("777");
                });
        assertThat(Path.of("src/main/jib" + home + "/data")).isDirectory();
        List<Element> paths = JibProfile.children(
                jib.element("configuration/extraDirectories/paths").orElseThrow(), "path");
        for (String folder : List.of("config", "connectors", "routes")) {
            assertThat(paths).as("the home's %s folder in the image", folder).anySatisfy(path -> {
                assertThat(JibProfile.child(path, "from").map(Element::getTextContent))
                        .contains(folder);
                assertThat(JibProfile.child(path, "into").map(Element::getTextContent))
                        .contains(home + "/" + folder);
            });
        }
    }

    /** server.port of the hub's built-in defaults. */
    static int serverPort() throws IOException {
        try (Reader in = Files.newBufferedReader(Path.of("src/main/resources/application.yml"))) {
            Map<String, Object> yaml = new Yaml().load(in);
            @SuppressWarnings("unchecked")
            Map<String, Object> server = (Map<String, Object>) yaml.get("server");
            return (Integer) server.get("port");
        }
    }

    private Element jibProject() {
        return (Element) jib.plugin().getOwnerDocument().getDocumentElement();
    }
}
