package org.cartrelay.support;

/**
 * Log text that a sender cannot shape into lines of its own: CR, LF and every other control character are escaped
 * ({@code \r}, {@code \n}, {@code \u0085}, …) and long text is cut. {@link SafeMessageConverter} applies
 * {@link #line} to every logged message; {@link #value} cuts one sender-supplied value shorter still.
 */
public final class LogSafe {

    /** One value from a sender (an event name, a status) in a log line. */
    public static final int MAX_VALUE = 200;
    /** One whole log message. */
    public static final int MAX_LINE = 4000;

    private LogSafe() {}

    public static String value(Object value) {
        return value == null ? null : escape(cut(value.toString(), MAX_VALUE));
    }

    public static String line(String message) {
        return message == null ? null : escape(cut(message, MAX_LINE));
    }

    private static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + "…(" + (text.length() - max) + " more)";
    }

    static String escape(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            String replacement = c == '\r'
                    ? "\\r"
                    : c == '\n'
                            ? "\\n"
                            : c == '\t'
                                    ? null
                                    : Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                                            ? String.format("\\u%04x", (int) c)
                                            : null;
            if (replacement != null && out == null) {
                out = new StringBuilder(text.length() + 16).append(text, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
