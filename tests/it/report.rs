//! The implementation report on a seeded database: rows written through the store's own
//! methods, exact figures checked in the report, its Markdown and CSV, and the CLI.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benches may fail loudly

use crate::common;

use canhgiac::model::{BroadcastKind, Channel, ChatKind, QuizMode, Reason, SessionStatus};
use std::process::Command;

use canhgiac::{
    report,
    store::{NewGroupQuiz, NewOutcome, Store, UserKey, now},
};

/// Everything in the report for "all time" (the seeded rows are written today).
const FROM: &str = "2000-01-01";
const TO: &str = "2999-12-31";

fn seed(store: &Store, questions: &[String]) {
    let (a, b, z) = (
        UserKey::new(Channel::Telegram, "1"),
        UserKey::new(Channel::Telegram, "2"),
        UserKey::new(Channel::Zalo, "z1"),
    );
    for k in [&a, &b, &z] {
        store.touch_user(k).expect("touch");
    }
    store.touch_user(&a).expect("a second visit is the same person");
    store.give_consent(&a, "v").expect("consent");
    store.set_subscribed(&a, true).expect("sub");
    store.subscribe(Channel::Telegram, "-100", ChatKind::Group).expect("group sub");
    // One weekly tip to both chats, delivered; one alert, delivered to one and failed for the other.
    store.enqueue_tips(1, "schedule", |s| Some(("tip_1".to_owned(), s.cycle))).expect("tips").expect("new");
    let alert = store.create_alert_draft("Cảnh báo", "telegram:9").expect("draft");
    store.queue_alert(alert).expect("queue");
    for (i, item) in store.claim_due(Channel::Telegram, now(), 10).expect("claim").into_iter().enumerate() {
        let outcome = if item.kind == BroadcastKind::Alert && i % 2 == 1 {
            NewOutcome::Failed(Reason::Other("403".into()))
        } else {
            NewOutcome::Sent
        };
        store.settle(item.id, &outcome).expect("settle");
    }
    for (kind, key) in
        [("verdict", "scam"), ("verdict", "scam"), ("verdict", "safe"), ("form", "deepfake_call")]
    {
        store.count(kind, key).expect("count");
    }
    // Personal quizzes: 9/10 (passed) and 5/10.
    store.record_quiz(&a, 9, 10).expect("quiz");
    store.record_quiz(&b, 5, 10).expect("quiz");
    // A group quiz of two questions: a gets both right, b one.
    let trainer = UserKey::new(Channel::Telegram, "9");
    let id = store
        .create_group_quiz(&NewGroupQuiz {
            mode: QuizMode::Poll,
            channel: Channel::Telegram,
            chat_id: Some("-100"),
            code: None,
            trainer: &trainer,
            topic: None,
            difficulty: None,
            questions,
            open_period: 30,
            now: now(),
        })
        .expect("create")
        .expect("id");
    store.advance_group_quiz(id, 0, now()).expect("second poll");
    store.join_group_quiz(id, &a, Some("Lan Nguyễn"), now()).expect("join");
    for (who, q, right) in [(&a, 0, true), (&a, 1, true), (&b, 0, false), (&b, 1, true)] {
        store.record_group_answer(id, who, q, 0, right, false, now()).expect("answer");
    }
    store.end_group_quiz(id, SessionStatus::Finished, now()).expect("end");
    // Per-question counts: the first question answered 3 times, 2 wrong; the second twice, right.
    for (q, wrong) in [(0, true), (0, true), (0, false), (1, false), (1, false)] {
        store.count("quiz_answered", &questions[q]).expect("count");
        if wrong {
            store.count("quiz_wrong", &questions[q]).expect("count");
        }
    }
}

#[test]
fn the_report_adds_up_a_seeded_database() {
    let content = common::content();
    let dir = tempfile::tempdir().expect("dir");
    let questions: Vec<String> = content.quiz.iter().take(2).map(|q| q.id.clone()).collect();
    {
        let store = Store::open(dir.path()).expect("store");
        seed(&store, &questions);
        let r = report::build(&store, &content, FROM, TO, None).expect("report");
        let f = &r.figures;
        assert_eq!(f.reached, [("telegram".to_owned(), 2), ("zalo".to_owned(), 1)]);
        let subs: Vec<(&str, &str, i64)> =
            f.subscribers_now.iter().map(|s| (s.channel.as_str(), s.chat_kind.as_str(), s.count)).collect();
        assert_eq!(subs, [("telegram", "group", 1), ("telegram", "private", 1)]);
        assert_eq!(f.new_subscribers, [("telegram".to_owned(), 2)]);
        assert_eq!(f.tips_delivered, [("telegram".to_owned(), 2)]);
        assert_eq!((f.alerts, f.alert_deliveries.clone()), (1, vec![("telegram".to_owned(), 1)]));
        assert_eq!(f.verdicts, [("scam".to_owned(), 2), ("safe".to_owned(), 1)]);
        assert_eq!(f.forms, [("deepfake_call".to_owned(), 1)]);
        assert_eq!(f.group_sessions, 1);
        assert_eq!((r.personal.taken, r.personal.passed), (2, 1));
        assert!((r.personal.average - 70.0).abs() < 1e-9);
        assert_eq!((r.group.taken, r.group.passed), (2, 1));
        assert!((r.group.average - 75.0).abs() < 1e-9);
        assert_eq!((r.all.taken, r.all.passed), (4, 2));
        assert!((r.all.average - 72.5).abs() < 1e-9 && (r.all.pass_rate() - 50.0).abs() < 1e-9);
        assert_eq!(r.missed.len(), 1, "only questions someone got wrong");
        assert_eq!(
            (r.missed[0].id.as_str(), r.missed[0].answered, r.missed[0].wrong),
            (questions[0].as_str(), 3, 2)
        );
        assert!(r.trainer_sessions.is_empty());

        let md = report::render_md(&r, &content);
        assert!(md.contains("| Telegram | 2 |") && md.contains("| **Tổng** | 3 |"), "{md}");
        assert!(
            md.contains("| Lừa đảo | 2 |") && md.contains("| Lừa đảo cuộc gọi video Deepfake | 1 |"),
            "{md}"
        );
        assert!(md.contains("| Điểm trung bình (%) | 70,0 | 75,0 | 72,5 |"), "{md}");
        assert!(md.contains(&format!("| 1 | {} | 3 | 2 | 67 |", content.quiz[0].question.trim())), "{md}");
        assert!(!md.contains("Lan Nguyễn"), "no names without --with-names");

        let csv = report::render_csv(&r);
        for line in
            ["reach,users,total,3", "tips,delivered,telegram,2", "alerts,sent,,1", "quiz,taken,group,2"]
        {
            assert!(csv.lines().any(|l| l == line), "{line} in {csv}");
        }

        // Days before the campaign: nothing.
        let empty = report::build(&store, &content, "2000-01-01", "2000-01-31", None).expect("report");
        assert!(empty.figures.reached.is_empty() && empty.figures.verdicts.is_empty());
        assert_eq!((empty.all.taken, empty.figures.group_sessions, empty.missed.len()), (0, 0, 0));
        assert!(report::build(&store, &content, "2025-03-01", "2025-02-01", None).is_err(), "reversed range");

        // The legal basis follows the period: Decree 13 before 2026, the Law and Decree 356 after.
        let before = report::render_md(
            &report::build(&store, &content, "2025-06-01", "2025-06-30", None).expect("r"),
            &content,
        );
        assert!(before.contains("13/2023/NĐ-CP") && !before.contains("91/2025/QH15"), "{before}");
        let after = report::render_md(
            &report::build(&store, &content, "2026-02-01", "2026-02-28", None).expect("r"),
            &content,
        );
        assert!(
            after.contains("91/2025/QH15") && after.contains("356/2025/NĐ-CP") && !after.contains("13/2023"),
            "{after}"
        );
        let across = report::legal_basis("2025-12-01", "2026-01-31");
        assert_eq!(across.len(), 2, "a period across the change cites both");
        // Deletions are counted for the privacy section, with no user.
        store.count("privacy", "deletion").expect("count");
        let today = canhgiac::vntime::iso_date(canhgiac::store::now());
        let r = report::build(&store, &content, &today, &today, None).expect("report");
        assert_eq!(r.privacy.deletions, 1);
        assert!(report::render_csv(&r).lines().any(|l| l == "privacy,deletions,,1"));
        let md = report::render_md(&r, &content);
        assert!(md.contains("| – Xóa dữ liệu (/xoadulieu) | 1 |"), "{md}");
        assert!(md.contains("| Yêu cầu của chủ thể dữ liệu đã xử lý | 1 |"), "{md}");
        assert!(md.contains("Thời hạn lưu trữ đang áp dụng") && md.contains("1 năm"), "{md}");

        let named = report::build(&store, &content, FROM, TO, Some(&UserKey::new(Channel::Telegram, "9")))
            .expect("with names");
        assert!(report::render_md(&named, &content).contains("| 1 | Lan Nguyễn | 2/2 |"));
    }

    // The command line over the same database.
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_canhgiac"))
            .args(args)
            .env("CANHGIAC_DATA_DIR", dir.path())
            .env("CANHGIAC_CONTENT_DIR", common::root().join("content"))
            .env_remove("RUST_LOG")
            .current_dir(dir.path())
            .output()
            .expect("run");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.success(),
        )
    };
    let (csv, err, ok) = run(&["report", "--from", FROM, "--to", TO, "--format", "csv"]);
    assert!(ok, "{err}");
    assert!(csv.lines().any(|l| l == "reach,users,telegram,2"), "{csv}");
    let (md, _, ok) = run(&["report", "--from", FROM, "--to", TO]);
    assert!(ok && md.starts_with("# Báo cáo triển khai canhgiac"), "{md}");
    let (_, err, ok) = run(&["report", "--from", "2025-13-01", "--to", TO]);
    assert!(!ok && err.contains("2025-13-01"), "{err}");
    let (_, _, ok) = run(&["report", "--from", FROM, "--to", TO, "--with-names"]);
    assert!(!ok, "--with-names needs --trainer");
    let (export, err, ok) = run(&["quiz", "export", "--session", "1"]);
    assert!(ok, "{err}");
    assert!(export.lines().any(|l| l == "participant,1,,2,2,2,100"), "no names by default: {export}");
    let (export, _, _) = run(&["quiz", "export", "--session", "1", "--with-names"]);
    assert!(export.lines().any(|l| l == "participant,1,Lan Nguyễn,2,2,2,100"), "{export}");

    let store = Store::open(dir.path()).expect("store");
    // A report already produced gives the same figures after users delete their data.
    let all_time = |store: &Store| {
        let mut r = report::build(store, &content, FROM, TO, None).expect("report");
        r.figures.subscribers_now.clear();
        r
    };
    let before = all_time(&store);
    for id in ["1", "2"] {
        assert!(store.delete_user(&UserKey::new(Channel::Telegram, id)).expect("delete"));
    }
    let after = all_time(&store);
    assert_eq!(after.figures, before.figures);
    assert_eq!((after.personal, after.group, after.all), (before.personal, before.group, before.all));
}
