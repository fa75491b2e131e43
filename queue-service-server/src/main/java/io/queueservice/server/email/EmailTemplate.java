package io.queueservice.server.email;

import com.github.mustachejava.Mustache;
import io.queueservice.server.email.TemplateCompiler.Compiled;
import java.io.StringWriter;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One template in one language, compiled: its subject ({@code subject.txt}), HTML body ({@code body.html})
 * and text body ({@code body.txt}). Immutable and thread-safe: any number of messages render at once.
 *
 * @param name the template's name, as messages ask for it ({@code confirmation})
 * @param language the language folder's name as written ({@code fr}, {@code fr-CA})
 * @param origin where it was read from, for logs and {@code render-email}: {@code built-in} or the folder
 */
record EmailTemplate(String name, String language, String origin, Compiled subject, Compiled html, Compiled text) {

    /** The text of each part, rendered with the same variables. */
    record Rendered(String subject, String html, String text) {}

    /** The variables a message must give: those shown outside any section, in the order they first appear. */
    Set<String> required() {
        return union(subject.required(), text.required(), html.required());
    }

    /** Every variable the template names, sections included, in the order they first appear. */
    Set<String> variables() {
        return union(subject.variables(), text.variables(), html.variables());
    }

    /**
     * Renders the three parts.
     *
     * @param values the variables, each a {@link String} (one line) or a {@link Boolean}; an absent one
     *     renders as nothing, and makes its sections disappear
     */
    Rendered render(Map<String, Object> values) {
        return new Rendered(
                run(subject.mustache(), values).strip(), run(html.mustache(), values), run(text.mustache(), values));
    }

    private static String run(Mustache mustache, Map<String, Object> values) {
        StringWriter out = new StringWriter();
        mustache.execute(out, values);
        return out.toString();
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new LinkedHashSet<>();
        for (Set<String> s : sets) {
            all.addAll(s);
        }
        return Collections.unmodifiableSet(all);
    }
}
