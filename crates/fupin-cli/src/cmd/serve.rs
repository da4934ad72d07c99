//! `fupin serve` (the web application, under the `--policy` file or the built-in policy) and
//! `fupin user add` (accounts).

use crate::error::{CliError, Result};
use crate::options::Global;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct ServeArgs {
    /// 监听地址 / address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// 空库时载入演示县 / fill an empty database with the demo county
    #[arg(long)]
    demo: bool,
    /// 会话 Cookie 加 Secure(HTTPS 之后)/ mark the session cookie Secure (behind HTTPS)
    #[arg(long)]
    secure_cookies: bool,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// 新建用户 / add an account
    Add(UserAddArgs),
}

#[derive(Args)]
pub struct UserAddArgs {
    name: String,
    /// admin, county, township, village, cadre, viewer
    #[arg(long)]
    role: String,
    /// 区划前缀 / area prefix (county 6 digits, township 9, village 12; none for admin)
    #[arg(long)]
    area: Option<String>,
    /// 从文件读取密码(首行)/ read the password from a file (first line); default: prompt
    #[arg(long)]
    password_file: Option<PathBuf>,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub fn serve(args: ServeArgs, g: &Global) -> Result {
    fupin_web::log::init();
    let policies = g.policies()?;
    let url = g.db_url();
    runtime().block_on(async move {
        let (repo, dir) = fupin_store::directory::open_both(&url)
            .await
            .map_err(|e| CliError::Usage(e.to_string()))?;
        if args.demo {
            let users = dir
                .users()
                .await
                .map_err(|e| CliError::Usage(e.to_string()))?;
            let empty = users.is_empty()
                && repo
                    .household("140525100201001")
                    .await
                    .ok()
                    .flatten()
                    .is_none();
            if empty {
                eprintln!("正在载入演示数据 / loading the demo county…");
                fupin_demo::web_county::load(
                    repo.as_ref(),
                    dir.as_ref(),
                    &policies,
                    &fupin_web::auth::hash_password,
                )
                .await
                .map_err(|e| {
                    CliError::Usage(format!("演示数据载入失败 / demo data failed: {e}"))
                })?;
            }
            eprintln!("{}", fupin_demo::web_county::login_help(&args.listen));
        }
        let mut state = fupin_web::AppState::new(repo, dir, policies);
        state.secure_cookies = args.secure_cookies;
        eprintln!(
            "fupin 已启动 / listening on http://{}/ ({url})",
            args.listen
        );
        fupin_web::serve(Arc::new(state), &args.listen)
            .await
            .map_err(|e| {
                CliError::Usage(format!("无法监听 / cannot listen on {}: {e}", args.listen))
            })
    })
}

pub fn user(cmd: UserCommand, g: &Global) -> Result {
    let UserCommand::Add(a) = cmd;
    let password = match &a.password_file {
        Some(p) => std::fs::read_to_string(p)
            .map(|t| t.lines().next().unwrap_or("").to_string())
            .map_err(|e| {
                CliError::Usage(format!(
                    "无法读取密码文件 / cannot read {}: {e}",
                    p.display()
                ))
            })?,
        None => rpassword::prompt_password("密码 / password: ").map_err(|e| {
            CliError::Usage(format!("无法读取密码 / cannot read the password: {e}"))
        })?,
    };
    let user = fupin_web::accounts::checked_user(
        &a.name,
        &a.role,
        a.area.as_deref().unwrap_or(""),
        &password,
    )
    .map_err(|e| CliError::Usage(format!("{} ({}: {})", e.message, e.code, a.name)))?;
    let url = g.db_url();
    runtime().block_on(async move {
        let (_, dir) = fupin_store::directory::open_both(&url)
            .await
            .map_err(|e| CliError::Usage(e.to_string()))?;
        dir.add_user(&user, "cli")
            .await
            .map_err(|e| CliError::Rejected(e.to_string()))?;
        outln!(
            "已添加用户 / added {} ({}, {})",
            user.name,
            user.role,
            if user.area.is_empty() {
                "全部 all"
            } else {
                &user.area
            }
        );
        Ok(())
    })
}
