package io.queueservice.server.email;

import com.github.mustachejava.Code;
import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.DefaultMustacheVisitor;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheException;
import com.github.mustachejava.MustacheNotFoundException;
import com.github.mustachejava.MustacheVisitor;
import com.github.mustachejava.TemplateContext;
import com.github.mustachejava.codes.IterableCode;
import com.github.mustachejava.codes.ValueCode;
import com.github.mustachejava.reflect.MapObjectHandler;
import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Compiles one template file with Mustache (mustache.java) and works out which variables it uses.
 *
 * <p>The templates use a safe subset of Mustache, refused at compile time otherwise: variables {@code
 * {{name}}} and sections {@code {{#name}}...{{/name}}}, {@code {{^name}}...{{/name}}} over flat names
 * (letters, digits, {@code _}), comments. No partials, no inheritance, no pragmas, no change of
 * delimiters: each file stands alone and reads the same everywhere. In HTML every variable is escaped:
 * {@code {{{name}}}} and {@code {{&name}}} are refused there, and a variable that starts the value of a
 * link attribute ({@code href}, {@code src}, ...) must be named {@code ...Url} so that it is checked to be an
 * http(s) URL before rendering.
 */
final class TemplateCompiler {
    /** A variable's name: the message's variables are flat. */
    static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    private static final Factory HTML = new Factory(true);
    private static final Factory TEXT = new Factory(false);

    private TemplateCompiler() {}

    /**
     * A compiled template file.
     *
     * @param required the variables it shows outside any section: a message must give them (in the order
     *     they first appear)
     * @param variables every variable it names, in sections too (in the order they first appear)
     */
    record Compiled(Mustache mustache, Set<String> required, Set<String> variables) {}

    /** Why a template file cannot be used; the message says where (line) and what. */
    static final class TemplateException extends Exception {
        private static final long serialVersionUID = 1L;

        TemplateException(String message) {
            super(message, null, false, false);
        }
    }

    static int lineOf(String source, int index) {
        return (int) source.substring(0, index).chars().filter(c -> c == '\n').count() + 1;
    }

    /** Whether a variable must hold an http(s) URL: its name ends in {@code Url} or {@code URL}. */
    static boolean isLink(String variable) {
        return variable.endsWith("Url") || variable.endsWith("URL");
    }

    /**
     * Compiles {@code source}.
     *
     * @param file the file's name as errors show it
     * @param html whether it is HTML: variables are then escaped, and checked as described above
     * @throws TemplateException when it does not parse or uses what the subset refuses
     */
    static Compiled compile(String source, String file, boolean html) throws TemplateException {
        Mustache mustache;
        try {
            mustache = (html ? HTML : TEXT).compile(new StringReader(source), file);
        } catch (MustacheException e) {
            throw new TemplateException(describe(e));
        }
        Set<String> required = new LinkedHashSet<>();
        Set<String> variables = new LinkedHashSet<>();
        collect(mustache.getCodes(), true, required, variables);
        if (html) {
            HtmlAttributeCheck.check(source);
        }
        return new Compiled(mustache, Collections.unmodifiableSet(required), Collections.unmodifiableSet(variables));
    }

    private static void collect(Code[] codes, boolean topLevel, Set<String> required, Set<String> variables) {
        if (codes == null) {
            return;
        }
        for (Code code : codes) {
            if (code instanceof ValueCode) {
                variables.add(code.getName());
                if (topLevel) {
                    required.add(code.getName());
                }
            } else if (code instanceof IterableCode) { // sections, inverted ones included
                variables.add(code.getName());
                collect(code.getCodes(), false, required, variables);
            }
        }
    }

    /** Mustache's message with its location as "line N: ..." instead of its own "@[file:N]". */
    private static String describe(MustacheException e) {
        TemplateContext at = e.getContext();
        String message = e.getMessage();
        if (message != null && message.startsWith("Disallowed: changing")) {
            return "changing the delimiters ({{=<% %>=}}) is not supported: templates use {{ and }}";
        }
        if (at == null) {
            return message;
        }
        String suffix = " @" + at;
        if (message.endsWith(suffix)) {
            message = message.substring(0, message.length() - suffix.length());
        }
        return "line " + at.line() + ": " + message;
    }

    /** A factory for one kind of file: HTML-escaping or not, and refusing what the subset leaves out. */
    private static final class Factory extends DefaultMustacheFactory {
        private final boolean html;

        Factory(boolean html) {
            super(name -> {
                throw new MustacheNotFoundException(name);
            });
            this.html = html;
            setObjectHandler(new MapObjectHandler()); // variables come from a map, never from Java objects
            mc.setAllowChangingDelimeters(false);
        }

        /**
         * HTML: the five characters that matter in text and in quoted attribute values (unquoted ones are
         * refused), so a URL keeps its {@code =} readable; text: as it is.
         */
        @Override
        public void encode(String value, Writer writer) {
            try {
                if (!html) {
                    writer.write(value);
                    return;
                }
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    switch (c) {
                        case '&' -> writer.write("&amp;");
                        case '<' -> writer.write("&lt;");
                        case '>' -> writer.write("&gt;");
                        case '"' -> writer.write("&quot;");
                        case '\'' -> writer.write("&#39;");
                        default -> writer.write(c);
                    }
                }
            } catch (IOException e) {
                throw new MustacheException(e);
            }
        }

        @Override
        public MustacheVisitor createMustacheVisitor() {
            return new DefaultMustacheVisitor(this) {
                @Override
                public void value(TemplateContext tc, String variable, boolean encoded) {
                    requireName(tc, variable);
                    if (html && !encoded) {
                        throw new MustacheException(
                                "'" + variable + "' would be inserted unescaped into the HTML: write {{" + variable
                                        + "}}, which escapes it",
                                tc);
                    }
                    super.value(tc, variable, encoded);
                }

                @Override
                public void iterable(TemplateContext tc, String variable, Mustache mustache) {
                    requireName(tc, variable);
                    super.iterable(tc, variable, mustache);
                }

                @Override
                public void notIterable(TemplateContext tc, String variable, Mustache mustache) {
                    requireName(tc, variable);
                    super.notIterable(tc, variable, mustache);
                }

                @Override
                public void partial(TemplateContext tc, String variable, String indent) {
                    throw unsupported(tc, "partials ({{> " + variable + "}})");
                }

                @Override
                public void dynamicPartial(TemplateContext tc, String variable, String indent) {
                    throw unsupported(tc, "partials ({{>* " + variable + "}})");
                }

                @Override
                public void extend(TemplateContext tc, String variable, Mustache mustache) {
                    throw unsupported(tc, "template inheritance ({{< " + variable + "}})");
                }

                @Override
                public void name(TemplateContext tc, String variable, Mustache mustache) {
                    throw unsupported(tc, "template inheritance ({{$" + variable + "}})");
                }

                @Override
                public void checkName(TemplateContext tc, String variable, Mustache mustache) {
                    throw unsupported(tc, "template inheritance ({{?" + variable + "}})");
                }

                @Override
                public void pragma(TemplateContext tc, String pragma, String args) {
                    throw unsupported(tc, "pragmas ({{%" + pragma + "}})");
                }
            };
        }

        private static void requireName(TemplateContext tc, String variable) {
            if (!NAME.matcher(variable).matches()) {
                throw new MustacheException(
                        "'" + variable + "' is not a variable name: letters, digits and _, starting with a letter"
                                + " (the message's variables are flat)",
                        tc);
            }
        }

        private static MustacheException unsupported(TemplateContext tc, String what) {
            return new MustacheException(what + " are not supported: each template file stands alone", tc);
        }
    }
}
