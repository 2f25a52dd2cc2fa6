package org.cartrelay.connectors.email;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheNotFoundException;
import com.github.mustachejava.MustacheResolver;
import com.github.mustachejava.resolver.ClasspathResolver;
import com.github.mustachejava.resolver.FileSystemResolver;

/**
 * The mail templates (mustache.java, the engine of camel-mustache), compiled once at start-up. Each file, a template
 * or a partial such as {@code {{> _items.html.mustache}}}, is read from the home's folder when it is there, else
 * from the ones shipped in the hub ({@value #SHIPPED} on the classpath), so a home overrides a shipped file by
 * holding one of the same name. The HTML body escapes every {@code {{value}}}; the subject and the text body do
 * not, since they are not HTML.
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

    /** Where the shipped templates are on the classpath. */
    static final String SHIPPED = "templates/email";

    private final MustacheResolver files;
    private final DefaultMustacheFactory html;
    private final DefaultMustacheFactory text;

    /** @param folder the home's templates; it need not exist */
    MailTemplates(Path folder) {
        MustacheResolver home = Files.isDirectory(folder) ? new FileSystemResolver(folder.toFile()) : name -> null;
        MustacheResolver shipped = new ClasspathResolver(SHIPPED);
        // a name that climbs out of the folder is not looked up among the classpath's other resources
        this.files = name -> {
            Reader reader = home.getReader(name);
            return reader != null || name.contains("..") ? reader : shipped.getReader(name);
        };
        this.html = new DefaultMustacheFactory(files) {
            @Override
            public void encode(String value, Writer writer) {
                write(writer, escapeHtml(value));
            }
        };
        this.text = new DefaultMustacheFactory(files) {
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

    /** Whether {@code fileName} is in the home's folder or among the shipped templates. */
    boolean exists(String fileName) {
        try (Reader reader = files.getReader(fileName)) {
            return reader != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names of the shipped templates a step can name (partials, starting with {@code _}, left out). */
    static List<String> shipped() {
        try {
            Resource[] bodies = new PathMatchingResourcePatternResolver()
                    .getResources("classpath*:" + SHIPPED + "/*.html.mustache");
            return Arrays.stream(bodies)
                    .map(body -> body.getFilename().replace(".html.mustache", ""))
                    .filter(name -> !name.startsWith("_"))
                    .sorted()
                    .distinct()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code fileName}, HTML-escaping values. */
    Template html(String fileName) {
        return compile(() -> html.compile(fileName), fileName);
    }

    /** {@code fileName}, values as they are. */
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
