//! `fupin user add`: accounts with a role and an area, passwords from a file.

use super::{fupin, tmp};

#[test]
fn user_add_checks_role_area_and_password() {
    let dir = std::env::temp_dir().join(format!("fupin-accounts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite:{}", dir.join("accounts.db").display());
    let pw = tmp("pw.txt", "a-long-password\n");
    let short = tmp("short.txt", "short\n");
    let pw = pw.to_str().unwrap();

    // `fupin user add NAME --role ROLE [--area AREA] --password-file FILE --db DB`
    let add = |name: &str, role: &str, area: Option<&str>, password_file: &str| {
        let mut args = vec!["user", "add", name, "--role", role];
        if let Some(area) = area {
            args.extend(["--area", area]);
        }
        args.extend(["--password-file", password_file, "--db", &db]);
        fupin(&args)
    };
    let o = add("dongou", "village", Some("140525100"), pw);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("12"),
        "a village account needs a 12-digit area"
    );
    let o = add("dongou", "mayor", Some("140525100201"), pw);
    assert_eq!(o.status.code(), Some(2));
    let o = add(
        "dongou",
        "village",
        Some("140525100201"),
        short.to_str().unwrap(),
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "passwords have at least 8 characters"
    );
    let o = add("dongou", "village", Some("140525100201"), pw);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("140525100201"));
    let o = add("dongou", "village", Some("140525100201"), pw);
    assert_eq!(o.status.code(), Some(3), "the name exists");
    let o = add("root", "admin", None, pw);
    assert_eq!(
        o.status.code(),
        Some(0),
        "admin needs no area: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}
