//! Who may do what: admins and trainers named in the configuration (`telegram:ID`, `zalo:ID`),
//! plus trainers granted at run time (the `role` column of the store).

use std::collections::HashSet;

use thiserror::Error;

use crate::model::UserKey;

pub use crate::model::Role;

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
    entry.parse().map_err(|_| RolesError { setting, entry: entry.to_owned() })
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
    pub fn of(&self, key: &UserKey, stored: Role) -> Role {
        if self.admins.contains(key) {
            Role::Admin
        } else if self.trainers.contains(key) {
            Role::Trainer.max(stored)
        } else {
            stored
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Channel;

    #[test]
    fn configured_roles_and_stored_grants() {
        let r =
            Roles::new(&["telegram:1".into(), " zalo:abc ".into()], &["telegram:2".into()]).expect("roles");
        assert_eq!(r.of(&UserKey::new(Channel::Telegram, "1"), Role::User), Role::Admin);
        assert_eq!(r.of(&UserKey::new(Channel::Zalo, "abc"), Role::User), Role::Admin);
        assert_eq!(r.of(&UserKey::new(Channel::Telegram, "2"), Role::User), Role::Trainer);
        assert_eq!(r.of(&UserKey::new(Channel::Telegram, "3"), Role::Trainer), Role::Trainer);
        assert_eq!(r.of(&UserKey::new(Channel::Zalo, "1"), Role::User), Role::User);
    }

    #[test]
    fn malformed_entries_are_named() {
        let e = Roles::new(&["telegram".into()], &[]).expect_err("no id");
        assert!(e.to_string().contains("CANHGIAC_ADMINS") && e.to_string().contains("\"telegram\""));
        assert!(Roles::new(&[], &["viber:1".into()]).is_err());
    }
}
