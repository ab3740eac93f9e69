package io.github.smtproutes.log;

/**
 * What counts as a control character wherever this extension takes text from the outside (an
 * address at the SMTP intake, a value written to the mail log): the C0 controls (CR, LF, NUL,
 * ESC...), DEL, the C1 controls, and the Unicode line and paragraph separators. Any of them can
 * end a log line, drive a terminal, or end an SMTP command line at a lenient host.
 */
public final class ControlCharacters {
    private ControlCharacters() {
    }

    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }

    public static boolean containsAny(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isControl(text.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code text} with each control character written as {@code \xNN} (or {@code \\uNNNN} above
     * 0xFF), so that it stays on one line and shows what was there; other text is unchanged.
     */
    public static String escape(String text) {
        if (!containsAny(text)) {
            return text;
        }
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                escaped.append(c);
            } else if (c <= 0xff) {
                escaped.append(String.format("\\x%02X", (int) c));
            } else {
                escaped.append(String.format("\\u%04X", (int) c));
            }
        }
        return escaped.toString();
    }
}
