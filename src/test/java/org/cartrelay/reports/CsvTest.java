package org.cartrelay.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CSV cells follow RFC 4180 and a spreadsheet cannot be made to run a buyer's input: a cell starting with {@code =},
 * {@code +}, {@code -}, {@code @}, tab or carriage return gets a leading apostrophe, before quoting.
 */
class CsvTest {

    static Stream<Arguments> formulas() {
        return Stream.of(
                Arguments.of("=SUM(A1:A9)", "'=SUM(A1:A9)"),
                Arguments.of("+49 30 1234", "'+49 30 1234"),
                Arguments.of("-2+3", "'-2+3"),
                Arguments.of("@cmd", "'@cmd"),
                Arguments.of("=HYPERLINK(\"http://evil.example\")", "\"'=HYPERLINK(\"\"http://evil.example\"\")\""));
    }

    @ParameterizedTest(name = "{0} is neutralised")
    @MethodSource("formulas")
    void aCellThatStartsLikeAFormulaIsNeutralised(String value, String expected) {
        assertThat(Csv.cell(value)).isEqualTo(expected);
    }

    @Test
    void aLeadingTabIsNeutralised() {
        assertThat(Csv.cell("\t=1+1")).isEqualTo("'\t=1+1");
    }

    @Test
    void aLeadingCarriageReturnIsNeutralisedAndQuoted() {
        assertThat(Csv.cell("\r=1+1")).isEqualTo("\"'\r=1+1\"");
    }

    @Test
    void aFormulaThatAlsoNeedsQuotingIsNeutralisedInsideTheQuotes() {
        assertThat(Csv.cell("=1+2,\"x\"")).isEqualTo("\"'=1+2,\"\"x\"\"\"");
        assertThat(Csv.cell("-1\nsecond line")).isEqualTo("\"'-1\nsecond line\"");
    }

    @Test
    void formulaCharactersAfterTheFirstAreLeftAlone() {
        assertThat(Csv.cell("a=b+c-d@e")).isEqualTo("a=b+c-d@e");
        assertThat(Csv.cell("buyer@example.com")).isEqualTo("buyer@example.com");
    }

    @Test
    void commasQuotesAndLineBreaksAreQuotedWithQuotesDoubled() {
        assertThat(Csv.cell("Müller, Jr.")).isEqualTo("\"Müller, Jr.\"");
        assertThat(Csv.cell("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
        assertThat(Csv.cell("two\nlines")).isEqualTo("\"two\nlines\"");
        assertThat(Csv.cell("plain text")).isEqualTo("plain text");
    }

    @Test
    void missingValuesAreEmptyCells() {
        assertThat(Csv.cell(null)).isEmpty();
        assertThat(Csv.cell("")).isEmpty();
    }

    @Test
    void aRowIsCommaSeparatedAndEndsWithCrLf() throws Exception {
        StringWriter out = new StringWriter();
        Csv.writeRow(out, Arrays.asList("a", null, "=b", "c,d"));
        Csv.writeRow(out, List.of("e"));
        assertThat(out.toString()).isEqualTo("a,,'=b,\"c,d\"\r\ne\r\n");
    }
}
