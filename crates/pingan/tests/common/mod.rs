//! What the end-to-end test files share: the real `pingan` binary started as a user would
//! start it, and signing in over HTTP.
#![allow(dead_code, reason = "each test file uses part of it")]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_pingan");
pub const ADMIN_PASSWORD: &str = "district admin password";

/// A running `pingan serve`.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// What the server printed to stderr before it was serving.
    pub early: Vec<String>,
}

pub fn pingan(data_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PINGAN_DATA_DIR", data_dir)
        .env("PINGAN_LOG", "warn")
        .current_dir(data_dir.parent().unwrap_or(data_dir));
    cmd
}

impl Server {
    pub fn start(data_dir: &Path, extra_env: &[(&str, &str)]) -> Server {
        Self::start_command(data_dir, &["serve"], extra_env)
    }

    /// Starts `pingan ARGS…` (serve or demo) and waits until it says where it serves.
    pub fn start_command(data_dir: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Server {
        let mut cmd = pingan(data_dir);
        cmd.args(args)
            .env("PINGAN_LISTEN", "127.0.0.1:0")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start pingan");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut seen = Vec::new();
        let base = loop {
            let line = rx
                .recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| {
                    panic!("pingan did not start; stderr so far:\n{}", seen.join("\n"))
                });
            if let Some((_, rest)) = line.split_once(" is serving on ") {
                break rest.trim().trim_end_matches('/').to_owned();
            }
            seen.push(line);
        };
        // Later lines are drained so that the pipe never fills.
        std::thread::spawn(move || while rx.recv().is_ok() {});
        Server {
            child,
            base,
            early: seen,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends SIGTERM and waits for a clean exit.
    #[expect(
        clippy::disallowed_methods,
        reason = "a synchronous test helper polling a child process; no runtime to block"
    )]
    pub fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        for _ in 0..200 {
            if let Some(s) = self.child.try_wait().expect("wait") {
                assert!(s.success(), "pingan exited with {s}");
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("pingan did not stop within 10 s of SIGTERM");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn login(
    client: &reqwest::Client,
    server: &Server,
    user: &str,
    password: &str,
) -> String {
    let resp = client
        .post(server.url("/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password, "mode": "bearer"}))
        .send()
        .await
        .expect("login");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    body["token"].as_str().expect("token").to_owned()
}
