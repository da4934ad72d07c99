//! `fupin serve` (the web application) and `fupin user add` (accounts).

use clap::{Args, Subcommand};
use fupin_core::PolicySet;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct ServeArgs {
    /// 数据库 / database: sqlite:PATH or postgres://... (default: FUPIN_DB or sqlite:fupin.db)
    #[arg(long)]
    db: Option<String>,
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
    #[arg(long)]
    db: Option<String>,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

pub fn serve(args: ServeArgs) -> u8 {
    let url = fupin_store::db_url(args.db.as_deref());
    runtime().block_on(async move {
        let (repo, dir) = match fupin_store::directory::open_both(&url).await {
            Ok(x) => x,
            Err(e) => {
                eprintln!("{e}");
                return 2;
            }
        };
        let policies = PolicySet::builtin();
        if args.demo {
            let empty = match dir.users().await {
                Ok(u) => {
                    u.is_empty()
                        && repo
                            .household("140525100201001")
                            .await
                            .ok()
                            .flatten()
                            .is_none()
                }
                Err(e) => {
                    eprintln!("{e}");
                    return 2;
                }
            };
            if empty {
                eprintln!("正在载入演示数据 / loading the demo county…");
                if let Err(e) = fupin_demo::web_county::load(
                    repo.as_ref(),
                    dir.as_ref(),
                    &policies,
                    &fupin_web::auth::hash_password,
                )
                .await
                {
                    eprintln!("演示数据载入失败 / demo data failed: {e}");
                    return 2;
                }
            }
            eprintln!("{}", fupin_demo::web_county::login_help(&args.listen));
        }
        let mut state = fupin_web::AppState::new(repo, dir, policies);
        state.secure_cookies = args.secure_cookies;
        eprintln!(
            "fupin 已启动 / listening on http://{}/ ({url})",
            args.listen
        );
        match fupin_web::serve(Arc::new(state), &args.listen).await {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("无法监听 / cannot listen on {}: {e}", args.listen);
                2
            }
        }
    })
}

pub fn user(cmd: UserCommand) -> u8 {
    let UserCommand::Add(a) = cmd;
    let password = match &a.password_file {
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => t.lines().next().unwrap_or("").to_string(),
            Err(e) => {
                eprintln!("无法读取密码文件 / cannot read {}: {e}", p.display());
                return 2;
            }
        },
        None => match rpassword::prompt_password("密码 / password: ") {
            Ok(p) => p,
            Err(e) => {
                eprintln!("无法读取密码 / cannot read the password: {e}");
                return 2;
            }
        },
    };
    let user = match fupin_web::accounts::checked_user(
        &a.name,
        &a.role,
        a.area.as_deref().unwrap_or(""),
        &password,
    ) {
        Ok(u) => u,
        Err(e) => {
            eprintln!("{} ({}: {})", e.message, e.code, a.name);
            return 2;
        }
    };
    let url = fupin_store::db_url(a.db.as_deref());
    runtime().block_on(async move {
        let dir = match fupin_store::directory::open_both(&url).await {
            Ok((_, d)) => d,
            Err(e) => {
                eprintln!("{e}");
                return 2;
            }
        };
        match dir.add_user(&user, "cli").await {
            Ok(()) => {
                println!(
                    "已添加用户 / added {} ({}, {})",
                    user.name,
                    user.role,
                    if user.area.is_empty() {
                        "全部 all"
                    } else {
                        &user.area
                    }
                );
                0
            }
            Err(e) => {
                eprintln!("{e}");
                3
            }
        }
    })
}
