//! The conversation engine without any network: every command and flow.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;
use std::sync::Arc;

use canhgiac::{
    bot::{Channel, ChatKind, ChatRef, Engine, Incoming, IncomingKind, Reply, UserRef},
    store::{Store, UserKey},
};

struct Chat {
    engine: Engine,
    store: Arc<Store>,
    _dir: tempfile::TempDir,
}

impl Chat {
    /// A chat with user `u1`, who has agreed to the privacy notice.
    fn new() -> Self {
        let c = Self::fresh();
        c.agree("u1");
        c
    }

    /// A chat with nobody known yet.
    fn fresh() -> Self {
        let store = Arc::new(Store::in_memory().expect("store"));
        let (engine, dir) = common::engine_with(store.clone());
        Self { engine, store, _dir: dir }
    }

    /// `user` presses "Đồng ý" under the privacy notice.
    fn agree(&self, user: &str) {
        let data = canhgiac::bot::Action::Consent { agree: true, follower: false }.encode();
        let r = self.send_as(user, ChatKind::Private, IncomingKind::Button(data), true);
        assert!(plain(&r).contains("Cảm ơn anh/chị đã đồng ý"), "{}", plain(&r));
    }

    fn send(&self, kind: IncomingKind) -> Vec<Reply> {
        self.send_as("u1", ChatKind::Private, kind, true)
    }

    fn send_as(&self, user: &str, chat: ChatKind, kind: IncomingKind, addressed: bool) -> Vec<Reply> {
        let inc = Incoming {
            user: UserRef { channel: Channel::Telegram, id: user.into() },
            chat: ChatRef { id: format!("c-{user}"), kind: chat },
            kind,
            addressed,
        };
        self.engine.handle(&inc).expect("handle")
    }

    fn cmd(&self, name: &str, arg: &str) -> Vec<Reply> {
        self.send(IncomingKind::Command { name: name.into(), arg: arg.into() })
    }

    fn text(&self, t: &str) -> Vec<Reply> {
        self.send(IncomingKind::Text(t.into()))
    }

    fn press(&self, data: &str) -> Vec<Reply> {
        self.send(IncomingKind::Button(data.into()))
    }
}

fn plain(replies: &[Reply]) -> String {
    replies.iter().map(|r| r.body.to_plain()).collect::<Vec<_>>().join("\n---\n")
}

fn button<'a>(replies: &'a [Reply], label_part: &str) -> &'a str {
    replies
        .iter()
        .flat_map(|r| r.all_buttons())
        .find(|b| b.label.contains(label_part))
        .map(|b| b.data.as_str())
        .unwrap_or_else(|| panic!("no button {label_part:?} in {replies:?}"))
}

#[test]
fn start_shows_welcome_privacy_notice_and_main_menu() {
    let c = Chat::new();
    let r = c.cmd("start", "");
    let text = plain(&r);
    assert!(text.contains("Xin chào anh/chị"), "{text}");
    assert!(text.contains("Quyền riêng tư") && text.contains("/xoadulieu"), "{text}");
    let labels: Vec<&str> = r[0].all_buttons().map(|b| b.label.as_str()).collect();
    for l in ["Kiểm tra tin nhắn", "Hỏi đáp", "Làm trắc nghiệm", "Năm không", "Nhận mẹo hàng tuần"]
    {
        assert!(labels.iter().any(|x| x.contains(l)), "{labels:?}");
    }
    assert!(
        c.store
            .user(&UserKey::new(Channel::Telegram, "u1"))
            .expect("user")
            .expect("row")
            .consent_at
            .is_some()
    );
    for b in r[0].all_buttons() {
        assert!(b.data.len() <= 64 && b.data.is_ascii(), "{b:?}");
    }
}

#[test]
fn pasted_message_is_checked_and_question_is_answered() {
    let c = Chat::new();
    c.cmd("start", "");
    let r = c.text(
        "Tai khoan cua quy khach bi khoa, vui long truy cap https://vietcombank-xacthuc.top de mo khoa",
    );
    let t = plain(&r);
    assert!(t.starts_with("🚨 LỪA ĐẢO"), "{t}");
    let why = c.press(button(&r, "Vì sao"));
    assert!(plain(&why).contains("vietcombank-xacthuc.top"));
    let todo = c.press(button(&r, "Nên làm gì"));
    assert!(plain(&todo).contains("5656"));
    let as_question = c.press(button(&r, "Đây là câu hỏi"));
    assert!(!plain(&as_question).is_empty());

    let r = c.text("bi goi dien doa khoa sim phai lam sao");
    let t = plain(&r);
    assert!(t.contains("khóa SIM"), "{t}");
    let signs = c.press(button(&r, "Dấu hiệu"));
    assert!(plain(&signs).contains("Dấu hiệu"), "{}", plain(&signs));
    let adv = c.press(button(&r, "Cách phòng tránh"));
    assert!(plain(&adv).contains("Phòng tránh"));
    let rel = c.press(button(&r, "liên quan"));
    assert!(plain(&rel).contains("Hình thức liên quan"));
    // Forced either way: a question as a check, a message as a question.
    let forced = c.press(button(&r, "Kiểm tra tin này"));
    assert!(plain(&forced).contains("CHƯA THẤY DẤU HIỆU") || plain(&forced).contains("ĐÁNG NGỜ"));
}

#[test]
fn forwarded_text_is_always_checked() {
    let c = Chat::new();
    c.cmd("start", "");
    let r = c.send(IncomingKind::Forwarded("Chiều nay họp lúc 3 giờ nhé".into()));
    assert!(plain(&r).contains("CHƯA THẤY DẤU HIỆU LỪA ĐẢO"), "{}", plain(&r));
}

#[test]
fn kiemtra_and_hoi_force_the_mode() {
    let c = Chat::new();
    c.cmd("start", "");
    assert!(plain(&c.cmd("kiemtra", "năm không là gì")).contains("CHƯA THẤY DẤU HIỆU"));
    assert!(plain(&c.cmd("hoi", "Tai khoan bi khoa truy cap abc.top")).len() > 10);
    // Without an argument the next text is taken in that mode.
    assert!(plain(&c.cmd("kiemtra", "")).contains("dán"));
    assert!(plain(&c.text("deepfake là gì")).contains("CHƯA THẤY DẤU HIỆU"));
    assert!(plain(&c.cmd("hoi", "")).contains("hỏi"));
    assert!(plain(&c.text("Quy khach vui long truy cap vcb-xacthuc.top")).len() > 10);
    // Main-menu buttons do the same.
    assert!(plain(&c.press("m:check")).contains("dán"));
    assert!(plain(&c.press("m:ask")).contains("hỏi"));
}

#[test]
fn fixed_topics_subscriptions_help_and_unknown_commands() {
    let c = Chat::new();
    c.cmd("start", "");
    let five = plain(&c.cmd("5khong", ""));
    assert!(five.contains("Năm không") && five.contains("OTP"), "{five}");
    let report = plain(&c.cmd("baocao", ""));
    assert!(
        report.contains("156") && report.contains("5656") && report.contains("canhbao.khonggianmang.gov.vn")
    );
    assert!(plain(&c.cmd("trogiup", "")).contains("/xoadulieu"));
    let unknown = plain(&c.cmd("khonghieu", ""));
    assert!(unknown.contains("chưa hiểu lệnh") && unknown.contains("/quiz"));
    let k = UserKey::new(Channel::Telegram, "u1");
    assert!(plain(&c.cmd("dangky", "")).contains("Đã đăng ký"));
    assert!(c.store.user(&k).expect("user").expect("row").subscribed);
    assert!(plain(&c.cmd("huydangky", "")).contains("hủy"));
    assert!(!c.store.user(&k).expect("user").expect("row").subscribed);
    assert!(plain(&c.press("m:sub")).contains("Đã đăng ký"));
}

#[test]
fn quiz_runs_ten_questions_gives_feedback_and_brings_back_missed_ones() {
    let c = Chat::new();
    c.cmd("start", "");
    let mut r = c.cmd("quiz", "");
    let mut wrong = Vec::new();
    for n in 0..10 {
        let q = r.last().expect("question");
        assert!(q.body.to_plain().starts_with(&format!("Câu {}/10", n + 1)), "{}", q.body.to_plain());
        // Always answer A: some right, some wrong.
        let data = q.buttons[0][0].data.clone();
        r = c.press(&data);
        let fb = r[0].body.to_plain();
        assert!(fb.starts_with("✅ Chính xác!") || fb.starts_with("❌ Chưa đúng."), "{fb}");
        if fb.starts_with("❌") {
            wrong.push(n);
        }
    }
    let end = plain(&r);
    assert!(end.contains(&format!("Kết quả: {}/10", 10 - wrong.len())), "{end}");
    // Before the score: each question answered wrong, with its right answer.
    if wrong.is_empty() {
        assert!(!end.contains("Xem lại các câu chưa đúng"), "{end}");
    } else {
        let review = end.split_once("Xem lại các câu chưa đúng").expect("a review").1;
        let review = review.split_once("Kết quả:").expect("then the score").0;
        for n in &wrong {
            assert!(review.contains(&format!("Câu {}:", n + 1)), "question {} reviewed: {review}", n + 1);
        }
        assert_eq!(review.matches("Đáp án đúng:").count(), wrong.len(), "{review}");
    }
    let k = UserKey::new(Channel::Telegram, "u1");
    assert_eq!(c.store.quiz(&k).expect("quiz"), None, "finished quiz is cleared");
    assert_eq!(c.store.missed(&k).expect("missed").len(), wrong.len());
    // A stale button (answering an old question) is refused.
    assert!(
        plain(&c.press("q:0:1")).contains("chưa có bài")
            || plain(&c.press("q:0:1")).contains("Hiện không có")
    );
    if !wrong.is_empty() {
        let r = c.cmd("quiz", "");
        assert!(plain(&r).contains("từng trả lời chưa đúng"));
    }
}

#[test]
fn quiz_state_survives_a_restart() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = {
        let store = Arc::new(Store::open(dir.path()).expect("store"));
        let (engine, _d) = common::engine_with(store);
        let inc = |kind| Incoming {
            user: UserRef { channel: Channel::Telegram, id: "9".into() },
            chat: ChatRef { id: "9".into(), kind: ChatKind::Private },
            kind,
            addressed: true,
        };
        engine
            .handle(&inc(IncomingKind::Command { name: "dongy".into(), arg: String::new() }))
            .expect("agree");
        engine.handle(&inc(IncomingKind::Command { name: "quiz".into(), arg: String::new() })).expect("quiz");
        let r = engine.handle(&inc(IncomingKind::Button("q:0:0".into()))).expect("answer");
        r.last().expect("next").body.to_plain()
    };
    assert!(first.starts_with("Câu 2/10"));
    let store = Arc::new(Store::open(dir.path()).expect("reopen"));
    let (engine, _d) = common::engine_with(store);
    let r = engine
        .handle(&Incoming {
            user: UserRef { channel: Channel::Telegram, id: "9".into() },
            chat: ChatRef { id: "9".into(), kind: ChatKind::Private },
            kind: IncomingKind::Button("q:1:0".into()),
            addressed: true,
        })
        .expect("answer after restart");
    assert!(r.last().expect("next").body.to_plain().starts_with("Câu 3/10"));
}

#[test]
fn delete_my_data_asks_first_then_deletes_everything() {
    let c = Chat::new();
    c.cmd("start", "");
    c.cmd("dangky", "");
    c.cmd("quiz", "");
    let r = c.cmd("xoadulieu", "");
    assert!(plain(&r).contains("chắc muốn xóa"));
    assert!(plain(&c.press("del:no")).contains("vẫn được giữ"));
    let k = UserKey::new(Channel::Telegram, "u1");
    assert!(c.store.user(&k).expect("user").is_some());
    assert!(plain(&c.press(button(&r, "Xóa hết"))).contains("Đã xóa"));
    assert_eq!(c.store.user(&k).expect("user"), None);
    assert_eq!(c.store.quiz(&k).expect("quiz"), None);
    // Counted for the report's privacy section, with no user.
    let privacy = c.store.totals("privacy").expect("totals");
    assert!(privacy.contains(&("deletion".to_owned(), 1)), "{privacy:?}");
}

#[test]
fn groups_only_hear_commands_mentions_and_replies() {
    let c = Chat::new();
    let quiet = c.send_as("g1", ChatKind::Group, IncomingKind::Text("deepfake là gì".into()), false);
    assert!(quiet.is_empty(), "the bot never floods a group");
    let asked = c.send_as("g1", ChatKind::Group, IncomingKind::Text("deepfake là gì".into()), true);
    assert!(plain(&asked).contains("Deepfake"));
}

#[test]
fn unsupported_content_expired_buttons_and_blocking() {
    let c = Chat::new();
    c.cmd("start", "");
    assert!(plain(&c.send(IncomingKind::Unsupported("sticker".into()))).contains("dán phần chữ"));
    assert!(plain(&c.press("x:ffff:why")).contains("hết hạn"));
    assert!(plain(&c.press("garbage")).contains("Tôi có thể giúp"));
    c.cmd("dangky", "");
    assert!(c.send(IncomingKind::Left).is_empty());
    assert!(c.store.subscribers(Channel::Telegram).expect("subs").is_empty(), "blocked users get no pushes");
    c.text("xin chào");
    let u = c.store.user(&UserKey::new(Channel::Telegram, "u1")).expect("user").expect("row");
    assert!(u.active && !u.subscribed, "coming back reactivates but does not resubscribe");
}

#[test]
fn before_consent_the_bot_answers_and_stores_nothing() {
    let c = Chat::fresh();
    let k = UserKey::new(Channel::Telegram, "u1");
    let r = c.text("Tai khoan cua quy khach bi khoa, vui long truy cap https://vcb-xacthuc.top de mo khoa");
    assert!(plain(&r[..1]).starts_with("🚨 LỪA ĐẢO"), "the check is answered: {}", plain(&r));
    let notice = plain(&r[1..]);
    for needle in ["Tôi lưu", "Mục đích", "Thời hạn lưu", "Chịu trách nhiệm", "/rutdongy", "91/2025/QH15"]
    {
        assert!(notice.contains(needle), "{needle} in the notice: {notice}");
    }
    button(&r, "Đồng ý");
    button(&r, "Không đồng ý");
    assert_eq!(plain(&c.text("năm không")).matches("Thời hạn lưu").count(), 0, "the notice is not repeated");
    // Steps that store something wait for consent.
    for step in [
        c.cmd("quiz", ""),
        c.cmd("dangky", ""),
        c.press(&canhgiac::bot::Action::Menu(canhgiac::bot::action::MenuItem::Subscribe).encode()),
    ] {
        assert!(plain(&step).contains("cần anh/chị đồng ý trước"), "{}", plain(&step));
        button(&step, "Đồng ý");
    }
    assert_eq!(c.store.user(&k).expect("user"), None, "no row before consent");
    assert!(c.store.subject_data(&k).expect("data").is_empty());
    assert!(c.store.subscribers(Channel::Telegram).expect("subs").is_empty());
    assert!(c.store.totals("reach_day").expect("reach").is_empty(), "not even a day of contact");
    // Saying no stores nothing either, and says so.
    let no = c.press(button(&r, "Không đồng ý"));
    assert!(plain(&no).contains("không lưu gì"), "{}", plain(&no));
    assert_eq!(c.store.user(&k).expect("user"), None);
    assert!(c.store.totals("privacy").expect("totals").contains(&("declined".to_owned(), 1)));
}

#[test]
fn consent_is_recorded_with_the_notice_version_and_a_new_notice_asks_again() {
    use canhgiac::{
        bot::Notice,
        model::retention::{Kept, Retention},
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let k = UserKey::new(Channel::Telegram, "u1");
    let version = {
        let c = Chat::fresh();
        let r = c.cmd("start", "");
        assert!(plain(&r).contains("Xin chào") && plain(&r).contains("Thời hạn lưu"));
        let agreed = c.press(button(&r, "Đồng ý"));
        assert!(plain(&agreed).contains("Cảm ơn anh/chị đã đồng ý"));
        let u = c.store.user(&k).expect("user").expect("row");
        assert!(u.consent_at.is_some());
        assert_eq!(u.consent_version.as_deref(), Some(c.engine.notice().version()));
        assert!(plain(&c.cmd("quiz", "")).contains("Câu 1/10"), "now the quiz runs");
        assert!(plain(&c.press(button(&r, "Đồng ý"))).contains("đã đồng ý rồi"), "a second press");
        let consents = c.store.totals("privacy").expect("totals");
        assert!(consents.contains(&("consent".to_owned(), 1)), "counted once: {consents:?}");
        c.engine.notice().version().to_owned()
    };
    // The same store under a notice that promises other periods: asked again.
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    store.give_consent(&k, &version).expect("consent");
    let mut longer = Retention::default();
    longer.set(Kept::QuizResults, 730).expect("two years");
    let (engine, _d) = common::engine_with(store.clone());
    let engine = engine.with_notice(Notice::new(longer, None, None));
    let c = Chat { engine, store: store.clone(), _dir: tempfile::tempdir().expect("tempdir") };
    let again = c.cmd("quiz", "");
    assert!(
        plain(&again).contains("cần anh/chị đồng ý trước") && plain(&again).contains("2 năm"),
        "{}",
        plain(&again)
    );
    assert_eq!(
        store.user(&k).expect("user").expect("row").consent_version.as_deref(),
        Some(version.as_str())
    );
    c.press(button(&again, "Đồng ý"));
    assert_eq!(
        store.user(&k).expect("user").expect("row").consent_version.as_deref(),
        Some(c.engine.notice().version())
    );
    assert_ne!(c.engine.notice().version(), version);
}

#[test]
fn withdrawing_stops_processing_and_offers_deletion() {
    let c = Chat::new();
    let k = UserKey::new(Channel::Telegram, "u1");
    c.cmd("dangky", "");
    c.cmd("quiz", "");
    assert!(c.store.quiz(&k).expect("quiz").is_some());
    let r = c.cmd("rutdongy", "");
    assert!(plain(&r).contains("Đã rút lại đồng ý"), "{}", plain(&r));
    assert!(c.store.subscribers(Channel::Telegram).expect("subs").is_empty(), "no more tips");
    assert_eq!(c.store.quiz(&k).expect("quiz"), None, "the quiz in progress ends");
    assert_eq!(c.store.user(&k).expect("user").expect("row").consent_at, None);
    assert!(plain(&c.cmd("quiz", "")).contains("cần anh/chị đồng ý trước"), "processing stopped");
    assert!(plain(&c.text("năm không là gì")).contains("Năm không"), "answers go on");
    assert!(c.store.totals("privacy").expect("totals").contains(&("withdrawal".to_owned(), 1)));
    assert!(plain(&c.press(button(&r, "Xóa hết"))).contains("Đã xóa"));
    assert!(c.store.subject_data(&k).expect("data").is_empty());
    let again = c.cmd("rutdongy", "");
    assert!(plain(&again).contains("chưa đồng ý") && plain(&again).contains("không lưu dữ liệu nào"));
    // "Không đồng ý" pressed later by someone who had agreed withdraws too.
    c.agree("u1");
    c.cmd("dangky", "");
    let no = c.press(&canhgiac::bot::Action::Consent { agree: false, follower: false }.encode());
    assert!(plain(&no).contains("Đã rút lại đồng ý"), "{}", plain(&no));
    assert!(c.store.subscribers(Channel::Telegram).expect("subs").is_empty());
    // In a group, a person's data is never shown.
    for command in ["dulieucuatoi", "rutdongy"] {
        let kind = IncomingKind::Command { name: command.into(), arg: String::new() };
        let r = c.send_as("u1", ChatKind::Group, kind, true);
        assert!(plain(&r).contains("chat riêng"), "{}", plain(&r));
    }
}

#[test]
fn dulieucuatoi_lists_what_is_stored_with_a_file_on_telegram() {
    use canhgiac::bot::Attachment;
    let c = Chat::fresh();
    let empty = c.cmd("dulieucuatoi", "");
    assert!(plain(&empty).contains("không lưu dữ liệu nào"), "{}", plain(&empty));
    assert!(empty.iter().all(|r| r.attachment.is_none()));
    c.agree("u1");
    c.cmd("dangky", "");
    let quiz = c.cmd("quiz", "");
    c.press(button(&quiz, "A"));
    let r = c.cmd("dulieucuatoi", "");
    let text = plain(&r);
    for needle in [
        "Đồng ý xử lý dữ liệu",
        "Nhận mẹo hàng tuần: từ",
        "Trắc nghiệm đang làm: câu 2/10",
        "Thời hạn lưu",
        "/xoadulieu",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let Some(Attachment::Document(doc)) = &r[0].attachment else { panic!("a file: {r:?}") };
    assert_eq!(doc.file_name, "du-lieu-cua-toi.json");
    let json: serde_json::Value = serde_json::from_slice(&doc.bytes).expect("JSON");
    let k = UserKey::new(Channel::Telegram, "u1");
    assert_eq!(json["user_id"], "u1");
    assert_eq!(json["data"], serde_json::to_value(c.store.subject_data(&k).expect("data")).expect("value"));
    assert!(json["data"]["subscribed_at"].is_i64());
    assert!(c.store.totals("privacy").expect("totals").iter().any(|(k, n)| k == "access" && *n == 2));
}

#[test]
fn admins_grant_trainers_and_the_group_quiz_clock_paces_polls_from_the_store() {
    use canhgiac::bot::{Attachment, Role, Roles};
    let store = Arc::new(Store::in_memory().expect("store"));
    let (engine, _dir) = common::engine_with(store.clone());
    let engine = engine.with_roles(Roles::new(&["telegram:1".into()], &[]).expect("roles"));
    let send = |user: &str, chat: ChatRef, name: &str, arg: &str| {
        let inc = Incoming {
            user: UserRef { channel: Channel::Telegram, id: user.into() },
            chat,
            kind: IncomingKind::Command { name: name.into(), arg: arg.into() },
            addressed: true,
        };
        engine.handle(&inc).expect("handle")
    };
    let private = |id: &str| ChatRef { id: id.into(), kind: ChatKind::Private };
    let group = ChatRef { id: "-100".into(), kind: ChatKind::Group };

    assert!(
        plain(&send("3", private("3"), "captrainer", "telegram:2")).contains("chỉ dành cho quản trị viên")
    );
    assert!(plain(&send("1", private("1"), "captrainer", "telegram:2")).contains("đồng ý trước"));
    for user in ["1", "2"] {
        assert!(plain(&send(user, private(user), "dongy", "")).contains("Cảm ơn anh/chị đã đồng ý"));
    }
    assert!(plain(&send("2", group.clone(), "quiznhom", "2")).contains("dành cho người hướng dẫn"));
    assert!(plain(&send("1", private("1"), "captrainer", "telegram:2")).contains("Đã cấp quyền"));
    assert_eq!(engine.role(&UserKey::new(Channel::Telegram, "2")).expect("role"), Role::Trainer);
    assert!(
        plain(&send("2", private("2"), "trogiup", "")).contains("/quiznhom"),
        "trainers see their commands"
    );
    assert!(!plain(&send("3", private("3"), "trogiup", "")).contains("/quiznhom"));

    let start = send("2", group.clone(), "quiznhom", "2 ngân hàng 30s");
    let first = start.iter().find_map(|r| match &r.attachment {
        Some(Attachment::Poll(p)) => Some(p.clone()),
        _ => None,
    });
    let first = first.expect("the first poll comes with the start");
    assert_eq!((first.index, first.open_period), (0, 30));
    assert!(first.question.starts_with("Câu 1/2: "));
    let t0 = canhgiac::store::now();
    assert!(engine.due_group_quizzes(Channel::Telegram, t0).expect("due").is_empty(), "poll still open");
    // A restart loses nothing: a new engine over the same store carries on.
    let (engine2, _dir2) = common::engine_with(store.clone());
    let next = engine2.due_group_quizzes(Channel::Telegram, t0 + 31).expect("due");
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].chat, "-100");
    assert!(matches!(&next[0].replies[0].attachment, Some(Attachment::Poll(p)) if p.index == 1));
    assert!(engine2.due_group_quizzes(Channel::Telegram, t0 + 32).expect("due").is_empty());
    let end = engine2.due_group_quizzes(Channel::Telegram, t0 + 62).expect("due");
    let board = plain(&end[0].replies);
    assert!(board.contains("Bảng xếp hạng") && board.contains("Chưa có ai trả lời"), "{board}");
    assert!(engine2.due_group_quizzes(Channel::Telegram, t0 + 100).expect("due").is_empty(), "ended once");
    assert!(plain(&send("1", private("1"), "botrainer", "telegram:2")).contains("Đã thu hồi"));
    assert_eq!(engine.role(&UserKey::new(Channel::Telegram, "2")).expect("role"), Role::User);
}

#[test]
fn personal_quiz_answers_are_counted_per_question_without_the_user() {
    let c = Chat::new();
    let r = c.cmd("quiz", "");
    let a = c.press(button(&r, "A"));
    assert!(!a.is_empty());
    let answered = c.store.totals("quiz_answered").expect("totals");
    assert_eq!(answered.len(), 1);
    assert_eq!(answered[0].1, 1);
    let wrong = c.store.totals("quiz_wrong").expect("totals");
    let right = plain(&a).contains("Chính xác");
    assert_eq!(wrong.is_empty(), right, "a wrong answer is counted as missed: {wrong:?}");
}

#[test]
fn a_very_long_message_gets_the_truncation_note_and_the_verdict_advice() {
    let c = Chat::new();
    c.cmd("start", "");
    let long = "Vietcombank thong bao tai khoan bi khoa, truy cap http://vcb-xacthuc.top ngay. ".repeat(400);
    let reply = plain(&c.send(IncomingKind::Forwarded(long)));
    assert!(reply.contains("chỉ 20.000 ký tự đầu"), "{reply}");
    assert!(reply.contains("không bấm vào đường link"), "the advice for the verdict is not lost: {reply}");
}

#[test]
fn an_unanswerable_question_offers_at_most_five_buttons_keeping_the_subscription() {
    let c = Chat::new();
    c.cmd("start", "");
    let replies = c.cmd("hoi", "xyzzy qwerty plugh");
    let r = replies.last().expect("reply");
    let labels: Vec<&str> = r.all_buttons().map(|b| b.label.as_str()).collect();
    assert!(labels.len() <= 5, "Zalo shows five: {labels:?}");
    assert!(labels.iter().any(|l| l.contains("Kiểm tra như một tin nhắn")), "{labels:?}");
    assert!(labels.iter().any(|l| l.contains("Nhận mẹo hàng tuần")), "{labels:?}");
}

#[test]
fn a_reported_number_is_confirmed_by_an_admin_and_then_flagged_for_everyone() {
    use canhgiac::bot::{Action, Roles, action::Decision};
    use canhgiac::model::{BroadcastKind, EntityKind, ReportStatus};
    let store = Arc::new(Store::in_memory().expect("store"));
    let (engine, _dir) = common::engine_with(store.clone());
    let engine = engine.with_roles(Roles::new(&["telegram:100".into()], &[]).expect("roles"));
    let send = |user: &str, kind: IncomingKind| {
        let inc = Incoming {
            user: UserRef { channel: Channel::Telegram, id: user.into() },
            chat: ChatRef { id: user.into(), kind: ChatKind::Private },
            kind,
            addressed: true,
        };
        engine.handle(&inc).expect("handle")
    };
    let cmd = |user: &str, name: &str, arg: &str| {
        send(user, IncomingKind::Command { name: name.into(), arg: arg.into() })
    };
    let press = |user: &str, data: &str| send(user, IncomingKind::Button(data.into()));
    for u in ["1", "2", "3", "100"] {
        press(u, "ok:1:0");
    }
    let scam = "Công an phường thông báo CCCD của anh liên quan vụ án rửa tiền. Gọi ngay 0912 345 678 \
                hoặc chuyển tiền vào STK 0123456789 Vietcombank để chứng minh tiền sạch.";
    let before = plain(&cmd("3", "kiemtra", "0912345678"));
    assert!(!before.contains("báo cáo") && !before.contains("xác nhận"), "nothing known yet: {before}");

    // Reporter 1 reports the message and asks to hear back.
    let draft = cmd("1", "baocaolua", scam);
    let text = plain(&draft);
    assert!(
        text.contains("số điện thoại 0912345678") && text.contains("số tài khoản 0123456789 (Vietcombank)"),
        "{text}"
    );
    assert!(text.contains("không lưu nội dung tin nhắn"), "{text}");
    let sent = press("1", button(&draft, "báo kết quả"));
    let text = plain(&sent);
    assert!(text.contains("đã ghi nhận 2 mục") && text.contains("LD 0912345678"), "{text}");
    assert!(text.contains("canhbao.khonggianmang.gov.vn") || text.contains("156"), "{text}");
    assert!(
        plain(&press("1", button(&draft, "Gửi báo cáo"))).contains("báo cáo các mục này rồi"),
        "no repeat"
    );

    // Reporter 2 uses the button under the verdict.
    let verdict = send("2", IncomingKind::Text(scam.into()));
    let draft = press("2", button(&verdict, "Báo cáo lừa đảo"));
    press("2", button(&draft, "Gửi báo cáo"));
    let reported = plain(&cmd("3", "kiemtra", "0912345678"));
    assert!(reported.contains("2 người báo cáo") && reported.contains("chưa xác nhận"), "{reported}");
    assert!(!reported.starts_with("🚨 LỪA ĐẢO"), "unconfirmed reports never make a scam: {reported}");

    // The admin reviews: non-admins may not.
    assert!(plain(&cmd("3", "duyet", "")).contains("chỉ dành cho quản trị viên"));
    let review = cmd("100", "duyet", "");
    let listed = plain(&review);
    assert!(listed.contains("0912345678") && listed.contains("2 người báo cáo"), "{listed}");
    let phone = store.reported_value(EntityKind::Phone, "0912345678").expect("entity").expect("row");
    let confirm = Action::Decide { entity: phone.id, decision: Decision::Confirm }.encode();
    assert!(plain(&press("3", &confirm)).contains("chỉ dành cho quản trị viên"), "a forged tap");
    let done = plain(&press("100", &confirm));
    assert!(
        done.contains("Đã xác nhận lừa đảo") && done.contains("1 người báo cáo sẽ nhận được phản hồi"),
        "{done}"
    );
    let feedback = store.claim_due(Channel::Telegram, canhgiac::store::now(), 10).expect("claim");
    assert_eq!(feedback.len(), 1, "one message, to the one who asked");
    assert_eq!((feedback[0].chat_id.as_str(), feedback[0].kind), ("1", BroadcastKind::Feedback));
    assert!(feedback[0].body.as_deref().is_some_and(|b| b.contains("đã xác nhận")));

    // Everyone after: the number alone, and a message containing it.
    let alone = plain(&cmd("3", "kiemtra", "0912345678"));
    assert!(alone.starts_with("🚨 LỪA ĐẢO") && alone.contains("xác nhận là lừa đảo ngày"), "{alone}");
    let other = plain(&send("3", IncomingKind::Text("Chị ơi gọi giúp em số +84 912 345 678 nhé".into())));
    assert!(other.starts_with("🚨 LỪA ĐẢO"), "{other}");

    // Taken back: pending again, no longer a scam by itself.
    assert!(plain(&cmd("100", "gobaocao", "0912 345 678")).contains("rút lại"));
    let back = store.reported_value(EntityKind::Phone, "0912345678").expect("entity").expect("row");
    assert_eq!(back.status, ReportStatus::Pending);
    assert!(!plain(&cmd("3", "kiemtra", "0912345678")).starts_with("🚨 LỪA ĐẢO"));

    // Official numbers are never recorded.
    let official = plain(&cmd("3", "baocaolua", "Gọi 156 hoặc tổng đài 1900545413"));
    assert!(official.contains("chính thức") && official.contains("không tìm thấy"), "{official}");

    // Withdrawing consent drops feedback still waiting (reporter 2 asks, then withdraws).
    let other = "Chuyển khoản vào STK 5555666677 để nhận hàng";
    let draft = cmd("2", "baocaolua", other);
    press("2", button(&draft, "báo kết quả"));
    let waiting =
        |u: &str| store.subject_data(&UserKey::new(Channel::Telegram, u)).expect("data").feedback_waiting;
    assert_eq!(waiting("2"), 1);
    cmd("2", "rutdongy", "");
    assert_eq!(waiting("2"), 0, "no message after a withdrawal");

    // Deleting their data takes the reporter's key off their reports; the counts stay.
    press("1", "del:yes");
    let after = store.reported_value(EntityKind::Phone, "0912345678").expect("entity").expect("row");
    assert_eq!((after.reporters, after.reports), (2, 2));
    assert!(store.subject_data(&UserKey::new(Channel::Telegram, "1")).expect("data").is_empty());
}

#[test]
fn reports_are_limited_per_person_and_day() {
    let c = Chat::new();
    let numbers: Vec<String> = (0..25).map(|i| format!("09{:08}", 10_000_000 + i)).collect();
    let draft = c.cmd("baocaolua", &numbers.join(", "));
    let sent = plain(&c.press(button(&draft, "Gửi báo cáo")));
    assert!(sent.contains("đã ghi nhận 20 mục") && sent.contains("ngày mai"), "{sent}");
    assert_eq!(c.store.reported_entities(None).expect("entities").len(), 20);
}
