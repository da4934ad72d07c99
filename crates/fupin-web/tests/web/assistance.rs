//! Household assistance on the web (issue 12), on SQLite and PostgreSQL: a village records a plan
//! and measures over the API (bad ones answer 422 by field), the household page shows them by year
//! with what the household is entitled to, a viewer sees ID numbers masked, the gaps of an area, the
//! dashboard's section, and the household card (明白卡) whose QR code reads back as the household's
//! monitoring code.

use crate::common::{delete, get, login, post, put, run};
use axum::http::StatusCode;
use serde_json::{json, Value};

/// Reads the QR code of an SVG drawn by `fupin_web::qr::svg` (dark rectangles `M x y h w v h`)
/// back to its text.
pub fn decode_svg(svg: &str) -> String {
    let number = |key: &str| -> usize {
        let at = svg.find(key).unwrap_or_else(|| panic!("{key} in {svg}")) + key.len();
        svg[at..]
            .split('"')
            .next()
            .unwrap()
            .trim_end_matches("px")
            .parse()
            .unwrap()
    };
    let (w, h) = (number("width=\""), number("height=\""));
    let mut dark = vec![false; w * h];
    let path_at = svg.find(" d=\"").expect("a path") + 4;
    let path = &svg[path_at..path_at + svg[path_at..].find('"').unwrap()];
    for seg in path.split('M').filter(|s| !s.is_empty()) {
        // `{left} {top}h{width}v{height}H{left}V{top}`
        let (xy, rest) = seg.split_once('h').unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (rw, rest) = rest.split_once('v').unwrap();
        let rh = rest.split_once('H').unwrap().0;
        let (x, y, rw, rh): (usize, usize, usize, usize) = (
            x.parse().unwrap(),
            y.parse().unwrap(),
            rw.parse().unwrap(),
            rh.parse().unwrap(),
        );
        for yy in y..y + rh {
            for xx in x..x + rw {
                dark[yy * w + xx] = true;
            }
        }
    }
    let mut img =
        rqrr::PreparedImage::prepare_from_greyscale(
            w,
            h,
            |x, y| if dark[y * w + x] { 0 } else { 255 },
        );
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code");
    grids[0].decode().expect("decodes").1
}

/// The first household under assistance of 东沟村 (as the gaps API lists them).
async fn first_in_scope(app: &axum::Router, cookie: &str) -> String {
    let r = get(app, "/api/v1/assistance/gaps?area=140525100201", cookie).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.json["households"][0]["id"]
        .as_str()
        .expect("a household under assistance")
        .to_string()
}

#[test]
fn a_village_records_plans_and_measures_and_the_pages_show_them() {
    run("assistance_api", |app| async move {
        let (cookie, csrf) = login(&app, "dongou").await;
        let number = first_in_scope(&app, &cookie).await;
        let h = get(&app, &format!("/api/v1/households/{number}"), &cookie).await;
        let member = h.json["members"][0]["id_number"]
            .as_str()
            .unwrap()
            .to_string();
        let name = h.json["members"][0]["name"].as_str().unwrap().to_string();

        let plan = put(
            &app,
            &format!("/api/v1/households/{number}/plans/2031"),
            (&cookie, &csrf),
            json!({"paths": ["industry", "发展教育脱贫一批"], "target": "年人均纯收入超过 8000 元"}),
        )
        .await;
        assert_eq!(plan.status, StatusCode::OK, "{}", plan.text);
        assert_eq!(plan.json["paths"], json!(["industry", "education"]));

        let uri = format!("/api/v1/households/{number}/measures");
        let bad = post(
            &app,
            &uri,
            (&cookie, &csrf),
            json!({"kind": "lottery", "person": "11010519491231002X", "date": "2031-13-01", "amount": "1.234"}),
        )
        .await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
        let fields: Vec<(&str, &str)> = bad.json["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["field"].as_str().unwrap(), f["code"].as_str().unwrap()))
            .collect();
        assert_eq!(
            fields,
            [
                ("person", "person_not_member"),
                ("kind", "unknown_kind"),
                ("date", "invalid_date"),
                ("amount", "money_precision")
            ]
        );
        let made = post(
            &app,
            &uri,
            (&cookie, &csrf),
            json!({"kind": "public_welfare_post", "person": member, "date": "2031-03-01",
                   "amount": "6000.00", "provider": "县人社局", "fund": "F2031-01"}),
        )
        .await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.text);
        assert_eq!(made.json["amount"], "6000.00");
        assert_eq!(made.json["recorded_by"], "dongou");
        let id = made.json["id"].as_i64().unwrap();

        let a = get(
            &app,
            &format!("/api/v1/households/{number}/assistance?year=2031"),
            &cookie,
        )
        .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text);
        assert_eq!(a.json["year"], 2031);
        let m = a.json["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .expect("the measure")
            .clone();
        assert_eq!(m["person"], Value::String(member.clone()));
        assert_eq!(m["fund"], "F2031-01");
        // A viewer sees the same measure with the ID number masked.
        let (viewer, _) = login(&app, "leader").await;
        let seen = get(
            &app,
            &format!("/api/v1/households/{number}/assistance?year=2031"),
            &viewer,
        )
        .await;
        let text = seen.text.clone();
        assert!(!text.contains(&member), "{text}");
        assert!(text.contains(&format!("{}********{}", &member[..6], &member[14..])));

        // The household page shows the year's plan and the measure by the member's name.
        let page = get(&app, &format!("/households/{number}"), &cookie).await;
        assert_eq!(page.status, StatusCode::OK);
        let html = &page.text;
        assert!(html.contains("id=\"assistance\""), "the section");
        assert!(html.contains("<h3 data-year=\"2031\">2031</h3>"));
        assert!(
            html.contains("发展生产脱贫一批、发展教育脱贫一批"),
            "the plan's paths"
        );
        let row = html
            .split("<tr data-kind=\"public_welfare_post\">")
            .nth(1)
            .expect("the measure's row");
        let row = &row[..row.find("</tr>").unwrap()];
        assert!(
            row.contains("公益岗位") && row.contains(&name) && row.contains("6000.00"),
            "{row}"
        );
        assert!(
            html.contains("id=\"measure-form\""),
            "the village may record"
        );
        let viewer_page = get(&app, &format!("/households/{number}"), &viewer).await;
        assert!(
            !viewer_page.text.contains("id=\"measure-form\""),
            "a viewer may not"
        );

        // Removed: audited, gone, and a second removal is 404.
        let gone = delete(&app, &format!("{uri}/{id}"), (&cookie, &csrf)).await;
        assert_eq!(gone.status, StatusCode::NO_CONTENT);
        let again = delete(&app, &format!("{uri}/{id}"), (&cookie, &csrf)).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
        // The household page's trail names each write.
        let page = get(&app, &format!("/households/{number}"), &cookie).await;
        for entry in ["帮扶计划 保存", "帮扶措施 新增", "帮扶措施 删除"] {
            assert!(page.text.contains(&format!("<td>{entry}</td>")), "{entry}");
        }

        // Another village's account cannot reach the household.
        let (other, other_csrf) = login(&app, "xiling").await;
        let out = post(&app, &uri, (&other, &other_csrf), json!({"kind": "dibao"})).await;
        assert_eq!(out.status, StatusCode::NOT_FOUND);
    });
}

#[test]
fn the_gaps_of_an_area_and_the_dashboard_section() {
    run("assistance_gaps", |app| async move {
        let (cookie, _) = login(&app, "zezhou").await;
        let r = get(&app, "/api/v1/assistance/gaps?as_of=2020-06-30", &cookie).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let s = &r.json["summary"];
        let in_scope = s["households"].as_u64().unwrap();
        assert!(in_scope > 0);
        assert_eq!(
            r.json["households"].as_array().unwrap().len() as u64,
            in_scope
        );
        // The demo leaves every seventh household without a plan.
        let no_plan = s["gaps"]["no_plan"].as_u64().unwrap();
        assert!(no_plan > 0 && no_plan < in_scope, "{s}");
        let only = get(
            &app,
            "/api/v1/assistance/gaps?as_of=2020-06-30&code=no_plan",
            &cookie,
        )
        .await;
        assert_eq!(
            only.json["households"].as_array().unwrap().len() as u64,
            no_plan
        );
        let bad = get(&app, "/api/v1/assistance/gaps?code=lazy", &cookie).await;
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);

        let page = get(
            &app,
            "/assistance/gaps?as_of=2020-06-30&code=no_plan",
            &cookie,
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text.contains(&format!(
            "data-gap=\"no_plan\"><div class=\"l\">本年无帮扶计划</div><div class=\"n\">{no_plan}</div>"
        )));
        assert_eq!(
            page.text.matches("<tr data-number=").count() as u64,
            no_plan
        );

        let m = get(
            &app,
            "/api/v1/assistance/measures?from=2020-01-01&to=2020-12-31",
            &cookie,
        )
        .await;
        assert_eq!(m.status, StatusCode::OK, "{}", m.text);
        let posts = &m.json["measures"]["public_welfare_post"];
        assert_eq!(
            posts["amount"].as_str().unwrap(),
            format!("{}.00", posts["count"].as_u64().unwrap() * 6000)
        );
        let dash = get(&app, "/?year=2020", &cookie).await;
        assert!(dash.text.contains("id=\"assistance-dashboard\""));
        assert!(dash.text.contains(&format!(
            "<tr data-kind=\"public_welfare_post\"><td>公益岗位</td><td class=\"households\">{}</td>",
            posts["households"]
        )));
    });
}

#[test]
fn the_household_card_masks_ids_and_its_qr_code_reads_back_as_the_monitoring_code() {
    run("assistance_card", |app| async move {
        let (cookie, _) = login(&app, "zezhou").await;
        let number = first_in_scope(&app, &cookie).await;
        let h = get(&app, &format!("/api/v1/households/{number}"), &cookie).await;
        let card = get(&app, &format!("/households/{number}/card"), &cookie).await;
        assert_eq!(card.status, StatusCode::OK, "{}", card.text);
        let html = &card.text;
        assert_eq!(html.matches("<article class=\"mbk\"").count(), 1);
        for m in h.json["members"].as_array().unwrap() {
            let id = m["id_number"].as_str().unwrap();
            assert!(!html.contains(id), "the card masks {id}");
            assert!(html.contains(&format!("{}********{}", &id[..6], &id[14..])));
        }
        let code = fupin_core::household_code::monitoring_code(&number).unwrap();
        assert!(html.contains(&format!("<b class=\"code\">{code}</b>")));
        let svg = &html[html.find("<svg").unwrap()..];
        let svg = &svg[..svg.find("</svg>").unwrap() + 6];
        assert_eq!(
            decode_svg(svg),
            code,
            "the QR code holds the bare monitoring code"
        );
        // The code opens the household for a signed-in user.
        let opened = get(&app, &format!("/m/{code}"), &cookie).await;
        assert_eq!(
            opened.headers["location"].to_str().unwrap(),
            format!("/households/{number}")
        );
        // The plan of 2020 and the measures with their total.
        assert!(html.contains("2020 帮扶计划(一户一策)"));
        let a = get(
            &app,
            &format!("/api/v1/households/{number}/assistance?year=2020"),
            &cookie,
        )
        .await;
        let total: f64 = a.json["measures"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["date"].as_str().unwrap().starts_with("2020"))
            .map(|m| m["amount"].as_str().unwrap().parse::<f64>().unwrap())
            .sum();
        assert!(
            html.contains(&format!("<td class=\"total\">{total:.2}</td>")),
            "{total}"
        );

        // The village's page of cards: one per household under assistance.
        let listed = get(&app, "/api/v1/assistance/gaps?area=140525100201", &cookie).await;
        let n = listed.json["households"].as_array().unwrap().len();
        let all = get(&app, "/villages/140525100201/cards", &cookie).await;
        assert_eq!(all.status, StatusCode::OK);
        assert_eq!(all.text.matches("<article class=\"mbk\"").count(), n);
        // A cadre's page holds its paired households only.
        let (cadre, _) = login(&app, "cadre").await;
        let mine = get(&app, "/villages/140525100201/cards", &cadre).await;
        assert!(mine.text.matches("<article class=\"mbk\"").count() <= 5);
        // The card names the paired cadre of the responsibility network (李明, C0001, paired
        // with the first households of 东沟村 since 2019), not an account or cadre code.
        let card = get(&app, "/households/140525100201001/card", &cookie).await;
        assert_eq!(card.status, StatusCode::OK);
        let at = card.text.find("class=\"cadre\"").unwrap();
        let cadre_line: String = card.text[at..].chars().take(80).collect();
        assert!(cadre_line.contains("李明"), "{cadre_line}");
        assert!(!cadre_line.contains("C0001"), "{cadre_line}");
    });
}
