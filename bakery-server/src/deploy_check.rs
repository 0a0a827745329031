//! The deployment files against the server. `Dockerfile`, `deploy/compose.yaml`,
//! `deploy/Caddyfile` and `deploy/.env.example` cannot be run where the tests run (no
//! container engine), so what can drift is checked here:
//!
//! - every variable the image (`ENV`) and the compose file's bakery services set is one the
//!   server reads ([`crate::config::VARIABLES`]);
//! - the bakery services (those built from the Dockerfile) are at least two and set the same
//!   variables to the same values;
//! - every `${VAR}` the compose file substitutes is documented at its top and listed in
//!   `deploy/.env.example`, and nothing else is;
//! - the proxy reaches each bakery service on the port it listens on, the image exposes that
//!   port, and the proxy's own `{$VAR}` placeholders are set on it.
//!
//! The files are read by small line-based parsers that know only the forms these files use
//! and return an error for anything else, rather than guess.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::config::VARIABLES;

fn read(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn is_var_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

// ---------------------------------------------------------------------------------------------
// Dockerfile

/// What the final stage of a Dockerfile gives the running container.
#[derive(Debug, Default)]
struct Image {
    env: BTreeMap<String, String>,
    expose: Vec<String>,
    healthcheck: Option<String>,
}

/// The instructions as (KEYWORD, arguments), continued lines joined, comments dropped.
fn dockerfile_instructions(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            continue;
        }
        if trimmed.is_empty() {
            if current.is_empty() {
                continue;
            }
            return Err(format!(
                "line {n}: empty line inside a continued instruction"
            ));
        }
        if trimmed.contains("<<") {
            return Err(format!("line {n}: heredocs are not understood"));
        }
        if let Some(body) = trimmed.strip_suffix('\\') {
            current.push_str(body);
            current.push(' ');
            continue;
        }
        current.push_str(trimmed);
        let (keyword, args) = current
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("line {n}: an instruction without arguments: `{current}`"))?;
        out.push((keyword.to_ascii_uppercase(), args.trim().to_owned()));
        current.clear();
    }
    if !current.is_empty() {
        return Err("the file ends inside a continued instruction".into());
    }
    Ok(out)
}

/// The final stage: `ENV` (only the `NAME=value` form, values without quotes or `$`),
/// `EXPOSE` and `HEALTHCHECK`. A stage built `FROM` an earlier one starts from its `ENV`.
fn parse_dockerfile(text: &str) -> Result<Image, String> {
    // (stage name, what it sets), in order; the last one is the stage being read.
    let mut stages: Vec<(Option<String>, Image)> = Vec::new();
    for (keyword, args) in dockerfile_instructions(text)? {
        if keyword == "FROM" {
            let words: Vec<&str> = args
                .split_whitespace()
                .filter(|w| !w.starts_with("--"))
                .collect();
            let (base, name) = match words.as_slice() {
                [base] => (*base, None),
                [base, as_, name] if as_.eq_ignore_ascii_case("as") => (*base, Some(*name)),
                _ => return Err(format!("FROM {args}: not understood")),
            };
            let base = base.to_ascii_lowercase();
            let mut image = Image::default();
            if let Some((_, earlier)) = stages.iter().find(|(n, _)| n.as_deref() == Some(&base)) {
                image.env = earlier.env.clone();
            }
            stages.push((name.map(str::to_ascii_lowercase), image));
            continue;
        }
        let (_, image) = stages
            .last_mut()
            .ok_or_else(|| format!("{keyword} before the first FROM"))?;
        match keyword.as_str() {
            "ENV" => {
                for token in args.split_whitespace() {
                    let (name, value) = token.split_once('=').ok_or_else(|| {
                        format!("ENV {args}: only the NAME=value form is understood")
                    })?;
                    if !is_var_name(name) || value.contains(['"', '\'', '$']) {
                        return Err(format!(
                            "ENV {args}: `{token}` is not NAME=value without quotes or $"
                        ));
                    }
                    image.env.insert(name.to_owned(), value.to_owned());
                }
            }
            "EXPOSE" => image.expose.extend(
                args.split_whitespace()
                    .map(|p| p.trim_end_matches("/tcp").to_owned()),
            ),
            "HEALTHCHECK" => image.healthcheck = Some(args),
            _ => {}
        }
    }
    stages
        .pop()
        .map(|(_, image)| image)
        .ok_or_else(|| "no FROM".into())
}

// ---------------------------------------------------------------------------------------------
// deploy/compose.yaml

/// One service of the compose file.
#[derive(Debug, Default)]
struct Service {
    /// The service's own keys with their inline values (`image: mongo:8` gives `mongo:8`,
    /// `build:` gives the empty string).
    keys: BTreeMap<String, String>,
    /// `environment:`, in either its mapping or its list form, as name → value.
    env: BTreeMap<String, String>,
}

#[derive(Debug)]
struct Compose {
    services: BTreeMap<String, Service>,
    /// Every `${NAME}` substituted outside comments.
    substituted: BTreeSet<String>,
    /// Every `${NAME}` that starts a line of the comment block at the top of the file.
    documented: BTreeSet<String>,
}

impl Compose {
    /// The services built from the repository's Dockerfile: the bakery-server instances.
    fn bakery_services(&self) -> BTreeMap<&str, &Service> {
        self.services
            .iter()
            .filter(|(_, s)| s.keys.contains_key("build"))
            .map(|(name, s)| (name.as_str(), s))
            .collect()
    }
}

/// `"x"` or `'x'` → `x`; anything else as it is.
fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

/// `key: value` or `key:` → (key, value). Keys are plain words (service names, compose keys,
/// variable names).
fn split_key(line: &str) -> Option<(&str, &str)> {
    let (key, value) = match line.split_once(": ") {
        Some((k, v)) => (k, v.trim()),
        None => (line.strip_suffix(':')?, ""),
    };
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain.then_some((key, value))
}

/// One `environment:` value as a plain string; refuses forms whose meaning the check would
/// have to guess (no value, inline comments, nested structures).
fn env_value(n: usize, name: &str, raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        return Err(format!(
            "line {n}: {name} has no value (compose would pass the host's value through)"
        ));
    }
    let value = unquote(raw);
    if value.len() == raw.len()
        && (raw.contains(" #") || raw.starts_with(['{', '[', '|', '>', '&', '*']))
    {
        return Err(format!(
            "line {n}: the value of {name} is not understood: `{raw}`"
        ));
    }
    Ok(value.to_owned())
}

/// Every `${NAME}` (with any `:-` `-` `:?` `?` `:+` `+` modifier) in `text`; `$$` is a literal
/// dollar. A bare `$NAME` or any other `$` is an error: compose would read it differently
/// from what a reader expects.
fn substitutions(n: usize, text: &str, out: &mut BTreeSet<String>) -> Result<(), String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'$') => i += 2,
            Some(b'{') => {
                let rest = &text[i + 2..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let name = &rest[..end];
                let next = rest[end..].chars().next();
                if !is_var_name(name) || !matches!(next, Some('}' | ':' | '-' | '?' | '+')) {
                    return Err(format!("line {n}: substitution not understood: `{text}`"));
                }
                out.insert(name.to_owned());
                i += 2 + end;
            }
            _ => {
                let hint = "write ${NAME}, and $$ for a literal dollar";
                return Err(format!("line {n}: {hint}: `{text}`"));
            }
        }
    }
    Ok(())
}

fn parse_compose(text: &str) -> Result<Compose, String> {
    let mut services: BTreeMap<String, Service> = BTreeMap::new();
    let mut substituted = BTreeSet::new();
    let mut documented = BTreeSet::new();

    let mut in_header = true;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if in_header && !(trimmed.is_empty() || trimmed.starts_with('#')) {
            in_header = false;
        }
        if in_header {
            let doc = trimmed.trim_start_matches('#').trim_start();
            if let Some(rest) = doc.strip_prefix("${") {
                let name = rest.split('}').next().unwrap_or_default();
                if !is_var_name(name) || !rest.contains('}') {
                    return Err(format!(
                        "line {}: documented substitution not understood",
                        i + 1
                    ));
                }
                if !documented.insert(name.to_owned()) {
                    return Err(format!("line {}: ${{{name}}} documented twice", i + 1));
                }
            }
        }
    }

    // (indent, key) of the mappings the current line is inside.
    let mut stack: Vec<(usize, String)> = Vec::new();
    // The indent of a key whose value is a block scalar (`|`, `>`): deeper lines are text.
    let mut block_scalar: Option<usize> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = raw.len() - raw.trim_start_matches(' ').len();
        if raw[indent..].starts_with('\t') {
            return Err(format!("line {n}: tab in the indentation"));
        }
        substitutions(n, trimmed, &mut substituted)?;
        if let Some(open) = block_scalar {
            if indent > open {
                continue;
            }
            block_scalar = None;
        }
        if trimmed == "---" || trimmed == "..." {
            return Err(format!(
                "line {n}: several YAML documents are not understood"
            ));
        }
        let item = trimmed
            .strip_prefix("- ")
            .or((trimmed == "-").then_some(""));
        if item.is_some() && stack.last().is_some_and(|(at, _)| *at == indent) {
            return Err(format!(
                "line {n}: a list item at its key's indentation; indent it under the key"
            ));
        }
        while stack.last().is_some_and(|(at, _)| *at >= indent) {
            stack.pop();
        }
        let path: Vec<&str> = stack.iter().map(|(_, k)| k.as_str()).collect();

        if let Some(item) = item {
            if item.starts_with(['&', '*']) {
                return Err(format!(
                    "line {n}: YAML anchors and aliases are not understood"
                ));
            }
            if let ["services", service, "environment"] = path.as_slice() {
                let entry = unquote(item);
                let (name, value) = entry.split_once('=').ok_or_else(|| {
                    format!(
                        "line {n}: `{item}` sets no value (compose would pass the host's value \
                         through); write NAME=value"
                    )
                })?;
                if !is_var_name(name) {
                    return Err(format!("line {n}: `{name}` is not a variable name"));
                }
                let env = &mut services.get_mut(*service).expect("pushed").env;
                if env.insert(name.to_owned(), value.to_owned()).is_some() {
                    return Err(format!("line {n}: {name} set twice in {service}"));
                }
            }
            continue;
        }

        if trimmed.starts_with("<<:") {
            return Err(format!("line {n}: YAML merges are not understood"));
        }
        let (key, value) =
            split_key(trimmed).ok_or_else(|| format!("line {n}: not understood: `{trimmed}`"))?;
        if value.starts_with(['&', '*']) {
            return Err(format!(
                "line {n}: YAML anchors, aliases and merges are not understood"
            ));
        }
        if value.starts_with(['|', '>']) {
            block_scalar = Some(indent);
        }
        match path.as_slice() {
            ["services"] => {
                if !value.is_empty() {
                    return Err(format!("line {n}: service {key} is not a mapping"));
                }
                if services
                    .insert(key.to_owned(), Service::default())
                    .is_some()
                {
                    return Err(format!("line {n}: service {key} defined twice"));
                }
            }
            ["services", service] => {
                let entry = services.get_mut(*service).expect("pushed");
                if key == "environment" && !value.is_empty() {
                    return Err(format!(
                        "line {n}: write {service}'s environment as a block, one variable a line"
                    ));
                }
                if key == "env_file" {
                    return Err(format!(
                        "line {n}: {service} reads an env_file, whose variables this check \
                         cannot see; set them under environment:"
                    ));
                }
                if entry
                    .keys
                    .insert(key.to_owned(), value.to_owned())
                    .is_some()
                {
                    return Err(format!("line {n}: {service}.{key} set twice"));
                }
            }
            ["services", service, "environment"] => {
                if !is_var_name(key) {
                    return Err(format!("line {n}: `{key}` is not a variable name"));
                }
                let value = env_value(n, key, value)?;
                let env = &mut services.get_mut(*service).expect("pushed").env;
                if env.insert(key.to_owned(), value).is_some() {
                    return Err(format!("line {n}: {key} set twice in {service}"));
                }
            }
            _ => {}
        }
        stack.push((indent, key.to_owned()));
    }
    if services.is_empty() {
        return Err("no services".into());
    }
    Ok(Compose {
        services,
        substituted,
        documented,
    })
}

/// `NAME=value` lines of an env file (comments and blank lines skipped).
fn parse_env_file(text: &str) -> Result<BTreeSet<String>, String> {
    let mut names = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let name = line
            .split_once('=')
            .map(|(name, _)| name)
            .filter(|name| is_var_name(name))
            .ok_or_else(|| format!("line {}: not NAME=value: `{line}`", i + 1))?;
        if !names.insert(name.to_owned()) {
            return Err(format!("line {}: {name} twice", i + 1));
        }
    }
    Ok(names)
}

/// Every `{$NAME}` or `{$NAME:default}` placeholder of a Caddyfile.
fn caddy_placeholders(text: &str) -> BTreeSet<String> {
    text.split("{$")
        .skip(1)
        .filter_map(|rest| rest.split(['}', ':']).next())
        .map(str::to_owned)
        .collect()
}

fn image() -> Image {
    parse_dockerfile(&read("Dockerfile")).unwrap_or_else(|e| panic!("Dockerfile: {e}"))
}

fn compose() -> Compose {
    parse_compose(&read("deploy/compose.yaml"))
        .unwrap_or_else(|e| panic!("deploy/compose.yaml: {e}"))
}

// ---------------------------------------------------------------------------------------------
// The checks

#[test]
fn the_image_and_the_instances_set_only_variables_the_server_reads() {
    let image = image();
    let compose = compose();
    let mut unknown = Vec::new();
    for name in image.env.keys() {
        if !VARIABLES.contains(&name.as_str()) {
            unknown.push(format!("Dockerfile ENV {name}"));
        }
    }
    for (service, s) in compose.bakery_services() {
        for name in s.env.keys() {
            if !VARIABLES.contains(&name.as_str()) {
                unknown.push(format!("deploy/compose.yaml {service}: {name}"));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "set for the server but not read by it (not in config::VARIABLES): {unknown:#?}"
    );
    assert!(
        !image.env.is_empty(),
        "the parser found no ENV in the Dockerfile"
    );
}

#[test]
fn the_instances_are_configured_alike() {
    let compose = compose();
    let bakery = compose.bakery_services();
    assert!(
        bakery.len() >= 2,
        "a chain runs at least two instances; services built from the Dockerfile: {:?}",
        bakery.keys().collect::<Vec<_>>()
    );
    let mut all = bakery.iter();
    let (first_name, first) = all.next().expect("two");
    assert!(!first.env.is_empty(), "{first_name} sets no environment");
    for (name, service) in all {
        assert_eq!(
            service.env, first.env,
            "{name} and {first_name} must set the same variables to the same values"
        );
        assert_eq!(
            service.keys.get("image"),
            first.keys.get("image"),
            "{name} and {first_name} must run the same image"
        );
    }
}

#[test]
fn substitutions_are_documented_and_in_the_env_example() {
    let compose = compose();
    assert!(
        !compose.substituted.is_empty(),
        "the parser found no ${{...}}"
    );
    assert_eq!(
        compose.substituted, compose.documented,
        "deploy/compose.yaml: the ${{...}} it uses (left) and those documented at its top \
         (right) differ"
    );
    let example = parse_env_file(&read("deploy/.env.example"))
        .unwrap_or_else(|e| panic!("deploy/.env.example: {e}"));
    assert_eq!(
        example, compose.documented,
        "deploy/.env.example (left) must list exactly the substitutions compose.yaml \
         documents (right)"
    );
}

#[test]
fn the_proxy_reaches_every_instance_on_its_port() {
    let image = image();
    let compose = compose();
    let caddyfile = read("deploy/Caddyfile");
    for (name, service) in compose.bakery_services() {
        let port = service.env.get("PORT").map_or("3000", String::as_str);
        let upstream = format!("{name}:{port}");
        assert!(
            caddyfile.contains(&upstream),
            "deploy/Caddyfile does not proxy to {upstream}"
        );
        assert!(
            image.expose.iter().any(|p| p == port),
            "the Dockerfile EXPOSEs {:?}, not {port}",
            image.expose
        );
    }
    let healthcheck = image.healthcheck.as_deref().unwrap_or_default();
    assert!(
        healthcheck.contains("/healthz"),
        "the image's HEALTHCHECK must probe /healthz: `{healthcheck}`"
    );

    let (proxy, service) = compose
        .services
        .iter()
        .find(|(_, s)| s.keys.get("image").is_some_and(|i| i.starts_with("caddy")))
        .expect("a caddy service in deploy/compose.yaml");
    let placeholders = caddy_placeholders(&caddyfile);
    assert!(!placeholders.is_empty(), "the Caddyfile has no {{$...}}");
    for name in placeholders {
        assert!(
            service.env.contains_key(&name),
            "deploy/Caddyfile reads {{${name}}}, which {proxy} does not set"
        );
    }
    assert!(
        read("deploy/compose.yaml").contains("./Caddyfile:/etc/caddy/Caddyfile"),
        "{proxy} must mount deploy/Caddyfile"
    );
}

// ---------------------------------------------------------------------------------------------
// The parsers themselves: what they read, and what they refuse.

#[test]
fn the_parsers_read_both_environment_forms_and_stage_inheritance() {
    let compose = parse_compose(
        "# head\n#   ${A}  documented\nservices:\n  x:\n    build: .\n    environment:\n      \
         PORT: \"3000\"\n      B: ${A:-x}\n  y:\n    image: y\n    environment:\n      - \
         PORT=3000\n      - \"C=${A}\"\n    command:\n      - |\n        not: a key\n",
    )
    .unwrap();
    assert_eq!(compose.services["x"].env["PORT"], "3000");
    assert_eq!(compose.services["x"].env["B"], "${A:-x}");
    assert_eq!(compose.services["y"].env["C"], "${A}");
    assert_eq!(compose.bakery_services().len(), 1);
    assert_eq!(compose.documented, BTreeSet::from(["A".to_owned()]));
    assert_eq!(compose.substituted, BTreeSet::from(["A".to_owned()]));

    let image = parse_dockerfile(
        "FROM a AS base\nENV A=1\nFROM base AS two\nENV B=2 \\\n    C=3\nFROM scratch\n",
    )
    .unwrap();
    assert!(image.env.is_empty(), "a stage from an image starts empty");
    let image =
        parse_dockerfile("FROM a AS base\nENV A=1\nFROM base\nENV B=2 C=3\nEXPOSE 3000/tcp\n")
            .unwrap();
    assert_eq!(image.env.keys().collect::<Vec<_>>(), ["A", "B", "C"]);
    assert_eq!(image.expose, ["3000"]);
}

#[test]
fn the_parsers_refuse_what_they_do_not_understand() {
    let service = |body: &str| format!("services:\n  x:\n{body}");
    for (body, expected) in [
        ("    env_file: bakery.env\n", "env_file"),
        ("    environment: {A: 1}\n", "as a block"),
        ("    environment:\n    - A=1\n", "indent it under the key"),
        ("    environment:\n      - A\n", "sets no value"),
        ("    environment:\n      A:\n", "has no value"),
        ("    environment:\n      A: 1 # one\n", "not understood"),
        ("    environment:\n      A: 1\n      A: 2\n", "set twice"),
        ("    environment:\n      A: $B\n", "${NAME}"),
        ("    environment:\n      <<: *common\n", "merges"),
        ("    environment: &env\n      A: 1\n", "anchors"),
        ("    <<: *common\n", "merges"),
        ("    image: *image\n", "anchors"),
        ("    \"quoted key\": 1\n", "not understood"),
    ] {
        let err = parse_compose(&service(body)).unwrap_err();
        assert!(err.contains(expected), "{body:?}: {err}");
    }
    for (text, expected) in [
        ("FROM a\nENV A 1\n", "NAME=value form"),
        ("FROM a\nENV A=\"one two\"\n", "without quotes"),
        ("FROM a\nENV A=$B\n", "without quotes"),
        ("ENV A=1\nFROM a\n", "before the first FROM"),
        ("FROM a\nRUN <<EOF\nENV A=1\nEOF\n", "heredocs"),
        ("FROM a\nENV A=1 \\\n", "ends inside"),
    ] {
        let err = parse_dockerfile(text).unwrap_err();
        assert!(err.contains(expected), "{text:?}: {err}");
    }
}

#[test]
fn the_env_example_lists_every_variable_the_server_reads() {
    let listed = parse_env_file(&read(".env.example")).expect("parse .env.example");
    let read: BTreeSet<String> = crate::config::VARIABLES
        .iter()
        .map(|v| (*v).to_owned())
        .collect();
    assert_eq!(listed, read, ".env.example and config::VARIABLES differ");
}
