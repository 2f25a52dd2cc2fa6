package org.cartrelay.connectors.webhook;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.event.EventJson;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.DefaultMustacheVisitor;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheNotFoundException;
import com.github.mustachejava.MustacheVisitor;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.codes.PartialCode;
import com.github.mustachejava.resolver.FileSystemResolver;

/**
 * The {@code template} key: a Mustache body (mustache.java) from {@code <home>/connectors/templates/}, compiled once
 * at start-up, rendered per send over the outbound event's JSON tree as nested maps and lists. No HTML escaping:
 * with {@code format: json} every {@code {{value}}} is escaped for a JSON string (the template writes the quotes),
 * with {@code format: form} it is percent-encoded as a form value and the template's line breaks are dropped;
 * {@code {{{value}}}} inserts the value as it is.
 * Templates and partials are read from the folder only, never from the classpath or a URL.
 */
final class BodyTemplate {

    private static final TypeReference<Map<String, Object>> TREE = new TypeReference<>() {};
    private static final Pattern LINE_BREAKS = Pattern.compile("[\\r\\n]");
    /** mustache.java appends where a problem is: {@code " @[file:line]"}. */
    private static final Pattern WHERE = Pattern.compile("\\s*@\\[(.+):(\\d+)\\]\\s*$");
    /** Some messages repeat the place themselves: {@code "… in file:line"}. */
    private static final Pattern REPEATED_PLACE = Pattern.compile("\\s+in \\S+:\\d+$");

    private final Mustache mustache;

    private BodyTemplate(Mustache mustache) {
        this.mustache = mustache;
    }

    /** @throws ConnectorConfigException naming the file, the template and the line when it does not compile */
    static BodyTemplate compile(ConnectorDefinition definition, Path folder, String name, boolean form) {
        String start = "Connector file " + definition.file() + ": key 'template' names " + name;
        Path file = folder.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new ConnectorConfigException(start + ", but " + file + " does not exist.");
        }
        try {
            return new BodyTemplate(new Factory(folder, form).compile(name));
        } catch (MustacheNotFoundException e) {
            throw new ConnectorConfigException(start + " in " + folder + ", which does not compile: it includes "
                    + e.getName() + ", but " + folder.resolve(e.getName()) + " does not exist.");
        } catch (MustacheException e) {
            throw new ConnectorConfigException(
                    start + " in " + folder + ", which does not compile" + where(e, name) + ".");
        }
    }

    /** " at line N: problem", with the partial's name when the problem is in one. */
    private static String where(MustacheException e, String name) {
        String message =
                String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
        Matcher at = WHERE.matcher(message);
        if (!at.find()) {
            return ": " + trimPeriod(message);
        }
        String problem = trimPeriod(
                REPEATED_PLACE.matcher(message.substring(0, at.start())).replaceFirst(""));
        String in = at.group(1).equals(name) ? "" : " of " + at.group(1);
        return " at line " + at.group(2) + in + ": " + problem;
    }

    private static String trimPeriod(String text) {
        return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
    }

    /** The body for one outbound event, given as its JSON. */
    byte[] render(String eventJson) {
        Map<String, Object> model;
        try {
            model = EventJson.MAPPER.readValue(eventJson, TREE);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored outbound event is not readable: " + e.getOriginalMessage(), e);
        }
        StringWriter out = new StringWriter(eventJson.length());
        mustache.execute(out, model);
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The characters a JSON string cannot hold as they are: quote, backslash and the control characters. */
    static String escapeJson(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String escape = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                case '\b' -> "\\b";
                case '\f' -> "\\f";
                default -> c < 0x20 ? String.format("\\u%04x", (int) c) : null;
            };
            if (escape != null && out == null) {
                out = new StringBuilder(value.length() + 16).append(value, 0, i);
            }
            if (out != null) {
                if (escape != null) {
                    out.append(escape);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? value : out.toString();
    }

    /** Reads from the folder alone, escapes for the format, and names the line of a partial that is missing. */
    private static final class Factory extends DefaultMustacheFactory {

        private final Path folder;
        private final boolean form;

        Factory(Path folder, boolean form) {
            super(new FileSystemResolver(folder));
            this.folder = folder;
            this.form = form;
        }

        @Override
        public void encode(String value, Writer writer) {
            try {
                writer.write(form ? URLEncoder.encode(value, StandardCharsets.UTF_8) : escapeJson(value));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** A form body holds no line breaks: a form template may put one field per line. */
        @Override
        public String filterText(String appended, boolean startOfLine) {
            return form ? LINE_BREAKS.matcher(appended).replaceAll("") : appended;
        }

        @Override
        public MustacheVisitor createMustacheVisitor() {
            return new DefaultMustacheVisitor(this) {
                @Override
                public void partial(TemplateContext tc, String variable, String indent) {
                    list.add(new LocatedPartial(
                            new TemplateContext("{{", "}}", tc.file(), tc.line(), tc.startOfLine()), df, variable));
                }
            };
        }
    }

    /** A partial whose missing or unreadable file is reported at the line that includes it. */
    private static final class LocatedPartial extends PartialCode {

        LocatedPartial(TemplateContext tc, DefaultMustacheFactory factory, String variable) {
            super(tc, factory, variable);
        }

        @Override
        public synchronized void init() {
            try {
                super.init();
            } catch (MustacheNotFoundException e) {
                throw new MustacheException(
                        "it includes " + e.getName() + ", but " + ((Factory) df).folder.resolve(e.getName())
                                + " does not exist",
                        e,
                        tc);
            } catch (MustacheException e) {
                if (e.getContext() != null) {
                    throw e;
                }
                throw new MustacheException(
                        "it includes " + partialName() + ", which cannot be read (" + e.getMessage() + ")", e, tc);
            }
        }
    }
}
