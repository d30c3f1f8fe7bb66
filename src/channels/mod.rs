//! Channel adapters: translate platform events into `bot::Incoming` and `bot::Reply` into
//! platform calls. Only this layer knows teloxide or terminal details.

/// Compares secrets in constant time (no early exit on the first differing byte).
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Runs the engine on a blocking thread. A failure is logged and counted, and the user gets
/// the apology rather than silence.
pub(crate) async fn run_engine(
    engine: &std::sync::Arc<crate::bot::Engine>,
    inc: &crate::bot::Incoming,
    metrics: &crate::server::Metrics,
) -> Vec<crate::bot::Reply> {
    let (engine, inc) = (engine.clone(), inc.clone());
    let failure = match tokio::task::spawn_blocking(move || engine.handle(&inc)).await {
        Ok(Ok(replies)) => return replies,
        Ok(Err(e)) => e.to_string(),
        Err(e) => e.to_string(),
    };
    metrics.inc(&metrics.errors);
    tracing::warn!(error = %failure, "engine failed");
    vec![crate::bot::Reply::plain(crate::bot::texts::TROUBLE)]
}

pub mod console;
pub mod render;
pub mod telegram;
pub mod zalo;
