//! The command line (in the binary only): `serve`, `chat`, `ask`, `check`, `index`, `content
//! check`, `broadcast status`, `stats`, `report`, `quiz export`, `doctor` (and `eval` with the
//! `eval` feature). Parses arguments, sets up logging, loads settings through
//! `canhgiac::assemble`, prints results; all logic lives in the library. Errors are `anyhow`
//! here, at the edge, and typed everywhere below.

use std::{
    io::{self, BufRead, BufWriter, IsTerminal, Write},
    path::PathBuf,
    process::ExitCode,
    sync::Arc,
};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;
use tracing_subscriber::EnvFilter;

use canhgiac::{
    check::{self, Blocklist, CheckJson, Checker},
    config::Config,
    content::{self, Content},
    search::{self, Alternative, Outcome, Searcher},
};

/// canhgiac: cảnh giác lừa đảo trực tuyến (fraud-awareness bot backend).
#[derive(Debug, Parser)]
#[command(name = "canhgiac", version, about)]
pub(crate) struct Cli {
    /// Settings file (default: ./canhgiac.yaml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Answer a question from the handbook.
    Ask(AskArgs),
    /// Run the bot: HTTP server (/healthz, /metrics, webhooks) and the enabled channels.
    Serve,
    /// Talk to the bot in the terminal (no token needed).
    Chat,
    /// Check whether a message looks like a scam.
    Check(CheckArgs),
    /// Measure the scam checker on the dev data (and refit its weights); built with
    /// `--features eval`.
    #[cfg(feature = "eval")]
    Eval(EvalArgs),
    /// Build the search index into CANHGIAC_INDEX_DIR.
    Index,
    /// Content tools.
    #[command(subcommand)]
    Content(ContentCommand),
    /// Campaign broadcasts (weekly tips, alerts).
    #[command(subcommand)]
    Broadcast(BroadcastCommand),
    /// Campaign statistics: subscribers, recent broadcasts, checks and quizzes this week.
    Stats(JsonFlag),
    /// The campaign's figures for the implementation report (aggregates only).
    Report(ReportArgs),
    /// Group-quiz tools.
    #[command(subcommand)]
    Quiz(QuizCommand),
    /// Check the installation: settings, content, search index and database (exit 1 on a
    /// problem, such as a damaged or empty database).
    Doctor,
    /// Store the Zalo tokens of ZALO_ACCESS_TOKEN and ZALO_REFRESH_TOKEN in the database in
    /// place of the pair kept there (after a restore, or a refresh token spent elsewhere); then
    /// restart `serve`.
    ZaloTokens,
    /// A data subject's request that came by phone, e-mail or in person: show or delete
    /// everything stored about one user (counted for the report like the bot's own commands).
    #[command(subcommand)]
    Data(DataCommand),
    /// Scam reports: list, show, approve or reject an entity, and export the confirmed ones
    /// for the police (no reporter identities).
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// Tip cards: the weekly tips, the 24 forms, the five don'ts and the reporting channels
    /// as PNG images to share.
    #[command(subcommand)]
    Cards(CardsCommand),
    /// The web console (/quan-tri).
    #[command(subcommand)]
    Web(WebCommand),
    /// Write a consistent copy of the database while `serve` keeps running.
    Backup {
        /// The file to write (must not exist).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// Markdown tables with Vietnamese labels.
    Md,
    /// CSV: section,metric,key,value.
    Csv,
}

#[derive(Debug, Args)]
struct ReportArgs {
    /// First day, YYYY-MM-DD (Vietnamese date).
    #[arg(long, value_name = "DATE")]
    from: String,
    /// Last day, YYYY-MM-DD, inclusive.
    #[arg(long, value_name = "DATE")]
    to: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "md")]
    format: ReportFormat,
    /// Add the leaderboards (with names) of one trainer's own sessions.
    #[arg(long, requires = "trainer")]
    with_names: bool,
    /// The trainer, as telegram:ID or zalo:ID.
    #[arg(long, value_name = "CHANNEL:ID", requires = "with_names")]
    trainer: Option<String>,
}

#[derive(Debug, Subcommand)]
enum CardsCommand {
    /// Draw cards into a folder (with the department's name, logo and colours of the settings).
    Render {
        /// The folder to write into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Which cards: tips, forms, donts, channels or all.
        #[arg(long, default_value = "all", conflicts_with = "tip")]
        kind: canhgiac::cards::Kind,
        /// Only this tip (its id, e.g. tip_001).
        #[arg(long, value_name = "ID")]
        tip: Option<String>,
        /// Also the 1080×1350 portrait version of each card.
        #[arg(long)]
        portrait: bool,
        /// The bot's handle for the footer, e.g. "Telegram: @canhgiac_bot".
        #[arg(long, value_name = "TEXT")]
        handle: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StatusArg {
    /// Waiting for an admin.
    Pending,
    /// Confirmed as a scam.
    Confirmed,
    /// Not a scam.
    Rejected,
}

#[derive(Debug, Subcommand)]
enum ReportsCommand {
    /// The reported entities (most reporters first).
    List {
        /// Only these.
        #[arg(long, value_enum)]
        status: Option<StatusArg>,
        #[command(flatten)]
        out: JsonFlag,
    },
    /// One entity, with its forms.
    Show {
        /// The entity id (as in `list`).
        id: i64,
    },
    /// Confirm an entity as a scam (its reporters who asked are told).
    Approve {
        /// The entity id.
        id: i64,
        /// Why (kept with the decision).
        #[arg(long)]
        why: Option<String>,
        /// Confirm even an official number or domain.
        #[arg(long)]
        override_official: bool,
    },
    /// Decide an entity is not a scam.
    Reject {
        /// The entity id.
        id: i64,
        /// Why.
        #[arg(long)]
        why: Option<String>,
    },
    /// Take a decision back: the entity waits for review again (nobody is told).
    Reopen {
        /// The entity id.
        id: i64,
        /// Why.
        #[arg(long)]
        why: Option<String>,
    },
    /// Confirmed entities reported within the dates, for the provincial police.
    Export {
        /// First day, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Last day, YYYY-MM-DD, inclusive.
        #[arg(long, value_name = "DATE")]
        to: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "csv")]
        format: ReportFormat,
    },
}

#[derive(Debug, Subcommand)]
enum WebCommand {
    /// Print a one-time sign-in link to the web console for an admin or trainer (valid 10
    /// minutes, single use), as `/web` in the bot sends it.
    LoginLink {
        /// The admin or trainer, as telegram:ID or zalo:ID.
        #[arg(value_name = "CHANNEL:ID")]
        user: String,
    },
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Print everything stored about a user, as JSON (what /dulieucuatoi sends).
    Show {
        /// The user, as telegram:ID or zalo:ID.
        #[arg(value_name = "CHANNEL:ID")]
        user: String,
    },
    /// Delete everything stored about a user (what /xoadulieu does).
    Delete {
        /// The user, as telegram:ID or zalo:ID.
        #[arg(value_name = "CHANNEL:ID")]
        user: String,
        /// Confirm: without it nothing is deleted.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
enum QuizCommand {
    /// Print one group-quiz session's results as CSV.
    Export {
        /// The session number (as in /ketqua).
        #[arg(long)]
        session: i64,
        /// Include the names participants showed (otherwise positions only).
        #[arg(long)]
        with_names: bool,
    },
}

#[derive(Debug, Subcommand)]
enum BroadcastCommand {
    /// Delivery of the latest broadcasts: sent, failed, skipped (with reasons), waiting.
    Status {
        /// How many broadcasts.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[command(flatten)]
        out: JsonFlag,
    },
}

#[derive(Debug, Args)]
struct JsonFlag {
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct AskArgs {
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Read one question per line on stdin, print one JSON object per line.
    #[arg(long, conflicts_with = "json")]
    jsonl: bool,
    /// The question.
    question: Vec<String>,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
    /// Read JSON lines {"text": "..."} on stdin, print one result object per line.
    #[arg(long, conflicts_with = "json")]
    jsonl: bool,
    /// Host list to treat as known scams (one host a line, or AdGuard `||host$all`); repeatable.
    #[arg(long, value_name = "FILE")]
    blocklist: Vec<PathBuf>,
    /// Check an image (a screenshot, a photo of a message, a poster with a QR code): its text
    /// is read with OCR and its QR codes decoded; the message arguments become its caption.
    #[arg(long, value_name = "FILE", conflicts_with = "jsonl")]
    image: Option<PathBuf>,
    /// The message (read from stdin when absent).
    text: Vec<String>,
}

#[cfg(feature = "eval")]
#[derive(Debug, Args)]
struct EvalArgs {
    /// Folder with the data sets.
    #[arg(long, value_name = "DIR", default_value = "../shared/datasets")]
    datasets: PathBuf,
    /// Refit the weights and print them.
    #[arg(long)]
    fit: bool,
    /// With --fit: write them to content/weights.yaml and report with them.
    #[arg(long, requires = "fit")]
    write: bool,
    /// Two-fold cross-validation split by message template (estimates held-out figures).
    #[arg(long)]
    cv: bool,
    /// With --cv: print misjudged messages to stderr.
    #[arg(long, requires = "cv")]
    show_errors: bool,
    /// L2 strength on the text buckets (fit and cv).
    #[arg(long, default_value_t = 3e-3)]
    lambda_text: f64,
    /// Folder with the project's scenario sets (scams per form, legitimate messages).
    #[arg(long, value_name = "DIR", default_value = "tests/data/scenarios")]
    scenarios: PathBuf,
    /// Print misjudged scenario messages to stderr.
    #[arg(long)]
    show_scenario_errors: bool,
}

#[derive(Debug, Subcommand)]
enum ContentCommand {
    /// Validate every content file; exits non-zero on any problem.
    Check,
}

/// Entry point used by `main`: runs the command and turns errors into an exit code.
#[must_use]
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    let cfg = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("canhgiac: {e}");
            return ExitCode::FAILURE;
        }
    };
    let default_filter = if matches!(cli.command, Command::Serve) { "info" } else { "warn" };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(io::stderr);
    match cfg.log_format {
        // One JSON object a line, for log collectors.
        canhgiac::config::LogFormat::Json => logs.json().init(),
        // Colours only on a terminal: a journal or a file gets plain text.
        canhgiac::config::LogFormat::Text => logs.with_ansi(io::stderr().is_terminal()).init(),
    }
    match run(cli, cfg) {
        Ok(code) => code,
        Err(e) => {
            if e.chain()
                .any(|c| c.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe))
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("canhgiac: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli, cfg: Config) -> Result<ExitCode> {
    match cli.command {
        Command::Ask(args) => ask(&cfg, &args),
        Command::Check(args) => check(&cfg, &args),
        Command::Serve => serve(cfg),
        Command::Chat => {
            let engine = load_engine(&cfg)?;
            canhgiac::channels::console::run(&engine, io::stdin().lock(), io::stdout().lock())?;
            Ok(ExitCode::SUCCESS)
        }
        #[cfg(feature = "eval")]
        Command::Eval(args) => eval(&cfg, &args),
        Command::Broadcast(BroadcastCommand::Status { limit, out }) => {
            broadcast_status(&cfg, limit, out.json)
        }
        Command::Stats(out) => stats(&cfg, out.json),
        Command::Index => {
            let content = load_content(&cfg)?;
            let dir = canhgiac::assemble::index_dir(&cfg);
            let path = search::build_index(&content, &dir)
                .with_context(|| format!("building the index in {}", dir.display()))?;
            println!("Đã xây dựng chỉ mục tìm kiếm: {} ({} mục).", path.display(), content.entries().count());
            Ok(ExitCode::SUCCESS)
        }
        Command::Report(args) => report(&cfg, &args),
        Command::Doctor => Ok(doctor(&cfg)),
        Command::Backup { out } => backup(&cfg, &out),
        Command::Data(command) => data(&cfg, &command),
        Command::Web(WebCommand::LoginLink { user }) => login_link(&cfg, &user),
        Command::Reports(command) => reports(&cfg, command),
        Command::Cards(CardsCommand::Render { out, kind, tip, portrait, handle }) => {
            render_cards(&cfg, &out, kind, tip.as_deref(), portrait, handle)
        }
        Command::ZaloTokens => {
            let (Some(access), Some(refresh)) = (&cfg.zalo_access_token, &cfg.zalo_refresh_token) else {
                bail!("cần cả ZALO_ACCESS_TOKEN và ZALO_REFRESH_TOKEN (lấy ở API Explorer của Zalo)");
            };
            let store = open_store(&cfg)?;
            canhgiac::channels::zalo::import_tokens(&store, access.expose(), refresh.expose())?;
            println!("Đã lưu cặp token Zalo mới vào cơ sở dữ liệu. Khởi động lại `canhgiac serve` để dùng.");
            Ok(ExitCode::SUCCESS)
        }
        Command::Quiz(QuizCommand::Export { session, with_names }) => quiz_export(&cfg, session, with_names),
        Command::Content(ContentCommand::Check) => {
            match content::load(&canhgiac::assemble::content_dir(&cfg)) {
                Ok(c) => {
                    // The weights name the checker's features (signals, URL flags, structural
                    // ones): building the checker is what knows them all.
                    let c = Arc::new(c);
                    if let Err(e) = Checker::new(c.clone(), Blocklist::new(), None) {
                        eprintln!("{}: {e}", cfg.content_dir.join("weights.yaml").display());
                        return Ok(ExitCode::FAILURE);
                    }
                    println!(
                        "Content OK ({}): {} forms, {} groups, {} topics, {} tips, {} quiz questions, {} abbreviations.",
                        cfg.content_dir.display(),
                        c.forms.len(),
                        c.groups.len(),
                        c.topics.len(),
                        c.tips.len(),
                        c.quiz.len(),
                        c.lexicon.abbreviation_count()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(errors) => {
                    eprint!("{errors}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
    }
}

fn open_campaign(cfg: &Config) -> Result<canhgiac::campaign::Campaign> {
    let schedule = canhgiac::campaign::TipSchedule::parse(&cfg.tip_schedule)?;
    Ok(canhgiac::campaign::Campaign::new(load_content(cfg)?, Arc::new(open_store(cfg)?), schedule))
}

fn broadcast_status(cfg: &Config, limit: usize, json: bool) -> Result<ExitCode> {
    use canhgiac::campaign::describe_broadcast;
    let store = open_store(cfg)?;
    let list = store.broadcast_summaries(limit)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(ExitCode::SUCCESS);
    }
    if list.is_empty() {
        println!("Chưa có đợt gửi nào.");
    }
    for b in &list {
        println!("Đợt {}: {}", b.id, describe_broadcast(b));
        for (channel, counts) in &b.counts {
            let parts: Vec<String> = counts.iter().map(|(s, n)| format!("{} {n}", s.label_vi())).collect();
            println!("    {}: {}", channel.label_vi(), parts.join(", "));
        }
        for (status, reason, n) in store.broadcast_reasons(b.id)? {
            println!("    {} vì {}: {n}", status.label_vi(), reason.label_vi());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(cfg: &Config, json: bool) -> Result<ExitCode> {
    let s = open_campaign(cfg)?.stats(canhgiac::store::now())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        print!("{}", s.render().to_terminal(io::stdout().is_terminal()));
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads and validates the content directory.
fn load_content(cfg: &Config) -> Result<Arc<Content>> {
    Ok(canhgiac::assemble::content(cfg)?)
}

/// Loads content and opens (building if needed) the search index.
fn load_searcher(cfg: &Config) -> Result<Searcher> {
    Ok(canhgiac::assemble::searcher(cfg, load_content(cfg)?)?)
}

/// The stable JSON shape of one `ask` result.
#[derive(Debug, Serialize)]
pub(crate) struct AskJson {
    /// The question as given.
    pub query: String,
    /// Content id, or null when nothing matches.
    pub id: Option<String>,
    /// Title of the answer ("" when none).
    pub title: String,
    /// Confidence in 0..1.
    pub score: f32,
    /// Plain-text answer (or the no-match message).
    pub answer: String,
    /// Other matching entries.
    pub alternatives: Vec<AltJson>,
}

/// One alternative in [`AskJson`].
#[derive(Debug, Serialize)]
pub(crate) struct AltJson {
    /// Content id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Score.
    pub score: f32,
}

impl From<&Alternative> for AltJson {
    fn from(a: &Alternative) -> Self {
        Self { id: a.id.clone(), title: a.title.clone(), score: a.score }
    }
}

/// Asks and converts to the JSON shape.
fn ask_json(searcher: &Searcher, router: &canhgiac::bot::Router, question: &str) -> Result<AskJson> {
    if router.off_topic(question) {
        // Lunch, the weather, prices: nothing in the handbook answers them.
        return Ok(AskJson {
            query: question.to_owned(),
            id: None,
            title: String::new(),
            score: 0.0,
            answer: canhgiac::bot::texts::SMALL_TALK.to_owned(),
            alternatives: Vec::new(),
        });
    }
    Ok(match searcher.ask(question)? {
        Outcome::Answer(a) => AskJson {
            query: question.to_owned(),
            id: Some(a.id),
            title: a.title,
            score: a.score,
            answer: a.body.to_plain(),
            alternatives: a.alternatives.iter().map(AltJson::from).collect(),
        },
        Outcome::NoMatch { candidates } => AskJson {
            query: question.to_owned(),
            id: None,
            title: String::new(),
            score: candidates.first().map_or(0.0, |c| c.score),
            answer: search::no_match_text(searcher.content(), &candidates).to_plain(),
            alternatives: candidates.iter().map(AltJson::from).collect(),
        },
    })
}

fn ask(cfg: &Config, args: &AskArgs) -> Result<ExitCode> {
    let searcher = load_searcher(cfg)?;
    let router = canhgiac::bot::Router::new(searcher.content());
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.jsonl {
        jsonl_lines(&mut out, |_, line| {
            let text = String::from_utf8_lossy(line);
            Ok(serde_json::to_string(&ask_json(&searcher, &router, &text)?)?)
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let question = args.question.join(" ");
    if question.trim().is_empty() {
        return Err(anyhow!(
            "please give a question, e.g. canhgiac ask \"bị gọi điện dọa khóa sim phải làm sao\""
        ));
    }
    if args.json {
        serde_json::to_writer(&mut out, &ask_json(&searcher, &router, &question)?)?;
        out.write_all(b"\n")?;
    } else {
        let ansi = io::stdout().is_terminal();
        writeln!(out, "{}", render_terminal(&searcher, &question, ansi)?)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The terminal view of an answer.
fn render_terminal(searcher: &Searcher, question: &str, ansi: bool) -> Result<String> {
    let bold = |s: &str| if ansi { format!("\x1b[1m{s}\x1b[0m") } else { s.to_owned() };
    let mut s = String::new();
    match searcher.ask(question)? {
        Outcome::Answer(a) => {
            s.push_str(&format!("{}\n", bold(&format!("▶ {}", a.title))));
            s.push_str(&format!("(độ phù hợp {:.0}%)\n\n", a.score * 100.0));
            s.push_str(&a.body.to_terminal(ansi));
            if !a.alternatives.is_empty() {
                s.push_str(&format!("\n\n{}\n", bold("Có thể anh/chị cũng quan tâm")));
                for alt in &a.alternatives {
                    s.push_str(&format!("• {}\n", alt.title));
                }
            }
        }
        Outcome::NoMatch { candidates } => {
            s.push_str(&search::no_match_text(searcher.content(), &candidates).to_terminal(ansi));
        }
    }
    Ok(s.trim_end().to_owned())
}

/// Builds the checker: content, search index (for the closest forms) and blocklists from the
/// settings plus `extra`.
fn load_checker(cfg: &Config, extra: &[PathBuf], with_search: bool) -> Result<Checker> {
    Ok(canhgiac::assemble::checker(cfg, extra, with_search)?)
}

/// Reads stdin line by line (as bytes, newline stripped), writes `f(line number, line)` as one
/// output line each, in order, and flushes at the end.
fn jsonl_lines(out: &mut impl Write, mut f: impl FnMut(usize, &[u8]) -> Result<String>) -> Result<()> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut line = Vec::new();
    let mut n = 0;
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).context("reading stdin")? == 0 {
            break;
        }
        n += 1;
        while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
            line.pop();
        }
        let json = f(n, &line)?;
        out.write_all(json.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// One `--jsonl` input line → the output line (a result, or an error object).
fn check_line(checker: &Checker, n: usize, line: &[u8]) -> (String, Option<String>) {
    let error = |msg: String| {
        let obj = serde_json::json!({ "error": msg, "line": n });
        (obj.to_string(), Some(msg))
    };
    let Ok(text) = std::str::from_utf8(line) else {
        return error(format!("line {n}: not valid UTF-8"));
    };
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return error(format!("line {n}: not a JSON object: {e}")),
    };
    match value.get("text") {
        Some(serde_json::Value::String(t)) => {
            let r = checker.check(t);
            (serde_json::to_string(&CheckJson::from(&r)).unwrap_or_default(), None)
        }
        Some(_) => error(format!("line {n}: \"text\" must be a string")),
        None => error(format!("line {n}: missing \"text\"")),
    }
}

fn check(cfg: &Config, args: &CheckArgs) -> Result<ExitCode> {
    let checker = load_checker(cfg, &args.blocklist, true)?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.jsonl {
        jsonl_lines(&mut out, |n, line| {
            let (json, err) = check_line(&checker, n, line);
            if let Some(e) = err {
                eprintln!("canhgiac check: {e}");
            }
            Ok(json)
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(path) = &args.image {
        return check_image(cfg, &checker, path, &args.text.join(" "), args.json, &mut out);
    }
    let text = if args.text.is_empty() {
        let mut buf = Vec::new();
        io::Read::read_to_end(&mut io::stdin().lock(), &mut buf).context("reading stdin")?;
        String::from_utf8_lossy(&buf).into_owned()
    } else {
        args.text.join(" ")
    };
    let report = checker.check(&text);
    if args.json {
        serde_json::to_writer(&mut out, &CheckJson::from(&report))?;
        out.write_all(b"\n")?;
    } else {
        let ansi = io::stdout().is_terminal();
        writeln!(out, "{}", check::render_card(checker.content(), &report).to_terminal(ansi))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `canhgiac check --image FILE`: what was read, then the verdict (exit 1 when the image
/// cannot be read).
fn check_image(
    cfg: &Config,
    checker: &canhgiac::check::Checker,
    path: &std::path::Path,
    caption: &str,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    use canhgiac::{bot::image, vision::Seen};
    let vision = canhgiac::assemble::vision(cfg);
    let max = vision.limits().max_bytes as u64;
    let size = std::fs::metadata(path).with_context(|| format!("không đọc được {}", path.display()))?.len();
    let seen = if size > max {
        Seen::Problem(canhgiac::vision::ImageProblem::TooLarge)
    } else {
        let bytes = std::fs::read(path).with_context(|| format!("không đọc được {}", path.display()))?;
        vision.read_now(&bytes)
    };
    let read = match seen {
        Seen::Read(r) => r,
        Seen::Problem(p) => {
            // The caption, when there is one, is still checked (as the bot does).
            let caption_report = (!caption.trim().is_empty()).then(|| checker.check(caption));
            if json {
                let mut v = serde_json::json!({"error": p.as_str(), "message": image::problem_text(p)});
                if let Some(r) = &caption_report {
                    v["check"] = serde_json::to_value(CheckJson::from(r))?;
                }
                serde_json::to_writer(&mut *out, &v)?;
                out.write_all(b"\n")?;
            } else {
                eprintln!("canhgiac check: {}", image::problem_text(p));
                if let Some(r) = &caption_report {
                    let ansi = io::stdout().is_terminal();
                    writeln!(out, "{}", check::render_card(checker.content(), r).to_terminal(ansi))?;
                }
            }
            out.flush()?;
            return Ok(ExitCode::FAILURE);
        }
    };
    let text = image::check_text(&read, caption);
    let report = checker.check(&text);
    if json {
        let v = serde_json::json!({
            "image": {
                "text": read.text,
                "confidence": read.confidence,
                "uncertain": read.uncertain(),
                "ocr": read.ocr,
                "qr": read.codes,
            },
            "check": CheckJson::from(&report),
        });
        serde_json::to_writer(&mut *out, &v)?;
        out.write_all(b"\n")?;
    } else {
        if !read.text.is_empty() {
            writeln!(out, "Tôi đọc được trong ảnh (độ tin cậy {}%):\n{}\n", read.confidence, read.text)?;
        }
        for code in &read.codes {
            writeln!(out, "{}", image::describe(code))?;
        }
        if text.trim().is_empty() {
            writeln!(out, "Không thấy chữ hay mã QR nào trong ảnh.")?;
        } else {
            let ansi = io::stdout().is_terminal();
            writeln!(out, "{}", check::render_card(checker.content(), &report).to_terminal(ansi))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "eval")]
fn eval(cfg: &Config, args: &EvalArgs) -> Result<ExitCode> {
    let samples = check::eval::load_dev(&args.datasets)?;
    // With the form search, as users get it: the scenario figures include the closest form.
    let mut checker = load_checker(cfg, &[], true)?;
    let opts = check::eval::FitOptions { lambda_text: args.lambda_text, ..Default::default() };
    if args.cv {
        let e = check::eval::cross_validate(&checker, &samples, opts, args.show_errors)?;
        println!("Two-fold cross-validation by template (lambda_text {}):", args.lambda_text);
        print!("{}", check::eval::format_report(&e, None));
        return Ok(ExitCode::SUCCESS);
    }
    if args.fit {
        let (hosts, host_fit) = check::eval::fit_hosts(&checker, &args.datasets, 0.05)?;
        let host_yaml = check::eval::host_weights_yaml(&hosts, &host_fit)?;
        let weights = check::eval::fit(&checker, &samples, opts);
        let yaml = check::eval::weights_yaml(&weights, samples.len())?;
        if args.write {
            for (name, text) in [("weights.yaml", &yaml), ("host_weights.yaml", &host_yaml)] {
                let path = cfg.content_dir.join(name);
                std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
                println!("Wrote {}", path.display());
            }
            checker = load_checker(cfg, &[], true)?;
        } else {
            println!("{yaml}\n{host_yaml}");
        }
    }
    let e = check::eval::evaluate(&checker, &samples);
    let u = check::eval::evaluate_urls(&checker, &args.datasets)?;
    print!("{}", check::eval::format_report(&e, Some(&u)));
    let links = check::eval::evaluate_links(&checker, &args.datasets, 1)?;
    print!("{}", check::eval::format_links(&links));
    if args.scenarios.is_dir() {
        let scenarios = check::eval::load_scenarios(&args.scenarios)?;
        let s = check::eval::evaluate_scenarios(&checker, &scenarios, args.show_scenario_errors);
        print!("{}", check::eval::format_scenarios(&s));
    }
    Ok(ExitCode::SUCCESS)
}

/// The database of an existing installation: a data directory without one is refused (in
/// plain words) rather than given a new, empty database.
fn open_store(cfg: &Config) -> Result<canhgiac::store::Store> {
    let file = cfg.data_dir.join("canhgiac.sqlite3");
    if !file.exists() {
        bail!(
            "không tìm thấy cơ sở dữ liệu {}: kiểm tra CANHGIAC_DATA_DIR (thư mục dữ liệu mà `canhgiac serve` dùng)",
            file.display()
        );
    }
    Ok(canhgiac::assemble::store(cfg)?)
}

/// `reports …`: the operator's side of the scam-report register.
/// `canhgiac cards render`: draws the chosen cards into `out` with a progress bar on stderr.
fn render_cards(
    cfg: &Config,
    out: &std::path::Path,
    kind: canhgiac::cards::Kind,
    tip: Option<&str>,
    portrait: bool,
    handle: Option<String>,
) -> Result<ExitCode> {
    use canhgiac::cards::{CardId, Cards, Format};
    let content = load_content(cfg)?;
    let mut branding = canhgiac::assemble::branding(cfg)?;
    branding.handle = handle;
    let ids = match tip {
        Some(id) if content.tip(id).is_none() => {
            bail!("không có mẹo \"{id}\" trong nội dung (xem content/tips.yaml)")
        }
        Some(id) => vec![CardId::Tip(id.to_owned())],
        None => CardId::all(&content, kind),
    };
    let formats: &[Format] = if portrait { &[Format::Square, Format::Portrait] } else { &[Format::Square] };
    std::fs::create_dir_all(out).with_context(|| format!("không tạo được thư mục {}", out.display()))?;
    let cards = Cards::new(content, branding, None);
    let total = ids.len() * formats.len();
    let started = std::time::Instant::now();
    let mut done = 0;
    let mut bytes = 0;
    for id in &ids {
        for &format in formats {
            let name = cards.file_name(id, format);
            let card = cards.render(id, format).with_context(|| format!("thẻ {name}"))?;
            let path = out.join(&name);
            std::fs::write(&path, &card.png).with_context(|| format!("không ghi được {}", path.display()))?;
            done += 1;
            bytes += card.png.len();
            let filled = done * 30 / total;
            eprint!("\r[{}{}] {done}/{total} {name:<40}", "#".repeat(filled), ".".repeat(30 - filled));
        }
    }
    eprintln!();
    println!(
        "Đã vẽ {done} thẻ vào {} trong {:.1} giây ({} KB).",
        out.display(),
        started.elapsed().as_secs_f64(),
        bytes / 1024
    );
    Ok(ExitCode::SUCCESS)
}

fn reports(cfg: &Config, command: ReportsCommand) -> Result<ExitCode> {
    use canhgiac::model::ReportStatus;
    let store = open_store(cfg)?;
    let status_of = |s: StatusArg| match s {
        StatusArg::Pending => ReportStatus::Pending,
        StatusArg::Confirmed => ReportStatus::Confirmed,
        StatusArg::Rejected => ReportStatus::Rejected,
    };
    let line = |e: &canhgiac::store::EntitySummary| {
        format!(
            "{:>6}  {:<13} {:<28} {:<22} {} người báo cáo, {} – {}",
            e.id,
            e.kind.label_vi(),
            e.value,
            e.status.label_vi(),
            e.reporters,
            e.first_day,
            e.last_day
        )
    };
    match command {
        ReportsCommand::List { status, out } => {
            let list = store.reported_entities(status.map(status_of))?;
            if out.json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else if list.is_empty() {
                println!("Không có mục nào.");
            } else {
                for e in &list {
                    println!("{}", line(e));
                }
            }
        }
        ReportsCommand::Show { id } => {
            let Some(e) = store.reported_entity(id)? else { bail!("không có mục số {id}") };
            println!("{}", serde_json::to_string_pretty(&e)?);
        }
        ReportsCommand::Approve { id, why, override_official } => {
            let Some(e) = store.reported_entity(id)? else { bail!("không có mục số {id}") };
            if !override_official && canhgiac::reports::is_official(&load_checker(cfg, &[], false)?, &e) {
                bail!(
                    "{} {} là số hoặc tên miền chính thức; thêm --override-official nếu thật sự cần xác nhận",
                    e.kind.label_vi(),
                    e.value
                );
            }
            decide(&store, id, ReportStatus::Confirmed, why.as_deref())?;
        }
        ReportsCommand::Reject { id, why } => decide(&store, id, ReportStatus::Rejected, why.as_deref())?,
        ReportsCommand::Reopen { id, why } => decide(&store, id, ReportStatus::Pending, why.as_deref())?,
        ReportsCommand::Export { from, to, format } => {
            let (from, to) = (canhgiac::report::parse_date(&from)?, canhgiac::report::parse_date(&to)?);
            let list = store.confirmed_between(&from, &to)?;
            let content = load_content(cfg)?;
            let detail = format!("{from} – {to}, {} mục, dòng lệnh", list.len());
            store.audit(
                "cli",
                canhgiac::model::AuditAction::ExportReports,
                &detail,
                canhgiac::store::now(),
            )?;
            print!(
                "{}",
                canhgiac::reports::export(&list, matches!(format, ReportFormat::Csv), &from, &to, &content)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An operator's decision, recorded as made from the command line.
fn decide(
    store: &canhgiac::store::Store,
    id: i64,
    status: canhgiac::model::ReportStatus,
    why: Option<&str>,
) -> Result<()> {
    let decided = store.decide_report(id, status, "cli", why, |e| canhgiac::reports::feedback(e, status))?;
    let Some(d) = decided else { bail!("không có mục số {id}") };
    tracing::info!(entity = d.entity.id, status = status.as_str(), notified = d.notified, "report decided");
    let what = format!("{} {}, qua dòng lệnh", d.entity.kind.label_vi(), d.entity.value);
    store.audit("cli", canhgiac::model::AuditAction::of_decision(status), &what, canhgiac::store::now())?;
    println!(
        "Đã ghi quyết định: {} {} – {}.{}",
        d.entity.kind.label_vi(),
        d.entity.value,
        status.label_vi(),
        if d.notified > 0 {
            format!(" {} người báo cáo sẽ nhận phản hồi.", d.notified)
        } else {
            String::new()
        }
    );
    Ok(())
}

/// `data show|delete CHANNEL:ID`: a data subject's request handled by the operator.
fn data(cfg: &Config, command: &DataCommand) -> Result<ExitCode> {
    let (DataCommand::Show { user } | DataCommand::Delete { user, .. }) = command;
    let key = canhgiac::bot::parse_user("CHANNEL:ID", user)?;
    let store = open_store(cfg)?;
    match command {
        DataCommand::Show { .. } => {
            let data = store.subject_request(&key)?;
            println!("{}", String::from_utf8_lossy(&data.export(&key)?));
            if data.is_empty() {
                eprintln!("Không có dữ liệu nào về {user}.");
            }
        }
        DataCommand::Delete { yes: false, .. } => {
            bail!("chưa xóa gì: thêm --yes để xác nhận xóa mọi dữ liệu về {user} (không hoàn tác được)");
        }
        DataCommand::Delete { yes: true, .. } => {
            if store.delete_user(&key)? {
                println!("Đã xóa mọi dữ liệu về {user}.");
            } else {
                println!("Không có dữ liệu nào về {user}.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `backup --out FILE`.
fn backup(cfg: &Config, out: &std::path::Path) -> Result<ExitCode> {
    if out.exists() {
        bail!("tệp {} đã có: chọn một tên tệp mới để không ghi đè bản sao lưu cũ", out.display());
    }
    let store = open_store(cfg)?;
    let health = store.backup_to(out).with_context(|| format!("sao lưu vào {}", out.display()))?;
    if !health.problems.is_empty() {
        bail!("bản sao lưu {} không đọc lại được: {}", out.display(), health.problems.join("; "));
    }
    let size = std::fs::metadata(out).map_or(0, |m| m.len());
    println!(
        "Đã sao lưu cơ sở dữ liệu vào {} ({} KB, {} người dùng). Khôi phục: dừng `canhgiac serve`, chép tệp này thành {} rồi khởi động lại.",
        out.display(),
        size / 1024,
        health.users,
        cfg.data_dir.join("canhgiac.sqlite3").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `doctor`: each part of the installation, one line each, in Vietnamese for operators.
fn doctor(cfg: &Config) -> ExitCode {
    let mut failed = false;
    let mut line = |ok: bool, what: &str, detail: String| {
        failed |= !ok;
        println!("{} {what}: {detail}", if ok { "✅" } else { "❌" });
    };
    let problems = canhgiac::assemble::config_problems(cfg);
    if problems.is_empty() {
        line(true, "Cấu hình", "không có lỗi".into());
    }
    for p in problems {
        line(false, "Cấu hình", p);
    }
    let content = canhgiac::assemble::content(cfg);
    match &content {
        Ok(c) => line(
            true,
            "Nội dung",
            format!("{} ({} mục)", canhgiac::assemble::content_dir(cfg).display(), c.entries().count()),
        ),
        Err(e) => line(false, "Nội dung", format!("có lỗi (sửa rồi chạy `canhgiac content check`): {e}")),
    }
    if let Ok(c) = content {
        match canhgiac::assemble::searcher(cfg, c) {
            Ok(_) => line(true, "Chỉ mục tìm kiếm", canhgiac::assemble::index_dir(cfg).display().to_string()),
            Err(e) => line(false, "Chỉ mục tìm kiếm", format!("không mở hay dựng lại được: {e}")),
        }
    }
    let db = cfg.data_dir.join("canhgiac.sqlite3");
    if !db.exists() {
        line(false, "Cơ sở dữ liệu", format!("chưa có tệp {} (chạy `canhgiac serve` để tạo)", db.display()));
    } else {
        match canhgiac::assemble::store(cfg).and_then(|s| {
            s.check()
                .map_err(|source| canhgiac::assemble::BuildError::Store { dir: cfg.data_dir.clone(), source })
        }) {
            Ok(h) if !h.problems.is_empty() => line(
                false,
                "Cơ sở dữ liệu",
                format!("bị hỏng ({}); khôi phục từ bản sao lưu", h.problems.join("; ")),
            ),
            Ok(h) if h.users == 0 && !h.served => line(
                false,
                "Cơ sở dữ liệu",
                format!(
                    "{} không có người dùng nào và chưa từng được `canhgiac serve` dùng: tệp mới tạo nhầm chỗ hoặc đã bị làm trống",
                    db.display()
                ),
            ),
            Ok(h) => line(true, "Cơ sở dữ liệu", format!("{} ({} người dùng)", db.display(), h.users)),
            Err(e) => line(false, "Cơ sở dữ liệu", format!("không mở được: {e}")),
        }
    }
    let channels = [
        (cfg.telegram_bot_token.is_some(), "Telegram"),
        (canhgiac::channels::zalo::ZaloSettings::from_config(cfg).is_some(), "Zalo"),
    ];
    let on: Vec<&str> = channels.iter().filter(|(on, _)| *on).map(|(_, n)| *n).collect();
    println!(
        "ℹ️ Kênh đang bật: {}",
        if on.is_empty() {
            "không có (đặt TELEGRAM_BOT_TOKEN hoặc các biến ZALO_*)".to_owned()
        } else {
            on.join(", ")
        }
    );
    // Without OCR everything else works (images are read for QR codes only): a warning.
    match canhgiac::assemble::vision(cfg).ocr_status() {
        Ok(()) => println!("✅ Đọc chữ trong ảnh (OCR): Tesseract có mô hình tiếng Việt"),
        Err(why) => println!("⚠️ Đọc chữ trong ảnh (OCR) đang tắt: {why}. Ảnh vẫn được đọc mã QR."),
    }
    println!(
        "ℹ️ Thẻ mẹo: {} (màu {}, logo: {})",
        if cfg.cards { "mẹo tuần gửi kèm ảnh" } else { "tắt, mẹo tuần gửi dạng chữ" },
        cfg.card_theme,
        cfg.card_logo.as_ref().map_or_else(|| "không có".to_owned(), |p| p.display().to_string())
    );
    let notice = canhgiac::bot::Notice::new(cfg.retention, cfg.org_name.clone(), cfg.privacy_contact.clone());
    match (&cfg.org_name, &cfg.privacy_contact) {
        (Some(_), Some(_)) => println!("ℹ️ Chịu trách nhiệm dữ liệu: {}", notice.controller()),
        _ => println!(
            "⚠️ Thông báo quyền riêng tư chưa nêu tên đơn vị và nơi liên hệ: đặt CANHGIAC_ORG_NAME và CANHGIAC_PRIVACY_CONTACT (hiện ghi: {})",
            notice.controller()
        ),
    }
    if !cfg.lists.is_empty() {
        let lists = canhgiac::assemble::imported_lists(cfg);
        let missing = lists
            .sources()
            .iter()
            .filter(|s| !s.is_url() && !std::path::Path::new(&s.location).exists())
            .count();
        line(
            missing == 0,
            "Danh sách lừa đảo nhập ngoài",
            format!(
                "{} nguồn, {} mục trong các bản đang có{}",
                lists.sources().len(),
                lists.entries().len(),
                if missing > 0 { format!("; {missing} tệp không tồn tại") } else { String::new() }
            ),
        );
    }
    println!(
        "ℹ️ Thời hạn lưu (serve tự xóa mỗi ngày khi hết hạn; phiên bản thông báo {}):",
        notice.version()
    );
    for l in cfg.retention.lines_vi() {
        println!("   - {l}");
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn report(cfg: &Config, args: &ReportArgs) -> Result<ExitCode> {
    let content = load_content(cfg)?;
    let store = open_store(cfg)?;
    let trainer = args.trainer.as_deref().map(|t| canhgiac::bot::parse_user("--trainer", t)).transpose()?;
    let r = canhgiac::report::build(&store, &content, &args.from, &args.to, trainer.as_ref())?
        .with_retention(cfg.retention);
    let text = match args.format {
        ReportFormat::Md => canhgiac::report::render_md(&r, &content),
        ReportFormat::Csv => canhgiac::report::render_csv(&r),
    };
    io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn quiz_export(cfg: &Config, session: i64, with_names: bool) -> Result<ExitCode> {
    let content = load_content(cfg)?;
    let store = open_store(cfg)?;
    let r = canhgiac::report::session::SessionResults::load(&store, session)?
        .ok_or_else(|| anyhow!("no group-quiz session {session}"))?;
    let question_id =
        |i: usize| r.session.questions.get(i).filter(|id| content.question(id).is_some()).cloned();
    let csv = canhgiac::report::session::csv(&r, with_names, question_id);
    io::stdout().lock().write_all(csv.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// `web login-link`: a one-time sign-in link for an admin or trainer.
fn login_link(cfg: &Config, user: &str) -> Result<ExitCode> {
    let key = canhgiac::bot::parse_user("web login-link", user).map_err(|e| anyhow::anyhow!("{e}"))?;
    if !cfg.web {
        bail!("trang web đang tắt: đặt CANHGIAC_WEB=1 rồi khởi động lại `canhgiac serve`");
    }
    let mut engine = load_engine(cfg)?;
    if canhgiac::assemble::console_url(cfg).is_none() {
        // No public address: the link works on the server itself (or through an SSH tunnel).
        // A wildcard listen address is reached on loopback.
        let addr = cfg.listen.replace("0.0.0.0:", "127.0.0.1:").replace("[::]:", "[::1]:");
        engine = engine.with_console(Some(format!("http://{addr}/quan-tri")));
    }
    let role = engine.role(&key)?;
    if role < canhgiac::model::Role::Trainer {
        bail!(
            "{user} không phải quản trị viên hay người hướng dẫn (CANHGIAC_ADMINS, CANHGIAC_TRAINERS, /captrainer)"
        );
    }
    match engine.login_link(&key, "qua dòng lệnh")? {
        Some(url) => {
            println!("{url}");
            eprintln!("Liên kết dùng một lần, hết hạn sau 10 phút. Chỉ gửi cho chính {user}.");
            Ok(ExitCode::SUCCESS)
        }
        None => bail!("trang quản trị chưa có địa chỉ"),
    }
}

/// Builds the conversation engine: content, search index, checker and the SQLite store.
fn load_engine(cfg: &Config) -> Result<canhgiac::bot::Engine> {
    Ok(canhgiac::assemble::engine(cfg)?)
}

fn serve(cfg: Config) -> Result<ExitCode> {
    // `serve` logs at info by default so operators see which channels are on.
    let engine = Arc::new(load_engine(&cfg)?);
    // The engine runs on blocking threads; the dispatcher bounds how many at once, and so does
    // the pool, so a burst cannot grow memory with hundreds of threads.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(64)
        .build()
        .context("starting tokio")?;
    runtime.block_on(canhgiac::app::serve(cfg, engine, canhgiac::server::shutdown_signal()))?;
    Ok(ExitCode::SUCCESS)
}
