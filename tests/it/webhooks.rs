//! Every webhook rejection, in process (`oneshot` on each channel's router, no listener): a
//! wrong or missing secret or signature, a stale timestamp, a malformed, oversized or too slow
//! body, and a full pipeline (503) are refused, counted, and never reach the engine.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use std::{sync::Arc, time::Duration};

use axum::{
    body::Body,
    http::{Request, StatusCode},
};
use canhgiac::{
    channels::{
        telegram::{SECRET_HEADER, Telegram},
        zalo::{Zalo, ZaloSettings, mac},
    },
    metrics::Metrics,
    pipeline::{Intake, Limits, Pipeline, Writer},
    store::Store,
    testing::{fake_telegram, fake_zalo},
};
use serde_json::json;
use tower::ServiceExt;

use crate::common;

struct Harness {
    pipeline: Pipeline,
    _writer: Writer,
    engine: Arc<canhgiac::bot::Engine>,
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

fn harness(limits: Limits) -> Harness {
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(Store::open(data.path()).expect("store"));
    let (engine, index) = common::engine_with(store.clone());
    let (intake, writer, _) = Intake::open(store.path().expect("file")).expect("intake");
    let pipeline = Pipeline::new(intake, limits, Arc::new(Metrics::default()));
    Harness { pipeline, _writer: writer, engine: Arc::new(engine), _dirs: (data, index) }
}

fn now_ms() -> String {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis().to_string()
}

async fn status(router: &axum::Router, req: Request<Body>) -> StatusCode {
    router.clone().oneshot(req).await.expect("response").status()
}

fn post(path: &str) -> axum::http::request::Builder {
    Request::post(path).header("content-type", "application/json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telegram_rejections() {
    let h = harness(Limits::default());
    let (_fake, api) = fake_telegram::start().await.expect("fake");
    let metrics = h.pipeline.metrics.clone();
    let tg =
        Arc::new(Telegram::connect("123:TEST", &api, h.engine.clone(), metrics.clone()).await.expect("tg"));
    let r = tg.webhook_router("s3cret".into(), h.pipeline.clone());
    let update = common::tg::text(1, common::tg::private(5), 5, "/start").to_string();
    let p = "/webhooks/telegram";

    assert_eq!(
        status(&r, post(p).body(Body::from(update.clone())).expect("req")).await,
        StatusCode::UNAUTHORIZED
    );
    let wrong = post(p).header(SECRET_HEADER, "s3cret-not").body(Body::from(update.clone())).expect("req");
    assert_eq!(status(&r, wrong).await, StatusCode::UNAUTHORIZED);
    // The secret is checked before the body is read: a body that never ends is not waited for.
    let endless = Body::from_stream(futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>());
    let t = std::time::Instant::now();
    assert_eq!(status(&r, post(p).body(endless).expect("req")).await, StatusCode::UNAUTHORIZED);
    assert!(t.elapsed() < Duration::from_secs(1));
    let bad = post(p).header(SECRET_HEADER, "s3cret").body(Body::from("{not json")).expect("req");
    assert_eq!(status(&r, bad).await, StatusCode::BAD_REQUEST);
    let huge = post(p).header(SECRET_HEADER, "s3cret").body(Body::from(vec![b' '; 200_000])).expect("req");
    assert_eq!(status(&r, huge).await, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(metrics.rejected.load(std::sync::atomic::Ordering::Relaxed), 5);
    assert_eq!(metrics.updates.load(std::sync::atomic::Ordering::Relaxed), 0, "nothing reached the pipeline");
    let good = post(p).header(SECRET_HEADER, "s3cret").body(Body::from(update)).expect("req");
    assert_eq!(status(&r, good).await, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_body_times_out() {
    let h = harness(Limits::default());
    let (_fake, api) = fake_telegram::start().await.expect("fake");
    let tg = Arc::new(
        Telegram::connect("123:TEST", &api, h.engine.clone(), h.pipeline.metrics.clone()).await.expect("tg"),
    );
    let r = tg.webhook_router("s3cret".into(), h.pipeline.clone());
    let endless = Body::from_stream(futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>());
    let req = post("/webhooks/telegram").header(SECRET_HEADER, "s3cret").body(endless).expect("req");
    let t = std::time::Instant::now();
    assert_eq!(status(&r, req).await, StatusCode::REQUEST_TIMEOUT);
    assert!(t.elapsed() < canhgiac::channels::BODY_TIMEOUT + Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_pipeline_refuses_early() {
    let h = harness(Limits { concurrency: 1, capacity: 1 });
    let (_fake, api) = fake_telegram::start().await.expect("fake");
    let tg = Arc::new(
        Telegram::connect("123:TEST", &api, h.engine.clone(), h.pipeline.metrics.clone()).await.expect("tg"),
    );
    let r = tg.webhook_router("s3cret".into(), h.pipeline.clone());
    let _held = h.pipeline.reserve().expect("the only slot");
    let update = common::tg::text(1, common::tg::private(5), 5, "/start").to_string();
    let req =
        post("/webhooks/telegram").header(SECRET_HEADER, "s3cret").body(Body::from(update)).expect("req");
    assert_eq!(status(&r, req).await, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(h.pipeline.metrics.overloaded.load(std::sync::atomic::Ordering::Relaxed), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zalo_rejections() {
    let h = harness(Limits::default());
    let (_fake, api) = fake_zalo::start("a", "r", "app-secret").await.expect("fake");
    let settings = ZaloSettings {
        app_id: "app".into(),
        app_secret: "app-secret".into(),
        oa_secret_key: "oa".into(),
        api_url: api.clone(),
        oauth_url: api,
        access_token: Some("a".into()),
        refresh_token: Some("r".into()),
        rate_limit_backoff: Duration::from_millis(10),
    };
    let metrics = h.pipeline.metrics.clone();
    let z = Arc::new(
        Zalo::new(settings, h.engine.clone(), h.engine.store().clone(), metrics.clone()).expect("zalo"),
    );
    let r = z.webhook_router(h.pipeline.clone());
    let p = "/webhooks/zalo";
    let event = |ts: serde_json::Value| {
        json!({"app_id": "app", "sender": {"id": "u1"}, "recipient": {"id": "oa"}, "event_name": "user_send_text",
            "message": {"text": "xin chào", "msg_id": "m1"}, "timestamp": ts})
        .to_string()
    };
    let signed = |body: &str, ts: &str| {
        post(p)
            .header("x-zevent-signature", format!("mac={}", mac("app", body.as_bytes(), ts, "oa")))
            .body(Body::from(body.to_owned()))
            .expect("req")
    };
    let ts = now_ms();
    let body = event(json!(ts));
    assert_eq!(
        status(&r, post(p).body(Body::from(body.clone())).expect("req")).await,
        StatusCode::UNAUTHORIZED
    );
    let forged = post(p).header("x-zevent-signature", "mac=00").body(Body::from(body.clone())).expect("req");
    assert_eq!(status(&r, forged).await, StatusCode::UNAUTHORIZED);
    let old = event(json!("1700000000000"));
    assert_eq!(
        status(&r, signed(&old, "1700000000000")).await,
        StatusCode::UNAUTHORIZED,
        "a replayed old event"
    );
    let none = event(json!(""));
    assert_eq!(status(&r, signed(&none, "")).await, StatusCode::UNAUTHORIZED, "no timestamp");
    assert_eq!(status(&r, signed("{not json", &ts)).await, StatusCode::BAD_REQUEST);
    let huge = "x".repeat(200_000);
    assert_eq!(status(&r, signed(&huge, &ts)).await, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(metrics.rejected.load(std::sync::atomic::Ordering::Relaxed), 6);
    assert_eq!(metrics.updates.load(std::sync::atomic::Ordering::Relaxed), 0, "nothing reached the pipeline");
    assert_eq!(status(&r, signed(&body, &ts)).await, StatusCode::OK);
    assert_eq!(status(&r, signed(&body, &ts)).await, StatusCode::OK, "a redelivery is acknowledged");
    assert_eq!(metrics.duplicates.load(std::sync::atomic::Ordering::Relaxed), 1, "…and dropped");
}
