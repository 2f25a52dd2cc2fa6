package org.cartrelay.connectors.email;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Map;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheNotFoundException;

/**
 * The Mustache templates of one folder (mustache.java, the engine of camel-mustache), compiled once at start-up;
 * partials such as {@code {{> _items.html.mustache}}} come from the same folder. The HTML body escapes every
 * {@code {{value}}}; the subject and the text body do not, since they are not HTML.
 */
final class MailTemplates {

    /** One compiled template. */
    record Template(String name, Mustache mustache) {

        String render(Map<String, Object> model) {
            StringWriter out = new StringWriter();
            mustache.execute(out, model);
            return out.toString();
        }
    }

    private final DefaultMustacheFactory html;
    private final DefaultMustacheFactory text;

    MailTemplates(Path folder) {
        this.html = new DefaultMustacheFactory(folder.toFile()) {
            @Override
            public void encode(String value, Writer writer) {
                write(writer, escapeHtml(value));
            }
        };
        this.text = new DefaultMustacheFactory(folder.toFile()) {
            @Override
            public void encode(String value, Writer writer) {
                write(writer, value);
            }
        };
    }

    /** The five characters that matter in HTML text and quoted attributes; links stay readable. */
    static String escapeHtml(String value) {
        StringBuilder out = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static void write(Writer writer, String value) {
        try {
            writer.write(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code fileName} in the folder, HTML-escaping values. */
    Template html(String fileName) {
        return compile(() -> html.compile(fileName), fileName);
    }

    /** {@code fileName} in the folder, values as they are. */
    Template text(String fileName) {
        return compile(() -> text.compile(fileName), fileName);
    }

    /** An inline template such as a step's {@code subject}: not HTML. */
    Template inline(String source, String name) {
        return compile(() -> text.compile(new StringReader(source), name), name);
    }

    private static Template compile(java.util.function.Supplier<Mustache> compiler, String name) {
        try {
            return new Template(name, compiler.get());
        } catch (MustacheNotFoundException e) {
            throw new IllegalArgumentException(
                    "a template or partial it includes does not exist (" + e.getMessage() + ")", e);
        } catch (MustacheException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
