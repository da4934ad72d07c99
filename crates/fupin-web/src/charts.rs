//! Charts drawn on the server, as HTML and inline SVG in the page itself: they show with the first
//! paint, without a script library (the dashboard on a slow 3G connection waited 3.7 s for ECharts),
//! print as they are, read the same to a screen reader as the table beside them, and every slice,
//! bar and legend entry is a link to its list. Values are written on the chart, never only on hover.
//!
//! Pure functions from figures to markup; every text is escaped here.

use std::fmt::Write;

/// The palette, in legend order (colour-blind safe, distinct in grey print).
pub const PALETTE: [&str; 8] = [
    "#b3261e", "#1a7f37", "#0969da", "#9a6700", "#8250df", "#57606a", "#bf3989", "#1b7c83",
];

/// One value of a chart: its label, the value the geometry uses, the text written beside it, and
/// where it leads.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub label: String,
    pub value: f64,
    pub text: String,
    pub href: Option<String>,
    /// Its colour, where the thing has one of its own (a status); else the palette's, by position.
    pub colour: Option<&'static str>,
}

impl Item {
    pub fn new(label: impl Into<String>, value: f64, text: impl Into<String>) -> Item {
        Item {
            label: label.into(),
            value,
            text: text.into(),
            href: None,
            colour: None,
        }
    }

    pub fn colour(mut self, colour: &'static str) -> Item {
        self.colour = Some(colour);
        self
    }

    pub fn href(mut self, href: impl Into<String>) -> Item {
        self.href = Some(href.into());
        self
    }
}

/// One series of a stacked bar chart: a value per category.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    pub values: Vec<f64>,
    pub colour: Option<&'static str>,
}

/// The colour of a household status, the same in every chart.
pub fn status_colour(code: &str) -> &'static str {
    match code {
        "poor" => "#b3261e",
        "returned" => "#9a6700",
        "exited" => "#1a7f37",
        "removed" => "#57606a",
        _ => "#0969da",
    }
}

/// Text escaped for HTML and SVG (element content and quoted attributes).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A share in percent with one decimal, as the legend writes it.
fn pct(part: f64, total: f64) -> String {
    if total <= 0.0 {
        return "0.0".into();
    }
    format!("{:.1}", part * 100.0 / total)
}

/// Opens a link when the item has one (closed by [`close`]).
fn open(out: &mut String, href: &Option<String>) {
    if let Some(h) = href {
        let _ = write!(out, "<a href=\"{}\">", esc(h));
    }
}

fn close(out: &mut String, href: &Option<String>) {
    if href.is_some() {
        out.push_str("</a>");
    }
}

/// A ring of the items' shares (items with a positive value), its legend beside it with each
/// value and share: `unit` follows the value ("12 户 (40.0%)"). Empty when nothing is positive.
pub fn donut(items: &[Item], unit: &str) -> String {
    let items: Vec<(usize, &Item)> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| i.value > 0.0)
        .collect();
    let total: f64 = items.iter().map(|(_, i)| i.value).sum();
    if items.is_empty() || total <= 0.0 {
        return String::new();
    }
    let (cx, cy, r, inner) = (100.0_f64, 100.0_f64, 96.0_f64, 56.0_f64);
    let mut out = String::from("<div class=\"donut\"><svg viewBox=\"0 0 200 200\" role=\"img\">");
    let mut start = 0.0_f64;
    for (n, item) in &items {
        let colour = item.colour.unwrap_or(PALETTE[n % PALETTE.len()]);
        let share = item.value / total;
        let title = format!(
            "{}: {} {unit} ({}%)",
            item.label,
            item.text,
            pct(item.value, total)
        );
        open(&mut out, &item.href);
        if share >= 0.9999 {
            // A whole ring: two half arcs would do, a circle with a wide stroke is simpler.
            let _ = write!(
                out,
                "<circle cx=\"100\" cy=\"100\" r=\"{:.1}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{:.1}\"><title>{}</title></circle>",
                (r + inner) / 2.0,
                r - inner,
                esc(&title)
            );
        } else {
            let end = start + share * std::f64::consts::TAU;
            let large = if share > 0.5 { 1 } else { 0 };
            let p = |a: f64, rad: f64| (cx + rad * a.sin(), cy - rad * a.cos());
            let (x0, y0) = p(start, r);
            let (x1, y1) = p(end, r);
            let (x2, y2) = p(end, inner);
            let (x3, y3) = p(start, inner);
            let _ = write!(
                out,
                "<path d=\"M{x0:.2},{y0:.2}A{r},{r} 0 {large} 1 {x1:.2},{y1:.2}L{x2:.2},{y2:.2}A{inner},{inner} 0 {large} 0 {x3:.2},{y3:.2}Z\" fill=\"{colour}\" stroke=\"#fff\" stroke-width=\"1\"><title>{}</title></path>",
                esc(&title)
            );
            // The value on its slice when the slice is wide enough to hold it.
            if share >= 0.07 {
                let mid = (start + end) / 2.0;
                let (tx, ty) = p(mid, (r + inner) / 2.0);
                let _ = write!(
                    out,
                    "<text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#fff\">{}</text>",
                    ty + 5.0,
                    esc(&item.text)
                );
            }
            start = end;
        }
        close(&mut out, &item.href);
    }
    out.push_str("</svg><ul class=\"legend\">");
    for (n, item) in &items {
        out.push_str("<li>");
        open(&mut out, &item.href);
        let _ = write!(
            out,
            "<i style=\"background:{}\"></i>{} <b>{}</b> {} ({}%)",
            item.colour.unwrap_or(PALETTE[n % PALETTE.len()]),
            esc(&item.label),
            esc(&item.text),
            esc(unit),
            pct(item.value, total)
        );
        close(&mut out, &item.href);
        out.push_str("</li>");
    }
    out.push_str("</ul></div>");
    out
}

/// Horizontal bars, one row per item in the given order, each label, bar and value a link: long
/// labels wrap instead of being cut, and a hundred areas make a taller chart, not an unreadable
/// one. `colour` fills the bars.
pub fn bars(items: &[Item], colour: &str) -> String {
    if items.is_empty() {
        return String::new();
    }
    let max = items.iter().map(|i| i.value).fold(0.0_f64, f64::max);
    let mut out = String::from("<div class=\"bars\">");
    for item in items {
        let width = if max > 0.0 {
            (item.value.max(0.0) * 100.0 / max).clamp(0.0, 100.0)
        } else {
            0.0
        };
        out.push_str("<div class=\"bar\">");
        match &item.href {
            Some(h) => {
                let _ = write!(out, "<a class=\"row\" href=\"{}\">", esc(h));
            }
            None => out.push_str("<span class=\"row\">"),
        }
        let _ = write!(
            out,
            "<span class=\"lbl\">{}</span><span class=\"track\"><span class=\"fill\" style=\"width:{width:.1}%;background:{colour}\"></span><span class=\"val\">{}</span></span>",
            esc(&item.label),
            esc(&item.text)
        );
        out.push_str(if item.href.is_some() {
            "</a>"
        } else {
            "</span>"
        });
        out.push_str("</div>");
    }
    out.push_str("</div>");
    out
}

/// Stacked columns: one column per category (a year), one segment per series, the total above
/// each column and a segment's value inside it when it is tall enough; the legend below.
pub fn stacked(categories: &[String], series: &[Series]) -> String {
    if categories.is_empty() || series.is_empty() {
        return String::new();
    }
    let totals: Vec<f64> = (0..categories.len())
        .map(|c| {
            series
                .iter()
                .map(|s| s.values.get(c).copied().unwrap_or(0.0).max(0.0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().fold(0.0_f64, f64::max);
    let (col, gap, top, plot, bottom) = (56.0_f64, 16.0_f64, 24.0_f64, 200.0_f64, 26.0_f64);
    let width = categories.len() as f64 * (col + gap) + gap;
    let height = top + plot + bottom;
    let mut out = format!(
        "<div class=\"stacked\"><svg viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\"><line x1=\"0\" y1=\"{:.1}\" x2=\"{width:.0}\" y2=\"{:.1}\" stroke=\"#d1d9e0\"/>",
        top + plot,
        top + plot
    );
    for (c, category) in categories.iter().enumerate() {
        let x = gap + c as f64 * (col + gap);
        let mut y = top + plot;
        for (n, s) in series.iter().enumerate() {
            let v = s.values.get(c).copied().unwrap_or(0.0).max(0.0);
            if v <= 0.0 || max <= 0.0 {
                continue;
            }
            let h = v * plot / max;
            y -= h;
            let _ = write!(
                out,
                "<rect x=\"{x:.1}\" y=\"{y:.2}\" width=\"{col:.0}\" height=\"{h:.2}\" fill=\"{}\"><title>{} {}: {}</title></rect>",
                s.colour.unwrap_or(PALETTE[n % PALETTE.len()]),
                esc(category),
                esc(&s.label),
                v
            );
            if h >= 15.0 {
                let _ = write!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\" fill=\"#fff\">{v}</text>",
                    x + col / 2.0,
                    y + h / 2.0 + 4.0
                );
            }
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"12\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"13\">{}</text>",
            x + col / 2.0,
            y - 5.0,
            totals[c],
            x + col / 2.0,
            top + plot + 18.0,
            esc(category)
        );
    }
    out.push_str("</svg><ul class=\"legend row\">");
    for (n, s) in series.iter().enumerate() {
        let _ = write!(
            out,
            "<li><i style=\"background:{}\"></i>{}</li>",
            s.colour.unwrap_or(PALETTE[n % PALETTE.len()]),
            esc(&s.label)
        );
    }
    out.push_str("</ul></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_writes_each_value_and_share_and_links_each_slice() {
        let items = [
            Item::new("脱贫户", 30.0, "30").href("/households?status=exited"),
            Item::new("贫困户", 10.0, "10").href("/households?status=poor"),
            Item::new("返贫户", 0.0, "0").href("/households?status=returned"),
        ];
        let html = donut(&items, "户");
        assert!(html.contains("脱贫户 <b>30</b> 户 (75.0%)"), "{html}");
        assert!(html.contains("贫困户 <b>10</b> 户 (25.0%)"), "{html}");
        // A zero is not drawn (the status cards show it).
        assert!(!html.contains("返贫户"));
        assert_eq!(html.matches("<path").count(), 2);
        assert_eq!(html.matches("href=\"/households?status=poor\"").count(), 2);
        // A slice of three quarters takes the long way round.
        assert!(html.contains(" 0 1 1 "), "{html}");
        assert_eq!(donut(&items[2..], "户"), "");
    }

    #[test]
    fn one_item_is_a_whole_ring() {
        let html = donut(&[Item::new("a", 5.0, "5")], "户");
        assert!(html.contains("<circle"));
        assert!(!html.contains("<path"));
    }

    #[test]
    fn bars_scale_to_the_largest_and_escape_their_text() {
        let items = [
            Item::new("<b>东沟村</b>", 12.5, "12.50%").href("/villages/1?a=1&b=2"),
            Item::new("西岭村", 5.0, "5.00%"),
        ];
        let html = bars(&items, "#b3261e");
        assert!(html.contains("width:100.0%"), "{html}");
        assert!(html.contains("width:40.0%"), "{html}");
        assert!(html.contains("&lt;b&gt;东沟村&lt;/b&gt;"));
        assert!(html.contains("href=\"/villages/1?a=1&amp;b=2\""));
        assert!(html.contains(">12.50%<"));
        assert_eq!(bars(&[], "#000"), "");
    }

    #[test]
    fn columns_stack_their_series_and_write_the_totals() {
        let years = vec!["2019".to_string(), "2020".to_string()];
        let series = vec![
            Series {
                label: "贫困户".into(),
                values: vec![10.0, 0.0],
                colour: Some(status_colour("poor")),
            },
            Series {
                label: "脱贫户".into(),
                values: vec![30.0, 40.0],
                colour: None,
            },
        ];
        let html = stacked(&years, &series);
        assert_eq!(html.matches("<rect").count(), 3);
        // Totals above the columns: 40 and 40, and each segment's value.
        assert_eq!(html.matches(">40</text>").count(), 3, "{html}");
        assert!(html.contains(">2019</text>") && html.contains(">2020</text>"));
        // A status keeps its own colour; the rest take the palette's by position.
        assert!(html.contains("<li><i style=\"background:#b3261e\"></i>贫困户</li>"));
        assert!(html.contains("<li><i style=\"background:#1a7f37\"></i>脱贫户</li>"));
        assert!(
            html.contains("fill=\"#b3261e\"><title>2019 贫困户: 10</title>"),
            "{html}"
        );
    }
}
