//! End to end in a real browser: headless Chromium, driven over the WebDriver protocol by
//! ChromeDriver (both from the distribution: `.ci/run` installs them), against `serve` on
//! loopback with the fake Telegram Bot API, in a window as wide as a phone (and tall, so the
//! screenshots show whole pages). It goes through the
//! public check page (a scam and a legitimate message), an admin's sign-in with the one-time
//! link the bot sent for `/web`, the overview with seeded figures, an alert composed,
//! previewed, sent and delivered to the fake Telegram, a reported number confirmed, and the
//! implementation report printed to an A4 PDF. Screenshots of every page (and the PDF) go to
//! `target/browser/` for review.
//!
//! Without Chromium the test says so and passes, except under CI (`CI` set), where it fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may fail loudly

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::Arc,
    time::Duration,
};

use base64::Engine as _;
use canhgiac::{
    bot::Channel,
    model::{ChatKind, EntityKind, ReportStatus},
    store::{NewReport, Store, UserKey},
};
use serde_json::{Value, json};

use crate::common;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// ChromeDriver and one browser session; both end on drop.
struct Browser {
    http: reqwest::Client,
    base: String,
    session: String,
    driver: Child,
    shots: PathBuf,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// Starts ChromeDriver and a headless Chromium; `None` when they are not installed.
    async fn start() -> Option<Self> {
        if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "Chromium and ChromeDriver are needed under CI (apt-get install chromium chromium-driver)"
            );
            eprintln!("skipped: {CHROMIUM} or {CHROMEDRIVER} is missing");
            return None;
        }
        let port = common::free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver");
        let http =
            reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(60)).build().expect("client");
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            let ready = http.get(format!("{base}/status")).send().await.ok();
            if let Some(r) = ready
                && r.json::<Value>().await.is_ok_and(|v| v["value"]["ready"] == true)
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("profile");
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--window-size=412,1900",
            "--lang=vi",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("session")
            .json()
            .await
            .expect("json");
        let session =
            res["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {res}")).to_owned();
        let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
        std::fs::create_dir_all(&shots).expect("screenshot dir");
        let b = Self { http, base, session, driver, shots, _profile: profile };
        // Elements are looked for up to 10 s (a page may still be loading after a click).
        b.call(reqwest::Method::POST, "/timeouts", Some(json!({"implicit": 10_000, "pageLoad": 30_000})))
            .await;
        Some(b)
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req.send().await.expect("webdriver").json().await.expect("json");
        assert!(v["value"].get("error").is_none(), "{path}: {v}");
        v["value"].clone()
    }

    async fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url }))).await;
    }

    async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None).await.as_str().expect("url").to_owned()
    }

    /// Waits (up to 10 s) until the address contains `part`; returns it.
    async fn wait_url(&self, part: &str) -> String {
        let mut url = String::new();
        for _ in 0..100 {
            url = self.url().await;
            if url.contains(part) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("still at {url}, not {part}: {}", self.source().await)
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css})))
            .await;
        v[ELEMENT].as_str().expect("element").to_owned()
    }

    async fn text(&self, css: &str) -> String {
        let e = self.find(css).await;
        self.call(reqwest::Method::GET, &format!("/element/{e}/text"), None)
            .await
            .as_str()
            .expect("text")
            .to_owned()
    }

    async fn type_in(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{e}/clear"), Some(json!({}))).await;
        self.call(reqwest::Method::POST, &format!("/element/{e}/value"), Some(json!({ "text": text }))).await;
    }

    async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{e}/click"), Some(json!({}))).await;
    }

    /// Clicks something that loads a new page (a form's button) and waits for that page.
    async fn submit(&self, css: &str) {
        let before = self.find("html").await;
        self.click(css).await;
        for _ in 0..200 {
            if self.find("html").await != before {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no new page after clicking {css}");
    }

    async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None).await.as_str().expect("source").to_owned()
    }

    /// Saves a screenshot of the window as `target/browser/<name>.png` (tried again once: a
    /// page that refreshes itself may be replaced while it is taken).
    async fn shot(&self, name: &str) {
        let url = format!("{}/session/{}/screenshot", self.base, self.session);
        let mut v = Value::Null;
        for _ in 0..2 {
            v = self.http.get(&url).send().await.expect("webdriver").json().await.expect("json");
            if v["value"].is_string() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        let v = &v["value"];
        let png = base64::engine::general_purpose::STANDARD.decode(v.as_str().expect("base64")).expect("png");
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write screenshot");
    }

    /// Prints the page to an A4 PDF (what "In" gives) as `target/browser/<name>.pdf`; returns
    /// its bytes.
    async fn print_a4(&self, name: &str) -> Vec<u8> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/print",
                Some(json!({"page": {"width": 21.0, "height": 29.7}, "background": true})),
            )
            .await;
        let pdf = base64::engine::general_purpose::STANDARD.decode(v.as_str().expect("base64")).expect("pdf");
        std::fs::write(self.shots.join(format!("{name}.pdf")), &pdf).expect("write pdf");
        pdf
    }

    async fn close(&self) {
        let _ = self.http.delete(format!("{}/session/{}", self.base, self.session)).send().await;
    }
}

const SCAM: &str = "Vietcombank: tai khoan cua quy khach bi tam khoa. Vui long xac thuc tai https://vietcombank-xacthuc.top/login de tranh bi phong toa.";
const LEGIT: &str = "Chiều nay 15h họp giao ban ở phòng họp tầng 2, mọi người mang theo báo cáo tuần nhé.";
const ALERT: &str = "Cảnh báo: đối tượng giả danh cán bộ thuế gọi điện yêu cầu cài ứng dụng để hoàn thuế. Không cài ứng dụng lạ, không chuyển tiền.";

/// The seeded campaign: the admin, two subscribers, checks, and a reported number.
fn seed(store: &Store, notice: &str) {
    store.give_consent(&UserKey::new(Channel::Telegram, "1"), notice).expect("admin consent");
    for id in ["10", "11"] {
        let k = UserKey::new(Channel::Telegram, id);
        store.give_consent(&k, notice).expect("consent");
        store.touch_user(&k).expect("touch");
        store.subscribe(Channel::Telegram, id, ChatKind::Private).expect("subscribe");
    }
    for (verdict, n) in [("scam", 5), ("suspicious", 3), ("safe", 4)] {
        for _ in 0..n {
            store.count("verdict", verdict).expect("count");
        }
    }
    let reporter = UserKey::new(Channel::Telegram, "11");
    let entities = [(EntityKind::Phone, "0987654321".to_owned(), None)];
    store
        .report_scam(&NewReport {
            reporter: &reporter,
            feedback: false,
            entities: &entities,
            form: None,
            verdict: "scam",
            daily_limit: 20,
        })
        .expect("report");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_works_the_console_in_a_real_browser() {
    let Some(b) = Browser::start().await else { return };
    let (fake, api) = canhgiac::testing::fake_telegram::start().await.expect("fake");
    let data = tempfile::tempdir().expect("data");
    let store = Arc::new(Store::open(data.path()).expect("store"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let site = format!("http://{addr}");
    let (engine, _index) = crate::console::engine(store.clone(), Some(&format!("{site}/quan-tri")));
    seed(&store, engine.notice().version());
    let app =
        canhgiac::app::App::build(common::telegram_config(&api, data.path()), Arc::new(engine), listener)
            .await
            .expect("build");
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(app.run(async move {
        let _ = rx.await;
    }));

    // The public check page: a scam, then a legitimate message.
    b.open(&format!("{site}/kiem-tra")).await;
    b.type_in("#text", SCAM).await;
    b.submit("form button[type=submit]").await;
    assert!(b.text(".verdict").await.contains("LỪA ĐẢO"), "{}", b.source().await);
    b.shot("1-kiem-tra-lua-dao").await;
    b.type_in("#text", LEGIT).await;
    b.submit("form button[type=submit]").await;
    let verdict = b.text(".verdict").await;
    assert!(verdict.contains("CHƯA THẤY DẤU HIỆU LỪA ĐẢO") && !verdict.contains("LỪA ĐẢO\n"), "{verdict}");
    b.shot("2-kiem-tra-binh-thuong").await;

    // Anonymous: no way in.
    b.open(&format!("{site}/quan-tri")).await;
    assert!(b.text("h1").await.contains("Cần đăng nhập"));

    // The admin types /web to the bot; the link in its reply signs them in.
    fake.push_updates([common::tg::text(1, common::tg::private(1), 1, "/web")]);
    let mut link = None;
    for _ in 0..100 {
        link = fake
            .bodies("sendMessage")
            .iter()
            .find_map(|m| m["reply_markup"]["inline_keyboard"][0][0]["url"].as_str().map(str::to_owned));
        if link.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let link = link.expect("the bot sent a sign-in link");
    assert!(link.starts_with(&format!("{site}/quan-tri/vao?t=")), "{link}");
    b.open(&link).await;
    b.shot("3-dang-nhap").await;
    b.submit("#sign-in").await;
    assert!(b.wait_url("/quan-tri").await.ends_with("/quan-tri"));

    // The overview shows the seeded figures and the chart.
    assert_eq!(b.text("#checks").await, "14", "12 seeded and the 2 from the public page");
    assert_eq!(b.text("#subscribers").await, "2");
    assert!(b.source().await.contains("<svg class=\"chart\""));
    b.shot("4-tong-quan").await;

    // An alert: composed, previewed, sent, delivered to both subscribers.
    b.open(&format!("{site}/quan-tri/phat-tin")).await;
    b.type_in("#body", ALERT).await;
    b.submit("#preview").await;
    assert_eq!(b.text("#audience").await, "2");
    assert!(b.text(".preview").await.contains("giả danh cán bộ thuế"));
    b.shot("5-xem-truoc-canh-bao").await;
    b.submit("#send").await;
    let progress = b.wait_url("/quan-tri/phat-tin/").await;
    let mut delivered = Vec::new();
    for _ in 0..150 {
        delivered = fake
            .bodies("sendMessage")
            .into_iter()
            .filter(|m| m["text"].as_str().is_some_and(|t| t.contains("giả danh cán bộ thuế")))
            .map(|m| m["chat_id"].to_string())
            .collect();
        if delivered.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    delivered.sort();
    assert_eq!(delivered, ["10", "11"], "the alert reached both subscribers once");
    // Once every row is settled the broadcast is done and its page stops refreshing itself.
    for _ in 0..150 {
        let list = store.broadcast_summaries(1).expect("list");
        if list.first().is_some_and(|x| x.status == canhgiac::model::BroadcastStatus::Done) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.open(&progress).await;
    assert!(!b.source().await.contains("http-equiv=\"refresh\""), "done: no more refreshing");
    assert!(b.text("#state").await.contains("đã gửi 2"), "{}", b.source().await);
    b.shot("6-tien-do-gui").await;

    // A reported number confirmed.
    b.open(&format!("{site}/quan-tri/bao-cao-lua")).await;
    assert!(b.text(".entity").await.contains("0987654321"));
    b.shot("7-bao-cao-lua-dao").await;
    b.submit(".entity button.danger").await;
    assert!(b.text("#notice").await.contains("Đã xác nhận lừa đảo: số điện thoại 0987654321"));
    let e = store.reported_value(EntityKind::Phone, "0987654321").expect("read").expect("entity");
    assert_eq!(e.status, ReportStatus::Confirmed);

    // The implementation report, printed to A4.
    b.open(&format!("{site}/quan-tri/bao-cao")).await;
    assert!(b.text("article.report h1").await.contains("Báo cáo triển khai"));
    b.shot("8-bao-cao-trien-khai").await;
    let pdf = b.print_a4("bao-cao-trien-khai").await;
    assert!(pdf.starts_with(b"%PDF") && pdf.len() > 10_000, "{} bytes", pdf.len());

    b.close().await;
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(20), served).await.expect("stop").expect("join");
}
