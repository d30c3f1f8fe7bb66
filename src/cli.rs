//! The command line: `ask`, `index`, `content check`. Parses arguments, loads settings and
//! content, and prints results; all logic lives in the library modules.

use std::{
    io::{self, BufRead, BufWriter, IsTerminal, Write},
    path::PathBuf,
    process::ExitCode,
    sync::Arc,
};

use anyhow::{Context, Result, anyhow};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;
use tracing_subscriber::EnvFilter;

use crate::{
    config::Config,
    content::{self, Content},
    search::{self, Alternative, Outcome, Searcher},
};

/// canhgiac: cảnh giác lừa đảo trực tuyến (fraud-awareness bot backend).
#[derive(Debug, Parser)]
#[command(name = "canhgiac", version, about)]
pub struct Cli {
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
    /// Build the search index into CANHGIAC_INDEX_DIR.
    Index,
    /// Content tools.
    #[command(subcommand)]
    Content(ContentCommand),
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

#[derive(Debug, Subcommand)]
enum ContentCommand {
    /// Validate every content file; exits non-zero on any problem.
    Check,
}

/// Entry point used by `main`: runs the command and turns errors into an exit code.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")))
        .with_writer(io::stderr)
        .init();
    match run(cli) {
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

fn run(cli: Cli) -> Result<ExitCode> {
    let cfg = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Ask(args) => ask(&cfg, &args),
        Command::Index => {
            let content = load_content(&cfg)?;
            let path = search::build_index(&content, &cfg.index_dir)
                .with_context(|| format!("building the index in {}", cfg.index_dir.display()))?;
            println!("Đã xây dựng chỉ mục tìm kiếm: {} ({} mục).", path.display(), content.entries().count());
            Ok(ExitCode::SUCCESS)
        }
        Command::Content(ContentCommand::Check) => match content::load(&cfg.content_dir) {
            Ok(c) => {
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
        },
    }
}

/// Loads and validates the content directory.
pub fn load_content(cfg: &Config) -> Result<Arc<Content>> {
    content::load(&cfg.content_dir)
        .map(Arc::new)
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("loading content from {}", cfg.content_dir.display()))
}

/// Loads content and opens (building if needed) the search index.
pub fn load_searcher(cfg: &Config) -> Result<Searcher> {
    let content = load_content(cfg)?;
    let index = search::open_or_build(&content, &cfg.index_dir)
        .with_context(|| format!("opening the index in {}", cfg.index_dir.display()))?;
    Ok(Searcher::new(content, index)?)
}

/// The stable JSON shape of one `ask` result.
#[derive(Debug, Serialize)]
pub struct AskJson {
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
pub struct AltJson {
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
pub fn ask_json(searcher: &Searcher, question: &str) -> Result<AskJson> {
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
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.jsonl {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        let mut line = Vec::new();
        loop {
            line.clear();
            if input.read_until(b'\n', &mut line).context("reading stdin")? == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&line);
            let q = text.trim_end_matches(['\n', '\r']);
            serde_json::to_writer(&mut out, &ask_json(&searcher, q)?)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let question = args.question.join(" ");
    if question.trim().is_empty() {
        return Err(anyhow!(
            "please give a question, e.g. canhgiac ask \"bị gọi điện dọa khóa sim phải làm sao\""
        ));
    }
    if args.json {
        serde_json::to_writer(&mut out, &ask_json(&searcher, &question)?)?;
        out.write_all(b"\n")?;
    } else {
        let ansi = io::stdout().is_terminal();
        writeln!(out, "{}", render_terminal(&searcher, &question, ansi)?)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The terminal view of an answer.
pub fn render_terminal(searcher: &Searcher, question: &str, ansi: bool) -> Result<String> {
    let bold = |s: &str| if ansi { format!("\x1b[1m{s}\x1b[0m") } else { s.to_owned() };
    let mut s = String::new();
    match searcher.ask(question)? {
        Outcome::Answer(a) => {
            s.push_str(&format!("{}\n", bold(&format!("▶ {}", a.title))));
            s.push_str(&format!("(mục \"{}\", độ phù hợp {:.2})\n\n", a.id, a.score));
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
