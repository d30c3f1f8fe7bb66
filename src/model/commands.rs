//! The command registry: one row per command with its name, aliases, the plain-text phrases
//! Zalo users type, the least role that may use it, its help line and whether Telegram's menu
//! shows it. The engine's dispatch, `/trogiup`, Telegram's `setMyCommands` and the Zalo parser
//! all read this table, so adding a command is one row plus its handler.

use unicode_normalization::UnicodeNormalization;

use super::Role;

/// Every command the bot understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// The welcome and main menu.
    Start,
    /// The commands this user may use.
    Help,
    /// Check a message (or ask for one).
    Check,
    /// Ask the handbook (or ask for a question).
    Ask,
    /// A personal ten-question quiz.
    Quiz,
    /// The five don'ts.
    FiveDonts,
    /// Where to report a scam.
    ReportWhere,
    /// This week's tip, as a card to share.
    Tip,
    /// Weekly tips for this chat.
    Subscribe,
    /// No more weekly tips.
    Unsubscribe,
    /// Delete everything stored about me.
    DeleteData,
    /// Agree to the privacy notice (what the "Đồng ý" button does, typed).
    Agree,
    /// Withdraw consent: processing stops; deletion is offered.
    Withdraw,
    /// What is stored about me (and a file on Telegram).
    MyData,
    /// A group quiz (trainers).
    GroupQuiz,
    /// Stop the running group quiz (trainers).
    StopQuiz,
    /// Group-quiz results (trainers).
    Results,
    /// Join a group quiz by its code.
    Join,
    /// Report a scam's numbers, accounts and links.
    ReportScam,
    /// Review pending scam reports (admins).
    Review,
    /// Take a decision on a reported entity back (admins).
    Unconfirm,
    /// Send this week's tip now (admins).
    SendTip,
    /// Draft an alert to every subscriber (admins).
    Alert,
    /// Campaign statistics (admins).
    Stats,
    /// A one-time sign-in link to the web console (admins and trainers).
    Web,
    /// Make someone a trainer (admins).
    GrantTrainer,
    /// Take the trainer role back (admins).
    RevokeTrainer,
}

/// One row of the registry.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// The command.
    pub command: Command,
    /// Its name after the slash (Telegram's menu uses it).
    pub name: &'static str,
    /// Other names after the slash.
    pub aliases: &'static [&'static str],
    /// What Zalo users type instead, folded (no diacritics, lowercase); each phrase may be
    /// followed by the argument when the command takes one.
    pub phrases: &'static [&'static str],
    /// Whether an argument may follow a phrase ("kiểm tra <tin nhắn>").
    pub takes_arg: bool,
    /// The least role that may use it.
    pub min_role: Role,
    /// How it is written in the help, with its arguments.
    pub usage: &'static str,
    /// The help line.
    pub help: &'static str,
    /// The line in Telegram's command menu (`None`: not in the menu).
    pub menu: Option<&'static str>,
    /// It stores something about the user (a quiz, a subscription, a name, an admin's act), so
    /// it needs their consent to the privacy notice; the others work without it.
    pub stores: bool,
}

const fn row(command: Command, name: &'static str, usage: &'static str, help: &'static str) -> CommandSpec {
    CommandSpec {
        command,
        name,
        aliases: &[],
        phrases: &[],
        takes_arg: false,
        min_role: Role::User,
        usage,
        help,
        menu: None,
        stores: true,
    }
}

/// The registry, in the order of the help and the menu.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        stores: false,
        aliases: &["check"],
        phrases: &["kiem tra"],
        takes_arg: true,
        menu: Some("Kiểm tra một tin nhắn đáng ngờ"),
        ..row(Command::Check, "kiemtra", "/kiemtra <tin nhắn>", "kiểm tra một tin nhắn")
    },
    CommandSpec {
        stores: false,
        aliases: &["ask"],
        phrases: &["hoi"],
        takes_arg: true,
        menu: Some("Hỏi đáp về lừa đảo trực tuyến"),
        ..row(Command::Ask, "hoi", "/hoi <câu hỏi>", "hỏi đáp theo cẩm nang")
    },
    CommandSpec {
        aliases: &["tracnghiem"],
        phrases: &["quiz", "trac nghiem", "lam trac nghiem"],
        menu: Some("Làm bài trắc nghiệm 10 câu"),
        ..row(Command::Quiz, "quiz", "/quiz", "làm bài trắc nghiệm 10 câu")
    },
    CommandSpec {
        stores: false,
        aliases: &["namkhong"],
        phrases: &["5 khong", "nam khong"],
        menu: Some("Năm điều không để tránh bị lừa"),
        ..row(Command::FiveDonts, "5khong", "/5khong", "năm điều không để tránh bị lừa")
    },
    CommandSpec {
        stores: false,
        phrases: &["bao cao"],
        menu: Some("Báo cáo lừa đảo ở đâu"),
        ..row(Command::ReportWhere, "baocao", "/baocao", "báo cáo lừa đảo ở đâu")
    },
    CommandSpec {
        stores: false,
        phrases: &["meo", "meo tuan nay", "xem meo"],
        menu: Some("Xem mẹo cảnh giác tuần này để chia sẻ"),
        ..row(Command::Tip, "meo", "/meo", "xem mẹo cảnh giác tuần này (kèm ảnh để chia sẻ)")
    },
    CommandSpec {
        phrases: &["dang ky", "dang ky meo"],
        menu: Some("Nhận mẹo cảnh giác hàng tuần và cảnh báo"),
        ..row(Command::Subscribe, "dangky", "/dangky", "nhận mẹo cảnh giác hàng tuần")
    },
    CommandSpec {
        stores: false,
        phrases: &["huy dang ky"],
        menu: Some("Ngừng nhận mẹo hàng tuần"),
        ..row(Command::Unsubscribe, "huydangky", "/huydangky", "ngừng nhận mẹo hàng tuần")
    },
    CommandSpec {
        stores: false,
        phrases: &["xoa du lieu"],
        menu: Some("Xóa dữ liệu của tôi"),
        ..row(Command::DeleteData, "xoadulieu", "/xoadulieu", "xóa mọi dữ liệu về anh/chị")
    },
    CommandSpec {
        stores: false,
        phrases: &["du lieu cua toi", "xem du lieu"],
        menu: Some("Xem dữ liệu tôi lưu về anh/chị"),
        ..row(Command::MyData, "dulieucuatoi", "/dulieucuatoi", "xem (và tải về) dữ liệu tôi lưu về anh/chị")
    },
    CommandSpec {
        stores: false,
        phrases: &["rut dong y", "rut lai dong y"],
        menu: Some("Rút lại đồng ý xử lý dữ liệu"),
        ..row(
            Command::Withdraw,
            "rutdongy",
            "/rutdongy",
            "rút lại sự đồng ý cho tôi xử lý dữ liệu của anh/chị",
        )
    },
    CommandSpec {
        stores: false,
        phrases: &["dong y", "toi dong y"],
        ..row(Command::Agree, "dongy", "/dongy", "đồng ý với thông báo quyền riêng tư")
    },
    CommandSpec {
        stores: false,
        aliases: &["help"],
        phrases: &["tro giup", "huong dan", "help"],
        ..row(Command::Help, "trogiup", "/trogiup", "xem hướng dẫn này")
    },
    CommandSpec {
        stores: false,
        aliases: &["menu"],
        phrases: &["menu", "bat dau", "start"],
        menu: Some("Mở menu chính"),
        ..row(Command::Start, "start", "/start", "mở menu chính")
    },
    CommandSpec {
        phrases: &["quiz nhom", "trac nghiem nhom"],
        takes_arg: true,
        min_role: Role::Trainer,
        ..row(
            Command::GroupQuiz,
            "quiznhom",
            "/quiznhom [số câu] [chủ đề] [dễ|trung bình|khó] [30s]",
            "trong nhóm: trắc nghiệm bằng bình chọn; trong chat riêng: tạo mã để học viên tham gia",
        )
    },
    CommandSpec {
        phrases: &["dung quiz", "dung trac nghiem"],
        min_role: Role::Trainer,
        ..row(
            Command::StopQuiz,
            "dungquiz",
            "/dungquiz",
            "kết thúc bài trắc nghiệm nhóm và xem bảng xếp hạng",
        )
    },
    CommandSpec {
        phrases: &["ket qua"],
        takes_arg: true,
        min_role: Role::Trainer,
        ..row(
            Command::Results,
            "ketqua",
            "/ketqua [số bài] [csv]",
            "kết quả bài gần nhất (hoặc bài đã chọn), kèm tệp CSV nếu cần",
        )
    },
    // Anyone joins; listed with the trainer's commands because trainers hand out the code.
    CommandSpec {
        phrases: &["tham gia"],
        takes_arg: true,
        ..row(Command::Join, "thamgia", "/thamgia <mã> [tên]", "học viên tham gia bài trắc nghiệm bằng mã")
    },
    CommandSpec {
        phrases: &["bao cao lua dao", "bao cao lua"],
        takes_arg: true,
        menu: Some("Báo cáo số, tài khoản, link lừa đảo"),
        ..row(
            Command::ReportScam,
            "baocaolua",
            "/baocaolua <số, STK, link hoặc tin nhắn>",
            "báo cáo số điện thoại, số tài khoản, đường link lừa đảo",
        )
    },
    CommandSpec {
        phrases: &["duyet bao cao", "duyet"],
        min_role: Role::Admin,
        ..row(Command::Review, "duyet", "/duyet", "duyệt các báo cáo lừa đảo đang chờ")
    },
    CommandSpec {
        phrases: &["go bao cao"],
        takes_arg: true,
        min_role: Role::Admin,
        ..row(
            Command::Unconfirm,
            "gobaocao",
            "/gobaocao <số, STK hoặc tên miền>",
            "rút lại quyết định về một mục đã duyệt",
        )
    },
    CommandSpec {
        min_role: Role::Admin,
        ..row(Command::SendTip, "guimeo", "/guimeo", "gửi ngay mẹo tuần này cho mọi nơi đã đăng ký")
    },
    CommandSpec {
        min_role: Role::Admin,
        ..row(
            Command::Alert,
            "phatcanhbao",
            "/phatcanhbao <nội dung>",
            "phát cảnh báo (xem trước, rồi bấm xác nhận)",
        )
    },
    CommandSpec {
        stores: false,
        min_role: Role::Admin,
        ..row(Command::Stats, "thongke", "/thongke", "xem thống kê chiến dịch")
    },
    CommandSpec {
        phrases: &["trang quan tri", "dang nhap web"],
        min_role: Role::Trainer,
        ..row(Command::Web, "web", "/web", "mở trang quản trị trên web (liên kết dùng một lần, hạn 10 phút)")
    },
    CommandSpec {
        min_role: Role::Admin,
        ..row(
            Command::GrantTrainer,
            "captrainer",
            "/captrainer telegram:ID hoặc zalo:ID",
            "cấp quyền người hướng dẫn",
        )
    },
    CommandSpec {
        min_role: Role::Admin,
        ..row(
            Command::RevokeTrainer,
            "botrainer",
            "/botrainer telegram:ID hoặc zalo:ID",
            "thu hồi quyền người hướng dẫn",
        )
    },
];

/// The section of the help a command is listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpSection {
    /// Everyone's commands.
    Everyone,
    /// Shown to trainers and admins.
    Trainer,
    /// Shown to admins.
    Admin,
}

impl CommandSpec {
    /// Where the help lists it.
    #[must_use]
    pub fn section(&self) -> HelpSection {
        match (self.min_role, self.command) {
            (_, Command::Join) | (Role::Trainer, _) => HelpSection::Trainer,
            (Role::Admin, _) => HelpSection::Admin,
            (Role::User, _) => HelpSection::Everyone,
        }
    }
}

impl Command {
    /// The command named after a slash (its name or an alias, any case); `None` if unknown.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim().to_lowercase();
        COMMANDS.iter().find(|c| c.name == name || c.aliases.contains(&name.as_str())).map(|c| c.command)
    }

    /// Its row in the registry.
    #[must_use]
    pub fn spec(self) -> &'static CommandSpec {
        // Every variant has a row: `every_command_has_one_row` proves it.
        COMMANDS.iter().find(|c| c.command == self).unwrap_or(&COMMANDS[0])
    }

    /// Its name after the slash.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.spec().name
    }
}

/// The commands of one help section, as (usage, help line).
pub fn help_lines(section: HelpSection) -> impl Iterator<Item = (&'static str, &'static str)> {
    COMMANDS.iter().filter(move |c| c.section() == section).map(|c| (c.usage, c.help))
}

/// Telegram's command menu: (name, description), the main menu first.
pub fn menu() -> impl Iterator<Item = (&'static str, &'static str)> {
    let start = COMMANDS.iter().filter(|c| c.command == Command::Start);
    let rest = COMMANDS.iter().filter(|c| c.command != Command::Start);
    start.chain(rest).filter_map(|c| c.menu.map(|m| (c.name, m)))
}

/// A plain-text command as Zalo users type it ("kiểm tra <tin nhắn>", "quiz nhóm 5 otp"):
/// the command and the argument in the user's own writing, trimmed. `None` for other text.
///
/// Works on the NFC text and folds it word by word, so the argument is cut at a word offset
/// of that same text: decomposed input and letters whose lowercase is longer ("İ") keep
/// every word of the argument, in the user's own casing.
#[must_use]
pub fn parse_phrase(text: &str) -> Option<(Command, String)> {
    let norm: String = text.trim().nfc().collect();
    let norm = norm.as_str();
    let words: Vec<(usize, String)> = word_starts(norm).map(|(i, w)| (i, fold(w))).collect();
    let folded: Vec<&str> = words.iter().map(|(_, w)| w.as_str()).collect();
    let bare = |w: &str| w.trim_end_matches(['.', '!', '?']).to_owned();
    let mut best: Option<(Command, usize)> = None;
    for spec in COMMANDS {
        for phrase in spec.phrases {
            let p: Vec<&str> = phrase.split(' ').collect();
            if folded.len() < p.len() {
                continue;
            }
            let whole = folded.len() == p.len();
            if !whole && !spec.takes_arg {
                continue;
            }
            let matches = p.iter().enumerate().all(|(i, w)| {
                let f = folded[i];
                if whole && i + 1 == p.len() { bare(f) == *w } else { f == *w }
            });
            // The longest phrase wins ("quiz nhom" over "quiz").
            if matches && best.is_none_or(|(_, n)| p.len() > n) {
                best = Some((spec.command, p.len()));
            }
        }
    }
    let (command, n) = best?;
    let arg = words.get(n).map_or("", |(start, _)| &norm[*start..]);
    Some((command, arg.trim().to_owned()))
}

/// A word without diacritics, lowercase (as `text::fold` does; kept here so the model
/// depends on nothing above it).
fn fold(word: &str) -> String {
    word.to_lowercase()
        .nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

/// Each whitespace-separated word of `s` with its byte offset.
fn word_starts(s: &str) -> impl Iterator<Item = (usize, &str)> {
    s.split_whitespace().map(move |w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_one_row_and_names_are_unique() {
        let all = [
            Command::Start,
            Command::Help,
            Command::Check,
            Command::Ask,
            Command::Quiz,
            Command::FiveDonts,
            Command::ReportWhere,
            Command::Tip,
            Command::Subscribe,
            Command::Unsubscribe,
            Command::DeleteData,
            Command::Agree,
            Command::Withdraw,
            Command::MyData,
            Command::GroupQuiz,
            Command::StopQuiz,
            Command::Results,
            Command::Join,
            Command::ReportScam,
            Command::Review,
            Command::Unconfirm,
            Command::SendTip,
            Command::Alert,
            Command::Stats,
            Command::Web,
            Command::GrantTrainer,
            Command::RevokeTrainer,
        ];
        assert_eq!(all.len(), COMMANDS.len());
        for c in all {
            assert_eq!(COMMANDS.iter().filter(|s| s.command == c).count(), 1, "{c:?}");
            assert_eq!(Command::parse(c.name()), Some(c));
        }
        let mut names: Vec<&str> =
            COMMANDS.iter().flat_map(|c| std::iter::once(c.name).chain(c.aliases.iter().copied())).collect();
        names.sort_unstable();
        let n = names.len();
        names.dedup();
        assert_eq!(n, names.len(), "a name or alias is used twice");
        // Telegram: names of 1–32 lowercase letters, digits and underscores; at most 100 commands.
        for (name, desc) in menu() {
            assert!(name.len() <= 32 && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()));
            assert!((3..=256).contains(&desc.chars().count()));
        }
    }

    #[test]
    fn phrases_keep_the_users_argument_whole() {
        assert_eq!(parse_phrase("Trắc nghiệm!"), Some((Command::Quiz, String::new())));
        assert_eq!(
            parse_phrase("Kiểm tra Tài khoản bị khóa"),
            Some((Command::Check, "Tài khoản bị khóa".into()))
        );
        assert_eq!(parse_phrase("quiz nhóm 5 OTP"), Some((Command::GroupQuiz, "5 OTP".into())));
        assert_eq!(parse_phrase("quiz"), Some((Command::Quiz, String::new())));
        assert_eq!(parse_phrase("quiz hay lắm"), None, "quiz takes no argument");
        assert_eq!(parse_phrase("chào bạn"), None);
        // "İ" lowercases to two characters; the argument must not lose or gain a letter.
        assert_eq!(
            parse_phrase("KİỂM TRA İstanbul ưu đãi"),
            Some((Command::Check, "İstanbul ưu đãi".into()))
        );
        // Decomposed (NFD) input: the whole argument survives.
        let nfd = "Kie\u{302}\u{309}m tra ta\u{300}i khoa\u{309}n bi\u{323} kho\u{301}a";
        assert_eq!(parse_phrase(nfd), Some((Command::Check, "tài khoản bị khóa".into())));
        assert_eq!(parse_phrase("hỏi"), Some((Command::Ask, String::new())));
    }

    #[test]
    fn help_sections_follow_roles() {
        let admin: Vec<_> = help_lines(HelpSection::Admin).map(|(u, _)| u).collect();
        assert!(admin.contains(&"/guimeo") && !admin.contains(&"/quiz"));
        let trainer: Vec<_> = help_lines(HelpSection::Trainer).map(|(u, _)| u).collect();
        assert!(trainer.iter().any(|u| u.starts_with("/thamgia")));
        assert_eq!(menu().count(), 13);
    }
}
