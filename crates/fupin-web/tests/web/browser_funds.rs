//! The funds pages in headless Chromium (issue 14): the county office opens the funds page, whose
//! checks read in words and whose charts draw, goes to the project library, filters it and opens a
//! project.

use crate::browser::{serve_demo, Driver};

#[test]
fn the_funds_page_and_a_project_in_the_browser() {
    if std::env::var("FUPIN_SKIP_BROWSER").is_ok() {
        eprintln!("browser test skipped (FUPIN_SKIP_BROWSER)");
        return;
    }
    let (_rt, base, _guard) = serve_demo();
    let d = Driver::start();
    d.login(&base, "zezhou");
    d.click("#nav-funds");
    d.wait_for("the funds page", |d| d.exists("#checks"));
    let checks = d.text("#checks");
    assert!(
        checks.contains("产业发展和以工代赈资金占比 73.21%,要求不低于 70.00%:达标"),
        "{checks}"
    );
    assert!(
        checks.contains("贷款 L2020-03:贷款金额超过上限"),
        "{checks}"
    );
    // The three charts come with the page (drawn on the server): the sources' ring with its
    // legend in yuan, the allocation's bars, the disbursement's columns.
    assert!(d.exists("#chart-sources svg path") || d.exists("#chart-sources svg circle"));
    assert!(d.text("#chart-sources .legend").contains("元"));
    assert!(d.exists("#chart-categories .bar"));
    assert!(d.exists("#chart-months svg rect"));
    assert_eq!(d.text("#task-pct"), "8.00%");

    // The project library, filtered to done projects, then a project.
    d.click("#link-projects");
    d.wait_for("the project library", |d| d.exists("#project-filters"));
    d.script("document.querySelector('#project-filters select[name=status]').value = 'done'; document.getElementById('project-filters').submit();");
    d.wait_for("the filtered list", |d| d.url().contains("status=done"));
    let list = d.text("#projects");
    assert!(
        list.contains("东沟村光伏电站") && !list.contains("西岭村连翘种植基地"),
        "{list}"
    );
    d.click("#projects a");
    d.wait_for("the project page", |d| d.exists("#project-name"));
    assert_eq!(d.text("#project-name"), "东沟村光伏电站");
    assert_eq!(d.text("#progress"), "100%");
    assert_eq!(d.text("#disbursed"), "240000.00");
    assert!(d.text("#benefit").contains("电站收益分红到户"));

    // The import page: a cooperatives sheet with a bad cell is refused with its sheet, row and
    // column at the top of the page; the template and the county's export are offered.
    d.script("location.href = '/funds?area=140525';");
    d.wait_for("the funds page again", |d| d.exists("#link-import"));
    d.click("#link-import");
    d.wait_for("the import page", |d| d.exists("#funds-import"));
    assert!(d.exists("#template-cooperatives") && d.exists("#export-cooperatives"));
    d.script(
        "const csv = '合作社编号,合作社名称,村区划代码,成员数,贫困户成员数,受扶持\\n\
         C9,红旗合作社,140525100201,10,11,是\\n';\
         const dt = new DataTransfer();\
         dt.items.add(new File([csv], 'coops.csv', {type: 'text/csv'}));\
         document.querySelector('#funds-import input[type=file]').files = dt.files;\
         document.getElementById('funds-table').value = 'cooperatives';\
         document.getElementById('funds-import').submit();",
    );
    d.wait_for("the error report", |d| d.exists("#import-errors"));
    let errors = d.text("#import-errors");
    assert!(
        errors.contains("合作社 cooperatives")
            && errors.contains("贫困户成员数 poor_members")
            && errors.contains("poor_above_members"),
        "{errors}"
    );
    assert_eq!(
        d.script("return document.getElementById('import-result').dataset.committed"),
        serde_json::json!("no")
    );
}
