//! `pingan user add|list|disable|enable|passwd`.

use crate::config::Config;
use anyhow::{bail, Context};
use clap::Subcommand;
use pingan_core::access::Role;
use pingan_core::account::{check_password, check_username};
use pingan_core::audit::NewAuditEntry;
use pingan_core::ids::UserId;
use pingan_core::ports::{AccountStore, NewUser};
use pingan_server::auth::{hash_password, new_id, new_secret};
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password is read from stdin with --password-stdin, otherwise a
    /// random one is generated and printed once.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        display_name: Option<String>,
        /// For agency desks: the agency (traffic_police, flood_control, fire_service, …).
        #[arg(long)]
        agency: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// Enable an account.
    Enable { username: String },
    /// Set a new password (from stdin with --password-stdin, or random and printed once).
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        let pw = line.trim_end_matches(['\r', '\n']).to_owned();
        check_password(&pw).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok((pw, false))
    } else {
        Ok((new_secret(""), true))
    }
}

fn entry(action: &str, username: &str, detail: serde_json::Value) -> NewAuditEntry {
    super::local_entry("cli", action, "user", username, detail)
}

#[expect(
    clippy::too_many_lines,
    reason = "one procedure whose steps read in order; split when it next grows"
)]
pub async fn run(config: &Config, cmd: UserCommand) -> anyhow::Result<ExitCode> {
    let store = super::open_store(config).await?;
    match cmd {
        UserCommand::Add {
            username,
            role,
            display_name,
            agency,
            password_stdin,
        } => {
            check_username(&username).map_err(|e| anyhow::anyhow!("{e}"))?;
            let role: Role = role.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            if role == Role::AgencyDesk && agency.is_none() {
                bail!("an agency_desk account needs --agency");
            }
            let (password, generated) = read_password(password_stdin)?;
            let hash = hash_password(password.clone()).await?;
            let audit = entry(
                "user.create",
                &username,
                serde_json::json!({ "role": role }),
            );
            let user = store
                .create_user(
                    &NewUser {
                        id: UserId(new_id("u-")),
                        display_name: display_name.unwrap_or_else(|| username.clone()),
                        username: username.clone(),
                        role,
                        agency,
                        password_hash: hash,
                        created_at: super::now(),
                    },
                    vec![audit],
                )
                .await?;
            super::print(&format!("created {} ({})", user.username, user.role));
            if generated {
                super::print(&format!("password (shown once): {password}"));
            }
        }
        UserCommand::List => {
            for u in store.list_users().await? {
                super::print(&format!(
                    "{:<20} {:<13} {:<10} {}",
                    u.username,
                    u.role.as_str(),
                    if u.disabled { "disabled" } else { "enabled" },
                    u.display_name
                ));
            }
        }
        UserCommand::Disable { username } => {
            let audit = entry("user.disable", &username, serde_json::Value::Null);
            store
                .set_user_disabled(&username, true, vec![audit])
                .await?;
            super::print(&format!("disabled {username}; its sessions ended"));
        }
        UserCommand::Enable { username } => {
            let audit = entry("user.enable", &username, serde_json::Value::Null);
            store
                .set_user_disabled(&username, false, vec![audit])
                .await?;
            super::print(&format!("enabled {username}"));
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let (password, generated) = read_password(password_stdin)?;
            let hash = hash_password(password.clone()).await?;
            let audit = entry("user.password", &username, serde_json::Value::Null);
            store.set_password(&username, &hash, vec![audit]).await?;
            super::print(&format!(
                "password of {username} changed; its sessions ended"
            ));
            if generated {
                super::print(&format!("password (shown once): {password}"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
