//! `fupin audit verify [--db URL]` (docs/registry.md, "Audit"): walks the tamper-evident audit log
//! (fupin_store::audit) and compares every household with its last audited state. Prints the first
//! broken link and every household that no longer matches; exit status 3 when anything is found,
//! 0 when the log and the registry are intact.

use crate::error::{CliError, Result};
use crate::options::Global;
use clap::Subcommand;
use fupin_store::SqlStore;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// 校验审计链及户数据是否被绕过 fupin 修改 / verify the audit chain and that no household was
    /// changed behind fupin's back
    Verify,
}

pub fn run(c: AuditCommand, g: &Global) -> Result {
    let AuditCommand::Verify = c;
    let url = g.db_url();
    let check = crate::options::runtime()?.block_on(async {
        let store = SqlStore::open(&url).await?;
        Ok::<_, CliError>(store.verify_audit().await?)
    })?;
    let (seq, hash) = &check.head;
    println!(
        "审计记录 {} 条,户 {} 个;链头 {seq} {hash} / {} audit entries, {} households; head {seq} {hash}",
        check.entries, check.households, check.entries, check.households
    );
    if let Some(b) = &check.broken {
        println!("链断裂 / broken link: {b}");
    }
    for b in &check.households_changed {
        println!("{b}");
    }
    if check.ok() {
        println!("完整 / intact");
        Ok(())
    } else {
        Err(CliError::Rejected(format!(
            "审计校验未通过:{} 处 / the audit check failed: {} finding(s)",
            usize::from(check.broken.is_some()) + check.households_changed.len(),
            usize::from(check.broken.is_some()) + check.households_changed.len()
        )))
    }
}
