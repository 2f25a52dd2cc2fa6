package org.cartrelay.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The pom's {@code image} profile as written: its Jib plugin element, and values with the pom's own properties
 * ({@code ${name}}, {@code ${project.version}}, …) put in. What the image is, for the tests of the image and of
 * {@code deploy/}.
 */
final class JibProfile {

    static final Path POM = Path.of("pom.xml");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    private final Element project;
    private final Element plugin;
    private final Map<String, String> properties = new HashMap<>();

    private JibProfile(Document pom) {
        project = pom.getDocumentElement();
        Element profile = children(child(project, "profiles").orElseThrow(), "profile").stream()
                .filter(candidate -> "image".equals(text(candidate, "id")))
                .findFirst()
                .orElseThrow(() -> new AssertionError(POM + " has no profile 'image'"));
        plugin = children(
                        child(child(profile, "build").orElseThrow(), "plugins").orElseThrow(), "plugin")
                .stream()
                .filter(candidate -> "com.google.cloud.tools".equals(text(candidate, "groupId"))
                        && "jib-maven-plugin".equals(text(candidate, "artifactId")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("profile 'image' has no jib-maven-plugin"));
        child(project, "properties")
                .ifPresent(props -> children(props).forEach(p -> properties.put(p.getTagName(), p.getTextContent())));
        properties.put("project.version", text(project, "version"));
        properties.put("project.description", text(project, "description"));
        properties.put("project.build.directory", "${project.basedir}/target");
    }

    static JibProfile read() {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return new JibProfile(factory.newDocumentBuilder().parse(POM.toFile()));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new AssertionError("cannot read " + POM, e);
        }
    }

    Element plugin() {
        return plugin;
    }

    /** The pom's own {@code <properties>} entry, as written. */
    Optional<String> property(String name) {
        return child(project, "properties").flatMap(props -> child(props, name)).map(Node::getTextContent);
    }

    /** The text at a path of elements below the plugin, as written: {@code configuration/to/image}. */
    Optional<String> raw(String path) {
        return element(path).map(element -> element.getTextContent().strip());
    }

    /** The same with the pom's properties put in. */
    Optional<String> resolved(String path) {
        return raw(path).map(this::resolve);
    }

    Optional<Element> element(String path) {
        Optional<Element> at = Optional.of(plugin);
        for (String name : path.split("/")) {
            at = at.flatMap(element -> child(element, name));
        }
        return at;
    }

    /** The name the tarball loads as ({@code docker load}): what deploy/ must run. */
    String imageName() {
        return resolved("configuration/to/image").orElseThrow();
    }

    String resolve(String value) {
        String result = value;
        for (int depth = 0; depth < 5; depth++) {
            Matcher placeholder = PLACEHOLDER.matcher(result);
            StringBuilder out = new StringBuilder();
            while (placeholder.find()) {
                String name = placeholder.group(1);
                String replacement = properties.getOrDefault(name, placeholder.group());
                placeholder.appendReplacement(out, Matcher.quoteReplacement(replacement));
            }
            placeholder.appendTail(out);
            result = out.toString();
        }
        return result;
    }

    static Optional<Element> child(Element parent, String name) {
        return children(parent, name).stream().findFirst();
    }

    static List<Element> children(Element parent, String name) {
        return children(parent).stream()
                .filter(child -> child.getTagName().equals(name))
                .toList();
    }

    static List<Element> children(Element parent) {
        List<Element> children = new ArrayList<>();
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element) {
                children.add(element);
            }
        }
        return children;
    }

    private static String text(Element parent, String name) {
        return child(parent, name).map(e -> e.getTextContent().strip()).orElse(null);
    }
}
