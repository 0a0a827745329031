//! Logging: readable lines in development, JSON lines in production.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init(production: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only on a terminal: a log file or pipe gets plain lines to grep.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stdout().is_terminal());
    let result = if production {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.try_init()
    };
    // A subscriber already installed (tests) is fine.
    let _ = result;
}
