//! Channel adapters: translate platform events into `bot::Incoming` and `bot::Reply` into
//! platform calls. Only this layer knows teloxide or terminal details.

/// A channel that could not be set up or reached.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// A setting is unusable (an invalid URL, no tokens).
    #[error("{0}")]
    Setup(String),
    /// The platform's API refused or could not be reached (tokens already removed).
    #[error("{0}")]
    Api(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Compares secrets in constant time (no early exit on the first differing byte).
#[must_use]
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Runs the engine ([`crate::bot::Engine::handle_async`]). A failure is logged and counted,
/// and the user gets the apology rather than silence.
pub(crate) async fn run_engine(
    engine: &std::sync::Arc<crate::bot::Engine>,
    inc: &crate::bot::Incoming,
    metrics: &crate::metrics::Metrics,
) -> Vec<crate::bot::Reply> {
    let failure = match engine.handle_async(inc.clone()).await {
        Ok(replies) => return replies,
        Err(e) => e.to_string(),
    };
    metrics.inc(&metrics.errors);
    tracing::warn!(error = %failure, "engine failed");
    vec![crate::bot::Reply::plain(crate::bot::texts::TROUBLE)]
}

/// Largest webhook body accepted (updates and events are a few kilobytes).
pub const MAX_WEBHOOK_BODY: usize = 64 * 1024;
/// Longest a client may take to send a webhook body.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Reads a webhook body within [`MAX_WEBHOOK_BODY`] and [`BODY_TIMEOUT`]; the status to answer
/// otherwise (413 too large, 408 too slow, 400 broken).
pub(crate) async fn read_body(body: axum::body::Body) -> Result<axum::body::Bytes, axum::http::StatusCode> {
    use axum::http::StatusCode;
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, MAX_WEBHOOK_BODY)).await {
        Err(_) => Err(StatusCode::REQUEST_TIMEOUT),
        Ok(Ok(b)) => Ok(b),
        Ok(Err(e)) => {
            let too_large = e.into_inner().is::<http_body_util::LengthLimitError>();
            Err(if too_large { StatusCode::PAYLOAD_TOO_LARGE } else { StatusCode::BAD_REQUEST })
        }
    }
}

pub mod console;
pub mod render;
pub mod telegram;
pub mod zalo;
