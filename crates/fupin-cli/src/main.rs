//! `fupin`: the command line of the fupin system.
//!
//! Exit status: 0 success; 2 unreadable input, a bad policy file or bad usage; 3 the input was read
//! but some records are invalid (reported, the rest processed).

mod assess_cmd;
mod policy_cmd;
mod registry;
mod serve_cmd;
mod table;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "fupin",
    version,
    about = "精准扶贫与防返贫监测 / targeted poverty alleviation and return-to-poverty monitoring"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 评估:脱贫标准、监测对象、低保、村和县退出 / assess households, villages and counties
    Assess(assess_cmd::AssessArgs),
    /// 政策参数 / policy values
    #[command(subcommand)]
    Policy(policy_cmd::PolicyCommand),
    /// 启动网页应用 / run the web application
    Serve(serve_cmd::ServeArgs),
    /// 用户管理 / accounts
    #[command(subcommand)]
    User(serve_cmd::UserCommand),
    #[command(flatten)]
    Registry(registry::RegistryCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Assess(args) => assess_cmd::run(args),
        Command::Policy(cmd) => policy_cmd::run(cmd),
        Command::Serve(args) => serve_cmd::serve(args),
        Command::User(cmd) => serve_cmd::user(cmd),
        Command::Registry(cmd) => registry::run(cmd),
    };
    ExitCode::from(code)
}

/// Reads a policy option: the given file replaces the built-in policy.
pub(crate) fn load_policy(path: Option<&std::path::Path>) -> Result<fupin_core::PolicySet, String> {
    match path {
        None => Ok(fupin_core::PolicySet::builtin()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                format!(
                    "无法读取政策文件 / cannot read policy file {}: {e}",
                    p.display()
                )
            })?;
            fupin_core::PolicySet::replacing(&text, &p.display().to_string())
                .map_err(|e| e.to_string())
        }
    }
}

/// Parses a `YYYY-MM-DD` date argument.
pub(crate) fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("not a date YYYY-MM-DD: {s}"))
}

/// Output format of reports.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    Json,
    Table,
}
