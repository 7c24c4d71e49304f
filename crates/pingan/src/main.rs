//! `pingan`: the binary and composition root.
//!
//! It parses the command line and configuration, sets up tracing, opens the store chosen by the
//! database URL, and wires the server, the MQTT ingest runtime and the background tasks together.
//! Nothing else in the workspace reads configuration or the environment.

mod capabilities;
mod commands;
mod config;

use clap::{Parser, Subcommand};
use config::{GlobalArgs, ServeArgs};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "pingan",
    version,
    about = "平安 pingan: public-safety operations platform for a city district"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (migrates the database first).
    Serve(ServeArgs),
    /// Run a living demo district modelled on the report (data in ./data/demo by default).
    Demo(commands::demo::DemoArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Manage accounts.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Check the audit ledger.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run crime analytics on an events file (CSV or GeoJSON) and print JSON.
    #[command(subcommand)]
    Analyze(commands::analyze::AnalyzeCommand),
    /// Print the role × permission table (Markdown).
    Roles,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// Replace the geography with a GeoJSON FeatureCollection.
    Geography {
        /// The GeoJSON file.
        file: PathBuf,
    },
    /// Import plate reads from a CSV file (header first), with a progress bar.
    Reads {
        /// The CSV file.
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the whole hash chain; exits 1 and names the first broken entry if it fails.
    Verify,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    use std::process::ExitCode;
    let global = cli.global;
    match cli.command {
        Command::Serve(serve) => {
            let config = config::Config::load(&global, &serve)?;
            if serve.print_config {
                commands::print(&config.to_toml());
                return Ok(ExitCode::SUCCESS);
            }
            commands::init_tracing(&config.log);
            commands::serve::run(config).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => commands::demo::run(&global, args).await,
        Command::Migrate => {
            let config = config::Config::load(&global, &ServeArgs::default())?;
            commands::init_tracing(&config.log);
            let store = commands::open_store(&config).await?;
            commands::print(&format!(
                "database {} is at the latest schema ({} migration(s) embedded)",
                config.database_url,
                pingan_db::Store::migration_list(store.backend()).len()
            ));
            Ok(ExitCode::SUCCESS)
        }
        Command::Import(ImportCommand::Geography { file }) => {
            let config = config::Config::load(&global, &ServeArgs::default())?;
            commands::init_tracing(&config.log);
            commands::import::geography(&config, &file).await
        }
        Command::Import(ImportCommand::Reads { file }) => {
            let config = config::Config::load(&global, &ServeArgs::default())?;
            commands::init_tracing(&config.log);
            commands::reads::import(&config, &file).await
        }
        Command::User(cmd) => {
            let config = config::Config::load(&global, &ServeArgs::default())?;
            commands::init_tracing(&config.log);
            commands::user::run(&config, cmd).await
        }
        Command::Audit(AuditCommand::Verify) => {
            let config = config::Config::load(&global, &ServeArgs::default())?;
            commands::init_tracing(&config.log);
            commands::audit::verify(&config).await
        }
        Command::Analyze(cmd) => commands::analyze::run(cmd).await,
        Command::Roles => {
            commands::print(&pingan_core::access::permission_table_markdown());
            Ok(ExitCode::SUCCESS)
        }
    }
}
