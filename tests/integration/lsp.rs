//! `tier lsp` as an editor uses it: the real binary, JSON-RPC with Content-Length framing over
//! its standard input and output, on a shipped ruleset. Every read has a deadline, so a server
//! that stops answering fails the test instead of hanging it.
//!
//! With `TIER_LSP_TRANSCRIPT=FILE` set, the session's messages are written to FILE (one JSON
//! message a line, `>` sent, `<` received): docs/LSP.md shows such a transcript.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_secs(20);
const RULESET: &str = "rulesets/rfm.tier";
const URI: &str = "file:///work/rulesets/rfm.tier";

/// A minimal LSP client over the server's stdio.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pending: Vec<Value>,
    transcript: Vec<String>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tier"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tier lsp starts");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("stdout");
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if tx.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            pending: Vec::new(),
            transcript: Vec::new(),
        }
    }

    fn send(&mut self, message: Value) {
        let text = message.to_string();
        self.transcript.push(format!("> {text}"));
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n{text}", text.len()).expect("write");
        stdin.flush().expect("flush");
    }

    fn receive(&mut self, until: Instant) -> Value {
        let left = until.saturating_duration_since(Instant::now());
        let message = self
            .incoming
            .recv_timeout(left)
            .expect("the server answers before the deadline");
        self.transcript.push(format!("< {message}"));
        message
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response (the whole response: `result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let until = Instant::now() + DEADLINE;
        loop {
            let m = self.receive(until);
            if m["id"] == json!(id) {
                return m;
            }
            self.pending.push(m);
        }
    }

    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The next diagnostics published for the document that satisfy `want`.
    fn diagnostics(&mut self, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let until = Instant::now() + DEADLINE;
        let mut queue = std::mem::take(&mut self.pending).into_iter();
        loop {
            let m = match queue.next() {
                Some(m) => m,
                None => self.receive(until),
            };
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == URI {
                let diags = m["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if want(&diags) {
                    self.pending.extend(queue);
                    return diags;
                }
            }
        }
    }

    fn change(&mut self, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": URI, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
    }

    fn shutdown(mut self) -> i32 {
        self.result("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.stdin = None;
        let until = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < until, "tier lsp did not exit");
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(path) = std::env::var_os("TIER_LSP_TRANSCRIPT") {
            std::fs::write(path, self.transcript.join("\n") + "\n").expect("transcript");
        }
        status.code().unwrap_or(-1)
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed assertion must not leave the server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The LSP position (line, UTF-16 column) of the `nth` occurrence of `needle` in `text`, one
/// character into it (inside the name it starts with).
fn position(text: &str, needle: &str, nth: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} in the ruleset"))
        .0;
    let line = text[..at].matches('\n').count();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let character = text[line_start..at].encode_utf16().count() + 1;
    json!({"line": line, "character": character})
}

fn line_of(text: &str, needle: &str, nth: usize) -> u64 {
    position(text, needle, nth)["line"].as_u64().unwrap()
}

fn at(text: &str, needle: &str, nth: usize) -> Value {
    json!({"textDocument": {"uri": URI}, "position": position(text, needle, nth)})
}

fn open(client: &mut Client, text: &str) {
    let init = client.result(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert_eq!(init["serverInfo"]["name"], "tier");
    assert_eq!(init["capabilities"]["textDocumentSync"], 1, "full sync");
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "tier", "version": 1, "text": text}}),
    );
}

#[test]
fn an_editor_session_on_a_shipped_ruleset() {
    let text = std::fs::read_to_string(RULESET).unwrap();
    let mut client = Client::start();
    open(&mut client, &text);

    // A shipped ruleset: no errors.
    let diags = client.diagnostics(|_| true);
    assert!(
        diags.iter().all(|d| d["severity"] != 1),
        "errors in {RULESET}: {diags:?}"
    );

    // Hover on an input: its type and column.
    let hover = client.result("textDocument/hover", at(&text, "消费金额     money", 0));
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("input") && value.contains("money"),
        "{value}"
    );
    assert!(value.contains("近12个月消费金额(元)"), "{value}");

    // Definition of a let used in the grade: its declaration.
    let def = client.result(
        "textDocument/definition",
        at(&text, "R高 and F高 and M高", 0),
    );
    assert_eq!(def["uri"], URI);
    assert_eq!(def["range"]["start"]["line"], line_of(&text, "let R高", 0));
    assert_eq!(def["range"]["start"]["character"], 4);
    assert_eq!(
        def["range"]["end"]["character"], 6,
        "two UTF-16 units: R 高"
    );

    // References of an input include its uses in `test` blocks.
    let refs = client.result(
        "textDocument/references",
        json!({"textDocument": {"uri": URI}, "position": position(&text, "消费次数", 0),
               "context": {"includeDeclaration": true}}),
    );
    let lines: Vec<u64> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert!(lines.contains(&line_of(&text, "消费次数     integer", 0)));
    assert!(lines.contains(&line_of(&text, "quantiles 消费次数", 0)));
    assert!(
        lines.contains(&line_of(&text, "消费次数 = 12", 0)),
        "{lines:?}"
    );

    // Rename edits every occurrence, tests included; a keyword or a taken name is refused.
    let mut params = at(&text, "未消费天数 = days_since", 0);
    params["newName"] = json!("空档天数");
    let edit = client.result("textDocument/rename", params.clone());
    let edits = edit["changes"][URI].as_array().unwrap();
    // The declaration, the use in `relative R`, the `expect` in the first test.
    assert_eq!(edits.len(), 3, "{edits:?}");
    let edited: Vec<u64> = edits
        .iter()
        .map(|e| e["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    assert!(
        edited.contains(&line_of(&text, "expect 未消费天数", 0)),
        "{edited:?}"
    );
    assert!(edits.iter().all(|e| e["newText"] == "空档天数"));
    for taken in ["if", "R高", "重要价值客户", "2x"] {
        params["newName"] = json!(taken);
        let refused = client.request("textDocument/rename", params.clone());
        assert!(
            refused.get("error").is_some(),
            "rename to {taken}: {refused}"
        );
    }

    // Completion: after `expect ` only names; at a line start names and keywords; after
    // `客户类型 = ` the grade's labels.
    let labels = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                c.get("label")
                    .unwrap_or(&c["name"])
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let mut p = position(&text, "expect 未消费天数", 0);
    p["character"] = json!(p["character"].as_u64().unwrap() + 6);
    let names = labels(&client.result(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": p}),
    ));
    assert!(names.contains(&"消费金额".to_string()), "{names:?}");
    assert!(!names.contains(&"grade".to_string()), "{names:?}");
    let mut p = position(&text, "output {", 0);
    p["character"] = json!(0);
    let start = labels(&client.result(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": p}),
    ));
    assert!(start.contains(&"grade".to_string()) && start.contains(&"RFM码".to_string()));
    let mut p = position(&text, "客户类型 = 重要价值客户", 0);
    p["character"] = json!(p["character"].as_u64().unwrap() + 6);
    let grades = labels(&client.result(
        "textDocument/completion",
        json!({"textDocument": {"uri": URI}, "position": p}),
    ));
    assert_eq!(grades.len(), 8, "{grades:?}");
    assert!(grades.contains(&"一般挽留客户".to_string()));

    // The outline.
    let symbols = client.result(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": URI}}),
    );
    let names = labels(&symbols);
    for n in [
        "消费金额",
        "未消费天数",
        "R",
        "客户类型",
        "recency counts to the as-of date",
    ] {
        assert!(names.contains(&n.to_string()), "{n} in {names:?}");
    }

    // Semantic tokens: five numbers a token, one token at least per declaration.
    let tokens = client.result(
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": URI}}),
    );
    let data = tokens["data"].as_array().unwrap();
    assert!(
        data.len() % 5 == 0 && data.len() / 5 > names.len(),
        "{}",
        data.len()
    );

    // A misspelt name: the checker's error, with its code, at the name, and a quick fix.
    let broken = text.replacen("重要价值客户 when R高", "重要价值客户 when R高高", 1);
    client.change(2, &broken);
    let diags = client.diagnostics(|d| !d.is_empty());
    let unknown = diags
        .iter()
        .find(|d| d["code"] == "tier::name::unknown")
        .unwrap_or_else(|| panic!("{diags:?}"));
    assert_eq!(
        unknown["range"]["start"]["line"],
        line_of(&broken, "R高高", 0)
    );
    assert!(unknown["message"]
        .as_str()
        .unwrap()
        .contains("did you mean"));
    let actions = client.result(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": unknown["range"], "context": {"diagnostics": []}}),
    );
    assert_eq!(
        actions[0]["edit"]["changes"][URI][0]["newText"], "R高",
        "{actions}"
    );

    // Half typed: a missing `}` gives a located syntax error, not silence.
    let cut = text.replacen(
        "output { grade 客户类型  subgrade RFM码  revenue 消费金额 }",
        "output { grade 客户类型",
        1,
    );
    client.change(3, &cut);
    let diags = client.diagnostics(|d| d.iter().any(|d| d["code"] == "tier::syntax"));
    assert!(diags[0]["range"]["start"]["line"].as_u64().is_some());

    // Fixed again: the diagnostics are cleared (rfm.tier has no warnings either).
    client.change(4, &text);
    client.diagnostics(|d| d.is_empty());

    // Formatting a formatted ruleset changes nothing.
    let edits = client.result(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits, json!([]));

    assert_eq!(client.shutdown(), 0);
}

#[test]
fn a_burst_of_changes_is_checked_once_the_typing_pauses() {
    let text = std::fs::read_to_string(RULESET).unwrap();
    let mut client = Client::start();
    open(&mut client, &text);
    client.diagnostics(|_| true);
    // Five quick edits, the last one clean: the server must end on the clean text's diagnostics,
    // and not publish one set per keystroke.
    for (i, typo) in ["R", "R搞", "R搞搞", "R高高"].iter().enumerate() {
        let t = text.replacen("when R高 and", &format!("when {typo} and"), 1);
        client.change(i as i32 + 2, &t);
    }
    client.change(9, &text);
    let diags = client.diagnostics(|_| true);
    assert!(diags.iter().all(|d| d["severity"] != 1), "{diags:?}");
    assert_eq!(client.shutdown(), 0);
}
