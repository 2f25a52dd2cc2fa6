package org.cartrelay.reports;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * RFC 4180 CSV (comma, CRLF, quotes doubled inside quoted cells) that a spreadsheet cannot be tricked into running:
 * a cell starting with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return would be read as a formula
 * (OWASP "CSV injection"), so it gets a leading apostrophe, which spreadsheets show as text.
 */
public final class Csv {

    private Csv() {}

    /** Writes one record and its line break. */
    public static void writeRow(Writer out, List<String> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(cell(cells.get(i)));
        }
        out.write("\r\n");
    }

    /** One cell: neutralised first, then quoted when it holds a comma, a quote or a line break. */
    public static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String safe = neutralise(value);
        boolean quote =
                safe.indexOf(',') >= 0 || safe.indexOf('"') >= 0 || safe.indexOf('\n') >= 0 || safe.indexOf('\r') >= 0;
        return quote ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
    }

    static String neutralise(String value) {
        char first = value.charAt(0);
        boolean formula =
                first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
        return formula ? "'" + value : value;
    }
}
