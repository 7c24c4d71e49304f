//! Embeds the web UI (`web/` at the repository root) into the binary: every file becomes an
//! entry of `web_assets.rs` in OUT_DIR, with its content type, read by `include_bytes!`.

use std::fmt::Write;
use std::path::{Path, PathBuf};

include!("src/content_type.rs");

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().and_then(|e| e.to_str()) != Some("md") {
            out.push(path);
        }
    }
}

#[expect(
    clippy::disallowed_methods,
    reason = "a build script learns its paths from Cargo's environment"
)]
fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let web = manifest.join("../../web");
    println!("cargo:rerun-if-changed={}", web.display());
    println!("cargo:rerun-if-changed=src/content_type.rs");
    let mut files = Vec::new();
    walk(&web, &mut files);
    let mut code = String::from("/// Embedded web files: (path, content type, bytes).\npub static FILES: &[(&str, &str, &[u8])] = &[\n");
    for f in &files {
        let rel = f
            .strip_prefix(&web)
            .expect("under web/")
            .to_string_lossy()
            .replace('\\', "/");
        let abs = f.canonicalize().expect("canonical path");
        let _ = writeln!(
            code,
            "    ({rel:?}, {:?}, include_bytes!({:?})),",
            content_type(&f.to_string_lossy()),
            abs.display().to_string()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("web_assets.rs");
    std::fs::write(out, code).expect("write web_assets.rs");
}
