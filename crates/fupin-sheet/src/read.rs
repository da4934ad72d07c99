//! Reading the member sheet (CSV UTF-8 or GB18030, XLSX) and the JSON of `fupin assess`. Every
//! household goes through fupin-core's validator; its errors are placed by row and by the column
//! as the file's header writes it.

use crate::columns::{column, Format, COLUMNS};
use crate::SheetError;
use chrono::NaiveDate;
use fupin_core::codes::CodeList;
use fupin_core::error::RowError;
use fupin_core::input::{self, limits};
use fupin_core::registry::plan::{CategoryFrom, Incoming};
use fupin_core::registry::{Area, HouseholdRecord};
use fupin_core::validate::{self, Fields, HouseholdError, People, Source, Value};
use std::collections::HashMap;
use std::path::Path;

/// A file read: the households, the errors (households with an error are left out), and the JSON's
/// `as_of` when it has one.
#[derive(Debug, Default)]
pub struct ReadOutcome {
    pub households: Vec<Incoming>,
    pub errors: Vec<RowError>,
    pub as_of: Option<NaiveDate>,
    /// Rows (CSV/XLSX) or households (JSON) read.
    pub rows: usize,
    /// Areas described by the file (the JSON's `villages` and `counties`).
    pub areas: Vec<Area>,
    /// The header row names none of the member sheet's columns (for the CSV reader: a wrong
    /// encoding rather than missing columns).
    pub unknown_header: bool,
}

impl ReadOutcome {
    /// Splits the read for an import: the households and areas to import, and the file's errors
    /// to merge into the import's outcome. `partial`: import the valid households even when the
    /// file has errors (otherwise all or nothing).
    pub fn into_import(self, partial: bool) -> (Vec<Incoming>, Vec<Area>, FileErrors) {
        let blocks = !self.errors.is_empty() && !partial;
        let check = FileErrors {
            errors: self.errors,
            blocks,
        };
        (self.households, self.areas, check)
    }
}

/// The errors of a file being imported, to merge into what the import found.
#[derive(Debug)]
pub struct FileErrors {
    errors: Vec<RowError>,
    blocks: bool,
}

impl FileErrors {
    /// Whether the import may only be tried (a dry run): the file has errors and the import is
    /// all or nothing.
    pub fn blocks(&self) -> bool {
        self.blocks
    }

    /// Merges into an import's outcome: the file's errors and the import's together in row order;
    /// the households (or rows without one) the file's errors left out counted as skipped; nothing
    /// committed when the file's errors block the import.
    pub fn merge_into(self, errors: &mut Vec<RowError>, skipped: &mut u64, committed: &mut bool) {
        let bad: std::collections::HashSet<(&Option<String>, usize)> = self
            .errors
            .iter()
            .map(|e| (&e.household, if e.household.is_some() { 0 } else { e.row }))
            .collect();
        *skipped += bad.len() as u64;
        let mut all = self.errors;
        all.append(errors);
        all.sort_by_key(|e| e.row);
        *errors = all;
        *committed &= !self.blocks;
    }
}

/// An error of the file at `path`.
pub(crate) fn file_error(path: &Path, message: impl std::fmt::Display) -> SheetError {
    SheetError::File(format!("{}: {message}", path.display()))
}

/// Reads a CSV, XLSX or assess-JSON file. `date` is the default income year's reference. Every
/// reader is bounded ([`fupin_core::input::limits`]): a file beyond a bound is refused with an
/// error naming it.
pub fn read_file(path: &Path, date: NaiveDate) -> Result<ReadOutcome, SheetError> {
    let format = Format::of(path)?;
    let size = std::fs::metadata(path)?.len();
    let max = match format {
        Format::Csv => limits::MAX_CSV_BYTES,
        Format::Xlsx => limits::MAX_XLSX_BYTES,
        Format::Json => limits::MAX_JSON_BYTES,
    };
    if size > max {
        return Err(file_error(
            path,
            format!(
                "文件过大:{size} 字节,上限 {max} 字节 / the file is too large: {size} bytes, the limit is {max}"
            ),
        ));
    }
    match format {
        Format::Csv => read_csv(path, &std::fs::read(path)?, date),
        Format::Xlsx => read_xlsx(path, date),
        Format::Json => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                file_error(
                    path,
                    format!("文件编码应为 UTF-8 / the file is not UTF-8: {e}"),
                )
            })?;
            let v = input::parse_json(&text).map_err(|e| {
                file_error(
                    path,
                    format!(
                        "第{}行第{}列 line {}, column {}: {e}",
                        e.line(),
                        e.column(),
                        e.line(),
                        e.column()
                    ),
                )
            })?;
            input::check_document(&v).map_err(|e| file_error(path, e))?;
            Ok(read_json(&v, date))
        }
    }
}

/// Reads the bytes of a CSV file: UTF-8, or GB18030 (GBK) as Excel in Chinese saves it.
pub fn read_csv(path: &Path, bytes: &[u8], date: NaiveDate) -> Result<ReadOutcome, SheetError> {
    // A text file with NUL bytes in its header, or in more than one byte of 100, is no CSV text
    // (UTF-16, a binary file); a stray NUL in a cell is the validator's (`control_character`).
    let utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let nuls = bytes.iter().filter(|&&b| b == 0).count();
    if utf16 || first_line.contains(&0) || nuls * 100 > bytes.len() {
        return Err(file_error(
            path,
            format!(
                "文件含有 NUL 字节,编码不是 UTF-8 或 GB18030{} / the file holds NUL bytes: it is not UTF-8 or GB18030 text{}",
                if utf16 { "(是 UTF-16,请另存为 CSV UTF-8)" } else { "" },
                if utf16 { " (it is UTF-16: save it as CSV UTF-8)" } else { "" },
            ),
        ));
    }
    let neither = || {
        file_error(
            path,
            "文件编码应为 UTF-8 或 GB18030(不是 Big5 等)/ the file is neither UTF-8 nor GB18030 (Big5 or another encoding?)",
        )
    };
    let (text, decoded): (std::borrow::Cow<[u8]>, bool) = match std::str::from_utf8(bytes) {
        Ok(_) => (std::borrow::Cow::Borrowed(bytes), false),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(neither());
            }
            (
                std::borrow::Cow::Owned(text.into_owned().into_bytes()),
                true,
            )
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&text[..]);
    let rows = rdr.records().enumerate().map(|(i, r)| {
        let r = r.map_err(|e| file_error(path, e))?;
        let row = i as u64 + 1;
        check_row(path, row, r.len())?;
        // A `'` written before a formula character (CSV injection) is taken off again.
        r.iter()
            .enumerate()
            .map(|(c, cell)| {
                check_cell(path, row, c, cell)?;
                Ok(crate::write::csv_uncell(cell).to_string())
            })
            .collect::<Result<Vec<_>, _>>()
    });
    match read_rows(rows, date) {
        // A file decoded as GB18030 in which no column is known was most likely another encoding.
        Ok(out) if decoded && out.unknown_header => Err(neither()),
        other => other,
    }
}

/// The bounds of a row: its number and its count of cells.
pub(crate) fn check_row(path: &Path, row: u64, cells: usize) -> Result<(), SheetError> {
    if row > limits::MAX_ROWS {
        return Err(file_error(
            path,
            format!(
                "行数超过上限 {} / more than {} rows",
                limits::MAX_ROWS,
                limits::MAX_ROWS
            ),
        ));
    }
    if cells > limits::MAX_COLUMNS {
        return Err(file_error(
            path,
            format!(
                "第{row}行有{cells}列,上限 {} 列 / row {row} has {cells} columns, the limit is {}",
                limits::MAX_COLUMNS,
                limits::MAX_COLUMNS
            ),
        ));
    }
    Ok(())
}

/// The bound of one cell's text (row 1-based, column 0-based).
pub(crate) fn check_cell(path: &Path, row: u64, col: usize, text: &str) -> Result<(), SheetError> {
    if text.len() > limits::MAX_CELL_CHARS && text.chars().count() > limits::MAX_CELL_CHARS {
        let at = cell_ref(row as u32 - 1, col as u32);
        return Err(file_error(
            path,
            format!(
                "单元格 {at} 超过 {} 个字 / cell {at} holds more than {} characters",
                limits::MAX_CELL_CHARS,
                limits::MAX_CELL_CHARS
            ),
        ));
    }
    Ok(())
}

/// A cell's reference as a spreadsheet shows it (`A1`, `XFD1048576`), from 0-based row and column.
pub fn cell_ref(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.push(b'A' + rem as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8(letters).expect("ASCII"), row + 1)
}

/// Checks an XLSX file's parts before any is inflated: their declared sizes, together, within
/// [`limits::MAX_XLSX_UNPACKED_BYTES`].
pub(crate) fn check_zip<R: std::io::Read + std::io::Seek>(
    path: &Path,
    file: &mut R,
) -> Result<(), SheetError> {
    let mut zip = zip::ZipArchive::new(file).map_err(|e| {
        file_error(
            path,
            format!("不是有效的 XLSX 文件 / not a valid XLSX file: {e}"),
        )
    })?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| file_error(path, e))?;
        total = total.saturating_add(part.size());
    }
    if total > limits::MAX_XLSX_UNPACKED_BYTES {
        return Err(file_error(
            path,
            format!(
                "XLSX 解压后 {total} 字节,上限 {} 字节 / the XLSX file unpacks to {total} bytes, the limit is {}",
                limits::MAX_XLSX_UNPACKED_BYTES,
                limits::MAX_XLSX_UNPACKED_BYTES
            ),
        ));
    }
    Ok(())
}

/// Reads the first sheet of an XLSX file.
fn read_xlsx(path: &Path, date: NaiveDate) -> Result<ReadOutcome, SheetError> {
    let file = std::io::BufReader::new(std::fs::File::open(path)?);
    read_xlsx_from(path, file, date)
}

/// Reads the first sheet of an XLSX workbook (`path` names it in errors) cell by cell (never
/// calamine's dense range, which a single cell at XFD1048576 would make 17 billion cells wide),
/// within the bounds of size, columns and cells.
pub fn read_xlsx_from<R: std::io::Read + std::io::Seek>(
    path: &Path,
    mut file: R,
    date: NaiveDate,
) -> Result<ReadOutcome, SheetError> {
    use calamine::Reader;
    check_zip(path, &mut file)?;
    file.seek(std::io::SeekFrom::Start(0))?;
    let mut wb: calamine::Xlsx<_> = calamine::Xlsx::new(file).map_err(|e| file_error(path, e))?;
    let Some(name) = wb.sheet_names().first().cloned() else {
        return Err(file_error(path, "没有工作表 / no worksheet"));
    };
    let mut reader = wb
        .worksheet_cells_reader(&name)
        .map_err(|e| file_error(path, e))?;
    let mut cells: Vec<(u32, u32, String)> = Vec::new();
    // calamine 0.31 multiplies a cell reference's digits without a bound: a crafted reference
    // (`A99999999999`) overflows, a panic where overflow is checked (found by the fuzz run). Such a
    // file is refused as unreadable; where the overflow wraps, the column and cell bounds hold.
    let mut next = || {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reader.next_cell().map(|c| {
                c.map(|c| {
                    (
                        c.get_position(),
                        calamine::Data::from(c.get_value().clone()),
                    )
                })
            })
        }))
        .unwrap_or(Err(calamine::XlsxError::Unexpected(
            "单元格引用无效 / an invalid cell reference",
        )))
    };
    while let Some(((row, col), value)) = next().map_err(|e| file_error(path, e))? {
        if matches!(value, calamine::Data::Empty) {
            continue;
        }
        if col as usize >= limits::MAX_COLUMNS {
            let at = cell_ref(row, col);
            return Err(file_error(
                path,
                format!(
                    "表格范围过大: {at} 超出 {} 列 / the sheet is too large: cell {at} is beyond column {}",
                    limits::MAX_COLUMNS,
                    limits::MAX_COLUMNS
                ),
            ));
        }
        if cells.len() as u64 >= limits::MAX_XLSX_CELLS {
            return Err(file_error(
                path,
                format!(
                    "表格范围过大: 超过 {} 个单元格 / the sheet is too large: more than {} cells (use CSV or several files)",
                    limits::MAX_XLSX_CELLS,
                    limits::MAX_XLSX_CELLS
                ),
            ));
        }
        let text = cell_text(&value);
        check_cell(path, u64::from(row) + 1, col as usize, &text)?;
        cells.push((row, col, text));
    }
    // Cells come in the sheet's order, which is row by row in every file Excel writes.
    cells.sort_by_key(|&(r, c, _)| (r, c));
    // Rows are numbered as the spreadsheet shows them: blank rows (cheap, nothing allocated) stand
    // for the rows without cells.
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    for (r, c, text) in cells {
        if rows.last().is_none_or(|(last, _)| *last != r) {
            rows.push((r, Vec::new()));
        }
        let row = &mut rows.last_mut().expect("pushed").1;
        match row.get_mut(c as usize) {
            // The same cell twice (a crafted file): the last one stands.
            Some(cell) => *cell = text,
            None => {
                row.resize(c as usize, String::new());
                row.push(text);
            }
        }
    }
    let mut next = 0u32;
    let all = rows.into_iter().flat_map(move |(r, cells)| {
        let blank = (next..r).map(|_| Ok(Vec::new()));
        next = r + 1;
        blank.chain(std::iter::once(Ok(cells)))
    });
    read_rows(all, date)
}

pub(crate) fn cell_text(c: &calamine::Data) -> String {
    use calamine::Data;
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        other => other.to_string(),
    }
}

/// One row of the member sheet, as fields for the validator.
struct RowFields<'a> {
    cells: &'a [String],
    index: &'a [Option<usize>],
    headers: &'a [String],
}

impl RowFields<'_> {
    /// The trimmed cell of a column ("" when the column is absent).
    fn raw(&self, key: &str) -> &str {
        self.raw_at(column(key))
    }

    /// The trimmed cell of the column at `i` of [`COLUMNS`].
    fn raw_at(&self, i: usize) -> &str {
        self.index[i]
            .and_then(|c| self.cells.get(c))
            .map_or("", |s| s.trim())
    }

    /// The column as the header writes it (the key when the file has no such column).
    fn header(&self, key: &str) -> String {
        self.index[column(key)].map_or(key.to_string(), |c| self.headers[c].clone())
    }

    /// An error at `row` of the column `key`.
    fn error(&self, row: usize, key: &str, code: &str, zh: &str, en: &str) -> RowError {
        RowError::new(row, &self.header(key), self.raw(key), code, zh, en)
    }

    /// An error of the validator, placed at `row`.
    fn placed(&self, row: usize, e: &HouseholdError) -> RowError {
        self.error(row, &e.field, e.code, &e.zh, &e.en)
    }
}

impl Fields for RowFields<'_> {
    fn source(&self) -> Source {
        Source::Sheet
    }

    fn get(&self, key: &'static str) -> Option<Value<'_>> {
        let v = self.raw(key);
        (!v.is_empty()).then_some(Value::Cell(v))
    }
}

struct Group {
    number: String,
    first_row: usize,
    household_cells: Vec<String>,
    record: Option<HouseholdRecord>,
    incoming: Option<Incoming>,
    bad: bool,
}

/// The member sheet read a row at a time: the header's columns, the households being gathered,
/// and what is done. Whole (`read_rows`): a household's rows may stand anywhere in the file, and
/// every household is kept to the end. Streaming ([`crate::stream`]): a household's rows stand
/// together; it is done when the next household's row comes, and only its own rows are kept.
pub(crate) struct SheetRows {
    date: NaiveDate,
    streaming: bool,
    header_row: usize,
    headers: Vec<String>,
    index: Vec<Option<usize>>,
    hh_cols: Vec<usize>,
    groups: Vec<Group>,
    by_number: HashMap<String, usize>,
    people: People,
    /// Households done (every row read), in file order.
    pub(crate) done: Vec<Incoming>,
    pub(crate) errors: Vec<RowError>,
    /// Rows with a cell read.
    pub(crate) rows: usize,
    pub(crate) unknown_header: bool,
}

impl SheetRows {
    /// Reads the header (the first non-empty row of `rows`). `None` with the header's errors (a
    /// column missing or twice): no row is read then.
    pub(crate) fn header<I>(
        rows: &mut I,
        date: NaiveDate,
        streaming: bool,
    ) -> Result<SheetRows, SheetError>
    where
        I: Iterator<Item = Result<(usize, Vec<String>), SheetError>>,
    {
        // The header is the first non-empty row.
        let (header_row, headers) = loop {
            match rows.next() {
                None => return Err(SheetError::File("文件为空 / the file is empty".into())),
                Some(r) => {
                    let (n, cells) = r?;
                    if cells.iter().any(|c| !c.trim().is_empty()) {
                        break (n, cells);
                    }
                }
            }
        };
        let headers: Vec<String> = headers
            .iter()
            .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
            .collect();
        let index: Vec<Option<usize>> = COLUMNS
            .iter()
            .map(|c| {
                headers
                    .iter()
                    .position(|h| norm(h) == norm(c.zh) || norm(h) == norm(c.key))
            })
            .collect();
        let hh_cols: Vec<usize> = COLUMNS
            .iter()
            .enumerate()
            .filter(|(_, c)| c.household)
            .map(|(i, _)| i)
            .collect();
        let mut me = SheetRows {
            date,
            streaming,
            header_row,
            unknown_header: index.iter().all(Option::is_none),
            headers,
            index,
            hh_cols,
            groups: Vec::new(),
            by_number: HashMap::new(),
            people: People::default(),
            done: Vec::new(),
            errors: Vec::new(),
            rows: 0,
        };
        me.check_header();
        Ok(me)
    }

    /// The header's errors: a column twice, a required column missing.
    fn check_header(&mut self) {
        let (header_row, headers, index) = (self.header_row, &self.headers, &self.index);
        // The same column twice (`姓名` and `name`, or `姓名` twice): refused, naming both, rather
        // than one of them silently read.
        for (c, first) in COLUMNS.iter().zip(index) {
            let Some(first) = *first else { continue };
            let same = |h: &String| norm(h) == norm(c.zh) || norm(h) == norm(c.key);
            if let Some(again) = headers.iter().skip(first + 1).position(same) {
                let again = first + 1 + again;
                let (a, b) = (&headers[first], &headers[again]);
                let (ra, rb) = (
                    cell_ref(header_row as u32 - 1, first as u32),
                    cell_ref(header_row as u32 - 1, again as u32),
                );
                self.errors.push(RowError::new(
                    header_row,
                    b,
                    b,
                    "duplicate_column",
                    &format!("列“{a}”({ra})与列“{b}”({rb})重复,都是“{}”", c.zh),
                    &format!(
                        "the columns {a:?} ({ra}) and {b:?} ({rb}) are the same column {} ({})",
                        c.key, c.zh
                    ),
                ));
            }
        }
        for key in [
            "household_number",
            "area_code",
            "status",
            "id_number",
            "name",
            "relation",
        ] {
            if index[column(key)].is_none() {
                let c = COLUMNS[column(key)];
                self.errors.push(RowError::new(
                    header_row,
                    c.zh,
                    "",
                    "missing_column",
                    &format!("缺少列“{}”", c.zh),
                    &format!("the column {} ({}) is missing", c.key, c.zh),
                ));
            }
        }
    }

    /// The household being read (streaming: its rows may go on).
    pub(crate) fn open_number(&self) -> Option<&str> {
        self.groups.last().map(|g| g.number.as_str())
    }

    /// Reads one row (its 1-based number in the file).
    pub(crate) fn push(&mut self, row: usize, cells: &[String]) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        self.rows += 1;
        if self.streaming {
            let number = self.index[column("household_number")]
                .and_then(|c| cells.get(c))
                .map_or("", |s| s.trim());
            if !number.is_empty() && self.groups.last().is_some_and(|g| g.number != number) {
                self.close();
            }
        }
        let f = RowFields {
            cells,
            index: &self.index,
            headers: &self.headers,
        };
        let number = f.raw("household_number");
        if number.is_empty() {
            self.errors.push(f.error(
                row,
                "household_number",
                "member_without_household",
                "成员行没有户编号",
                "a member row without a household number",
            ));
            return;
        }
        let hh_cols = &self.hh_cols;
        let mut errors = Vec::new();
        let gi = match self.by_number.get(number) {
            Some(&gi) => {
                let g = &self.groups[gi];
                for (k, &ci) in hh_cols.iter().enumerate() {
                    let mine = f.raw_at(ci);
                    if !mine.is_empty() && mine != g.household_cells[k] {
                        let key = COLUMNS[ci].key;
                        let first = g.first_row;
                        errors.push(f.error(
                            row,
                            key,
                            "household_mismatch",
                            &format!("同一户的户信息与第{first}行不一致"),
                            &format!(
                                "a household field differs from row {first} of the same household"
                            ),
                        ));
                    }
                }
                gi
            }
            None => {
                let record = match validate::household(&f, self.date) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        errors.extend(e.iter().map(|e| f.placed(row, e)));
                        None
                    }
                };
                self.groups.push(Group {
                    number: number.to_string(),
                    first_row: row,
                    household_cells: hh_cols.iter().map(|&i| f.raw_at(i).to_string()).collect(),
                    record,
                    incoming: None,
                    bad: false,
                });
                self.by_number
                    .insert(number.to_string(), self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let has_member = !f.raw("id_number").is_empty() || !f.raw("name").is_empty();
        let member = if has_member {
            match validate::member(&f, None) {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.extend(e.iter().map(|e| f.placed(row, e)));
                    None
                }
            }
        } else {
            None
        };
        if let Some(m) = &member {
            if let Err(e) = self.people.place(&m.member.id_number, number, row) {
                errors.push(f.error(row, "id_number", e.code, &e.zh, &e.en));
            }
        }
        let g = &mut self.groups[gi];
        if !errors.is_empty() {
            g.bad = true;
            self.errors
                .extend(errors.into_iter().map(|e| e.in_household(number)));
            return;
        }
        if g.bad {
            return;
        }
        let Some(record) = &g.record else { return };
        let inc = g.incoming.get_or_insert_with(|| {
            let mut i = Incoming::new(record.clone());
            i.row = g.first_row;
            i.status_column = f.header("status");
            i.status_reason = Some(f.raw("status_reason").to_string()).filter(|s| !s.is_empty());
            // The national system's sheet carries 监测对象类别: its category is recorded.
            if f.index[column("monitoring")].is_some() {
                i.category = CategoryFrom::File;
            }
            i
        });
        if let Some(m) = member {
            let count = inc.record.members.len() + inc.leaves.len();
            if count >= validate::MAX_MEMBERS {
                let e = validate::too_many_members(count + 1);
                let e = f
                    .error(row, "id_number", e.code, &e.zh, &e.en)
                    .in_household(number);
                self.errors.push(e);
                g.bad = true;
                return;
            }
            let id = m.member.id_number.clone();
            inc.member_rows.insert(id.clone(), row);
            match m.leave {
                Some(l) => inc.leaves.push((id, l)),
                None => {
                    if let Some(j) = m.join {
                        inc.joins.insert(id, j);
                    }
                    inc.record.members.push(m.member);
                }
            }
        }
    }

    /// Every household gathered so far is done (the end of the file, or, streaming, the next
    /// household's first row). Streaming forgets their numbers and people: a number that comes
    /// again is the store's duplicate, a person in two households the store's too.
    pub(crate) fn close(&mut self) {
        for g in self.groups.drain(..) {
            if !g.bad {
                if let Some(i) = g.incoming {
                    self.done.push(i);
                }
            }
        }
        self.by_number.clear();
        if self.streaming {
            self.people = People::default();
        }
    }
}

/// A header as compared with the columns' names.
fn norm(s: &str) -> String {
    s.trim()
        .trim_matches('*')
        .replace([' ', '(', ')', '(', ')'], "")
        .to_lowercase()
}

/// Reads the member sheet: a header row, then one row per member.
pub fn read_rows<I>(rows: I, date: NaiveDate) -> Result<ReadOutcome, SheetError>
where
    I: Iterator<Item = Result<Vec<String>, SheetError>>,
{
    let mut rows = rows.enumerate().map(|(i, r)| r.map(|r| (i + 1, r)));
    let mut sheet = SheetRows::header(&mut rows, date, false)?;
    if sheet.errors.is_empty() {
        for r in rows {
            let (row, cells) = r?;
            sheet.push(row, &cells);
        }
        sheet.close();
    }
    let mut errors = sheet.errors;
    errors.sort_by_key(|e| e.row);
    Ok(ReadOutcome {
        households: sheet.done,
        errors,
        rows: sheet.rows,
        unknown_header: sheet.unknown_header,
        ..ReadOutcome::default()
    })
}

/// Reads the JSON of `fupin assess`: `{"as_of": ..., "households": [...]}`. The row of an error is the
/// household's 1-based position; the column names the field (`members[2].id_number`).
pub fn read_json(v: &serde_json::Value, date: NaiveDate) -> ReadOutcome {
    let mut out = ReadOutcome {
        as_of: v
            .get("as_of")
            .and_then(|d| d.as_str())
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
        ..Default::default()
    };
    let as_of = out.as_of.unwrap_or(date);
    for key in ["counties", "villages"] {
        let list = v
            .get(key)
            .and_then(|h| h.as_array())
            .cloned()
            .unwrap_or_default();
        for (i, a) in list.iter().enumerate() {
            let code = a.get("area_code").and_then(|c| c.as_str()).unwrap_or("");
            let region = a.get("region").and_then(|r| r.as_str());
            match (
                fupin_core::AreaCode::parse(code),
                region.map(|r| (r, fupin_core::codes::Region::parse(r))),
            ) {
                (Err(e), _) => out.errors.push(RowError::new(
                    i + 1,
                    &format!("{key}[{}].area_code", i + 1),
                    code,
                    "area_code",
                    e.reason_zh,
                    e.reason,
                )),
                (_, Some((r, None))) => out.errors.push(RowError::new(
                    i + 1,
                    &format!("{key}[{}].region", i + 1),
                    r,
                    "unknown_code",
                    "地区应为 东部、中部、西部",
                    "region: east, central, west",
                )),
                (Ok(c), region) => out.areas.push(Area {
                    code: c.as_str().to_string(),
                    name: a
                        .get("name")
                        .and_then(|n| n.as_str())
                        .unwrap_or("")
                        .to_string(),
                    level: c.level(),
                    parent: c.parent().map(|p| p.as_str().to_string()),
                    region: region.and_then(|(_, r)| r),
                    rural_population: a.get("rural_population").and_then(|n| n.as_i64()),
                }),
            }
        }
    }
    let list = v
        .get("households")
        .and_then(|h| h.as_array())
        .cloned()
        .unwrap_or_default();
    for (i, h) in list.iter().enumerate() {
        out.rows += 1;
        let row = i + 1;
        match input::household_record(h, as_of) {
            Err(errors) => {
                let label = input::household_label(h, i);
                out.errors.extend(errors.into_iter().map(|e| {
                    let column = match e.member {
                        Some(m) => format!("members[{m}].{}", e.field),
                        None => e.field.clone(),
                    };
                    let value = json_value(h, e.member, &e.field);
                    RowError::new(row, &column, &value, e.code, &e.zh, &e.en).in_household(&label)
                }));
            }
            Ok(record) => {
                let mut inc = Incoming::new(record);
                inc.row = row;
                if h.get("monitoring").is_some() {
                    inc.category = CategoryFrom::File;
                }
                inc.status_reason = h
                    .get("status_reason")
                    .and_then(|x| x.as_str())
                    .filter(|x| !x.is_empty())
                    .map(str::to_string);
                out.households.push(inc);
            }
        }
    }
    out
}

fn json_value(h: &serde_json::Value, member: Option<usize>, field: &str) -> String {
    let base = match member {
        Some(m) => &h["members"][m - 1],
        None => h,
    };
    let mut v = base;
    for part in field.split('.') {
        v = &v[part];
    }
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
