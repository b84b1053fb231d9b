//! `run --out DIR` writes `report.html`: one self-contained page with every
//! report as a table, every plot inline, the script, the seed, the
//! overrides and the version. One test reads the file; the other opens it
//! in headless Chromium (Debian's `chromium`) and checks what the browser
//! rendered. Without a browser that test is skipped with a message, unless
//! `OPTIMIST_BROWSER_TEST=required` (set by `scripts/test`, which installs
//! the browser) makes a missing browser a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SCRIPT: &str = "# A sweep & a plot <for the page>\n\
param n = 5\n\
let budgets = sweep(plan(random_search), samples=[2, 8, 32], on=sphere(dim=2), n=n)\n\
report budgets\n\
report compare([plan(random_search, samples=4), plan(cem, iters=3)], on=sphere(dim=2), n=n)\n\
report n * 2\n\
plot budgets to \"budgets.svg\"\n";

fn optimist(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_optimist"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// Runs the script with `--out`, an override and a config; the page's text.
fn run_with_out(name: &str) -> (PathBuf, String) {
    let dir = common::scratch("html", name);
    std::fs::write(dir.join("sweep.opt"), SCRIPT).unwrap();
    std::fs::write(dir.join("run.yaml"), "n: 4\n").unwrap();
    let o = optimist(
        &[
            "run",
            "sweep.opt",
            "--out",
            "out",
            "--seed",
            "3",
            "--config",
            "run.yaml",
            "--set",
            "n=3",
            "-q",
        ],
        &dir,
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let page = dir.join("out/report.html");
    let html = std::fs::read_to_string(&page).expect("report.html is written");
    (page, html)
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn report_html_holds_every_report_plot_and_the_run_settings() {
    let (page, html) = run_with_out("file");
    // Two tables (the sweep, the comparison), with their columns and rows.
    assert_eq!(count(&html, "<table>"), 2, "{html}");
    for header in ["solver", "samples", "value"] {
        assert!(
            html.contains(&format!(
                "<th scope=\"col\" title=\"{header}\">{header}</th>"
            )),
            "{header}"
        );
    }
    assert!(html.contains("<td>plan(random_search)</td><td class=\"num\">32</td>"));
    assert!(html.contains("<td>plan(cem, iters=3)</td>"), "{html}");
    // The other value, as text.
    assert!(html.contains("<h2>n * 2</h2>\n<pre>6</pre>"), "{html}");
    // Every plot inline: the comparison's beside its table, and the
    // `plot`ted sweep in its own section (not repeated by its table).
    let section = |id: &str| {
        let start = html.find(&format!("id=\"{id}\"")).expect("the section");
        let end = html[start..].find("</section>").unwrap() + start;
        html[start..end].to_string()
    };
    assert_eq!(count(&html, "<svg "), 2);
    assert_eq!(count(&section("report-1"), "<svg "), 0);
    assert_eq!(count(&section("report-2"), "<svg "), 1);
    let plot = section("report-4");
    assert!(plot.contains("budgets → out/budgets.svg"), "{plot}");
    assert!(plot.contains("<polyline"), "the series are drawn");
    let file = std::fs::read_to_string(page.with_file_name("budgets.svg")).unwrap();
    assert!(plot.contains(&file[file.find("<svg").unwrap()..].trim_end()[..2000]));
    // The script (escaped), the seed, the overrides, the config, the version.
    assert!(html.contains("# A sweep &amp; a plot &lt;for the page&gt;"));
    assert!(html.contains("plot budgets to &quot;budgets.svg&quot;"));
    assert!(html.contains("<dd id=\"seed\">3</dd>"));
    assert!(html.contains("<dd id=\"overrides\">--config run.yaml<br>--set n=3</dd>"));
    assert!(html.contains("<h2>Config: run.yaml</h2>\n<pre><code>n: 4\n</code></pre>"));
    assert!(html.contains(&format!(
        "<dd id=\"version\">{}</dd>",
        env!("CARGO_PKG_VERSION")
    )));
    // Self-contained: nothing to fetch, nothing to run.
    for outside in ["<script", "<link", " src=", " href=", "url(", "@import"] {
        assert!(!html.contains(outside), "`{outside}` in the page");
    }
    // Written like every other output: no temporary left beside it.
    let names: Vec<String> = std::fs::read_dir(page.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, ["budgets.svg", "report.html", "report.yaml"]);
    let _ = std::fs::remove_dir_all(page.parent().and_then(Path::parent).unwrap());
}

#[test]
fn a_failed_run_writes_no_report_html() {
    let dir = common::scratch("html", "failed");
    std::fs::write(dir.join("bad.opt"), "report 1\nplot 2 to \"x.svg\"\n").unwrap();
    let o = optimist(&["run", "bad.opt", "--out", "out", "-q"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(!dir.join("out/report.html").exists());
}

/// The browser, if there is one.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("chromium"))
        .find(|p| p.is_file())
}

/// Runs Chromium headless with the flags it needs as root on a closed
/// network, and a fresh profile; kills it after two minutes.
fn headless(browser: &Path, profile: &Path, args: &[String]) -> Output {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    while child.try_wait().expect("chromium runs").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("chromium's output")
}

#[test]
fn report_html_renders_in_headless_chromium() {
    let Some(browser) = chromium() else {
        let why = "skipped: no `chromium` on PATH to render report.html \
                   (scripts/test installs Debian's chromium and runs this test)";
        assert!(
            std::env::var("OPTIMIST_BROWSER_TEST").as_deref() != Ok("required"),
            "OPTIMIST_BROWSER_TEST=required, but {why}"
        );
        eprintln!("report_html_renders_in_headless_chromium {why}");
        return;
    };
    let (page, html) = run_with_out("browser");
    // Profiles and screenshots go beside `out/`, not in it.
    let dir = page.parent().and_then(Path::parent).unwrap().to_path_buf();
    let url = format!("file://{}", page.display());

    // The DOM the browser built: every table with its header and rows,
    // the plot as an SVG element with its series, the script.
    let o = headless(
        &browser,
        &dir.join("profile-dom"),
        &["--dump-dom".into(), url.clone()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(
        dom.contains("<title>sweep.opt — Optimist report</title>"),
        "{dom}"
    );
    assert_eq!(count(&dom, "<table>"), 2, "{dom}");
    assert_eq!(count(&dom, "<tbody>"), 2);
    assert_eq!(
        count(&dom, "<th scope=\"col\" title=\"solver\">solver</th>"),
        2
    );
    // Rows: three budgets and two solvers.
    assert_eq!(count(&dom, "<tr>"), count(&html, "<tr>"));
    assert_eq!(count(&dom, "<tr><td>"), 5, "{dom}");
    assert_eq!(count(&dom, "<svg "), 2);
    assert!(dom.contains("<polyline"), "{dom}");
    assert!(dom.contains("# A sweep &amp; a plot &lt;for the page&gt;"));

    // And it paints: a screenshot of the page is far from blank (a blank
    // page of the same size, taken the same way, is the yardstick).
    std::fs::write(dir.join("blank.html"), "<!DOCTYPE html><title>x</title>").unwrap();
    let shot = |name: &str, target: &Path| {
        let png = dir.join(name);
        let o = headless(
            &browser,
            &dir.join(format!("profile-{name}")),
            &[
                format!("--screenshot={}", png.display()),
                "--window-size=1200,1600".into(),
                format!("file://{}", target.display()),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let bytes = std::fs::read(&png).expect("the screenshot is written");
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
        bytes.len()
    };
    let report = shot("report.png", &page);
    let blank = shot("blank.png", &dir.join("blank.html"));
    assert!(
        report > 10 * blank,
        "the report's screenshot ({report} bytes) is not much more than a blank page's ({blank})"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
