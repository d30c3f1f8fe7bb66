//! A small `multipart/form-data` reader for the fakes (uploads of photos and images).

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct Part {
    /// The field name.
    pub name: String,
    /// The file name, for a file.
    pub file_name: Option<String>,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Part {
    /// The bytes as text.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?.windows(needle.len()).position(|w| w == needle).map(|i| i + from)
}

fn attr(headers: &str, key: &str) -> Option<String> {
    let start = headers.find(&format!("{key}=\""))? + key.len() + 2;
    let end = headers[start..].find('"')? + start;
    Some(headers[start..end].to_owned())
}

/// The parts of `body`, given its `Content-Type` header (empty when it is not multipart).
#[must_use]
pub fn parts(content_type: &str, body: &[u8]) -> Vec<Part> {
    let Some(boundary) = content_type.split("boundary=").nth(1) else { return Vec::new() };
    let delimiter = format!("--{}", boundary.trim_matches('"'));
    let mut out = Vec::new();
    let mut at = match find(body, delimiter.as_bytes(), 0) {
        Some(i) => i + delimiter.len(),
        None => return out,
    };
    while let Some(head_end) = find(body, b"\r\n\r\n", at) {
        let headers = String::from_utf8_lossy(&body[at..head_end]).into_owned();
        let data_start = head_end + 4;
        let Some(next) = find(body, format!("\r\n{delimiter}").as_bytes(), data_start) else { break };
        out.push(Part {
            name: attr(&headers, "name").unwrap_or_default(),
            file_name: attr(&headers, "filename"),
            data: body[data_start..next].to_vec(),
        });
        at = next + 2 + delimiter.len();
        if body.get(at..at + 2) == Some(b"--") {
            break;
        }
    }
    out
}
