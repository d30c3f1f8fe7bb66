//! Group quizzes: the sessions, each with its leaderboard, per-question rates and CSV.

use std::sync::Arc;

use askama::Template;
use axum::{
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};

use super::{Chrome, download, failed, person, refused, render};
use crate::web::console::{Refused, Staff};
use crate::{
    report::{self, session as results},
    web::Web,
};

#[derive(Template)]
#[template(path = "console/quizzes.html")]
struct QuizzesPage {
    c: Chrome,
    sessions: Vec<(i64, String, String, String)>,
}

/// Sessions listed.
const SESSIONS_LISTED: usize = 100;

/// `GET /quan-tri/trac-nghiem`: the sessions (a trainer's own; every session for admins).
pub(in crate::web::console) async fn quizzes(State(web): State<Arc<Web>>, staff: Staff) -> Response {
    let store = web.engine.store();
    let list = if staff.admin() {
        store.latest_group_quizzes(SESSIONS_LISTED)
    } else {
        store.trainer_group_quizzes(&staff.key, false, SESSIONS_LISTED)
    };
    let list = match list {
        Ok(l) => l,
        Err(e) => return failed(&web, &staff, &e),
    };
    render(
        &QuizzesPage {
            c: Chrome::of(&web, &staff, "quizzes"),
            sessions: list
                .iter()
                .map(|s| {
                    (s.id, results::title(s), s.status.label_vi().to_owned(), person(&s.trainer.to_string()))
                })
                .collect(),
        },
        StatusCode::OK,
    )
}

#[derive(Template)]
#[template(path = "console/quiz.html")]
struct QuizPage {
    c: Chrome,
    id: i64,
    title: String,
    status: String,
    asked: usize,
    board: Vec<(usize, String, usize, usize)>,
    rates: Vec<(usize, String, usize, usize, usize)>,
    average: usize,
    passed: String,
    pass_percent: usize,
}

/// A session's results when `staff` may see them (their own, or any for admins).
fn session_for(web: &Web, staff: &Staff, id: i64) -> Result<results::SessionResults, Box<Response>> {
    match results::SessionResults::load(web.engine.store(), id) {
        Ok(Some(r)) if staff.admin() || r.session.trainer == staff.key => Ok(r),
        Ok(_) => Err(Box::new(refused(web, Some(staff), Refused::NotFound))),
        Err(e) => Err(Box::new(failed(web, staff, &e))),
    }
}

/// The question asked at `index` of a session.
fn question<'a>(
    web: &'a Web,
    r: &results::SessionResults,
    index: usize,
) -> Option<&'a crate::content::QuizQuestion> {
    web.engine.content().question(r.session.questions.get(index)?)
}

/// `GET /quan-tri/trac-nghiem/{id}`: the leaderboard and per-question correct rates.
pub(in crate::web::console) async fn quiz(
    State(web): State<Arc<Web>>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let r = match session_for(&web, &staff, id) {
        Ok(r) => r,
        Err(res) => return *res,
    };
    let asked = r.session.asked();
    render(
        &QuizPage {
            c: Chrome::of(&web, &staff, "quizzes"),
            id,
            title: results::title(&r.session),
            status: r.session.status.label_vi().to_owned(),
            asked,
            board: r
                .standings
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    (i + 1, results::shown_name(b, i + 1), b.correct, report::percent(b.correct, asked))
                })
                .collect(),
            rates: r
                .rates
                .iter()
                .map(|q| {
                    (
                        q.question + 1,
                        question(&web, &r, q.question)
                            .map(|x| x.question.trim().to_owned())
                            .unwrap_or_default(),
                        q.correct,
                        q.answered,
                        report::percent(q.correct, q.answered),
                    )
                })
                .collect(),
            passed: format!("{}/{}", r.passed(), r.standings.len()),
            average: r.average_percent(),
            pass_percent: report::PASS_PERCENT,
        },
        StatusCode::OK,
    )
}

/// `GET /quan-tri/trac-nghiem/{id}/csv`: the session's results with names.
pub(in crate::web::console) async fn quiz_csv(
    State(web): State<Arc<Web>>,
    staff: Staff,
    Path(id): Path<i64>,
) -> Response {
    let r = match session_for(&web, &staff, id) {
        Ok(r) => r,
        Err(res) => return *res,
    };
    let body = results::csv(&r, true, |i| question(&web, &r, i).map(|q| q.id.clone()));
    download(&format!("trac-nghiem-{id}.csv"), true, body)
}
