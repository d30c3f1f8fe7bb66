//! The console channel (`canhgiac chat`): the same engine in a terminal. Buttons are shown
//! numbered; typing the number presses it.

use std::io::{BufRead, Write};

use super::render;
use crate::bot::{Button, Channel, ChatKind, ChatRef, Engine, Incoming, IncomingKind, UserRef};

/// Parses a typed line into what the user did, given the buttons last shown.
#[must_use]
pub fn parse_line(line: &str, buttons: &[Button]) -> IncomingKind {
    let t = line.trim();
    if let Ok(n) = t.parse::<usize>()
        && (1..=buttons.len()).contains(&n)
    {
        return IncomingKind::Button(buttons[n - 1].data.clone());
    }
    if let Some(command) = IncomingKind::command(t) {
        return command;
    }
    IncomingKind::Text(t.to_owned())
}

/// An image to check: `/anh PATH`, or a path to an existing PNG, JPEG, WebP, GIF or BMP file.
fn image_path(line: &str) -> Option<std::path::PathBuf> {
    let t = line.trim();
    if let Some(p) = t.strip_prefix("/anh ") {
        return Some(p.trim().into());
    }
    let lower = t.to_ascii_lowercase();
    let image = [".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp"].iter().any(|e| lower.ends_with(e));
    (image && std::path::Path::new(t).is_file()).then(|| t.into())
}

/// Reads an image file as the channels read a photo (same limits; in memory only).
fn read_image(engine: &Engine, path: &std::path::Path) -> IncomingKind {
    use crate::vision::{ImageProblem, Seen};
    let seen = match (engine.vision(), std::fs::metadata(path)) {
        (None, _) => Seen::Problem(ImageProblem::OcrMissing),
        (Some(_), Err(_)) => Seen::Problem(ImageProblem::Download),
        (Some(v), Ok(m)) if m.len() > v.limits().max_bytes as u64 => Seen::Problem(ImageProblem::TooLarge),
        (Some(v), Ok(_)) => match std::fs::read(path) {
            Ok(bytes) => v.read_now(&bytes),
            Err(_) => Seen::Problem(ImageProblem::Download),
        },
    };
    IncomingKind::Image { seen, caption: String::new() }
}

/// Runs the chat loop on the given input and output until end of input or `/thoat`.
pub fn run(engine: &Engine, input: impl BufRead, mut out: impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "canhgiac — trò chuyện trong terminal. Gõ /start để bắt đầu, /thoat để thoát, số để bấm nút, /anh <tệp ảnh> để kiểm tra một ảnh."
    )?;
    let user = UserRef { channel: Channel::Console, id: "local".into() };
    let chat = ChatRef { id: "local".into(), kind: ChatKind::Private };
    let mut buttons: Vec<Button> = Vec::new();
    write!(out, "\n> ")?;
    out.flush()?;
    for line in input.lines() {
        let line = line?;
        if matches!(line.trim(), "/thoat" | "/quit" | "/exit") {
            break;
        }
        if line.trim().is_empty() {
            write!(out, "> ")?;
            out.flush()?;
            continue;
        }
        let kind = match image_path(&line) {
            Some(path) => read_image(engine, &path),
            None => parse_line(&line, &buttons),
        };
        let inc = Incoming { user: user.clone(), chat: chat.clone(), kind, addressed: true };
        buttons.clear();
        match engine.handle(&inc) {
            Ok(replies) => {
                for r in replies {
                    for part in render::split(&r.body, false, usize::MAX) {
                        writeln!(out, "\n{part}")?;
                    }
                    if let Some(crate::bot::Attachment::Photo(card)) = &r.attachment {
                        writeln!(
                            out,
                            "[Ảnh thẻ mẹo, {} KB: canhgiac cards render để lưu ra tệp]",
                            card.png.len() / 1024
                        )?;
                    }
                    for b in r.all_buttons() {
                        if let Some(url) = &b.url {
                            write!(out, "  {}: {url}", b.label)?;
                            continue;
                        }
                        buttons.push(b.clone());
                        write!(out, "  [{}] {}", buttons.len(), b.label)?;
                    }
                    if r.all_buttons().next().is_some() {
                        writeln!(out)?;
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "engine failed");
                writeln!(out, "\n{}", crate::bot::texts::TROUBLE)?;
            }
        }
        write!(out, "\n> ")?;
        out.flush()?;
    }
    Ok(())
}
