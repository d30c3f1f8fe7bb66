//! Load and fault benchmark of `canhgiac serve`: the real binary (bench profile) as a child
//! process in Telegram webhook mode, against the fake Bot API on loopback, with the load
//! generated here. Prints, side by side in one run:
//!
//! 1. a bare axum handler (reads the body, answers 200) and `serve`'s webhook under the same
//!    generator (32 connections): requests/s, and updates acknowledged *and answered* per
//!    second (the inbox drained, every reply sent), with their ratio;
//! 2. acknowledgement latency at a steady 500 updates/s (p50, p99, max);
//! 3. resident memory over 100,000 mixed updates (at 10k, 50k and 100k);
//! 4. reply latency for users while a 10,000-subscriber weekly tip fans out;
//! 5. `/healthz` latency and memory with 1,500 slow or idle connections open;
//! 6. updates lost across `kill -9` right after 1,000 were acknowledged.
//!
//! Run with `cargo bench --bench webhook_load` (about three minutes on two cores).

#![allow(clippy::unwrap_used, clippy::expect_used)] // benches may fail loudly
#![allow(missing_docs)]

use std::{
    io::Write as _,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use canhgiac::{
    model::{Channel, ChatKind},
    store::Store,
    testing::fake_telegram::{self, FakeTelegram},
};
use serde_json::json;

const SECRET: &str = "load-secret";
const CONNECTIONS: usize = 32;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo bench -- --list` probes harness=false benches
    }
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(run());
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("port").local_addr().expect("addr").port()
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Resident memory by kind (MiB): anonymous (heap, stacks) and file-backed (the binary's
/// code, the search index's mapped files, SQLite's shared memory).
fn rss_split(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("RssAnon:"), field("RssFile:") + field("RssShmem:"))
}

/// CPU seconds the process has used (user + system).
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Killed when dropped, so a failing run leaves no server behind.
struct Serve {
    child: Child,
    port: u16,
    log: PathBuf,
    client: reqwest::Client,
}

impl Drop for Serve {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Serve {
    async fn start(api: &str, data: &Path, index: &Path, admins: &str) -> Self {
        let port = free_port();
        let log = data.join("serve.log");
        let logf = std::fs::OpenOptions::new().create(true).append(true).open(&log).expect("log");
        // `BENCH_WRAP="heaptrack -o /tmp/ht"` runs the server under a profiler.
        let wrap: Vec<String> =
            std::env::var("BENCH_WRAP").unwrap_or_default().split_whitespace().map(str::to_owned).collect();
        let mut command = match wrap.split_first() {
            Some((tool, args)) => {
                let mut c = Command::new(tool);
                c.args(args).arg(env!("CARGO_BIN_EXE_canhgiac"));
                c
            }
            None => Command::new(env!("CARGO_BIN_EXE_canhgiac")),
        };
        let child = command
            .arg("serve")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TELEGRAM_BOT_TOKEN", "123:LOAD")
            .env("CANHGIAC_TELEGRAM_API_URL", api)
            .env("CANHGIAC_PUBLIC_URL", "https://bot.example.gov.vn")
            .env("CANHGIAC_TELEGRAM_WEBHOOK_SECRET", SECRET)
            .env("CANHGIAC_DATA_DIR", data)
            .env("CANHGIAC_INDEX_DIR", index)
            .env("CANHGIAC_CONTENT_DIR", root().join("content"))
            .env("CANHGIAC_LISTEN", format!("127.0.0.1:{port}"))
            .env("CANHGIAC_ADMINS", admins)
            .env("RUST_LOG", "warn")
            // jemalloc's options, e.g. `BENCH_MALLOC_CONF=stats_print:true`.
            .env("_RJEM_MALLOC_CONF", std::env::var("BENCH_MALLOC_CONF").unwrap_or_default())
            .stdout(Stdio::null())
            .stderr(logf)
            .spawn()
            .expect("start serve");
        let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().expect("client");
        let s = Self { child, port, log, client };
        for _ in 0..600 {
            if s.client.get(s.url("/healthz")).send().await.is_ok() {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("serve did not start: {}", std::fs::read_to_string(&s.log).unwrap_or_default());
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn metric(&self, name: &str) -> u64 {
        let text = match self.client.get(self.url("/metrics")).send().await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(_) => return 0,
        };
        text.lines()
            .find(|l| l.starts_with(name) && l.as_bytes().get(name.len()) == Some(&b' '))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// Waits until `n` updates were handled in total; the time it took.
    async fn handled(&self, n: u64, limit: Duration) -> Duration {
        let t = Instant::now();
        while self.metric("canhgiac_updates_handled_total").await < n && t.elapsed() < limit {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        t.elapsed()
    }

    /// `kill -9`: no chance to finish anything.
    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM first (a graceful drain), SIGKILL after 10 s.
    fn stop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        }
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        // `BENCH_KEEP_LOG=/path` keeps the server's log (e.g. jemalloc's statistics).
        if let Some(to) = std::env::var_os("BENCH_KEEP_LOG") {
            let _ = std::fs::copy(&self.log, to);
        }
    }
}

/// The mixed updates: the five don'ts, a scam message, handbook questions; users cycle.
fn updates(from: usize, n: usize, users: usize, questions: &[String]) -> Vec<String> {
    (from..from + n)
        .map(|i| {
            let chat = 1_000_000 + (i % users) as i64;
            let text = match i % 4 {
                0 => "/5khong".to_owned(),
                1 => format!(
                    "Tai khoan {i} bi khoa, vui long truy cap https://vietcombank-xacthuc.top de mo khoa"
                ),
                _ => questions[i % questions.len()].clone(),
            };
            json!({"update_id": i + 1, "message": {"message_id": i + 1, "date": 1_700_000_000,
                "chat": {"id": chat, "type": "private", "first_name": "T"},
                "from": {"id": chat, "is_bot": false, "first_name": "T"}, "text": text}})
            .to_string()
        })
        .collect()
}

/// Requests refused with 503 (at capacity) and retried, as Telegram retries them.
static REFUSED: AtomicUsize = AtomicUsize::new(0);

/// Posts every body over `CONNECTIONS` connections (a 503 is retried after 20 ms, as Telegram
/// would); returns the elapsed time and each acknowledged request's latency (ms).
async fn blast(client: &reqwest::Client, url: &str, bodies: Vec<String>) -> (Duration, Vec<f64>) {
    let bodies = Arc::new(bodies);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (client, url, bodies, next) = (client.clone(), url.to_owned(), bodies.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(i) else { break };
                loop {
                    let t = Instant::now();
                    let r = client
                        .post(&url)
                        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .expect("post");
                    if r.status() == 503 {
                        REFUSED.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    assert_eq!(r.status(), 200, "acknowledged");
                    lat.push(t.elapsed().as_secs_f64() * 1e3);
                    break;
                }
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.expect("task"));
    }
    (start.elapsed(), lat)
}

/// Posts the bodies at a steady `rate` per second (open loop); each request's latency (ms).
async fn paced(client: &reqwest::Client, url: &str, bodies: Vec<String>, rate: f64) -> Vec<f64> {
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::new();
    for (i, body) in bodies.into_iter().enumerate() {
        tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / rate)).await;
        let (client, url) = (client.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let t = Instant::now();
            let r = client
                .post(&url)
                .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("post");
            assert_eq!(r.status(), 200);
            t.elapsed().as_secs_f64() * 1e3
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.push(t.await.expect("task"));
    }
    lat.sort_by(f64::total_cmp);
    lat
}

/// A bare axum handler on its own runtime (as a separate server would be): reads the body,
/// answers 200.
fn bare_axum() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let rt =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
        rt.block_on(async move {
            let app = axum::Router::new()
                .route("/webhooks/telegram", axum::routing::post(|_body: axum::body::Bytes| async { "" }));
            let l = tokio::net::TcpListener::from_std(listener).expect("listener");
            let _ = axum::serve(l, app).await;
        });
    });
    port
}

async fn fake() -> (Arc<FakeTelegram>, String) {
    let (fake, url) = fake_telegram::start().await.expect("fake api");
    fake.lean.store(true, Ordering::Relaxed);
    (fake, url)
}

async fn run() {
    let questions: Vec<String> = std::fs::read_to_string(root().join("tests/data/dev_questions.tsv"))
        .expect("dev questions")
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once('\t').map(|(_, q)| q.to_owned()))
        .collect();
    let index = tempfile::tempdir().expect("index");

    // 1–3: throughput against bare axum, latency at 500/s, memory over 100k updates.
    {
        let (_fake, api) = fake().await;
        let data = tempfile::tempdir().expect("data");
        let serve = Serve::start(&api, data.path(), index.path(), "telegram:1").await;
        let idle = rss_mib(serve.pid());
        let n = 20_000;
        let bare_port = bare_axum();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let bare_client =
            reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().expect("client");
        let bare_url = format!("http://127.0.0.1:{bare_port}/webhooks/telegram");
        let (bare, _) = blast(&bare_client, &bare_url, updates(0, n, 5000, &questions)).await;
        let bare_rps = n as f64 / bare.as_secs_f64();
        let t = Instant::now();
        let cpu0 = cpu_secs(serve.pid());
        let (acked, mut ack_lat) =
            blast(&serve.client, &serve.url("/webhooks/telegram"), updates(0, n, 5000, &questions)).await;
        serve.handled(n as u64, Duration::from_secs(300)).await;
        let answered = t.elapsed();
        let cpu_per_update = (cpu_secs(serve.pid()) - cpu0) / n as f64 * 1e6;
        ack_lat.sort_by(f64::total_cmp);
        let ack_rps = n as f64 / acked.as_secs_f64();
        let answered_rps = n as f64 / answered.as_secs_f64();
        println!("1. same generator, {CONNECTIONS} connections, {n} requests each:");
        println!("   bare axum handler            {bare_rps:>8.0} requests/s");
        println!(
            "   serve: acknowledged          {ack_rps:>8.0} updates/s ({:.1}% of bare axum; ack p50 {:.1} ms, p99 {:.1} ms)",
            ack_rps / bare_rps * 100.0,
            pct(&ack_lat, 0.5),
            pct(&ack_lat, 0.99)
        );
        println!(
            "   serve: acknowledged+answered {answered_rps:>8.0} updates/s ({:.1}% of bare axum; {} refused with 503 at capacity and retried; \
             serve used {cpu_per_update:.0} µs CPU per update)",
            answered_rps / bare_rps * 100.0,
            REFUSED.swap(0, Ordering::Relaxed)
        );

        // The pipeline alone: the cheapest command (no search, no check) for every update.
        let cheap: Vec<String> = (0..n)
            .map(|i| {
                let u = 3_000_000 + (i % 5000) as i64;
                json!({"update_id": 500_000 + i, "message": {"message_id": 1, "date": 1_700_000_000,
                    "chat": {"id": u, "type": "private", "first_name": "T"}, "from": {"id": u, "is_bot": false, "first_name": "T"},
                    "text": "/start", "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}})
                .to_string()
            })
            .collect();
        let t = Instant::now();
        let cpu0 = cpu_secs(serve.pid());
        blast(&serve.client, &serve.url("/webhooks/telegram"), cheap).await;
        serve.handled(2 * n as u64, Duration::from_secs(300)).await;
        let cheap_rps = n as f64 / t.elapsed().as_secs_f64();
        println!(
            "   serve, /start only (no search): {cheap_rps:>6.0} updates/s answered ({:.1}% of bare axum; {:.0} µs CPU per update)",
            cheap_rps / bare_rps * 100.0,
            (cpu_secs(serve.pid()) - cpu0) / n as f64 * 1e6
        );
        REFUSED.store(0, Ordering::Relaxed);

        let lat =
            paced(&serve.client, &serve.url("/webhooks/telegram"), updates(n, 5000, 5000, &questions), 500.0)
                .await;
        serve.handled((2 * n + 5000) as u64, Duration::from_secs(120)).await;
        println!(
            "2. steady 500 updates/s for 10 s: acknowledgement p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms",
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            lat.last().copied().unwrap_or(0.0)
        );

        // 100,000 updates in all (the 25,000 above count), sampled every 10,000.
        let mut done = n + 5000;
        let handled_before = n as u64; // the /start-only updates above count in `handled`
        let mut samples = vec![(done, rss_mib(serve.pid()))];
        let mut peak = samples[0].1;
        while done < 100_000 {
            let chunk = 15_000.min(100_000 - done);
            blast(&serve.client, &serve.url("/webhooks/telegram"), updates(done, chunk, 20_000, &questions))
                .await;
            done += chunk;
            serve.handled(done as u64 + handled_before, Duration::from_secs(300)).await;
            let r = rss_mib(serve.pid());
            peak = peak.max(r);
            samples.push((done, r));
        }
        let at = |k: usize| samples.iter().min_by_key(|(d, _)| d.abs_diff(k)).map_or(0.0, |(_, r)| *r);
        let (anon, file) = rss_split(serve.pid());
        println!(
            "3. resident memory: idle {idle:.0} MiB; after 25k {:.0} MiB, 55k {:.0} MiB, 100k {:.0} MiB (peak {peak:.0} MiB); \
             last half grew {:+.1} MiB; at the end {anon:.0} MiB anonymous, {file:.0} MiB file-backed (code, index, shared memory)",
            at(25_000),
            at(55_000),
            at(100_000),
            at(100_000) - at(55_000)
        );

        if std::env::var_os("BENCH_ONLY_LOAD").is_some() {
            return;
        }
        // 5: slow and idle connections.
        let before = rss_mib(serve.pid());
        let mut conns = Vec::new();
        for i in 0..1500 {
            let mut s = std::net::TcpStream::connect(("127.0.0.1", serve.port)).expect("connect");
            if i % 2 == 0 {
                // Half-sent headers: a slow client.
                let _ = s.write_all(b"POST /webhooks/telegram HTTP/1.1\r\nHost: x\r\n");
            }
            conns.push(s);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut hz = Vec::new();
        for _ in 0..20 {
            let fresh = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
            let t = Instant::now();
            let ok = fresh.get(serve.url("/healthz")).timeout(Duration::from_secs(5)).send().await.is_ok();
            hz.push(if ok { t.elapsed().as_secs_f64() * 1e3 } else { 5000.0 });
        }
        hz.sort_by(f64::total_cmp);
        let with = rss_mib(serve.pid());
        println!(
            "5. 1,500 slow or idle connections: /healthz p50 {:.1} ms, max {:.1} ms; memory {before:.0} → {with:.0} MiB ({:+.1} MiB)",
            pct(&hz, 0.5),
            hz.last().copied().unwrap_or(0.0),
            with - before
        );
        drop(conns);
        serve.kill();
    }

    // 4: replies while a 10,000-subscriber weekly tip fans out.
    {
        let (fake, api) = fake().await;
        let data = tempfile::tempdir().expect("data");
        {
            let store = Store::open(data.path()).expect("store");
            for i in 0..10_000 {
                let key = canhgiac::store::UserKey::new(Channel::Telegram, &(5_000_000 + i).to_string());
                store.give_consent(&key, canhgiac::bot::Notice::default().version()).expect("consent");
                store
                    .subscribe(Channel::Telegram, &(5_000_000 + i).to_string(), ChatKind::Private)
                    .expect("sub");
            }
        }
        let serve = Serve::start(&api, data.path(), index.path(), "telegram:1").await;
        let url = serve.url("/webhooks/telegram");
        // Warm the users up so each answer is one message.
        let users: Vec<i64> = (0..300).map(|i| 7_000_000 + i).collect();
        let warm: Vec<String> = users
            .iter()
            .enumerate()
            .map(|(i, u)| {
                json!({"update_id": 900_000 + i, "message": {"message_id": 1, "date": 1_700_000_000,
                    "chat": {"id": u, "type": "private", "first_name": "T"}, "from": {"id": u, "is_bot": false, "first_name": "T"},
                    "text": "/start"}})
                .to_string()
            })
            .collect();
        blast(&serve.client, &url, warm).await;
        serve.handled(300, Duration::from_secs(60)).await;
        let guimeo = json!({"update_id": 950_000, "message": {"message_id": 2, "date": 1_700_000_000,
            "chat": {"id": 1, "type": "private", "first_name": "A"}, "from": {"id": 1, "is_bot": false, "first_name": "A"},
            "text": "/guimeo", "entities": [{"type": "bot_command", "offset": 0, "length": 7}]}});
        let calls_before = fake.calls("sendMessage").len();
        let t0 = Instant::now();
        serve
            .client
            .post(&url)
            .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
            .json(&guimeo)
            .send()
            .await
            .expect("guimeo");
        // Users write at 60/s for 5 s while the fan-out runs.
        let mut sent_at = Vec::new();
        let start = tokio::time::Instant::now();
        let mut tasks = Vec::new();
        for (k, u) in users.iter().cycle().take(300).enumerate() {
            tokio::time::sleep_until(start + Duration::from_secs_f64(k as f64 / 60.0)).await;
            let body = json!({"update_id": 960_000 + k, "message": {"message_id": 3 + k, "date": 1_700_000_000,
                "chat": {"id": u, "type": "private", "first_name": "T"}, "from": {"id": u, "is_bot": false, "first_name": "T"},
                "text": "/5khong", "entities": [{"type": "bot_command", "offset": 0, "length": 7}]}})
            .to_string();
            sent_at.push((*u, Instant::now()));
            let (client, url) = (serve.client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                client
                    .post(&url)
                    .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
                    .body(body)
                    .send()
                    .await
                    .expect("post");
            }));
        }
        for t in tasks {
            t.await.expect("task");
        }
        serve.handled(300 + 1 + 300, Duration::from_secs(60)).await;
        let calls = fake.calls("sendMessage");
        let mut lat: Vec<f64> = sent_at
            .iter()
            .filter_map(|(u, at)| {
                calls[calls_before..]
                    .iter()
                    .find(|c| c.body["chat_id"].as_i64() == Some(*u) && c.at >= *at)
                    .map(|c| c.at.duration_since(*at).as_secs_f64() * 1e3)
            })
            .collect();
        lat.sort_by(f64::total_cmp);
        let tips = calls[calls_before..]
            .iter()
            .filter(|c| c.body["chat_id"].as_i64().is_some_and(|c| (5_000_000..5_010_000).contains(&c)))
            .count();
        println!(
            "4. replies to users during a 10,000-subscriber tip fan-out ({} answered; {tips} tips already out after {:.1} s): \
             p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            lat.len(),
            t0.elapsed().as_secs_f64(),
            pct(&lat, 0.5),
            pct(&lat, 0.99),
            lat.last().copied().unwrap_or(0.0)
        );
        serve.kill();
    }

    // 6: kill -9 right after 1,000 acknowledgements.
    {
        let (fake, api) = fake().await;
        let data = tempfile::tempdir().expect("data");
        *fake.stall_after.lock().expect("lock") = Some(0);
        let serve = Serve::start(&api, data.path(), index.path(), "").await;
        let bodies: Vec<String> = (0..1000)
            .map(|i| {
                let u = 8_000_000 + i;
                json!({"update_id": 970_000 + i, "message": {"message_id": 1, "date": 1_700_000_000,
                    "chat": {"id": u, "type": "private", "first_name": "T"}, "from": {"id": u, "is_bot": false, "first_name": "T"},
                    "text": "/5khong", "entities": [{"type": "bot_command", "offset": 0, "length": 7}]}})
                .to_string()
            })
            .collect();
        blast(&serve.client, &serve.url("/webhooks/telegram"), bodies).await;
        serve.kill();
        fake.release_stall();
        let serve = Serve::start(&api, data.path(), index.path(), "").await;
        let t = Instant::now();
        let mut answered = std::collections::HashSet::new();
        while answered.len() < 1000 && t.elapsed() < Duration::from_secs(120) {
            answered = fake
                .delivered()
                .iter()
                .map(|d| d.chat)
                .filter(|c| (8_000_000..8_001_000).contains(c))
                .collect();
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        println!(
            "6. kill -9 right after 1,000 updates were acknowledged: {} answered after restart, {} lost",
            answered.len(),
            1000 - answered.len()
        );
        serve.kill();
    }
}
