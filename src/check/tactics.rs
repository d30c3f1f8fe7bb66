//! The scam's anatomy and the verdict floors written over it.
//!
//! The handbook says what a scam is: a pretext (a police officer, a bank, a relative in trouble,
//! a prize) plus an ask (an OTP, a transfer, an install, a login through a link) plus pressure.
//! Which phrase is which lives in `content/signals.yaml` (`tactic:`); this module only states the
//! rules over the classes. A floor is a verdict no fitted model may lower.

use std::collections::BTreeSet;

use super::Verdict;
use crate::content::Tactic;

/// The tactics found in one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anatomy {
    /// The asks present.
    pub asks: BTreeSet<AskClass>,
    /// Whether a pretext is present.
    pub pretext: bool,
    /// Whether pressure (deadline, threat) is present.
    pub pressure: bool,
    /// Whether a threat is present.
    pub threat: bool,
    /// Whether a harmful ask other than money is present (personal data, install, login).
    pub harmful_not_money: bool,
    /// Whether money is asked for.
    pub money: bool,
    /// Whether the message gives a channel of its own to act on: a personal or foreign phone
    /// number, a bank account, or a risky link.
    pub channel: bool,
}

/// Asks grouped by how dangerous they are on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AskClass {
    /// OTP, password, PIN, card data: a scam whoever asks.
    Credentials,
    /// Money, personal data, an install, a login through a link: a scam with a pretext.
    Harmful,
    /// Call back, press a key, move to another app, release goods on a claimed payment: a
    /// scam with a pretext and pressure.
    Contact,
    /// Keep it secret: a scam with any other ask or a pretext.
    Secrecy,
}

impl AskClass {
    /// The class of an ask tactic (`None` for pretext and pressure).
    #[must_use]
    pub fn of(t: Tactic) -> Option<Self> {
        Some(match t {
            Tactic::AskCredentials => Self::Credentials,
            Tactic::AskMoney | Tactic::AskPersonal | Tactic::AskInstall | Tactic::AskLogin => Self::Harmful,
            // Releasing goods on a "paid" screenshot: a scam once pressure joins the story.
            Tactic::AskCallback | Tactic::AskMoveApp | Tactic::AskGoods => Self::Contact,
            Tactic::AskSecrecy => Self::Secrecy,
            Tactic::Pretext | Tactic::Pressure | Tactic::Threat => return None,
        })
    }
}

impl Anatomy {
    /// Adds one fired tactic.
    pub fn add(&mut self, t: Tactic) {
        match t {
            Tactic::Pretext => self.pretext = true,
            Tactic::Pressure => self.pressure = true,
            Tactic::Threat => {
                self.pressure = true;
                self.threat = true;
            }
            ask => {
                if let Some(c) = AskClass::of(ask) {
                    self.asks.insert(c);
                }
                self.harmful_not_money |=
                    matches!(ask, Tactic::AskPersonal | Tactic::AskInstall | Tactic::AskLogin);
                self.money |= ask == Tactic::AskMoney;
            }
        }
    }

    fn has(&self, c: AskClass) -> bool {
        self.asks.contains(&c)
    }
}

/// A rule that set a minimum verdict, with the sentence that explains it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Floor {
    /// Someone asks for an OTP, a password or card data.
    Credentials,
    /// A harmful ask (money, data, install, login link) with a pretext.
    AskWithPretext,
    /// Secrecy with another ask or a pretext.
    Secrecy,
    /// Call back / press a key / move app, with a pretext and pressure.
    ContactUnderPressure,
    /// A link rated dangerous or listed as a scam.
    DangerousLink,
    /// A link to be careful about (shortener, risky TLD, look of known scam hosts).
    RiskyLink,
    /// A harmful ask under pressure, with no pretext.
    AskUnderPressure,
    /// Call back or move app with a pretext.
    ContactWithPretext,
    /// A story and a threat with a personal number, an account or a risky link to act on.
    ThreatWithChannel,
    /// A number, account or host an admin confirmed as a scam.
    Reported,
    /// A number, account or host on a scam list the operator imported.
    Listed,
    /// A call-forwarding dial code to a number.
    ForwardingCode,
    /// An ask to install an APK file or an app from a download link.
    InstallApk,
    /// A number, account or host reported by several people, not yet confirmed.
    ReportedByMany,
}

impl Floor {
    /// Whether the rule rests on the message's asks, pretexts and pressure (rather than on a
    /// link, a dial code or the register).
    #[must_use]
    pub fn from_tactics(self) -> bool {
        matches!(
            self,
            Self::Credentials
                | Self::AskWithPretext
                | Self::Secrecy
                | Self::ContactUnderPressure
                | Self::AskUnderPressure
                | Self::ContactWithPretext
                | Self::ThreatWithChannel
        )
    }

    /// Whether the rule rests on a link.
    #[must_use]
    pub fn from_link(self) -> bool {
        matches!(self, Self::DangerousLink | Self::RiskyLink)
    }

    /// The minimum verdict the rule sets.
    #[must_use]
    pub fn verdict(self) -> Verdict {
        match self {
            Self::Credentials
            | Self::AskWithPretext
            | Self::Secrecy
            | Self::ContactUnderPressure
            | Self::DangerousLink
            | Self::ForwardingCode
            | Self::InstallApk
            | Self::ThreatWithChannel
            | Self::Reported
            | Self::Listed => Verdict::Scam,
            Self::RiskyLink | Self::AskUnderPressure | Self::ContactWithPretext | Self::ReportedByMany => {
                Verdict::Suspicious
            }
        }
    }

    /// The rule, in words a person understands.
    #[must_use]
    pub fn explain_vi(self) -> &'static str {
        match self {
            Self::Credentials => {
                "Tin nhắn đòi mã OTP, mật khẩu hoặc thông tin thẻ: không ngân hàng, cơ quan hay người quen nào được hỏi những thông tin này."
            }
            Self::AskWithPretext => {
                "Tin nhắn dựng một câu chuyện (cơ quan, ngân hàng, người thân, giải thưởng, việc làm...) để yêu cầu chuyển tiền, gửi giấy tờ, cài ứng dụng hoặc đăng nhập qua link: đó là cách lừa đảo phổ biến nhất."
            }
            Self::Secrecy => {
                "Tin nhắn yêu cầu giữ bí mật với người thân: cơ quan và tổ chức thật không bao giờ yêu cầu như vậy."
            }
            Self::ContactUnderPressure => {
                "Tin nhắn dọa dẫm, hối thúc và yêu cầu gọi lại, bấm phím hoặc chuyển sang ứng dụng khác: dấu hiệu quen thuộc của lừa đảo."
            }
            Self::DangerousLink => "Đường link trong tin nhắn là link nguy hiểm.",
            Self::InstallApk => {
                "Tin nhắn yêu cầu cài tệp APK hoặc ứng dụng tải từ đường link: ứng dụng giả loại này đọc được mã OTP và chiếm tài khoản ngân hàng."
            }
            Self::ThreatWithChannel => {
                "Tin nhắn dựng chuyện, đe dọa (khóa tài khoản, cắt dịch vụ, xử lý pháp luật) rồi đưa số điện thoại cá nhân, số tài khoản hoặc đường link lạ để anh/chị liên hệ: cơ quan, tổ chức thật không làm việc như vậy."
            }
            Self::ForwardingCode => {
                "Tin nhắn yêu cầu bấm mã chuyển hướng cuộc gọi: kẻ gian sẽ nhận thay anh/chị các cuộc gọi, kể cả cuộc gọi đọc mã OTP."
            }
            Self::RiskyLink => "Đường link trong tin nhắn có dấu hiệu đáng ngờ.",
            Self::AskUnderPressure => {
                "Tin nhắn hối thúc anh/chị chuyển tiền vào tài khoản lạ, gửi thông tin, cài ứng dụng hoặc đăng nhập qua link."
            }
            Self::ContactWithPretext => {
                "Tin nhắn dựng một câu chuyện rồi yêu cầu gọi lại, bấm phím hoặc kết bạn qua ứng dụng khác."
            }
            Self::Reported => "Số điện thoại, tài khoản hoặc trang web này đã được xác nhận là lừa đảo.",
            Self::Listed => {
                "Số điện thoại, tài khoản hoặc trang web này có trong danh sách lừa đảo mà đơn vị đã nhập."
            }
            Self::ReportedByMany => {
                "Nhiều người đã báo cáo số điện thoại, tài khoản hoặc trang web này là lừa đảo (chưa được xác nhận)."
            }
        }
    }
}

/// The floors the tactics set, strongest first.
#[must_use]
pub fn floors(a: &Anatomy) -> Vec<Floor> {
    let mut out = Vec::new();
    let harmful = a.has(AskClass::Harmful);
    let contact = a.has(AskClass::Contact);
    if a.has(AskClass::Credentials) {
        out.push(Floor::Credentials);
    }
    if harmful && a.pretext {
        out.push(Floor::AskWithPretext);
    }
    if a.has(AskClass::Secrecy) && (a.pretext || harmful || contact) {
        out.push(Floor::Secrecy);
    }
    if contact && a.pretext && a.pressure {
        out.push(Floor::ContactUnderPressure);
    }
    if a.pretext && a.threat && a.channel && !out.contains(&Floor::ContactUnderPressure) {
        out.push(Floor::ThreatWithChannel);
    }
    // Money asked in a hurry by someone with no story is everyday life between people who know
    // each other, unless it is to go to an account or number the message gives; papers,
    // installs and logins asked in a hurry are not.
    if (a.harmful_not_money || (a.money && a.channel)) && a.pressure && !a.pretext {
        out.push(Floor::AskUnderPressure);
    }
    if contact && a.pretext && !a.pressure {
        out.push(Floor::ContactWithPretext);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anatomy(ts: &[Tactic]) -> Anatomy {
        let mut a = Anatomy::default();
        for t in ts {
            a.add(*t);
        }
        a
    }

    fn worst(ts: &[Tactic]) -> Option<Verdict> {
        floors(&anatomy(ts)).into_iter().map(Floor::verdict).max()
    }

    #[test]
    fn credentials_alone_are_a_scam() {
        assert_eq!(worst(&[Tactic::AskCredentials]), Some(Verdict::Scam));
    }

    #[test]
    fn an_ask_needs_a_pretext_to_be_a_scam() {
        assert_eq!(worst(&[Tactic::AskMoney]), None, "a plain money request between people");
        assert_eq!(worst(&[Tactic::AskMoney, Tactic::Pretext]), Some(Verdict::Scam));
        assert_eq!(worst(&[Tactic::AskInstall, Tactic::Pressure]), Some(Verdict::Suspicious));
        assert_eq!(worst(&[Tactic::AskMoney, Tactic::Pressure]), None, "a friend in a hurry, no story");
        let mut a = anatomy(&[Tactic::AskMoney, Tactic::Pressure]);
        a.channel = true;
        assert_eq!(floors(&a), [Floor::AskUnderPressure], "in a hurry, to the account given");
        assert_eq!(worst(&[Tactic::Pretext, Tactic::Pressure]), None, "a story with no ask");
    }

    #[test]
    fn contact_asks_and_secrecy() {
        assert_eq!(worst(&[Tactic::AskCallback]), None, "hotlines are everywhere");
        assert_eq!(worst(&[Tactic::AskCallback, Tactic::Pretext]), Some(Verdict::Suspicious));
        assert_eq!(worst(&[Tactic::AskCallback, Tactic::Pretext, Tactic::Pressure]), Some(Verdict::Scam));
        assert_eq!(worst(&[Tactic::AskSecrecy, Tactic::Pretext]), Some(Verdict::Scam));
        assert_eq!(worst(&[Tactic::AskSecrecy]), None);
    }

    #[test]
    fn a_threat_with_a_channel_of_its_own() {
        let mut a = anatomy(&[Tactic::Pretext, Tactic::Threat]);
        assert!(floors(&a).is_empty(), "a genuine cut-off notice names no personal number");
        a.channel = true;
        assert_eq!(floors(&a), [Floor::ThreatWithChannel]);
    }
}
