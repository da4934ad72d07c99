//! `fupin backup --out FILE` and `fupin restore --from FILE` (docs/registry.md, "Backups"): a
//! consistent copy of a SQLite registry while the server writes (`VACUUM INTO`), and its restore
//! after checking that the file is a fupin database at a known migration version. PostgreSQL is
//! refused with the `pg_dump` / `pg_restore` line to run instead (exit status 2).

use crate::error::{CliError, Result};
use crate::options::Global;
use clap::Args;
use fupin_store::SqlStore;
use std::path::PathBuf;

#[derive(Args)]
pub struct BackupArgs {
    /// 备份文件(不得已存在)/ the backup file to write (must not exist)
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// 备份文件 / the backup file
    #[arg(long)]
    from: PathBuf,
    /// 覆盖非空数据库(先停止服务)/ replace a database that is not empty (stop the server first)
    #[arg(long)]
    force: bool,
}

pub fn backup(args: BackupArgs, g: &Global) -> Result {
    let url = g.db_url();
    crate::options::runtime()?.block_on(async {
        if !url.starts_with("sqlite:") {
            return Err(CliError::store(fupin_store::StoreError::File(format!(
                "PostgreSQL 请用 pg_dump / on PostgreSQL use pg_dump: `{}`",
                fupin_store::backup::PG_DUMP
            ))));
        }
        let store = SqlStore::open(&url).await?;
        let households = store.backup_to(&args.out).await?;
        eprintln!(
            "已备份 {households} 户到 {} / backed up {households} households to {}",
            args.out.display(),
            args.out.display()
        );
        Ok(())
    })
}

pub fn restore(args: RestoreArgs, g: &Global) -> Result {
    let url = g.db_url();
    crate::options::runtime()?.block_on(async {
        let info = fupin_store::backup::restore(&args.from, &url, args.force).await?;
        eprintln!(
            "已恢复 {} 户(迁移版本 {})到 {url} / restored {} households (migration version {}) to {url}",
            info.households, info.version, info.households, info.version
        );
        Ok(())
    })
}
