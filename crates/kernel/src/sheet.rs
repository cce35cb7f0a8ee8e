//! CSV files people open in a spreadsheet: every export of Tandem writes through [`Sheet`], so
//! that no cell of a file a service manager opens can run as a formula (CSV injection), whoever
//! typed the text in it.

use crate::text::spreadsheet_cell;

/// A CSV file under construction: a header, then rows, each cell passed through the formula
/// guard [`spreadsheet_cell`] (text that a spreadsheet would run gets a leading `'`, which
/// [`crate::text::from_spreadsheet_cell`] takes off again when a file is read back).
pub struct Sheet {
    writer: csv::Writer<Vec<u8>>,
}

impl Sheet {
    /// A file that starts with the column names `header`.
    pub fn new<I, S>(header: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut sheet = Self {
            writer: csv::Writer::from_writer(Vec::new()),
        };
        sheet.row(header);
        sheet
    }

    /// One row of cells. Every row should have as many cells as the header.
    pub fn row<I, S>(&mut self, cells: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.writer
            .write_record(
                cells
                    .into_iter()
                    .map(|cell| spreadsheet_cell(cell.as_ref())),
            )
            .expect("writing CSV to memory cannot fail");
    }

    /// The file's bytes (UTF-8).
    pub fn into_bytes(self) -> Vec<u8> {
        self.writer
            .into_inner()
            .map_err(|e| e.into_error())
            .expect("writing CSV to memory cannot fail")
    }

    /// The file as text.
    pub fn into_string(self) -> String {
        String::from_utf8(self.into_bytes()).expect("every cell written is UTF-8")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::from_spreadsheet_cell;

    #[test]
    fn every_cell_is_guarded_and_reads_back() {
        let mut sheet = Sheet::new(["title", "note"]);
        let risky = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\ry", "'=quoted"];
        for text in risky {
            sheet.row([text, "plain"]);
        }
        let file = sheet.into_string();
        let mut reader = csv::Reader::from_reader(file.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), risky.len());
        for (row, text) in rows.iter().zip(risky) {
            assert!(row[0].starts_with('\''), "{:?} is guarded", &row[0]);
            assert_eq!(from_spreadsheet_cell(&row[0]), text);
            assert_eq!(&row[1], "plain");
        }
    }
}
