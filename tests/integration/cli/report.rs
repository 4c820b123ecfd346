//! `tier run --report`: the HTML report as a person sees it. Every shipped ruleset's sample is
//! graded with `--report`, `--summary` and a graded CSV; the page is opened in headless Chromium
//! (the DOM it parsed, its console, a screenshot) and its charts and figures are checked
//! against the summary JSON and the graded rows. Without Chromium on PATH the browser part is
//! skipped, and says so (`.ci/run` installs Debian's `chromium`, so CI runs it).
//!
//! Also: hostile cells and names are text, never markup; a small report's HTML is pinned by a
//! snapshot; the report is an output like the others (never over another one).

use super::{run, tmp};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SHOP: &str = "tests/fixtures/report/shop.tier";
const SHOP_CSV: &str = "tests/fixtures/report/shop.csv";

/// A Chromium (or Chrome) on PATH.
pub(crate) fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            Command::new(b)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

/// What Chromium made of a page: the DOM it built, and the console's messages.
pub(crate) struct Rendered {
    pub(crate) dom: String,
    pub(crate) console: Vec<String>,
}

/// Runs headless Chromium with `args` then the page's URL; gives up after two minutes.
pub(crate) fn chromium_run(browser: &str, page: &Path, args: &[String]) -> (String, String) {
    let profile = tempfile::tempdir().expect("profile dir");
    let url = format!(
        "file://{}",
        page.canonicalize().expect("page exists").display()
    );
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish {} in 2 minutes", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("chromium output");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) fn render(browser: &str, page: &Path) -> Rendered {
    let (dom, log) = chromium_run(browser, page, &["--dump-dom".to_string()]);
    // Console messages are logged as `[...:INFO:CONSOLE(line)] "message", source: ...`. The
    // report has no script: any message is an error (a refused resource, a parse error).
    let console = log
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    assert!(
        dom.contains("</html>"),
        "no DOM for {}: {log}",
        page.display()
    );
    Rendered { dom, console }
}

/// Every element named `tag` in serialized HTML, as its attributes (entities decoded).
/// Chromium serializes attributes as `name="value"`, as tier writes them.
pub(crate) fn elements(html: &str, tag: &str) -> Vec<BTreeMap<String, String>> {
    let open = format!("<{tag}");
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i + open.len()..];
        if !rest.starts_with([' ', '>', '/', '\n']) {
            continue;
        }
        let end = rest.find('>').unwrap_or(rest.len());
        let mut attrs = BTreeMap::new();
        let mut s = &rest[..end];
        while let Some(eq) = s.find("=\"") {
            let name = s[..eq].trim().trim_start_matches('/').trim().to_string();
            let value_end = s[eq + 2..].find('"').expect("a closing quote");
            attrs.insert(name, decode(&s[eq + 2..eq + 2 + value_end]));
            s = &s[eq + 2 + value_end + 1..];
        }
        found.push(attrs);
    }
    found
}

fn decode(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The part of a page from `<section id="ID">` to its end.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}"));
    let len = html[start..].find("</section>").expect("section ends");
    &html[start..start + len]
}

/// Bars of one chart (their class), as (label, value).
fn bars(dom: &str, class: &str) -> Vec<(String, f64)> {
    elements(dom, "rect")
        .into_iter()
        .filter(|r| r.get("class").is_some_and(|c| c == &format!("bar {class}")))
        .map(|r| (r["data-label"].clone(), r["data-value"].parse().unwrap()))
        .collect()
}

fn number(v: &serde_json::Value) -> f64 {
    match v {
        serde_json::Value::String(s) => s.parse().unwrap(),
        other => other.as_f64().unwrap(),
    }
}

/// No element fetches or runs anything: no script, link, image, frame or object, no `src` or
/// `href`, and the styles load nothing.
pub(crate) fn assert_self_contained(html: &str, what: &str) {
    for tag in [
        "script", "link", "img", "iframe", "object", "embed", "base", "image", "use",
    ] {
        assert!(elements(html, tag).is_empty(), "{what}: a <{tag}> element");
    }
    for tag in [
        "a", "svg", "rect", "line", "text", "polyline", "div", "meta",
    ] {
        for attrs in elements(html, tag) {
            for key in attrs.keys() {
                assert!(
                    !["src", "href", "xlink:href", "srcset", "action"].contains(&key.as_str()),
                    "{what}: <{tag} {key}=…>"
                );
            }
        }
    }
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
    assert!(
        !style.contains("url(") && !style.contains("@import"),
        "{what}"
    );
    assert!(html.contains("default-src 'none'"), "{what}: a CSP");
    assert!(html.contains("name=\"viewport\""), "{what}: a viewport");
}

/// Grades `data` with `ruleset` into `dir`: (report, summary JSON, graded CSV rows).
fn grade(ruleset: &Path, data: &Path, dir: &Path) -> (PathBuf, serde_json::Value, Vec<Row>) {
    let (report, summary, graded) = (
        dir.join("report.html"),
        dir.join("summary.json"),
        dir.join("graded.csv"),
    );
    let out = run(&[
        "run",
        ruleset.to_str().unwrap(),
        data.to_str().unwrap(),
        "--as-of",
        "2026-11-23",
        "-q",
        "-o",
        graded.to_str().unwrap(),
        "--summary",
        summary.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}: {}", ruleset.display(), out.stderr);
    let summary = serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap();
    (report, summary, rows(&graded))
}

/// A graded row: header → cell.
type Row = BTreeMap<String, String>;

fn rows(csv_path: &Path) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(csv_path).unwrap();
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .cloned()
                .zip(r.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

/// tier's column of a fixed word (`tier:负责人` when the input has its own `负责人`).
fn column<'a>(row: &'a Row, words: &[&str]) -> Option<&'a str> {
    words.iter().find_map(|w| {
        row.get(&format!("tier:{w}"))
            .or_else(|| row.get(*w))
            .map(String::as_str)
    })
}

/// The DOM's figures equal the summary's and the graded rows'.
fn assert_figures(dom: &str, summary: &serde_json::Value, graded: &[Row], what: &str) {
    for key in ["rows_read", "rows_graded", "rows_rejected", "rows_skipped"] {
        let fact = elements(dom, "div")
            .into_iter()
            .find(|d| d.get("data-fact").is_some_and(|f| f == key))
            .unwrap_or_else(|| panic!("{what}: no {key}"));
        assert_eq!(
            fact["data-value"],
            summary[key].to_string(),
            "{what}: {key}"
        );
    }
    let grades = summary["grades"].as_array().unwrap();
    let customers: Vec<(String, f64)> = grades
        .iter()
        .map(|g| {
            (
                g["label"].as_str().unwrap().to_string(),
                number(&g["customers"]),
            )
        })
        .collect();
    assert_eq!(
        bars(dom, "customers"),
        customers,
        "{what}: customers per grade"
    );
    let revenue = bars(dom, "revenue");
    if summary["revenue_field"].is_null() {
        assert!(revenue.is_empty(), "{what}");
    } else {
        assert_eq!(revenue.len(), grades.len(), "{what}");
        for ((label, value), g) in revenue.iter().zip(grades) {
            let want = number(&g["revenue"]);
            assert!(
                (value - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{what}: revenue of {label}: {value} ≠ {want}"
            );
        }
        // The Pareto curve covers every graded customer, from (0, 0) up and to the right.
        if number(&summary["revenue_total"]) > 0.0 {
            let curve = &elements(dom, "polyline")[0];
            assert_eq!(curve["data-customers"], summary["rows_graded"].to_string());
            let xs: Vec<f64> = curve["points"]
                .split(' ')
                .map(|p| p.split(',').next().unwrap().parse().unwrap())
                .collect();
            assert!(xs.windows(2).all(|w| w[0] <= w[1]), "{what}: {xs:?}");
        }
    }

    // Overdue per grade equals the summary; per owner, the graded rows' owner column.
    let overdue = bars(dom, "overdue");
    if !overdue.is_empty() {
        let want: Vec<(String, f64)> = grades
            .iter()
            .map(|g| {
                (
                    g["label"].as_str().unwrap().to_string(),
                    number(&g["overdue"]),
                )
            })
            .collect();
        assert_eq!(overdue, want, "{what}: overdue per grade");
        let table = elements(dom, "table")
            .into_iter()
            .find(|t| t.get("id").is_some_and(|i| i == "overdue-table"));
        let total = summary["overdue"].as_u64().unwrap();
        match table {
            Some(t) => assert_eq!(t["data-total"], total.to_string(), "{what}"),
            None => assert_eq!(total, 0, "{what}: no overdue table"),
        }
        let listed = elements(section(dom, "follow-up"), "tr")
            .iter()
            .filter(|r| r.contains_key("data-row"))
            .count() as u64;
        assert_eq!(listed, total.min(100), "{what}: overdue listed");
    } else {
        assert_eq!(summary["overdue"], 0, "{what}: overdue but no chart");
    }
    let owners = bars(dom, "owner");
    if !owners.is_empty() {
        let mut want: BTreeMap<String, f64> = BTreeMap::new();
        for row in graded {
            let yes = matches!(column(row, &["逾期", "overdue"]), Some("是" | "yes"));
            let owner = column(row, &["负责人", "owner"]).unwrap_or("");
            let names: Vec<&str> = if owner.is_empty() {
                vec![""]
            } else {
                owner.split('、').collect()
            };
            for name in names {
                *want.entry(name.to_string()).or_default() += yes as u8 as f64;
            }
        }
        for (label, value) in &owners {
            let key = if label.starts_with('(') || label.starts_with('（') {
                ""
            } else {
                label
            };
            assert_eq!(
                Some(value),
                want.get(key),
                "{what}: overdue of owner {label}"
            );
        }
    }

    // The rejects: every problem counted, the first 100 listed.
    let rejects = section(dom, "rejects");
    let problems = summary["rejects"].as_array().unwrap().len();
    let listed = elements(rejects, "tr")
        .iter()
        .filter(|r| r.contains_key("data-row"))
        .count();
    assert_eq!(listed, problems.min(100), "{what}: rejects listed");
    if problems > 0 {
        let table = &elements(rejects, "table")[0];
        assert_eq!(table["data-problems"], problems.to_string(), "{what}");
        assert_eq!(table["data-rows"], summary["rows_rejected"].to_string());
    }
}

pub(crate) use crate::rulesets::shipped;

#[test]
fn every_shipped_sample_reports_in_chromium_what_the_summary_says() {
    let shipped = shipped();
    assert!(shipped.len() >= 17, "a sample per shipped ruleset");
    let dir = tmp();
    let mut graded = Vec::new();
    for (i, (ruleset, data)) in shipped.iter().enumerate() {
        let out = dir.path().join(i.to_string());
        std::fs::create_dir(&out).unwrap();
        let (report, summary, rows) = grade(ruleset, data, &out);
        let html = std::fs::read_to_string(&report).unwrap();
        let what = ruleset.display().to_string();
        assert_self_contained(&html, &what);
        // Checked on tier's own text too, so that the checks run without a browser.
        assert_figures(&html, &summary, &rows, &what);
        graded.push((what, report, summary, rows));
    }
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED every_shipped_sample_reports_in_chromium_what_the_summary_says (browser \
             part): chromium is not installed (apt-get install chromium); the reports were \
             checked as written, not as rendered"
        );
        return;
    };
    // Two browsers at a time: each is a few processes.
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some((what, report, summary, rows)) = graded.get(i) else {
                    break;
                };
                let page = render(browser, report);
                assert!(
                    page.console.is_empty(),
                    "{what}: console: {:?}",
                    page.console
                );
                assert_self_contained(&page.dom, what);
                assert_figures(&page.dom, summary, rows, what);
                // The Pareto relatives' cut lines, where the ruleset has them.
                if what.ends_with("pareto_abc.tier") {
                    let cuts: Vec<(String, String)> = elements(&page.dom, "line")
                        .into_iter()
                        .filter(|l| l.contains_key("data-relative"))
                        .map(|l| (l["data-label"].clone(), l["data-share"].clone()))
                        .collect();
                    assert_eq!(
                        cuts,
                        [("A".into(), "0.65".into()), ("B".into(), "0.85".into())]
                    );
                }
            });
        }
    });

    // A screenshot of one report, the size asked for: Chromium laid it out and painted it.
    let (_, report, _, _) = &graded[0];
    let png = dir.path().join("report.png");
    assert_phone_screenshot(browser, report, &png);
}

#[test]
fn hostile_cells_and_names_stay_text() {
    let dir = tmp();
    let (report, summary, rows) = grade(Path::new(SHOP), Path::new(SHOP_CSV), dir.path());
    let html = std::fs::read_to_string(&report).unwrap();
    assert_self_contained(&html, SHOP);
    assert_figures(&html, &summary, &rows, SHOP);
    assert!(html.contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    assert!(html.contains("<td>O&#39;Brien &quot;Bob&quot;</td>"));
    assert!(html.contains("<h1 data-ruleset=\"Shop &lt;report&gt; &amp; &quot;co&quot;\">"));
    let Some(browser) = chromium() else {
        eprintln!(
            "SKIPPED hostile_cells_and_names_stay_text (browser part): chromium is not installed"
        );
        return;
    };
    let page = render(browser, &report);
    assert!(page.console.is_empty(), "{:?}", page.console);
    assert!(elements(&page.dom, "script").is_empty());
    // As the browser parsed it: text, with the quotes as they were.
    assert!(page
        .dom
        .contains("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>"));
    assert!(page.dom.contains("<td>O'Brien \"Bob\"</td>"));
    let h1 = &elements(&page.dom, "h1")[0];
    assert_eq!(h1["data-ruleset"], "Shop <report> & \"co\"");
}

#[test]
fn small_report_html() {
    let dir = tmp();
    let (report, _, _) = grade(Path::new(SHOP), Path::new(SHOP_CSV), dir.path());
    let html = std::fs::read_to_string(report).unwrap();
    // The styles are pinned by the pages' looks (the screenshot), not here.
    let start = html.find("<style>").unwrap();
    let end = html.find("</style>").unwrap();
    let html = format!("{}<style>…</style>{}", &html[..start], &html[end + 8..]);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_description("tier run tests/fixtures/report/shop.tier tests/fixtures/report/shop.csv --as-of 2026-11-23 --report R.html (styles left out)");
    settings.bind(|| insta::assert_snapshot!("small_report_html", html));
}

#[test]
fn the_report_is_an_output_like_the_others() {
    let dir = tmp();
    let same = dir.path().join("x.html");
    let same = same.to_str().unwrap();
    let out = run(&["run", SHOP, SHOP_CSV, "-q", "-o", same, "--report", same]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("tier::usage::same_output"),
        "{}",
        out.stderr
    );
    assert!(!Path::new(same).exists(), "nothing written");
    // A directory is refused, as for -o.
    let out = run(&[
        "run",
        SHOP,
        SHOP_CSV,
        "-q",
        "--report",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(out.stderr.contains("is a directory"), "{}", out.stderr);
    // The English ruleset's report speaks English; --lang zh makes it Chinese.
    let report = dir.path().join("r.html");
    let args = ["run", SHOP, SHOP_CSV, "-q", "-o", "/dev/null", "--report"];
    let out = run(&[&args[..], &[report.to_str().unwrap(), "--lang", "zh"]].concat());
    assert_eq!(out.code, 0, "{}", out.stderr);
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("等级分布"));
}

/// Takes a phone-sized screenshot of `page` into `png` and checks Chromium painted it: a PNG of
/// the size asked for, not a blank.
pub(crate) fn assert_phone_screenshot(browser: &str, page: &Path, png: &Path) {
    let (_, log) = chromium_run(
        browser,
        page,
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=412,915".to_string(),
            "--hide-scrollbars".to_string(),
        ],
    );
    let bytes = std::fs::read(png).unwrap_or_else(|e| panic!("no screenshot ({e}): {log}"));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let size = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    assert_eq!(
        (size(16), size(20)),
        (412, 915),
        "the IHDR's width and height"
    );
    assert!(
        bytes.len() > 10_000,
        "a page, not a blank: {} bytes",
        bytes.len()
    );
}
