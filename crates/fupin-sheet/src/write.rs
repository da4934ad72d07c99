//! Writing sheets: the member sheet of an export (streaming; XLSX in constant memory), and the
//! plain XLSX tables the web offers for download.

use crate::columns::{header, Format, COLUMNS};
use crate::SheetError;
use fupin_core::codes::CodeList;
use fupin_core::money::{fmt2, Decimal};
use fupin_core::registry::{HouseholdRecord, MemberRecord};
use std::path::Path;

/// The cells of a household's rows, one per member (one row with empty member cells when it has none).
pub fn household_rows(h: &HouseholdRecord) -> Vec<Vec<String>> {
    let b = |v: bool| if v { "是" } else { "否" }.to_string();
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let code = |zh: Option<&'static str>| zh.unwrap_or("").to_string();
    let has_income = h.income_year.is_some();
    let money = |d: Decimal| if has_income { fmt2(d) } else { String::new() };
    let hh: Vec<String> = vec![
        h.number.clone(),
        h.area_code.clone(),
        o(&h.village_group),
        h.status.zh().to_string(),
        String::new(),
        code(h.attribute.map(|a| a.zh())),
        code(h.main_cause.map(|c| c.zh())),
        h.secondary_causes
            .iter()
            .map(|c| c.zh())
            .collect::<Vec<_>>()
            .join("、"),
        code(h.monitoring.map(|m| m.zh())),
        h.housing_grade.code().to_string(),
        b(h.food),
        b(h.clothing),
        b(h.water),
        h.income_year.map_or(String::new(), |y| y.to_string()),
        money(h.income.wage),
        money(h.income.business),
        money(h.income.property),
        money(h.income.transfer),
        money(h.income.business_cost),
        money(h.rigid_expense.medical),
        money(h.rigid_expense.education),
        money(h.rigid_expense.disaster),
        money(h.rigid_expense.other),
        o(&h.phone),
        o(&h.bank_account),
    ];
    let member_cells = |m: &MemberRecord| -> Vec<String> {
        vec![
            m.id_number.clone(),
            m.name.clone(),
            m.relation.zh().to_string(),
            code(m.labor.map(|l| l.zh())),
            code(m.health.map(|x| x.zh())),
            m.disability_grade.map_or(String::new(), |g| g.to_string()),
            m.school_status.zh().to_string(),
            b(m.medical_insurance),
            b(m.pension_insurance),
            code(m.work_place.map(|w| w.zh())),
            m.work_months.map_or(String::new(), |g| g.to_string()),
            String::new(),
            String::new(),
        ]
    };
    if h.members.is_empty() {
        let mut row = hh;
        row.resize(COLUMNS.len(), String::new());
        return vec![row];
    }
    h.members
        .iter()
        .map(|m| {
            let mut row = hh.clone();
            row.extend(member_cells(m));
            row
        })
        .collect()
}

/// The characters that make a spreadsheet read a CSV cell as a formula (OWASP, CSV injection).
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A plain decimal number (`-12.50`, `+3`, `1200`): a spreadsheet reads it as a number, never as a
/// formula, so it is written as it is.
fn plain_number(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !frac.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A cell as a CSV file carries it safely (OWASP's CSV-injection rule): text starting with `=`,
/// `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, so that Excel, WPS or LibreOffice
/// shows it as text instead of running it (`=HYPERLINK(...)`, `+1+1`, `@SUM(...)`). A plain decimal
/// number (`-12.50`) stays as it is, numeric. Reading a CSV takes the `'` off again
/// ([`crate::read`]), so an export imports unchanged.
pub fn csv_cell(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(FORMULA_START) && !plain_number(s) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// The text of a CSV cell as written by [`csv_cell`]: a `'` before a formula character taken off.
pub fn csv_uncell(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => s,
    }
}

/// A typed cell of a sheet: XLSX writes text as a string, numbers as numbers with a number format
/// (never a formula); CSV writes them as text.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A whole number: a count, a year, a row number (format `0`).
    Int(i64),
    /// Money in yuan, shown with two decimals (format `#,##0.00`).
    Money(Decimal),
    Empty,
}

impl Cell {
    /// The cell as CSV text: money with two decimals.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Money(d) => fmt2(*d),
            Cell::Empty => String::new(),
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

/// How wide a text shows in a spreadsheet, in character widths: a Chinese character is two.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 })
        .sum()
}

/// The layout of a table sheet: the header row in bold, frozen, with an autofilter over the
/// table, and every column as wide as its widest cell (within 8 to 60 characters).
pub struct Layout {
    header: rust_xlsxwriter::Format,
    money: rust_xlsxwriter::Format,
    int: rust_xlsxwriter::Format,
    widths: Vec<usize>,
    /// Whether the first row is a header (frozen, filtered).
    has_header: bool,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            header: rust_xlsxwriter::Format::new()
                .set_bold()
                .set_background_color(rust_xlsxwriter::Color::RGB(0xDDEBF7)),
            money: rust_xlsxwriter::Format::new().set_num_format("#,##0.00"),
            int: rust_xlsxwriter::Format::new().set_num_format("0"),
            widths: Vec::new(),
            has_header: false,
        }
    }

    fn widen(&mut self, col: usize, text_width: usize) {
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        self.widths[col] = self.widths[col].max(text_width);
    }

    /// Writes one row of cells.
    fn write(
        &mut self,
        ws: &mut rust_xlsxwriter::Worksheet,
        row: u32,
        cells: &[Cell],
        header: bool,
    ) -> Result<(), SheetError> {
        for (c, v) in cells.iter().enumerate() {
            let col = c as u16;
            match v {
                Cell::Empty => {}
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) if header => {
                    ws.write_string_with_format(row, col, s, &self.header)
                        .map_err(xlsx_err)?;
                    // Room for the filter's drop-down arrow.
                    self.widen(c, display_width(s) + 3);
                }
                Cell::Text(s) => {
                    ws.write_string(row, col, s).map_err(xlsx_err)?;
                    self.widen(c, display_width(s));
                }
                Cell::Int(n) => {
                    ws.write_number_with_format(row, col, *n as f64, &self.int)
                        .map_err(xlsx_err)?;
                    self.widen(c, n.to_string().len());
                }
                Cell::Money(d) => {
                    let shown = fmt2(*d);
                    let n: f64 = shown.parse().unwrap_or_default();
                    ws.write_number_with_format(row, col, n, &self.money)
                        .map_err(xlsx_err)?;
                    // With the thousands separators.
                    self.widen(c, shown.len() + shown.len() / 3);
                }
            }
        }
        Ok(())
    }

    /// Column widths; with a header, the frozen first row and the autofilter over `rows` rows.
    fn finish(&self, ws: &mut rust_xlsxwriter::Worksheet, rows: u32) -> Result<(), SheetError> {
        for (c, w) in self.widths.iter().enumerate() {
            let width = (*w).clamp(8, 60) as f64 + 1.0;
            ws.set_column_width(c as u16, width).map_err(xlsx_err)?;
        }
        if self.has_header && !self.widths.is_empty() {
            ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
            let last_col = (self.widths.len() - 1) as u16;
            ws.autofilter(0, 0, rows.saturating_sub(1), last_col)
                .map_err(xlsx_err)?;
        }
        Ok(())
    }
}

/// A sheet being written, CSV or XLSX (constant memory).
pub enum SheetWriter {
    Csv(Box<csv::Writer<std::io::BufWriter<std::fs::File>>>),
    Xlsx {
        workbook: Box<rust_xlsxwriter::Workbook>,
        path: std::path::PathBuf,
        row: u32,
        layout: Box<Layout>,
    },
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> SheetError {
    SheetError::File(format!("XLSX: {e}"))
}

impl SheetWriter {
    /// Creates a CSV or XLSX file by extension, with a first sheet named `sheet`.
    pub fn create(path: &Path, sheet: &str) -> Result<SheetWriter, SheetError> {
        match Format::of(path)? {
            Format::Csv => {
                let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
                // A byte-order mark, so that Excel opens the UTF-8 file with its Chinese intact.
                std::io::Write::write_all(&mut f, "\u{feff}".as_bytes())?;
                let w = csv::Writer::from_writer(f);
                Ok(SheetWriter::Csv(Box::new(w)))
            }
            Format::Xlsx => {
                let mut workbook = Box::new(rust_xlsxwriter::Workbook::new());
                let fixed =
                    rust_xlsxwriter::ExcelDateTime::from_ymd(2020, 1, 1).map_err(xlsx_err)?;
                workbook.set_properties(
                    &rust_xlsxwriter::DocProperties::new().set_creation_datetime(&fixed),
                );
                let ws = workbook.add_worksheet_with_constant_memory();
                ws.set_name(sheet).map_err(xlsx_err)?;
                Ok(SheetWriter::Xlsx {
                    workbook,
                    path: path.to_path_buf(),
                    row: 0,
                    layout: Box::new(Layout::new()),
                })
            }
            Format::Json => Err(SheetError::File(
                "应为 .csv 或 .xlsx / expected .csv or .xlsx".into(),
            )),
        }
    }

    /// Writes the header row: in XLSX bold, frozen, with an autofilter over the table.
    pub fn write_header<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        let cells: Vec<Cell> = cells.iter().map(|c| Cell::from(c.as_ref())).collect();
        if let SheetWriter::Xlsx { layout, .. } = self {
            layout.has_header = true;
        }
        self.write(&cells, true)
    }

    /// Writes a row of text cells.
    pub fn write_row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        let cells: Vec<Cell> = cells.iter().map(|c| Cell::from(c.as_ref())).collect();
        self.write(&cells, false)
    }

    /// Writes a row of typed cells (numbers stay numbers in XLSX).
    pub fn write_cells(&mut self, cells: &[Cell]) -> Result<(), SheetError> {
        self.write(cells, false)
    }

    fn write(&mut self, cells: &[Cell], header: bool) -> Result<(), SheetError> {
        match self {
            SheetWriter::Csv(w) => w
                .write_record(cells.iter().map(|c| csv_cell(&c.text()).into_owned()))
                .map_err(|e| SheetError::File(e.to_string())),
            SheetWriter::Xlsx {
                workbook,
                row,
                layout,
                ..
            } => {
                let ws = workbook.worksheet_from_index(0).map_err(xlsx_err)?;
                layout.write(ws, *row, cells, header)?;
                *row += 1;
                Ok(())
            }
        }
    }

    /// Adds a second sheet (XLSX only) with the given rows.
    pub fn add_sheet(&mut self, name: &str, rows: &[Vec<String>]) -> Result<(), SheetError> {
        if let SheetWriter::Xlsx { workbook, .. } = self {
            let ws = workbook.add_worksheet();
            ws.set_name(name).map_err(xlsx_err)?;
            for (r, cells) in rows.iter().enumerate() {
                for (c, v) in cells.iter().enumerate() {
                    ws.write_string(r as u32, c as u16, v).map_err(xlsx_err)?;
                }
            }
        }
        Ok(())
    }

    pub fn finish(self) -> Result<(), SheetError> {
        match self {
            SheetWriter::Csv(mut w) => w.flush().map_err(SheetError::from),
            SheetWriter::Xlsx {
                mut workbook,
                path,
                row,
                layout,
            } => {
                let ws = workbook.worksheet_from_index(0).map_err(xlsx_err)?;
                layout.finish(ws, row)?;
                workbook.save(&path).map_err(xlsx_err)
            }
        }
    }
}

/// The member sheet's columns that hold numbers: money, and whole numbers.
fn column_cell(key: &str, text: String) -> Cell {
    const MONEY: &[&str] = &[
        "wage",
        "business",
        "property",
        "transfer",
        "business_cost",
        "medical_expense",
        "education_expense",
        "disaster_loss",
        "other_expense",
    ];
    const WHOLE: &[&str] = &["income_year", "disability_grade", "work_months"];
    if text.is_empty() {
        return Cell::Empty;
    }
    if MONEY.contains(&key) {
        if let Ok(d) = fupin_core::money::parse_money(&text) {
            return Cell::Money(d);
        }
    }
    if WHOLE.contains(&key) {
        if let Ok(n) = text.parse() {
            return Cell::Int(n);
        }
    }
    Cell::Text(text)
}

/// An export being written: the header row, then each household's rows as it arrives (from the
/// store's streaming export), so that the registry is never held in memory. In XLSX, money and
/// whole numbers are numbers, the header is frozen with an autofilter, the columns fitted.
pub struct ExportWriter {
    sheet: SheetWriter,
}

impl ExportWriter {
    /// Creates a CSV or XLSX file by extension and writes the header row.
    pub fn create(path: &Path) -> Result<ExportWriter, SheetError> {
        let mut sheet = SheetWriter::create(path, "成员 members")?;
        sheet.write_header(&header())?;
        Ok(ExportWriter { sheet })
    }

    /// Writes one household: a row per member.
    pub fn write(&mut self, h: &HouseholdRecord) -> Result<(), SheetError> {
        for row in household_rows(h) {
            let cells: Vec<Cell> = row
                .into_iter()
                .zip(COLUMNS)
                .map(|(text, c)| column_cell(c.key, text))
                .collect();
            self.sheet.write_cells(&cells)?;
        }
        Ok(())
    }

    pub fn finish(self) -> Result<(), SheetError> {
        self.sheet.finish()
    }
}

/// A table written as an XLSX workbook in memory, for a download: a named sheet, a bold frozen
/// header with an autofilter, columns fitted, text as strings and numbers as numbers (never
/// formulas).
pub struct XlsxTable {
    workbook: rust_xlsxwriter::Workbook,
    row: u32,
    layout: Layout,
}

impl Default for XlsxTable {
    fn default() -> Self {
        XlsxTable::new()
    }
}

impl XlsxTable {
    /// A table on a sheet named `Sheet1`.
    pub fn new() -> XlsxTable {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook.add_worksheet();
        XlsxTable {
            workbook,
            row: 0,
            layout: Layout::new(),
        }
    }

    /// A table on a sheet of the given name (at most 31 characters, no `[]:*?/\`).
    pub fn named(sheet: &str) -> Result<XlsxTable, SheetError> {
        let mut t = XlsxTable::new();
        t.workbook
            .worksheet_from_index(0)
            .map_err(xlsx_err)?
            .set_name(sheet)
            .map_err(xlsx_err)?;
        Ok(t)
    }

    /// Writes the header row (first): bold, frozen, with an autofilter over the table.
    pub fn header<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        let cells: Vec<Cell> = cells.iter().map(|c| Cell::from(c.as_ref())).collect();
        self.layout.has_header = true;
        self.write(&cells, true)
    }

    /// Writes the next row of text cells.
    pub fn row<S: AsRef<str>>(&mut self, cells: &[S]) -> Result<(), SheetError> {
        let cells: Vec<Cell> = cells.iter().map(|c| Cell::from(c.as_ref())).collect();
        self.write(&cells, false)
    }

    /// Writes the next row of typed cells.
    pub fn cells(&mut self, cells: &[Cell]) -> Result<(), SheetError> {
        self.write(cells, false)
    }

    fn write(&mut self, cells: &[Cell], header: bool) -> Result<(), SheetError> {
        let ws = self.workbook.worksheet_from_index(0).map_err(xlsx_err)?;
        self.layout.write(ws, self.row, cells, header)?;
        self.row += 1;
        Ok(())
    }

    /// The workbook's bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, SheetError> {
        let ws = self.workbook.worksheet_from_index(0).map_err(xlsx_err)?;
        self.layout.finish(ws, self.row)?;
        self.workbook.save_to_buffer().map_err(xlsx_err)
    }
}
