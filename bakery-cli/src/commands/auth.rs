//! `login`, `logout`, `whoami`.

use std::io::{BufRead, IsTerminal, Write};

use bakery_sdk::{types, Tokens};
use clap::Args;

use crate::config::SignedIn;
use crate::context::Ctx;
use crate::exit::{CliError, Exit, Result};
use crate::output::{self, wire_name};

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  bakery login --phone +33612345678\n  \
    bakery login --phone +33612345678 --otp\n  \
    bakery --server https://shop.example --profile shop login --phone +33612345678")]
pub struct LoginArgs {
    /// Your phone in international form, e.g. +33612345678.
    #[arg(long)]
    pub phone: String,
    /// Your password; asked for when not given (prefer the prompt: flags stay in shell history).
    #[arg(
        long,
        env = "BAKERY_PASSWORD",
        hide_env_values = true,
        conflicts_with = "otp"
    )]
    pub password: Option<String>,
    /// Sign in with a one-time code the server sends by SMS instead of a password.
    #[arg(long)]
    pub otp: bool,
}

pub async fn login(ctx: &Ctx, args: &LoginArgs) -> Result<()> {
    let phone = types::LoginRequestPhone::try_from(args.phone.as_str()).map_err(|_| {
        CliError::invalid(format!(
            "phone: {:?} is not a phone in international form like +33612345678",
            args.phone
        ))
    })?;
    let mut body = types::LoginRequest {
        phone: phone.clone(),
        password: None,
        otp: None,
    };
    if args.otp {
        let send = types::SendOtpRequest {
            phone: types::SendOtpRequestPhone::try_from(args.phone.as_str())
                .map_err(|e| CliError::invalid(format!("phone: {e}")))?,
        };
        ctx.call_public(|api| {
            let send = send.clone();
            async move { api.send_otp().body(send).send().await }
        })
        .await?;
        let code = prompt_line(&format!("Code sent to {} by SMS: ", args.phone), false)?;
        body.otp = Some(
            types::LoginRequestOtp::try_from(code.trim())
                .map_err(|_| CliError::invalid("otp: the code has 6 digits"))?,
        );
    } else {
        let password = match &args.password {
            Some(p) => p.clone(),
            None => prompt_line("Password: ", true)?,
        };
        body.password = Some(
            types::LoginRequestPassword::try_from(password)
                .map_err(|e| CliError::invalid(format!("password: {e}")))?,
        );
    }
    let answer = ctx
        .call_public(|api| {
            let body = body.clone();
            async move { api.login().body(body).send().await }
        })
        .await?;
    let user = &answer.user;
    let server = ctx.server.clone();
    let tokens = Tokens::from(&answer);
    // Catalog prices carry no currency; the shop's terms say which one they are in.
    let shop_currency = ctx
        .call_public(|api| async move { api.get_shop().send().await })
        .await
        .ok()
        .map(|shop| shop.currency.to_ascii_uppercase());
    ctx.file.update(|p| {
        p.server = Some(server);
        p.tokens = Some(tokens);
        if shop_currency.is_some() {
            p.currency = shop_currency;
        }
        p.user = Some(SignedIn {
            id: user.id.clone(),
            name: user.name.clone(),
            phone: user.phone.clone(),
            role: wire_name(&user.role),
        });
    })?;
    if ctx.json {
        return output::print_json(user);
    }
    let role = wire_name(&user.role);
    println!(
        "Signed in as {} ({}, {}) on {} [profile {}].",
        user.name, user.phone, role, ctx.server, ctx.profile_name
    );
    if role != "admin" {
        eprintln!("note: this account is a {role}, not staff: the shop commands will be refused");
    }
    Ok(())
}

pub async fn logout(ctx: &Ctx) -> Result<()> {
    let Some(tokens) = ctx.client.tokens() else {
        if !ctx.json {
            println!("Not signed in [profile {}].", ctx.profile_name);
        }
        ctx.file.update(|p| {
            p.tokens = None;
            p.user = None;
        })?;
        return Ok(());
    };
    let body = types::RefreshRequest {
        refresh_token: types::RefreshRequestRefreshToken::try_from(tokens.refresh_token).ok(),
    };
    // The local session ends whatever the server says; a server that cannot be reached is
    // still reported.
    let server_answer = ctx
        .call_public(|api| {
            let body = body.clone();
            async move { api.logout().body(body).send().await }
        })
        .await;
    ctx.file.update(|p| {
        p.tokens = None;
        p.user = None;
    })?;
    match server_answer {
        // A session the server already ended is signed out all the same.
        Ok(_)
        | Err(CliError {
            exit: Exit::Auth, ..
        }) => {
            if !ctx.json {
                println!("Signed out [profile {}].", ctx.profile_name);
            }
            Ok(())
        }
        Err(mut e) => {
            e.message = format!(
                "signed out locally, but the server was not told: {}",
                e.message
            );
            Err(e)
        }
    }
}

#[derive(Args, Debug)]
#[command(after_help = "Example:\n  bakery whoami\n  bakery --json whoami")]
pub struct WhoamiArgs {}

pub async fn whoami(ctx: &Ctx) -> Result<()> {
    let user = ctx
        .call(|api| async move { api.get_profile().send().await })
        .await?;
    if ctx.json {
        return output::print_json(&user);
    }
    println!("{} ({})", user.name, user.phone);
    println!("role:    {}", wire_name(&user.role));
    println!("server:  {}", ctx.server);
    println!(
        "profile: {} ({})",
        ctx.profile_name,
        ctx.file.path().display()
    );
    Ok(())
}

/// Reads one line: hidden from a terminal for secrets; from standard input when it is a pipe.
fn prompt_line(prompt: &str, secret: bool) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        if secret {
            return rpassword::prompt_password(prompt)
                .map_err(|e| CliError::local("PROMPT_FAILED", e.to_string()));
        }
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line)?;
    if read == 0 {
        return Err(CliError::invalid(format!(
            "{} expected on standard input",
            prompt.trim_end_matches([':', ' '])
        )));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}
