//! A self-report walked in headless Chromium from the public page to the county's decision: the
//! reporter (no sign-in) is refused a failing ID number, then gets a receipt number only; the village
//! opens the case from the signal and records its steps, the township reviews, the county decides;
//! the household page then shows the category and the monitoring code.

use crate::browser::{serve_demo, Driver};
use serde_json::Value;

/// Selects `value` in the select `css` (the step form's selects).
fn select(d: &Driver, css: &str, value: &str) {
    d.script(&format!(
        "document.querySelector('{css}').value = '{value}'; return true;"
    ));
}

fn logout(d: &Driver) {
    d.click("#logout");
    d.wait_for("the login page", |d| d.exists("#login-submit"));
}

#[test]
fn a_self_report_walks_from_the_public_page_to_the_county_decision() {
    if std::env::var("FUPIN_SKIP_BROWSER").is_ok() {
        eprintln!("browser test skipped (FUPIN_SKIP_BROWSER)");
        return;
    }
    let (_rt, base, _db) = serve_demo();
    let d = Driver::start();

    // An exited household of 东沟村 and its first member, as the village sees them.
    d.login(&base, "dongou");
    let found = d.script(
        "return fetch('/api/v1/households?status=exited&area=140525100201', {credentials: 'same-origin'})
           .then(r => r.json()).then(l => fetch('/api/v1/households/' + l.rows[0].number, {credentials: 'same-origin'}))
           .then(r => r.json()).then(h => [h.number, h.members[0].id_number, h.members[0].name])",
    );
    let number = found[0].as_str().unwrap().to_string();
    let id = found[1].as_str().unwrap().to_string();
    logout(&d);

    // The public page, reached from the village's QR code: no sign-in.
    d.go(&format!("{base}/report?village=140525100201"));
    d.wait_for("the self-report form", |d| d.exists("#report-form"));
    assert!(!d.exists("#logout"));
    d.clear_and_type("#report-name", "王五");
    let mut bad = id.clone();
    bad.replace_range(17.., if id.ends_with('1') { "2" } else { "1" });
    d.clear_and_type("#report-id", &bad);
    d.clear_and_type("#report-phone", "13912345678");
    select(&d, "#report-what", "illness");
    d.clear_and_type("#report-amount", "23000");
    d.click("#report-submit");
    assert!(
        d.text("#error-id_number").contains("身份证号码有误"),
        "{}",
        d.source()
    );
    d.clear_and_type("#report-id", &id);
    d.click("#report-submit");
    let receipt = d.text("#receipt-number");
    assert!(receipt.starts_with('S') && receipt.len() == 15, "{receipt}");
    // Nothing of the registry comes back: not the household, not the name on record.
    let page = d.source();
    assert!(!page.contains(&number) && !page.contains(&id));

    // The village sees the signal with its household and opens the case; it verifies, appraises and
    // posts the notice.
    d.login(&base, "dongou");
    d.go(&format!("{base}/monitoring"));
    d.click(&format!("#case-from-{receipt}"));
    d.wait_for("the case page", |d| d.exists("#step-form"));
    let case_url = d.url();
    for step in ["home_verification", "village_appraisal", "public_notice"] {
        select(&d, "#step-select", step);
        d.clear_and_type("#step-documents", &format!("{step}.pdf"));
        d.click("#record-step");
        d.wait_for(step, |d| d.exists(&format!("tr[data-step='{step}']")));
    }
    // The village has no county decision to offer.
    let offered: Value = d.script(
        "return Array.from(document.querySelectorAll('#step-select option')).map(o => o.value)",
    );
    assert!(
        !offered.to_string().contains("county_decision"),
        "{offered}"
    );
    logout(&d);

    // The township reviews.
    d.login(&base, "nancun");
    d.go(&case_url);
    select(&d, "#step-select", "township_review");
    d.click("#record-step");
    d.wait_for("the township review", |d| {
        d.exists("tr[data-step='township_review']")
    });
    logout(&d);

    // The county decides: enrolled as unstable.
    d.login(&base, "zezhou");
    d.go(&case_url);
    select(&d, "#step-select", "county_decision");
    select(&d, "#step-outcome", "enrolled");
    select(&d, "#step-category", "unstable");
    d.click("#record-step");
    d.wait_for("the decision", |d| {
        d.exists("#case-status[data-status='enrolled']")
    });
    assert_eq!(d.text("#days-open"), "0");
    d.go(&format!("{base}/households/{number}"));
    let code = fupin_core::household_code::monitoring_code(&number).unwrap();
    assert_eq!(d.text("#monitoring-code"), code);
    assert!(d.exists("#monitoring-qr svg"));
    assert!(d.source().contains("脱贫不稳定户"));
}
