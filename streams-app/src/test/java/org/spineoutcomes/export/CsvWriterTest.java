package org.spineoutcomes.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.spineoutcomes.schema.TreatmentArm;

/** RFC 4180 quoting and the cell format of the export CSVs (docs/exports.md, "Cell format"). */
class CsvWriterTest {

    @Test
    void quotesOnlyCellsWithCommaQuoteOrLineBreak() {
        assertEquals("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\",\"cr\ronly\"\r\n",
                CsvWriter.row(List.of("plain", "a,b", "say \"hi\"", "two\r\nlines", "cr\ronly")));
        // A semicolon, a space or a non-ASCII letter needs no quotes.
        assertEquals("a;b,x y,Müller\r\n", CsvWriter.row(List.of("a;b", "x y", "Müller")));
    }

    @Test
    void nullIsAnEmptyCell() {
        assertEquals(",x,\r\n", CsvWriter.row(Arrays.asList(null, "x", null)));
        assertEquals("\r\n", CsvWriter.row(List.of()));
        assertEquals("", CsvWriter.text(null));
    }

    @Test
    void numbersAreTheNdjsonDigitsWithoutExponent() {
        assertEquals("4", CsvWriter.text(4.0));
        assertEquals("37.5", CsvWriter.text(37.5));
        assertEquals("0.0001", CsvWriter.text(1.0E-4));
        assertEquals("12345678", CsvWriter.text(1.2345678E7));
        assertEquals("-0.96827", CsvWriter.text(-0.96827));
        assertEquals("0", CsvWriter.text(-0.0));
        assertEquals("0.1", CsvWriter.text(0.1)); // the shortest decimal, not 0.1000000000000000055511151231257827
        assertEquals("0.30000000000000004", CsvWriter.text(0.1 + 0.2));
        assertEquals("12", CsvWriter.text(12L));
        assertThrows(IllegalArgumentException.class, () -> CsvWriter.text(Double.NaN));
    }

    @Test
    void handCheckedRow() {
        // patientId, ittArm, indexDate, crossover, assessedAt, pain, percentRelief, strata, a missing value
        List<Object> row = Arrays.asList("3f9a,c\"1", TreatmentArm.KYPHOPLASTY, LocalDate.of(2024, 4, 15), false,
                Instant.parse("2024-07-14T10:30:00Z"), 3.5, 56.25, "ALL SEX_F", null);
        assertEquals("\"3f9a,c\"\"1\",KYPHOPLASTY,2024-04-15,false,2024-07-14T10:30:00Z,3.5,56.25,ALL SEX_F,\r\n",
                CsvWriter.row(row));
    }

    @Test
    void refusesValuesWithoutACsvForm() {
        assertThrows(IllegalArgumentException.class, () -> CsvWriter.text(new Object()));
    }
}
