//! A cadre records a visit on a phone-sized window (390 px): 我的帮扶户 lists its households, the
//! visit form fits the screen, and the saved visit shows as the household's last visit. Then the
//! county pairs three households of 东沟村 with one cadre in one go on the bulk pairing page.

use super::{serve_demo, Driver};
use serde_json::json;

#[test]
fn a_cadre_records_a_visit_on_a_phone() {
    if std::env::var("FUPIN_SKIP_BROWSER").is_ok() {
        eprintln!("browser test skipped (FUPIN_SKIP_BROWSER)");
        return;
    }
    let (_rt, base, _guard) = serve_demo();
    let d = Driver::start();
    d.cmd(
        "POST",
        "/window/rect",
        Some(json!({"width": 390, "height": 844})),
    );
    d.login(&base, "cadre");
    d.click("#nav-my");
    d.wait_for("我的帮扶户", |d| {
        d.exists("#visit-form-140525100201001")
    });
    // The first household's form is open and fits the window: every field inside 390 px.
    let overflow = d.script(
        "const w = document.documentElement.clientWidth;
         const f = document.querySelector('#visit-form-140525100201001');
         return [...f.querySelectorAll('input, textarea, button')]
           .filter(e => e.type !== 'hidden')
           .filter(e => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > w || (e.type !== 'checkbox' && r.width < 40); })
           .map(e => e.name || e.id);",
    );
    assert_eq!(overflow, json!([]), "fields outside a 390-px window");
    let f = "#visit-form-140525100201001";
    // A date field takes keys in the browser's locale order: set its value as a picker would.
    d.script(&format!(
        "document.querySelector('{f} input[name=date]').value = '2020-06-28';"
    ));
    d.clear_and_type(&format!("{f} textarea[name=findings]"), "家中老人身体好转");
    d.clear_and_type(&format!("{f} input[name=issue]"), "院墙倒塌");
    d.clear_and_type(&format!("{f} input[name=measure]"), "村里组织修缮");
    d.click(&format!("{f} input[name=closed]"));
    d.click("#save-visit-140525100201001");
    d.wait_for("the saved visit", |d| {
        d.url().contains("/my?saved=140525100201001")
    });
    let card = d.text("#my-140525100201001");
    assert!(card.contains("2020-06-28"), "{card}");
    // The household page shows the visit with its closed issue.
    d.go(&format!("{base}/households/140525100201001"));
    let visits = d.text("#household-visits");
    assert!(
        visits.contains("院墙倒塌 → 村里组织修缮 ✓ 2020-06-28"),
        "{visits}"
    );

    // The county pairs three unpaired households of 东沟村 with 张建国 on the bulk page.
    d.click("#logout");
    d.cmd(
        "POST",
        "/window/rect",
        Some(json!({"width": 1280, "height": 900})),
    );
    d.login(&base, "zezhou");
    d.go(&format!("{base}/responsibility"));
    d.click("#bulk-link");
    d.wait_for("the bulk page", |d| d.exists("#bulk-area"));
    d.go(&format!(
        "{base}/responsibility/pairings/bulk?area=140525100201"
    ));
    d.wait_for("the households", |d| d.exists("#bulk-households"));
    let picked = d.script(
        "return [...document.querySelectorAll('#bulk-households input[type=checkbox]')]
           .slice(0, 3).map(e => e.name.slice(2));",
    );
    let picked: Vec<String> = serde_json::from_value(picked).unwrap();
    assert_eq!(picked.len(), 3);
    for n in &picked {
        d.click(&format!("#h_{n}"));
    }
    d.script("document.querySelector('#bulk-cadre').value = 'C0003';");
    d.click("#bulk-pair");
    d.wait_for("the pairings saved", |d| d.exists("#bulk-done"));
    assert!(
        d.text("#bulk-done").contains('3'),
        "{}",
        d.text("#bulk-done")
    );
    // They left the list of unpaired households, and 张建国 is at his quota of 3.
    for n in &picked {
        assert!(!d.exists(&format!("#h_{n}")), "{n} is still listed");
    }
    let row = d.text("#bulk-cadres tr[data-cadre=C0003]");
    assert!(row.contains('⚠'), "{row}");
    d.go(&format!("{base}/households/{}", picked[0]));
    assert!(d.text("#household-pairings").contains("张建国 (C0003)"));
}
