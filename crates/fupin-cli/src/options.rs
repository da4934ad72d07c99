//! What every command shares: the global `--db` and `--policy` options, dates, output formats and
//! the runtime of the commands that use the store.

use crate::error::CliError;
use clap::Args;
use fupin_core::PolicySet;
use std::path::{Path, PathBuf};

/// The options every command takes, before or after its name (`fupin --db URL import FILE` or
/// `fupin import FILE --db URL`).
#[derive(Args)]
pub struct Global {
    /// 数据库 / database: sqlite:PATH or postgres://... (default: $FUPIN_DB, else sqlite:fupin.db)
    #[arg(long, global = true)]
    pub db: Option<String>,
    /// 叠加在内置政策之上的 TOML 文件,只写变化的值(simulate:拟议政策)/ a TOML policy file
    /// layered over the built-in policy, stating only what changes (simulate: the proposed policy)
    #[arg(long, global = true)]
    pub policy: Option<PathBuf>,
}

impl Global {
    /// The database URL: `--db`, else `$FUPIN_DB`, else `sqlite:fupin.db`.
    pub fn db_url(&self) -> String {
        fupin_store::db_url(self.db.as_deref())
    }

    /// The policy in force: the built-in policy with the `--policy` file layered over it.
    pub fn policies(&self) -> Result<PolicySet, CliError> {
        load_policy(self.policy.as_deref())
    }
}

/// The built-in policy with a what-if file layered over it (it states only what changes), or the
/// built-in policy alone.
pub fn load_policy(path: Option<&Path>) -> Result<PolicySet, CliError> {
    match path {
        None => Ok(PolicySet::builtin()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                CliError::Usage(format!(
                    "无法读取政策文件 / cannot read policy file {}: {e}",
                    p.display()
                ))
            })?;
            PolicySet::layered(&text, &p.display().to_string())
                .map_err(|e| CliError::Usage(e.to_string()))
        }
    }
}

/// Parses a `YYYY-MM-DD` date argument.
pub fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("not a date YYYY-MM-DD: {s}"))
}

/// Output format of reports.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Table,
}

/// The runtime of the commands that use the store (two workers: the machine is shared).
pub fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("无法启动 / cannot start the runtime: {e}")))
}

/// Writes a report to `out`, or to standard output.
pub fn write_out(out: Option<&Path>, text: &str) -> Result<(), String> {
    match out {
        Some(p) => std::fs::write(p, text).map_err(|e| format!("{}: {e}", p.display())),
        None => {
            print_out(text);
            Ok(())
        }
    }
}

/// Writes to standard output. When the reader has gone (`fupin export ... | head -1`: a closed
/// pipe), the program ends at once, quietly, with status 0: the reader has what it wanted. Any
/// other write error ends it with status 1 and the error on standard error.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("无法写入标准输出 / cannot write to standard output: {e}");
        std::process::exit(1);
    }
}

/// Reads a JSON input file (`-`: standard input) within the bound of `fupin_core::input::limits`;
/// unreadable, too large or not JSON: a usage error (exit status 2).
pub fn read_json_input(input: &Path) -> Result<serde_json::Value, CliError> {
    use std::io::Read;
    // Read within the bound of a JSON input file (fupin_core::input::limits).
    let max = fupin_core::input::limits::MAX_JSON_BYTES;
    let text = if input.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .take(max + 1)
            .read_to_string(&mut s)
            .map(|_| s)
    } else {
        std::fs::File::open(input).and_then(|f| {
            let mut s = String::new();
            f.take(max + 1).read_to_string(&mut s).map(|_| s)
        })
    };
    if text.as_ref().is_ok_and(|t| t.len() as u64 > max) {
        return Err(CliError::Usage(format!(
            "输入文件过大,上限 {max} 字节 / {} is too large: the limit is {max} bytes",
            input.display()
        )));
    }
    let text = text.map_err(|e| {
        CliError::Usage(format!(
            "无法读取输入 / cannot read input {}: {e}",
            input.display()
        ))
    })?;
    fupin_core::input::parse_json(&text).map_err(|e| {
        CliError::Usage(format!(
            "输入不是有效的 JSON / {} is not valid JSON: line {} column {}: {e}",
            input.display(),
            e.line(),
            e.column()
        ))
    })
}
