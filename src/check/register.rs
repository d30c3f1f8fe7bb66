//! The seam for community reputation: a register of phone numbers, bank accounts and hosts that
//! staff reported and admins confirmed. The checker asks it about the entities of every text;
//! the register itself (storage, review) lives outside the checker.

use super::{Signal, extract::Entities};

/// What the register knows about the entities of a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Standing {
    /// Nothing known.
    #[default]
    Unknown,
    /// Reported, not (yet) confirmed, by this many different people.
    Reported {
        /// Distinct reporters.
        reporters: u32,
    },
    /// On a scam list the operator imported.
    Listed {
        /// The entity as users read it.
        value: String,
        /// The list's name (its host or file name).
        source: String,
    },
    /// Confirmed as a scam by an admin.
    Confirmed {
        /// The entity as users read it (number, account or host).
        value: String,
        /// The day it was confirmed, `dd/mm/yyyy`.
        day: String,
        /// Reports received.
        reports: u32,
    },
}

/// A register of reported entities.
pub trait Register: Send + Sync {
    /// The worst standing of any entity in `entities`.
    fn standing(&self, entities: &Entities) -> Standing;
}

/// The reason a standing adds to a verdict, if any.
#[must_use]
pub fn signal(standing: &Standing) -> Option<Signal> {
    match standing {
        Standing::Unknown => None,
        Standing::Reported { reporters } => Some(Signal {
            id: "reported_pending".to_owned(),
            label: format!("Đã có {reporters} người báo cáo nghi lừa đảo, quản trị viên chưa xác nhận"),
            evidence: String::new(),
            weight: 0.0,
            floor: *reporters >= 2,
            tactic: None,
            def: None,
        }),
        Standing::Listed { value, source } => Some(Signal {
            id: "listed".to_owned(),
            label: format!("Có trong danh sách lừa đảo đã nhập ({source})"),
            evidence: value.clone(),
            weight: 0.0,
            floor: true,
            tactic: None,
            def: None,
        }),
        Standing::Confirmed { value, day, reports } => Some(Signal {
            id: "reported_confirmed".to_owned(),
            label: format!("Đã được quản trị viên xác nhận là lừa đảo ngày {day}, {reports} báo cáo"),
            evidence: value.clone(),
            weight: 0.0,
            floor: true,
            tactic: None,
            def: None,
        }),
    }
}
