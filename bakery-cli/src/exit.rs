//! Exit codes and the one-line error every failure prints.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | anything else (a local file that cannot be read, a terminal error) |
//! | 2 | usage: a wrong flag or argument (clap's own code) |
//! | 3 | authentication: not signed in, wrong password or code, session expired, not staff |
//! | 4 | not found |
//! | 5 | conflict: an illegal status change, a duplicate, a category still in use |
//! | 6 | validation: the server (or the CLI, before sending) refused the input |
//! | 7 | server or network failure: cannot connect, time-out, 5xx, rate limited |
//!
//! Errors print as `error: <CODE>: <message>` on one line of standard error, where CODE is the
//! server's error code when the server answered.

use std::fmt;
use std::process::ExitCode;

use bakery_sdk::ApiError;

/// The documented exit codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Other = 1,
    Auth = 3,
    NotFound = 4,
    Conflict = 5,
    Validation = 6,
    Server = 7,
}

impl Exit {
    pub fn code(self) -> ExitCode {
        ExitCode::from(self as u8)
    }

    pub fn from_status(status: u16) -> Self {
        match status {
            401 | 403 => Exit::Auth,
            404 => Exit::NotFound,
            409 => Exit::Conflict,
            400 | 413 | 415 | 422 => Exit::Validation,
            _ => Exit::Server,
        }
    }
}

/// A failure as the user sees it.
#[derive(Debug, thiserror::Error)]
pub struct CliError {
    pub exit: Exit,
    pub code: String,
    pub message: String,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

pub type Result<T, E = CliError> = std::result::Result<T, E>;

impl CliError {
    pub fn new(exit: Exit, code: &str, message: impl Into<String>) -> Self {
        Self {
            exit,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    pub fn not_signed_in() -> Self {
        Self::new(
            Exit::Auth,
            "NOT_SIGNED_IN",
            "not signed in: run `bakery login --phone <PHONE>` first",
        )
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            Exit::NotFound,
            "NOT_FOUND",
            format!("no {what} with id {id}"),
        )
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(Exit::Validation, "INVALID_INPUT", message)
    }

    pub fn local(code: &str, message: impl Into<String>) -> Self {
        Self::new(Exit::Other, code, message)
    }

    /// Maps an SDK error; `server` names the base URL in network messages.
    pub fn from_api(e: ApiError, server: &str) -> Self {
        match e {
            bakery_sdk::Error::ErrorResponse(answer) => {
                let status = answer.status().as_u16();
                let body = answer.into_inner();
                let mut message = one_line(&body.message);
                if let Some(field) = body.details.map(|d| d.field) {
                    if !message.contains(&field) {
                        message = format!("{message} (field: {field})");
                    }
                }
                Self::new(Exit::from_status(status), &body.code.to_string(), message)
            }
            bakery_sdk::Error::UnexpectedResponse(response) => {
                let status = response.status();
                Self::new(
                    Exit::from_status(status.as_u16()),
                    "UNEXPECTED_RESPONSE",
                    format!("the server answered {status}"),
                )
            }
            bakery_sdk::Error::CommunicationError(e)
            | bakery_sdk::Error::InvalidUpgrade(e)
            | bakery_sdk::Error::ResponseBodyError(e) => {
                if e.is_timeout() {
                    Self::new(
                        Exit::Server,
                        "TIMEOUT",
                        format!("the server at {server} did not answer in time"),
                    )
                } else if e.is_connect() {
                    Self::new(
                        Exit::Server,
                        "CANNOT_CONNECT",
                        format!(
                            "cannot connect to the server at {server}: is it running? \
                             (choose another with --server or BAKERY_URL)"
                        ),
                    )
                } else {
                    Self::new(
                        Exit::Server,
                        "NETWORK_ERROR",
                        format!("talking to {server} failed: {}", source_chain(&e)),
                    )
                }
            }
            bakery_sdk::Error::InvalidResponsePayload(_, e) => Self::new(
                Exit::Server,
                "BAD_RESPONSE",
                format!("the server's answer could not be read: {e}"),
            ),
            bakery_sdk::Error::InvalidRequest(message) => {
                if message == "not signed in" {
                    Self::not_signed_in()
                } else {
                    Self::invalid(message)
                }
            }
            bakery_sdk::Error::Custom(message) => Self::new(Exit::Other, "ERROR", message),
        }
    }

    /// Prints the one line and returns the exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("error: {self}");
        self.exit.code()
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn source_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::local("IO_ERROR", e.to_string())
    }
}
