//! Profiles: one file per profile at `$XDG_CONFIG_HOME/bakery/<profile>.json` (or
//! `~/.config/bakery/` when XDG_CONFIG_HOME is unset), holding the server it talks to, the
//! session tokens, who signed in and the shop currency read at login. The file is only readable by
//! its owner (0600) and is replaced atomically (written beside, then renamed), so a crash never
//! leaves half a token file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use bakery_sdk::Tokens;
use serde::{Deserialize, Serialize};

use crate::exit::{CliError, Result};

/// What a profile remembers.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokens>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<SignedIn>,
    /// ISO 4217, upper case; the shop's, read from GET /shop at login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SignedIn {
    pub id: String,
    pub name: String,
    pub phone: String,
    pub role: String,
}

/// Where one profile's file lives.
#[derive(Clone, Debug)]
pub struct ProfileFile {
    path: PathBuf,
}

impl ProfileFile {
    pub fn for_profile(name: &str) -> Result<Self> {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(CliError::invalid(format!(
                "profile names use letters, digits, '-' and '_' only (got {name:?})"
            )));
        }
        let base = dirs::config_dir().ok_or_else(|| {
            CliError::local(
                "NO_CONFIG_DIR",
                "cannot find a config directory: set XDG_CONFIG_HOME or HOME",
            )
        })?;
        Ok(Self {
            path: base.join("bakery").join(format!("{name}.json")),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved profile, or an empty one when there is no file yet.
    pub fn load(&self) -> Result<Profile> {
        match fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                CliError::local(
                    "BAD_CONFIG",
                    format!(
                        "{} is not a profile file ({e}); delete it and log in again",
                        self.path.display()
                    ),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Profile::default()),
            Err(e) => Err(CliError::local(
                "IO_ERROR",
                format!("cannot read {}: {e}", self.path.display()),
            )),
        }
    }

    /// Writes the whole profile: a 0600 temporary file in the same directory, then a rename.
    pub fn save(&self, profile: &Profile) -> Result<()> {
        let io = |e: std::io::Error| {
            CliError::local(
                "IO_ERROR",
                format!("cannot write {}: {e}", self.path.display()),
            )
        };
        let dir = self
            .path
            .parent()
            .ok_or_else(|| CliError::local("IO_ERROR", "the profile path has no directory"))?;
        create_private_dir(dir).map_err(io)?;
        let text = serde_json::to_vec_pretty(profile)
            .map_err(|e| CliError::local("IO_ERROR", e.to_string()))?;
        // tempfile creates the file with mode 0600 on Unix.
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        restrict(file.path()).map_err(io)?;
        file.write_all(&text).map_err(io)?;
        file.as_file().sync_all().map_err(io)?;
        file.persist(&self.path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Changes the profile in place (load, edit, save).
    pub fn update(&self, edit: impl FnOnce(&mut Profile)) -> Result<()> {
        let mut profile = self.load()?;
        edit(&mut profile);
        self.save(&profile)
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(unix)]
fn restrict(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))
}

#[cfg(not(unix))]
fn restrict(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saves_atomically_with_owner_only_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let file = ProfileFile {
            path: dir.path().join("bakery").join("p.json"),
        };
        assert_eq!(file.load().unwrap(), Profile::default());
        let profile = Profile {
            server: Some("http://x".into()),
            tokens: Some(Tokens {
                access_token: "a".into(),
                refresh_token: "r".into(),
            }),
            user: None,
            currency: Some("EUR".into()),
        };
        file.save(&profile).unwrap();
        assert_eq!(file.load().unwrap(), profile);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(file.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // No temporary file is left beside it.
        let names: Vec<_> = fs::read_dir(dir.path().join("bakery")).unwrap().collect();
        assert_eq!(names.len(), 1);
    }
}
