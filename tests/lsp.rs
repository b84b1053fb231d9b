//! `optimist lsp` as an editor meets it: the binary is spawned and driven
//! over its standard input and output with framed JSON-RPC messages
//! (`Content-Length` headers), from `initialize` to `exit`.

mod common;

use lsp_types::Url;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

/// A client: writes framed messages, and reads them on a thread.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Notifications seen while waiting for responses.
    notifications: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_optimist"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the binary starts");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let (tx, incoming) = channel();
        std::thread::spawn(move || loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some(n) = line.strip_prefix("Content-Length: ") {
                    length = n.parse::<usize>().ok();
                }
            }
            let mut body = vec![0; length.expect("a Content-Length header")];
            stdout.read_exact(&mut body).expect("a whole body");
            let value: Value = serde_json::from_slice(&body).expect("a JSON body");
            if tx.send(value).is_err() {
                return;
            }
        });
        Client {
            child,
            stdin,
            incoming,
            notifications: Vec::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn next(&mut self) -> Value {
        self.incoming
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers within 20 s")
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.next();
            if m["id"] == json!(id) {
                return m;
            }
            self.notifications.push(m);
        }
    }

    /// The result of a request that must succeed.
    fn result(&mut self, method: &str, params: Value) -> Value {
        let r = self.request(method, params);
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &Url) -> Vec<Value> {
        let is_for = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri.as_str()
        };
        if let Some(i) = self.notifications.iter().position(is_for) {
            let m = self.notifications.remove(i);
            return m["params"]["diagnostics"].as_array().cloned().unwrap();
        }
        loop {
            let m = self.next();
            if is_for(&m) {
                return m["params"]["diagnostics"].as_array().cloned().unwrap();
            }
            self.notifications.push(m);
        }
    }

    fn initialize(&mut self, root: &Path) -> Value {
        let root = Url::from_file_path(root).unwrap();
        let r = self.result(
            "initialize",
            json!({"processId": null, "rootUri": root, "capabilities": {}}),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, uri: &Url, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "optimist", "version": 1, "text": text}}),
        );
    }

    fn replace_all(&mut self, uri: &Url, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn at(&mut self, method: &str, uri: &Url, line: u32, character: u32) -> Value {
        self.result(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    }

    /// `shutdown`, `exit`, and the exit status.
    fn finish(mut self) -> Option<i32> {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        self.child.wait().expect("the server exits").code()
    }
}

/// The range of a diagnostic, edit or location (or a range itself).
fn range(d: &Value) -> (u64, u64, u64, u64) {
    let r = if d["range"].is_object() {
        &d["range"]
    } else {
        d
    };
    let n = |v: &Value| v.as_u64().unwrap_or_else(|| panic!("no range in {d}"));
    (
        n(&r["start"]["line"]),
        n(&r["start"]["character"]),
        n(&r["end"]["line"]),
        n(&r["end"]["character"]),
    )
}

fn codes(diags: &[Value]) -> Vec<&str> {
    diags.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

fn labels(items: &Value) -> Vec<String> {
    items
        .as_array()
        .expect("a list of completions")
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

fn hover_text(h: &Value) -> String {
    h["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

const LIB_BROKEN: &str = "# helpers\ndef twice(v, by=2) = v * by\nlet oops = nosuch(1)\n";
const LIB: &str = "# helpers\ndef twice(v, by=2) = v * by\n";

/// The script under test; `budgt` on line 5 is misspelt, after a string
/// with characters outside the Basic Multilingual Plane and Latin-1, so its
/// column in UTF-16 units (25) differs from its byte column (28).
const MAIN: &str = "use std.math\n\
use \"lib.opt\"\n\
param budget = 400\n\
let n = 3\n\
let label = \"𝜃é\" report budgt\n\
pipeline uct = plan(mcts, sims=budget)\n\
report twice(n, by=2) + square(n)\n";

#[test]
fn a_session_from_initialize_to_exit() {
    let dir = common::scratch("lsp", "session");
    std::fs::write(dir.join("lib.opt"), LIB_BROKEN).unwrap();
    let main_path = dir.join("main.opt");
    std::fs::write(&main_path, MAIN).unwrap();
    let main = Url::from_file_path(&main_path).unwrap();
    let lib = Url::from_file_path(dir.join("lib.opt")).unwrap();

    let mut c = Client::start();
    let init = c.initialize(&dir);
    assert_eq!(init["serverInfo"]["name"], "optimist");
    let caps = &init["capabilities"];
    for cap in [
        "hoverProvider",
        "definitionProvider",
        "documentFormattingProvider",
        "documentSymbolProvider",
    ] {
        assert_eq!(caps[cap], true, "{cap}: {caps}");
    }
    assert!(caps["completionProvider"].is_object(), "{caps}");

    // Diagnostics on open: the document's, and the imported file's under
    // its own URI, with the CLI's codes and messages.
    c.open(&main, MAIN);
    let own = c.diagnostics(&main);
    assert_eq!(codes(&own), ["E0201"], "{own:?}");
    assert_eq!(range(&own[0]), (4, 25, 4, 30), "{own:?}");
    let message = own[0]["message"].as_str().unwrap();
    assert!(message.starts_with("unknown name `budgt`"), "{message}");
    assert!(message.contains("did you mean `budget`?"), "{message}");
    assert_eq!(own[0]["severity"], 1);
    let imported = c.diagnostics(&lib);
    assert_eq!(codes(&imported), ["E0203"], "{imported:?}");
    assert_eq!(range(&imported[0]), (2, 11, 2, 17), "{imported:?}");

    // An incremental change fixes the name (UTF-16 range, as the editor
    // sends it): the document's diagnostics are cleared.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": main, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 4, "character": 25}, "end": {"line": 4, "character": 30}}, "text": "budget"}
        ]}),
    );
    assert_eq!(c.diagnostics(&main), Vec::<Value>::new());
    assert_eq!(codes(&c.diagnostics(&lib)), ["E0203"]);

    // Several errors at once, each with its range.
    let broken = "let a = nosuch(1)\nreport a + missing\n";
    c.replace_all(&main, 3, broken);
    let both = c.diagnostics(&main);
    assert_eq!(codes(&both), ["E0203", "E0201"], "{both:?}");
    assert_eq!(range(&both[0]), (0, 8, 0, 14));
    assert_eq!(range(&both[1]), (1, 11, 1, 18));
    // The import is gone: the imported file's diagnostics are cleared.
    assert_eq!(c.diagnostics(&lib), Vec::<Value>::new());

    // The imported file is fixed on disk and the document saved.
    std::fs::write(dir.join("lib.opt"), LIB).unwrap();
    let fixed = MAIN.replace("budgt", "budget");
    c.replace_all(&main, 4, &fixed);
    assert_eq!(c.diagnostics(&main), Vec::<Value>::new());

    // Hover: a builtin's signature, parameter table and example.
    let h = c.at("textDocument/hover", &main, 5, 16);
    let text = hover_text(&h);
    assert!(text.contains("plan(algorithm) → Solver"), "{text}");
    assert!(
        text.contains("| parameter | kind | default | range | meaning |"),
        "{text}"
    );
    assert!(text.contains("Example: `"), "{text}");
    assert_eq!(range(&h), (5, 15, 5, 19));
    // An algorithm, and one of its parameters.
    let text = hover_text(&c.at("textDocument/hover", &main, 5, 21));
    assert!(text.contains("plan(mcts, sims=400"), "{text}");
    assert!(text.contains("Monte Carlo tree search"), "{text}");
    let text = hover_text(&c.at("textDocument/hover", &main, 5, 27));
    assert!(
        text.starts_with("parameter `sims`: Int, default `400`"),
        "{text}"
    );
    // Declared names with their kinds, from this file and an import.
    let text = hover_text(&c.at("textDocument/hover", &main, 3, 4));
    assert!(text.starts_with("let `n` : Int"), "{text}");
    let text = hover_text(&c.at("textDocument/hover", &main, 5, 10));
    assert!(text.starts_with("pipeline `uct` : Solver"), "{text}");
    let text = hover_text(&c.at("textDocument/hover", &main, 2, 8));
    assert!(text.starts_with("param `budget` : Int"), "{text}");
    let text = hover_text(&c.at("textDocument/hover", &main, 6, 8));
    assert!(text.starts_with("def `twice`"), "{text}");
    assert!(text.contains("def twice(v, by=2) = v * by"), "{text}");
    let text = hover_text(&c.at("textDocument/hover", &main, 6, 17));
    assert_eq!(text, "parameter `by` of def `twice`, default `2`");
    // A keyword.
    let text = hover_text(&c.at("textDocument/hover", &main, 6, 2));
    assert!(text.contains("print a value"), "{text}");
    // Nothing under the cursor: null.
    assert_eq!(c.at("textDocument/hover", &main, 3, 9), Value::Null);

    // Completion: named arguments of the call being typed, with the range
    // of the word they replace.
    let typing = format!("{fixed}let d = plan(mcts, si");
    c.replace_all(&main, 5, &typing);
    let items = c.at("textDocument/completion", &main, 7, 21);
    assert_eq!(labels(&items), ["sims="]);
    let edit = &items[0]["textEdit"];
    assert_eq!(edit["newText"], "sims=");
    assert_eq!(range(edit), (7, 19, 7, 21));
    // Algorithm names inside `plan(`.
    c.replace_all(&main, 6, &format!("{fixed}let d = plan(m"));
    let l = labels(&c.at("textDocument/completion", &main, 7, 14));
    assert_eq!(l[..2], ["mcts".to_string(), "minimax".to_string()], "{l:?}");
    // Names in scope: this file's, the import's, the standard module's.
    c.replace_all(&main, 7, &format!("{fixed}report tw"));
    assert_eq!(
        labels(&c.at("textDocument/completion", &main, 7, 9)),
        ["twice"]
    );
    c.replace_all(&main, 8, &format!("{fixed}report squ"));
    assert_eq!(
        labels(&c.at("textDocument/completion", &main, 7, 10)),
        ["square"]
    );
    c.replace_all(&main, 9, &format!("{fixed}report bu"));
    assert_eq!(
        labels(&c.at("textDocument/completion", &main, 7, 9)),
        ["budget"]
    );
    // `std.` modules after `use`.
    c.replace_all(&main, 10, &format!("{fixed}use std.ga"));
    assert_eq!(
        labels(&c.at("textDocument/completion", &main, 7, 10)),
        ["std.games"]
    );
    // Paths in strings, relative to the script's folder.
    c.replace_all(&main, 11, &format!("{fixed}use \"li"));
    assert_eq!(
        labels(&c.at("textDocument/completion", &main, 7, 7)),
        ["lib.opt"]
    );

    // Go to definition.
    c.replace_all(&main, 12, &fixed);
    let _ = c.diagnostics(&main);
    let def = c.at("textDocument/definition", &main, 6, 8);
    assert_eq!(def["uri"], lib.as_str(), "{def}");
    assert_eq!(range(&def), (1, 4, 1, 9));
    let def = c.at("textDocument/definition", &main, 6, 17);
    assert_eq!(
        (def["uri"].as_str(), range(&def)),
        (Some(lib.as_str()), (1, 13, 1, 15))
    );
    let def = c.at("textDocument/definition", &main, 5, 32);
    assert_eq!(
        (def["uri"].as_str(), range(&def)),
        (Some(main.as_str()), (2, 6, 2, 12))
    );
    let def = c.at("textDocument/definition", &main, 1, 7);
    assert_eq!(
        (def["uri"].as_str(), range(&def)),
        (Some(lib.as_str()), (0, 0, 0, 0))
    );
    // A standard module opens a read-only copy of its embedded source.
    let def = c.at("textDocument/definition", &main, 0, 9);
    let copy = Url::parse(def["uri"].as_str().unwrap())
        .unwrap()
        .to_file_path()
        .unwrap();
    let math = std::fs::read_to_string(&copy).unwrap();
    assert!(math.contains("def square(v) = v * v"), "{math}");
    assert!(std::fs::metadata(&copy).unwrap().permissions().readonly());
    // …and a name defined there goes to its line in the copy.
    let def = c.at("textDocument/definition", &main, 6, 26);
    assert_eq!(def["uri"], Url::from_file_path(&copy).unwrap().as_str());
    let line = range(&def).0 as usize;
    assert!(
        math.lines().nth(line).unwrap().starts_with("def square("),
        "{def}"
    );
    // A builtin has no source to go to.
    assert_eq!(c.at("textDocument/definition", &main, 5, 16), Value::Null);

    // Formatting: the formatter's layout as one edit of the whole text.
    let messy = "let   a=[1,2 ,3]   # kept\nreport   sum( a )\n";
    c.replace_all(&main, 13, messy);
    let edits = c.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": main}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0]["newText"],
        "let a = [1, 2, 3] # kept\nreport sum(a)\n"
    );
    assert_eq!(range(&edits[0]), (0, 0, 2, 0));
    // A file with syntax errors is not rewritten.
    c.replace_all(&main, 14, "let a = (\n");
    let r = c.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": main}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    assert_eq!(r, Value::Null);

    // Document symbols: the declarations, a def with its parameters.
    c.replace_all(&main, 15, &fixed);
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": main}}),
    );
    let names: Vec<(&str, u64)> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["kind"].as_u64().unwrap()))
        .collect();
    // 14: constant (a param), 13: variable.
    assert_eq!(
        names,
        [("budget", 14), ("n", 13), ("label", 13), ("uct", 13)]
    );
    assert_eq!(range(&symbols[3]["selectionRange"]), (5, 9, 5, 12));

    assert_eq!(c.finish(), Some(0));
}

#[test]
fn defs_are_symbols_with_their_parameters() {
    let dir = common::scratch("lsp", "symbols");
    let uri = Url::from_file_path(dir.join("defs.opt")).unwrap();
    let mut c = Client::start();
    c.initialize(&dir);
    c.open(
        &uri,
        "def cost(sims, per=2.5e-6) = sims * per\nreport cost(4)\n",
    );
    assert_eq!(c.diagnostics(&uri), Vec::<Value>::new());
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri}}),
    );
    let def = &symbols[0];
    assert_eq!(
        (def["name"].as_str(), def["kind"].as_u64()),
        (Some("cost"), Some(12))
    );
    let params: Vec<&str> = def["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(params, ["sims", "per"]);
    // A use of a def parameter in its body goes to the parameter.
    let d = c.at("textDocument/definition", &uri, 0, 31);
    assert_eq!(range(&d), (0, 9, 0, 13));
    assert_eq!(c.finish(), Some(0));
}

/// A mistake in one line does not hide the kinds of the names that
/// checked: hover still shows them.
#[test]
fn hover_shows_kinds_in_a_file_with_a_mistake_elsewhere() {
    let dir = common::scratch("lsp", "partial");
    let uri = Url::from_file_path(dir.join("partial.opt")).unwrap();
    let mut c = Client::start();
    c.initialize(&dir);
    c.open(
        &uri,
        "param budget = 8\npipeline uct = plan(mcts, sims=budget)\nlet bad = nosuch(1)\nreport bad\n",
    );
    assert_eq!(codes(&c.diagnostics(&uri)), ["E0203"]);
    let text = hover_text(&c.at("textDocument/hover", &uri, 1, 10));
    assert!(text.starts_with("pipeline `uct` : Solver"), "{text}");
    let text = hover_text(&c.at("textDocument/hover", &uri, 0, 7));
    assert!(text.starts_with("param `budget` : Int"), "{text}");
    // The broken declaration has no kind to show.
    let text = hover_text(&c.at("textDocument/hover", &uri, 2, 5));
    assert!(text.starts_with("let `bad`\n"), "{text}");
    assert_eq!(c.finish(), Some(0));
}

/// Every prefix of real scripts, as if typed character by character:
/// diagnostics are published, and hover, completion, definition and
/// symbols answer with results, never errors, and the server exits
/// cleanly at the end.
#[test]
fn half_typed_files_never_break_the_server() {
    let dir = common::scratch("lsp", "typing");
    let uri = Url::from_file_path(dir.join("typing.opt")).unwrap();
    let mut c = Client::start();
    c.initialize(&dir);
    c.open(&uri, "");
    let _ = c.diagnostics(&uri);
    let mut version = 1;
    for example in ["examples/basics.opt", "examples/tictactoe.opt"] {
        let text =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(example)).unwrap();
        let bounds: Vec<usize> = (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .step_by(7)
            .collect();
        for end in bounds {
            version += 1;
            let prefix = &text[..end];
            c.replace_all(&uri, version, prefix);
            let _ = c.diagnostics(&uri);
            let line = prefix.matches('\n').count() as u32;
            let character = prefix.rsplit('\n').next().unwrap().encode_utf16().count() as u32;
            for method in [
                "textDocument/completion",
                "textDocument/hover",
                "textDocument/definition",
            ] {
                let r = c.request(
                    method,
                    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character.saturating_sub(1)}}),
                );
                assert!(
                    r.get("error").is_none(),
                    "{method} at {end} of {example}: {r}"
                );
            }
            let r = c.request(
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            );
            assert!(r.get("error").is_none(), "symbols at {end}: {r}");
        }
    }
    assert_eq!(c.finish(), Some(0));
}

/// Every broken script of the error corpus, and every syntax test: the
/// codes `optimist check` reports, and at every few characters of each
/// line, hover, completion and definition answer with results.
#[test]
fn every_position_of_the_error_corpus_answers() {
    let dir = common::scratch("lsp", "corpus");
    let mut c = Client::start();
    c.initialize(&dir);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["tests/errors", "tests/syntax"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "opt"))
        .collect();
    files.sort();
    assert!(files.len() > 100, "{} scripts", files.len());
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // a corpus file that is not UTF-8 on purpose
        };
        let uri = Url::from_file_path(path).unwrap();
        c.open(&uri, &text);
        // The codes `optimist check` gives for this file, in its order.
        let checked = optimist::driver::check_file(
            path,
            &optimist::interp::Registry::standard(),
            &optimist::driver::Settings::default(),
        )
        .unwrap();
        let expected: Vec<&str> = checked
            .diagnostics
            .iter()
            .filter(|d| {
                d.primary_span()
                    .or(d.labels.first().map(|l| l.span))
                    .is_none_or(|s| s.src == checked.main)
            })
            .map(|d| d.code)
            .collect();
        let diags = c.diagnostics(&uri);
        assert_eq!(codes(&diags), expected, "{}", path.display());
        for (line, content) in text.lines().enumerate() {
            let units = content.encode_utf16().count() as u32;
            for character in (0..=units).step_by(3) {
                for method in [
                    "textDocument/hover",
                    "textDocument/completion",
                    "textDocument/definition",
                ] {
                    let r = c.request(
                        method,
                        json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
                    );
                    assert!(
                        r.get("error").is_none(),
                        "{method} at {line}:{character} of {}: {r}",
                        path.display()
                    );
                }
            }
        }
        c.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }
    assert_eq!(c.finish(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_one() {
    let mut c = Client::start();
    c.initialize(&std::env::temp_dir());
    c.notify("exit", Value::Null);
    drop(c.stdin.take());
    assert_eq!(c.child.wait().unwrap().code(), Some(1));
}
