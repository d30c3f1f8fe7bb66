//! Who may do what: admins and trainers named in the configuration (`telegram:ID`, `zalo:ID`),
//! plus trainers granted at run time (the `role` column of the store).

use std::collections::HashSet;

use thiserror::Error;

use crate::store::UserKey;

/// A user's role, from least to most rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Everyone.
    User,
    /// Runs group quizzes and reads their results.
    Trainer,
    /// Runs the campaign: tips, alerts, statistics, grants trainers.
    Admin,
}

impl Role {
    /// The stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Trainer => "trainer",
            Self::Admin => "admin",
        }
    }

    /// From the stored name (anything unknown is a plain user).
    #[must_use]
    pub fn parse(s: &str) -> Self {
        match s {
            "admin" => Self::Admin,
            "trainer" => Self::Trainer,
            _ => Self::User,
        }
    }
}

/// A malformed `CANHGIAC_ADMINS` / `CANHGIAC_TRAINERS` entry.
#[derive(Debug, Error)]
#[error("{setting}: \"{entry}\" is not of the form telegram:ID or zalo:ID")]
pub struct RolesError {
    /// Which setting.
    pub setting: &'static str,
    /// The entry.
    pub entry: String,
}

/// Admins and trainers from the configuration.
#[derive(Debug, Clone, Default)]
pub struct Roles {
    admins: HashSet<UserKey>,
    trainers: HashSet<UserKey>,
}

/// Reads one `telegram:ID` / `zalo:ID` entry of `setting`.
pub fn parse_user(setting: &'static str, entry: &str) -> Result<UserKey, RolesError> {
    let (channel, id) = entry.trim().split_once(':').unwrap_or(("", ""));
    let (channel, id) = (channel.trim().to_ascii_lowercase(), id.trim());
    if !matches!(channel.as_str(), "telegram" | "zalo" | "console") || id.is_empty() {
        return Err(RolesError { setting, entry: entry.to_owned() });
    }
    Ok(UserKey::new(&channel, id))
}

fn parse_list(setting: &'static str, list: &[String]) -> Result<HashSet<UserKey>, RolesError> {
    list.iter().map(|entry| parse_user(setting, entry)).collect()
}

impl Roles {
    /// From the `CANHGIAC_ADMINS` and `CANHGIAC_TRAINERS` lists.
    pub fn new(admins: &[String], trainers: &[String]) -> Result<Self, RolesError> {
        Ok(Self {
            admins: parse_list("CANHGIAC_ADMINS", admins)?,
            trainers: parse_list("CANHGIAC_TRAINERS", trainers)?,
        })
    }

    /// The role of a user whose stored role is `stored`: configuration wins upwards (a
    /// configured admin is always an admin; a stored trainer stays a trainer).
    #[must_use]
    pub fn of(&self, key: &UserKey, stored: &str) -> Role {
        if self.admins.contains(key) {
            Role::Admin
        } else if self.trainers.contains(key) {
            Role::Trainer.max(Role::parse(stored))
        } else {
            Role::parse(stored)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configured_roles_and_stored_grants() {
        let r =
            Roles::new(&["telegram:1".into(), " zalo:abc ".into()], &["telegram:2".into()]).expect("roles");
        assert_eq!(r.of(&UserKey::new("telegram", "1"), "user"), Role::Admin);
        assert_eq!(r.of(&UserKey::new("zalo", "abc"), "user"), Role::Admin);
        assert_eq!(r.of(&UserKey::new("telegram", "2"), "user"), Role::Trainer);
        assert_eq!(r.of(&UserKey::new("telegram", "3"), "trainer"), Role::Trainer);
        assert_eq!(r.of(&UserKey::new("zalo", "1"), "user"), Role::User);
    }

    #[test]
    fn malformed_entries_are_named() {
        let e = Roles::new(&["telegram".into()], &[]).expect_err("no id");
        assert!(e.to_string().contains("CANHGIAC_ADMINS") && e.to_string().contains("\"telegram\""));
        assert!(Roles::new(&[], &["viber:1".into()]).is_err());
    }
}
