package io.queueservice.server.email;

import io.queueservice.server.email.TemplateCompiler.TemplateException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks where an HTML template puts variables in attributes: never at the start of an unquoted value
 * (escaping does not stop a space from adding an attribute there), and at the start of a link's value only
 * a {@code ...Url} variable, which is checked to be an http(s) URL before rendering (so no {@code
 * javascript:} link). A variable further in ({@code href="https://example.com/c?t={{token}}"}) is fine:
 * the scheme is the template's.
 */
final class HtmlAttributeCheck {
    /** Attributes whose value is a URL the browser follows or loads. */
    private static final Set<String> LINK_ATTRIBUTES =
            Set.of("href", "src", "action", "formaction", "background", "poster", "cite", "srcset", "xlink:href");

    /** A Mustache tag at the start of a value, and the name it holds. */
    private static final Pattern LEADING_TAG = Pattern.compile("^\\s*\\{\\{\\s*[#^&{]?\\s*([^}\\s]*)");

    private HtmlAttributeCheck() {}

    /** Walks the attributes of the HTML's tags; see the class comment. */
    static void check(String html) throws TemplateException {
        int n = html.length();
        int i = 0;
        while ((i = html.indexOf('<', i)) >= 0 && i + 1 < n) {
            i++;
            if (!Character.isLetter(html.charAt(i))) {
                continue; // text, a comment, a doctype or an end tag
            }
            while (i < n && html.charAt(i) != '>') {
                int start = i;
                while (i < n && !isAttributeEnd(html.charAt(i)) && html.charAt(i) != '=') {
                    i++;
                }
                String attribute = html.substring(start, i).toLowerCase(Locale.ROOT);
                i = skipSpaces(html, i);
                if (i >= n || html.charAt(i) != '=') {
                    i = Math.max(i, start + 1);
                    continue;
                }
                i = skipSpaces(html, i + 1);
                if (i < n && (html.charAt(i) == '"' || html.charAt(i) == '\'')) {
                    int end = html.indexOf(html.charAt(i), i + 1);
                    end = end < 0 ? n : end;
                    checkValue(html, attribute, html.substring(i + 1, end), i);
                    i = end + 1;
                } else if (html.startsWith("{{", i)) {
                    throw new TemplateException("line " + TemplateCompiler.lineOf(html, i) + ": the value of '"
                            + attribute + "' holds a variable without quotes: write " + attribute + "=\"{{...}}\"");
                } else {
                    while (i < n && !isAttributeEnd(html.charAt(i))) {
                        i++;
                    }
                }
            }
        }
    }

    private static boolean isAttributeEnd(char c) {
        return Character.isWhitespace(c) || c == '>';
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static void checkValue(String html, String attribute, String value, int at) throws TemplateException {
        if (!LINK_ATTRIBUTES.contains(attribute)) {
            return;
        }
        Matcher m = LEADING_TAG.matcher(value);
        if (m.find() && !TemplateCompiler.isLink(m.group(1))) {
            throw new TemplateException("line " + TemplateCompiler.lineOf(html, at) + ": '" + m.group(1)
                    + "' starts a link, so it must be a variable named ...Url (such as " + safeName(m.group(1))
                    + "Url), which is checked to be an http:// or https:// URL");
        }
    }

    private static String safeName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_]", "");
        return s.isEmpty() ? "link" : s;
    }
}
