//! The renderer against the whole content: every card fits, reads the same from NFD and NFC
//! input, the longest tip the content allows fits, and the cache follows content and branding.

use std::{path::Path, sync::Arc, time::Instant};

use unicode_normalization::UnicodeNormalization;

use super::*;
use crate::content::Content;

fn content() -> Content {
    crate::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content")).expect("content")
}

fn branding() -> Branding {
    Branding {
        org: Some("Sở Khoa học và Công nghệ tỉnh Đồng Nai".into()),
        handle: Some("Telegram: @canhgiac_bot".into()),
        ..Branding::default()
    }
}

/// The checks every drawn card must pass.
fn assert_clean(name: &str, r: &Rendered, format: Format) {
    assert_eq!((r.width, r.height), format.size(), "{name}");
    let pixmap = tiny_skia::Pixmap::decode_png(&r.png).expect("a valid PNG");
    assert_eq!((pixmap.width(), pixmap.height()), format.size(), "{name}");
    assert_eq!(r.missing_glyphs, 0, "{name}: a character the font lacks");
    assert!(r.scale >= MIN_SCALE, "{name}: scale {}", r.scale);
    for b in &r.blocks {
        let Some(ink) = b.ink else { continue };
        assert!(b.area.contains(&ink), "{name}: {} ink {ink:?} outside its box {:?}", b.role, b.area);
        assert!(r.safe.contains(&ink), "{name}: {} ink {ink:?} crosses the margins", b.role);
        if matches!(b.role, "title" | "body" | "item" | "heading") && b.lines >= 2 {
            assert!(b.last_line_words >= 2, "{name}: a {} ends with one syllable alone", b.role);
        }
    }
    assert!(r.blocks.iter().any(|b| b.role == "title" && b.ink.is_some()), "{name}: no title drawn");
}

#[test]
fn every_tip_form_and_list_fits_inside_the_margins_and_a_contact_sheet_is_written() {
    let content = Arc::new(content());
    let cards = Cards::new(content.clone(), branding(), None);
    let ids = CardId::all(&content, Kind::All);
    assert_eq!(ids.len(), content.tips.len() + content.forms.len() + 2);
    let (cols, thumb) = (12u32, 180u32);
    let rows = u32::try_from(ids.len()).expect("count").div_ceil(cols);
    let mut sheet = tiny_skia::Pixmap::new(cols * thumb, rows * thumb).expect("sheet");
    sheet.fill(tiny_skia::Color::WHITE);
    let mut times = Vec::new();
    let (mut sizes, mut peak_blocks) = (Vec::new(), 0);
    for (i, id) in ids.iter().enumerate() {
        for format in [Format::Square, Format::Portrait] {
            let name = cards.file_name(id, format);
            let t = Instant::now();
            let r = cards.render(id, format).unwrap_or_else(|e| panic!("{name}: {e}"));
            times.push(t.elapsed());
            sizes.push(r.png.len());
            peak_blocks = peak_blocks.max(r.blocks.len());
            assert_clean(&name, &r, format);
            if format == Format::Square {
                let p = tiny_skia::Pixmap::decode_png(&r.png).expect("png");
                let k = thumb as f32 / 1080.0;
                let (x, y) = ((i as u32 % cols) * thumb, (i as u32 / cols) * thumb);
                sheet.draw_pixmap(
                    0,
                    0,
                    p.as_ref(),
                    &tiny_skia::PixmapPaint {
                        quality: tiny_skia::FilterQuality::Bicubic,
                        ..Default::default()
                    },
                    tiny_skia::Transform::from_scale(k, k).post_translate(x as f32, y as f32),
                    None,
                );
            }
        }
    }
    times.sort();
    sizes.sort_unstable();
    eprintln!(
        "cards: {} drawn, median {:?}, p95 {:?}, total {:?}; PNG median {} KB, largest {} KB",
        times.len(),
        times[times.len() / 2],
        times[times.len() * 95 / 100],
        times.iter().sum::<std::time::Duration>(),
        sizes[sizes.len() / 2] / 1024,
        sizes[sizes.len() - 1] / 1024,
    );
    assert!(sizes[sizes.len() - 1] < 1024 * 1024, "Zalo takes images up to 1 MB");
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/cards");
    std::fs::create_dir_all(&out).expect("target/cards");
    sheet.save_png(out.join("contact-sheet.png")).expect("contact sheet");
}

#[test]
fn decomposed_and_composed_text_draw_the_same_card() {
    let nfc = content();
    let mut nfd = nfc.clone();
    for t in &mut nfd.tips {
        t.text = t.text.nfd().collect();
    }
    for f in &mut nfd.forms {
        f.title = f.title.nfd().collect();
        f.signs = f.signs.iter().map(|s| s.nfd().collect()).collect();
    }
    assert_ne!(nfc.tips[0].text, nfd.tips[0].text, "the input really differs");
    let (a, b) =
        (Cards::new(Arc::new(nfc.clone()), branding(), None), Cards::new(Arc::new(nfd), branding(), None));
    for id in [CardId::Tip(nfc.tips[0].id.clone()), CardId::Form(nfc.forms[5].id.clone())] {
        let (x, y) =
            (a.render(&id, Format::Square).expect("nfc"), b.render(&id, Format::Square).expect("nfd"));
        assert!(x.png == y.png, "{id:?} draws differently from decomposed text");
    }
}

#[test]
fn the_longest_tip_the_content_allows_still_fits() {
    let mut c = content();
    let longest_title = c.forms.iter().max_by_key(|f| f.title.chars().count()).expect("forms").id.clone();
    // Real words, as long as validation allows, about the form with the longest title.
    let words: Vec<&str> = c.forms.iter().flat_map(|f| f.advice.iter()).flat_map(|a| a.split(' ')).collect();
    let mut text = String::new();
    for w in words.iter().cycle() {
        if text.chars().count() + w.chars().count() + 1 > crate::content::MAX_TIP {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(w);
    }
    c.tips[0].text = text;
    c.tips[0].reference = longest_title;
    let id = CardId::Tip(c.tips[0].id.clone());
    let cards = Cards::new(Arc::new(c), branding(), None);
    for format in [Format::Square, Format::Portrait] {
        let r = cards.render(&id, format).expect("the longest tip fits");
        assert_clean("longest tip", &r, format);
    }
}

#[test]
fn a_logo_and_a_long_department_name_stay_in_the_header() {
    let mut logo = tiny_skia::Pixmap::new(300, 150).expect("logo");
    logo.fill(tiny_skia::Color::from_rgba8(250, 200, 0, 255));
    let b = Branding {
        org: Some(
            "Ủy ban nhân dân tỉnh Đồng Nai – Sở Khoa học và Công nghệ – Trung tâm Chuyển đổi số".into(),
        ),
        logo: Some(Logo::from_png(&logo.encode_png().expect("png")).expect("logo")),
        theme: Theme::parse("do").expect("theme"),
        handle: None,
    };
    let c = content();
    let cards = Cards::new(Arc::new(c.clone()), b, None);
    let r = cards.render(&CardId::Donts, Format::Square).expect("render");
    assert_clean("branded", &r, Format::Square);
    let header = r.blocks.iter().find(|b| b.role == "header").expect("header");
    assert!(header.area.x0 > MARGIN + 100.0, "the name starts after the logo");
    assert!(header.ink.is_some_and(|i| i.y1 <= 128.0), "the name stays on the band");
}

#[test]
fn cards_are_cached_per_version_and_redrawn_when_content_or_branding_change() {
    let dir = tempfile::tempdir().expect("dir");
    let c = Arc::new(content());
    let id = CardId::Tip(c.tips[1].id.clone());
    let cards = Cards::new(c.clone(), branding(), Some(dir.path().to_path_buf()));
    let first = cards.card(&id, Format::Square).expect("card");
    let v1 = cards.version();
    let file = dir.path().join(&v1).join(cards.file_name(&id, Format::Square));
    assert_eq!(std::fs::read(&file).expect("cached on disk"), first.png.to_vec());
    assert!(first.key.starts_with(&v1));
    // Another process with the same content reads the file instead of drawing again.
    std::fs::write(&file, b"\x89PNG\r\n\x1a\nmarker").expect("mark");
    let again = Cards::new(c.clone(), branding(), Some(dir.path().to_path_buf()));
    assert_eq!(&again.card(&id, Format::Square).expect("card").png[..], b"\x89PNG\r\n\x1a\nmarker");
    // A new handle is a new version: drawn again, the old version removed.
    again.set_handle(Some("Telegram: @khac_bot".into()));
    let v2 = again.version();
    assert_ne!(v1, v2);
    let redrawn = again.card(&id, Format::Square).expect("card");
    assert!(redrawn.png.len() > 1000 && redrawn.key.starts_with(&v2));
    assert!(!dir.path().join(&v1).exists(), "the old version is pruned");
    // Changed content is a new version too.
    let mut changed = (*c).clone();
    changed.hash.push('x');
    let other = Cards::new(Arc::new(changed), branding(), Some(dir.path().to_path_buf()));
    assert_ne!(other.version(), v1);
    assert!(matches!(
        other.card(&CardId::Tip("khong_co".into()), Format::Square),
        Err(CardError::Unknown(_))
    ));
}
