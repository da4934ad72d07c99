//! `fupin`: the command line of the fupin system. Thin: each command parses its arguments, calls
//! fupin-core (rules, tallies) and fupin-store (reads, writes, the whole-registry scan), and prints.
//! One command per capability under [`cmd`]; one error type mapped to exit statuses in [`error`].
//!
//! Exit status: 0 success; 1 the database failed or refused a write; 2 unreadable input, a bad
//! policy file, a bad database URL or bad usage; 3 the input was read but some records are invalid
//! (reported, the rest processed) or the record asked for does not exist.

#![forbid(unsafe_code)]

/// `print!` to standard output; a closed pipe (`fupin assess ... | head`) ends the program quietly
/// with status 0 ([`options::print_out`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::options::print_out(&format!($($arg)*))
    };
}

/// `println!`, ending the program quietly on a closed pipe like [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::options::print_out(&format!("{}\n", format_args!($($arg)*)))
    };
}

mod cmd;
mod error;
mod options;
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
    #[command(flatten)]
    global: options::Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// 评估:脱贫标准、监测对象、低保、村和县退出 / assess households, villages and counties
    Assess(cmd::assess::AssessArgs),
    /// 帮扶:一户一策、帮扶措施与缺口 / household assistance: plans, measures and gaps
    #[command(subcommand)]
    Assistance(cmd::assistance::AssistanceCommand),
    /// 政策参数 / policy values
    #[command(subcommand)]
    Policy(cmd::policy::PolicyCommand),
    /// 启动网页应用 / run the web application
    Serve(cmd::serve::ServeArgs),
    /// 用户管理 / accounts
    #[command(subcommand)]
    User(cmd::serve::UserCommand),
    /// 政策模拟:拟议政策(--policy)下结果变化的户和人 / compare a proposed policy (--policy) with the current one
    Simulate(cmd::whole::SimulateArgs),
    /// 生成演示数据(县、市、省、全国规模)/ generate a synthetic registry (county, city, province, nation)
    Demo(cmd::demo::DemoArgs),
    /// 审计日志 / the audit log
    #[command(subcommand)]
    Audit(cmd::audit::AuditCommand),
    /// 备份 SQLite 数据库(服务运行时亦一致)/ a consistent backup of a SQLite registry, also while the server writes
    Backup(cmd::backup::BackupArgs),
    /// 从备份恢复 SQLite 数据库 / restore a SQLite registry from a backup
    Restore(cmd::backup::RestoreArgs),
    /// 帮扶责任体系:结对、工作队、走访 / the responsibility network: pairings, work teams, visits
    #[command(subcommand)]
    Responsibility(cmd::responsibility::ResponsibilityCommand),
    /// 部门数据比对(防返贫监测预警)/ compare a department's data with the registry (monitoring alerts)
    Compare(cmd::monitoring::CompareArgs),
    /// 防返贫监测:案件、风险消除 / return-to-poverty monitoring: cases, risk elimination
    #[command(subcommand)]
    Monitoring(cmd::monitoring::MonitoringCommand),
    /// 资金、项目、小额信贷和分红 / funds, projects, small loans and dividends
    #[command(subcommand)]
    Funds(cmd::funds::FundsCommand),
    #[command(flatten)]
    Registry(cmd::registry::RegistryCommand),
}

fn run(command: Command, g: &options::Global) -> error::Result {
    match command {
        Command::Assess(args) => cmd::assess::run(args, g),
        Command::Assistance(c) => cmd::assistance::run(c, g),
        Command::Policy(c) => cmd::policy::run(c, g),
        Command::Serve(args) => cmd::serve::serve(args, g),
        Command::User(c) => cmd::serve::user(c, g),
        Command::Demo(args) => cmd::demo::run(args, g),
        Command::Simulate(args) => cmd::whole::simulate(args, g),
        Command::Audit(c) => cmd::audit::run(c, g),
        Command::Backup(args) => cmd::backup::backup(args, g),
        Command::Restore(args) => cmd::backup::restore(args, g),
        Command::Responsibility(c) => cmd::responsibility::run(c, g),
        Command::Compare(args) => cmd::monitoring::compare_run(args, g),
        Command::Monitoring(c) => cmd::monitoring::run(c, g),
        Command::Funds(c) => cmd::funds::run(c, g),
        Command::Registry(c) => cmd::registry::run(c, g),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command, &cli.global) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if !e.message().is_empty() {
                eprintln!("{e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
