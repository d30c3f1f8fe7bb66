//! `GET /quan-tri`: the period's figures and the chart of checks per day.

use std::sync::Arc;

use askama::Template;
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};

use super::{Chrome, RangeQuery, failed, range, render};
use crate::web::console::{Staff, chart};
use crate::{
    report::{self},
    store::now,
    vntime::iso_vi,
    web::Web,
};

#[derive(Template)]
#[template(path = "console/overview.html")]
struct OverviewPage {
    c: Chrome,
    from: String,
    to: String,
    error: Option<String>,
    period: String,
    reached: i64,
    new_users: i64,
    subscribers: i64,
    subscriber_lines: Vec<String>,
    checks: i64,
    verdicts: Vec<(String, i64)>,
    chart: String,
    forms: Vec<(String, i64)>,
    quizzes: usize,
    takers: i64,
    pass_rate: String,
    average: String,
    group_sessions: i64,
    next_tip: String,
    broadcasts: Vec<(i64, String)>,
}

/// `GET /quan-tri`: the period's figures.
pub(in crate::web::console) async fn overview(
    State(web): State<Arc<Web>>,
    staff: Staff,
    Query(q): Query<RangeQuery>,
) -> Response {
    let (from, to, error) = match range(&q) {
        Ok((f, t)) => (f, t, None),
        Err(e) => {
            let (f, t) = range(&RangeQuery::default()).unwrap_or_default();
            (f, t, Some(e))
        }
    };
    let engine = web.engine.clone();
    let (f2, t2) = (from.clone(), to.clone());
    let built = tokio::task::spawn_blocking(move || {
        let store = engine.store();
        let r = report::build(store, engine.content(), &f2, &t2, None).map_err(|e| e.to_string())?;
        let daily = store.daily_totals("verdict", &f2, &t2).map_err(|e| e.to_string())?;
        let broadcasts = store.broadcast_summaries(5).map_err(|e| e.to_string())?;
        // Vietnamese days as Unix times: from the first day's midnight to the day after the last.
        let day = |d: &str, plus: i64| {
            crate::vntime::iso_day(d).map_or(0, |n| crate::vntime::local_time(n + plus, 0))
        };
        let (takers, _) = store.quiz_takers_between(day(&f2, 0), day(&t2, 1)).map_err(|e| e.to_string())?;
        Ok::<_, String>((r, daily, broadcasts, takers))
    })
    .await;
    let (r, daily, broadcasts, takers) = match built {
        Ok(Ok(x)) => x,
        Ok(Err(e)) => return failed(&web, &staff, &e),
        Err(e) => return failed(&web, &staff, &e),
    };
    let f = &r.figures;
    let sum = |v: &[(String, i64)]| v.iter().map(|(_, n)| n).sum::<i64>();
    let content = web.engine.content();
    let page = OverviewPage {
        c: Chrome::of(&web, &staff, "overview"),
        period: format!("{} – {}", iso_vi(&from), iso_vi(&to)),
        from,
        to,
        error,
        reached: sum(&f.reached),
        new_users: sum(&f.new_users),
        subscribers: f.subscribers_now.iter().map(|s| s.count).sum(),
        subscriber_lines: f
            .subscribers_now
            .iter()
            .map(|s| format!("{}: {} {}", s.channel.label_vi(), s.count, s.chat_kind.label_vi()))
            .collect(),
        checks: sum(&f.verdicts),
        verdicts: f
            .verdicts
            .iter()
            .map(|(k, n)| (crate::campaign::verdict_label(k).to_owned(), *n))
            .collect(),
        chart: chart::svg(&chart::days(&r.from, &r.to, &daily)),
        forms: f
            .forms
            .iter()
            .take(5)
            .map(|(id, n)| (content.form(id).map_or_else(|| id.clone(), |x| x.title.clone()), *n))
            .collect(),
        quizzes: r.all.taken,
        takers,
        pass_rate: format!("{}%", report::percent(r.all.passed, r.all.taken)),
        average: format!("{:.1}%", r.all.average).replace('.', ","),
        group_sessions: f.group_sessions,
        next_tip: web.engine.campaign().next_tip_text(now()),
        broadcasts: broadcasts.iter().map(|b| (b.id, crate::campaign::describe_broadcast(b))).collect(),
    };
    render(&page, StatusCode::OK)
}
