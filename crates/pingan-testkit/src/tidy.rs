//! The mechanical rules of ARCHITECTURE.md, checked over the whole tree (as rust-analyzer's
//! `xtask/src/tidy.rs` does): SQL only in the database crate and the capabilities' store
//! modules, HTTP only in the platform server, the binary and the capabilities' `http` modules,
//! no async runtime in `domain/`, no HTTP-side or I/O crate under the kernel and the engines,
//! and no source file over 800 lines.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Longest source file allowed; split a module before it grows past this.
    const MAX_LINES: usize = 800;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn walk(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if p.is_dir() {
                if !matches!(name, "target" | "node_modules" | "vendor" | ".git") {
                    walk(&p, ext, out);
                }
            } else if p.extension().and_then(|x| x.to_str()) == Some(ext) {
                out.push(p);
            }
        }
    }

    /// Product source files of the workspace (tests, benches and examples left out), as paths
    /// relative to the repository root.
    fn product_rust() -> Vec<(String, String)> {
        let root = root();
        let mut files = Vec::new();
        walk(&root.join("crates"), "rs", &mut files);
        files
            .into_iter()
            .filter_map(|p| {
                let rel = p
                    .strip_prefix(&root)
                    .ok()?
                    .to_string_lossy()
                    .replace('\\', "/");
                let parts: Vec<&str> = rel.split('/').collect();
                // crates/<crate>/src/… only; build scripts and tests dirs are not product code,
                // and this file names the crates it looks for.
                (parts.len() > 3 && parts[2] == "src" && !rel.ends_with("/tidy.rs"))
                    .then_some(())?;
                let text = std::fs::read_to_string(&p).ok()?;
                Some((rel, text))
            })
            .collect()
    }

    /// True when `line` uses the crate `name` as a path (`name::…` outside a string literal
    /// and not as the tail of another name such as `utoipa_axum`).
    fn uses(line: &str, name: &str) -> bool {
        let code = line.split("//").next().unwrap_or("");
        let pat = format!("{name}::");
        code.match_indices(&pat).any(|(i, _)| {
            let before = &code[..i];
            let quoted = before.matches('"').count() % 2 == 1;
            let joined = before
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            !quoted && !joined
        })
    }

    fn crate_of(rel: &str) -> &str {
        rel.split('/').nth(1).unwrap_or("")
    }

    /// A capability crate: one with a `src/domain/` folder.
    fn is_capability(krate: &str) -> bool {
        root()
            .join("crates")
            .join(krate)
            .join("src/domain")
            .is_dir()
    }

    fn in_module(rel: &str, module: &str) -> bool {
        let src = rel.splitn(4, '/').nth(3).unwrap_or("");
        src == format!("{module}.rs") || src.starts_with(&format!("{module}/"))
    }

    fn violations(rule: impl Fn(&str, &str) -> Option<String>) -> Vec<String> {
        let mut out = Vec::new();
        for (rel, text) in product_rust() {
            for (n, line) in text.lines().enumerate() {
                if let Some(why) = rule(&rel, line) {
                    out.push(format!("{rel}:{}: {why}", n + 1));
                }
            }
        }
        out
    }

    #[test]
    fn sql_lives_in_the_database_crate_and_the_store_modules() {
        let found = violations(|rel, line| {
            let k = crate_of(rel);
            let allowed = k == "pingan-db" || (is_capability(k) && in_module(rel, "store"));
            (!allowed && uses(line, "sqlx")).then(|| "sqlx outside a store module".to_owned())
        });
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    /// A store function that writes (`INSERT`, `UPDATE`, `DELETE`) does so inside a write
    /// transaction, whose commit takes the change's ledger entries or names why there are none
    /// (`pingan_db::Unaudited`): never straight on the pool, where a change could commit with no
    /// entry.
    #[test]
    fn store_writes_go_through_a_write_transaction() {
        let mut found = Vec::new();
        for (rel, text) in product_rust() {
            let k = crate_of(&rel);
            if !(k == "pingan-db" || (is_capability(k) && in_module(&rel, "store"))) {
                continue;
            }
            let mut start = 0;
            let lines: Vec<&str> = text.lines().collect();
            let is_fn = |l: &str| {
                let t = l.trim_start();
                [
                    "fn ",
                    "async fn ",
                    "pub fn ",
                    "pub async fn ",
                    "pub(crate) async fn ",
                ]
                .iter()
                .any(|p| t.starts_with(p))
            };
            for i in 0..=lines.len() {
                if i == lines.len() || (i > start && is_fn(lines[i])) {
                    let body = lines[start..i].join("\n");
                    let writes = ["\"INSERT INTO", "\"UPDATE ", "\"DELETE FROM"]
                        .iter()
                        .any(|w| body.contains(w));
                    if writes && body.contains("pool()") {
                        found.push(format!(
                            "{rel}:{}: writes on the pool, not in a write transaction",
                            start + 1
                        ));
                    }
                    start = i;
                }
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    #[test]
    fn http_lives_at_the_edge() {
        let found = violations(|rel, line| {
            let k = crate_of(rel);
            let allowed = matches!(k, "pingan-server" | "pingan" | "pingan-testkit")
                || (is_capability(k) && in_module(rel, "http"));
            (!allowed && uses(line, "axum")).then(|| "axum outside an http module".to_owned())
        });
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    #[test]
    fn domain_code_does_no_io() {
        let found = violations(|rel, line| {
            let k = crate_of(rel);
            if !(is_capability(k) && in_module(rel, "domain")) {
                return None;
            }
            ["tokio", "sqlx", "axum", "reqwest", "std::fs", "std::net"]
                .iter()
                .find(|name| uses(line, name) || line.contains(&format!("use {name}")))
                .map(|name| format!("{name} in domain/"))
        });
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    /// The names under a manifest's `[dependencies]` table (not its dev-dependencies).
    fn dependencies(manifest: &str) -> Vec<String> {
        let mut inside = false;
        let mut names = Vec::new();
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                inside = line == "[dependencies]";
            } else if inside {
                if let Some((name, _)) = line.split_once('=') {
                    names.push(name.trim().to_owned());
                }
            }
        }
        names
    }

    #[test]
    fn the_kernel_and_the_engines_depend_on_no_edge_crate() {
        let root = root();
        let edge = [
            "utoipa", "axum", "sqlx", "tokio", "reqwest", "rumqttc", "tower",
        ];
        let mut found = Vec::new();
        for krate in [
            "pingan-core",
            "pingan-reads",
            "pingan-spatial",
            "pingan-crimestat",
            "pingan-demo",
        ] {
            let path = root.join("crates").join(krate).join("Cargo.toml");
            let manifest = std::fs::read_to_string(&path).expect("a manifest");
            let deps = dependencies(&manifest);
            assert!(!deps.is_empty(), "{krate}: no [dependencies] read");
            for d in deps
                .iter()
                .filter(|d| edge.iter().any(|e| d.starts_with(e)))
            {
                found.push(format!("{krate} depends on {d}"));
            }
        }
        assert!(found.is_empty(), "{}", found.join("\n"));
    }

    #[test]
    fn no_source_file_passes_800_lines() {
        let root = root();
        let mut files = Vec::new();
        walk(&root.join("crates"), "rs", &mut files);
        walk(&root.join("web/js"), "js", &mut files);
        walk(&root.join("tests/browser"), "mjs", &mut files);
        let long: Vec<String> = files
            .iter()
            .filter_map(|p| {
                let n = std::fs::read_to_string(p).ok()?.lines().count();
                (n > MAX_LINES).then(|| format!("{} ({n} lines)", p.display()))
            })
            .collect();
        assert!(long.is_empty(), "split these files:\n{}", long.join("\n"));
    }

    #[test]
    fn the_rules_see_what_they_look_for() {
        assert_eq!(
            dependencies("[package]\nname = \"x\"\n[dependencies]\nutoipa = { workspace = true }\n[dev-dependencies]\ntokio = \"1\"\n"),
            vec!["utoipa".to_owned()]
        );
        assert!(uses("use sqlx::Row;", "sqlx"));
        assert!(uses("    sqlx::query(\"x\")", "sqlx"));
        assert!(!uses("use utoipa_axum::router;", "axum"));
        assert!(!uses("const F: &str = \"info,sqlx::query=error\";", "sqlx"));
        assert!(!uses("// see sqlx::query", "sqlx"));
        assert!(in_module(
            "crates/pingan-plates/src/store/reads.rs",
            "store"
        ));
        assert!(in_module("crates/pingan-plates/src/http.rs", "http"));
        assert!(!in_module(
            "crates/pingan-plates/src/service/mod.rs",
            "store"
        ));
        assert!(is_capability("pingan-plates"));
    }
}
