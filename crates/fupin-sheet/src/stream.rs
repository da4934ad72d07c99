//! The member sheet read as it is imported: parts of a few thousand households, each validated as
//! [`crate::read`] validates the whole file, in memory bounded by a part whatever the file's size.
//!
//! A CSV file in UTF-8 is read a row at a time: a household's rows stand together (as the export
//! and the national system write them); a household number that comes again further down is
//! reported by the store as a repeated household, a person in two households as a duplicate
//! person. Other files (GB18030 CSV, XLSX, JSON) are read whole, within their bounds
//! ([`fupin_core::input::limits`]), then handed over in parts the same way.

use crate::read::{check_cell, check_row, file_error, read_file, SheetRows};
use crate::SheetError;
use chrono::NaiveDate;
use fupin_core::error::RowError;
use fupin_core::registry::plan::Incoming;
use fupin_core::registry::Area;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// One part of a file: its households done (every row read), in file order, and the errors of
/// its rows (the households they name are left out).
#[derive(Debug, Default)]
pub struct Part {
    pub households: Vec<Incoming>,
    pub errors: Vec<RowError>,
    /// Rows read for this part.
    pub rows: u64,
}

/// How far a reader is, for a progress display on another thread.
#[derive(Debug, Default)]
pub struct ReadCounters {
    /// Bytes of the file read.
    pub bytes: AtomicU64,
    /// Rows read and validated.
    pub rows: AtomicU64,
}

/// The file's parts, in order ([`stream_file`]).
pub struct SheetStream {
    source: Source,
    /// The JSON's `as_of`, when it has one.
    pub as_of: Option<NaiveDate>,
    /// Areas described by the file (the JSON's `villages` and `counties`).
    pub areas: Vec<Area>,
    /// The file's size in bytes.
    pub size: u64,
    pub counters: Arc<ReadCounters>,
    households: usize,
}

enum Source {
    Csv(Box<CsvRows>),
    Whole {
        households: std::vec::IntoIter<Incoming>,
        errors: Vec<RowError>,
        rows: u64,
    },
}

struct CsvRows {
    path: PathBuf,
    rdr: csv::Reader<Counting<std::fs::File>>,
    sheet: SheetRows,
    record: csv::ByteRecord,
    /// The cells of the last row read.
    cells: Vec<String>,
    /// The last row read (1-based).
    row: u64,
    rows_sent: usize,
    ended: bool,
}

/// A reader that counts the bytes read.
struct Counting<R> {
    inner: BufReader<R>,
    counters: Arc<ReadCounters>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.counters.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// How much of a CSV file decides its encoding (and whether it is text at all).
const SNIFF: usize = 1 << 20;

/// Opens a file to read in parts of about `households` households. A CSV file in UTF-8 is read as
/// the parts are taken (its header now: a missing column is the first part's error); any other
/// file is read whole now.
pub fn stream_file(
    path: &Path,
    date: NaiveDate,
    households: usize,
) -> Result<SheetStream, SheetError> {
    let format = crate::Format::of(path)?;
    let size = std::fs::metadata(path)?.len();
    let counters = Arc::new(ReadCounters::default());
    let households = households.max(1);
    if format == crate::Format::Csv && utf8_text(path)? {
        let mut file = std::fs::File::open(path)?;
        file.rewind()?;
        let counting = Counting {
            inner: BufReader::with_capacity(1 << 16, file),
            counters: counters.clone(),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(counting);
        let mut record = csv::ByteRecord::new();
        let mut row = 0u64;
        let sheet = {
            let mut rows = std::iter::from_fn(|| {
                let mut cells = Vec::new();
                match next_row(path, &mut rdr, &mut record, &mut row, &mut cells) {
                    Ok(true) => Some(Ok((row as usize, cells))),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                }
            });
            SheetRows::header(&mut rows, date, true)?
        };
        let ended = !sheet.errors.is_empty();
        return Ok(SheetStream {
            source: Source::Csv(Box::new(CsvRows {
                path: path.to_path_buf(),
                rdr,
                sheet,
                record,
                cells: Vec::new(),
                row,
                rows_sent: 0,
                ended,
            })),
            as_of: None,
            areas: Vec::new(),
            size,
            counters,
            households,
        });
    }
    let read = read_file(path, date)?;
    counters.bytes.store(size, Ordering::Relaxed);
    counters.rows.store(read.rows as u64, Ordering::Relaxed);
    Ok(SheetStream {
        source: Source::Whole {
            households: read.households.into_iter(),
            errors: read.errors,
            rows: read.rows as u64,
        },
        as_of: read.as_of,
        areas: read.areas,
        size,
        counters,
        households,
    })
}

/// Whether a CSV file is UTF-8 text, judged by its first MiB (GB18030 files are read whole by
/// [`read_file`], which also refuses what is no text).
fn utf8_text(path: &Path) -> Result<bool, SheetError> {
    let mut head = Vec::with_capacity(SNIFF);
    std::fs::File::open(path)?
        .take(SNIFF as u64)
        .read_to_end(&mut head)?;
    let utf16 = head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]);
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let nuls = head.iter().filter(|&&b| b == 0).count();
    if utf16 || first_line.contains(&0) || nuls * 100 > head.len() {
        return Ok(false);
    }
    Ok(match std::str::from_utf8(&head) {
        Ok(_) => true,
        // A character cut by the end of the sniffed part.
        Err(e) => e.error_len().is_none() && head.len() == SNIFF,
    })
}

/// The next row of a CSV file as cells (a `'` before a formula character taken off), within the
/// readers' bounds; `None` at the end.
fn next_row<R: Read>(
    path: &Path,
    rdr: &mut csv::Reader<R>,
    record: &mut csv::ByteRecord,
    row: &mut u64,
    cells: &mut Vec<String>,
) -> Result<bool, SheetError> {
    if !rdr
        .read_byte_record(record)
        .map_err(|e| file_error(path, e))?
    {
        return Ok(false);
    }
    *row += 1;
    check_row(path, *row, record.len())?;
    // The cells' strings are kept from row to row: no allocation per cell once they are grown.
    cells.resize_with(record.len(), String::new);
    for (c, (cell, text)) in record.iter().zip(cells.iter_mut()).enumerate() {
        let cell = std::str::from_utf8(cell).map_err(|_| {
            file_error(
                path,
                format!(
                    "第{row}行不是 UTF-8 文本 / row {row} is not UTF-8 text (save the whole file as CSV UTF-8)"
                ),
            )
        })?;
        check_cell(path, *row, c, cell)?;
        text.clear();
        text.push_str(crate::write::csv_uncell(cell));
    }
    Ok(true)
}

impl Iterator for SheetStream {
    type Item = Result<Part, SheetError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.source {
            Source::Whole {
                households,
                errors,
                rows,
            } => {
                let part = Part {
                    households: households.by_ref().take(self.households).collect(),
                    errors: std::mem::take(errors),
                    rows: std::mem::take(rows),
                };
                let empty = part.households.is_empty() && part.errors.is_empty() && part.rows == 0;
                (!empty).then_some(Ok(part))
            }
            Source::Csv(csv) => {
                let c = &mut **csv;
                while !c.ended && c.sheet.done.len() < self.households {
                    match next_row(&c.path, &mut c.rdr, &mut c.record, &mut c.row, &mut c.cells) {
                        Err(e) => {
                            c.ended = true;
                            return Some(Err(e));
                        }
                        Ok(false) => {
                            c.sheet.close();
                            c.ended = true;
                        }
                        Ok(true) => {
                            c.sheet.push(c.row as usize, &c.cells);
                        }
                    }
                }
                self.counters
                    .rows
                    .store(c.sheet.rows as u64, Ordering::Relaxed);
                // The errors of the household still being read go with the part it ends in.
                let open = c.sheet.open_number().map(str::to_string);
                let (mut errors, held): (Vec<RowError>, Vec<RowError>) =
                    std::mem::take(&mut c.sheet.errors)
                        .into_iter()
                        .partition(|e| open.is_none() || e.household != open);
                c.sheet.errors = held;
                errors.sort_by_key(|e| e.row);
                let part = Part {
                    households: std::mem::take(&mut c.sheet.done),
                    errors,
                    rows: (c.sheet.rows - c.rows_sent) as u64,
                };
                c.rows_sent = c.sheet.rows;
                let empty = part.households.is_empty() && part.errors.is_empty() && part.rows == 0;
                (!empty).then_some(Ok(part))
            }
        }
    }
}
