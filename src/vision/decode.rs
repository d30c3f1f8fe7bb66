//! Reading an image safely: the size in bytes, the format from its first bytes and the pixel
//! count from its header are checked before anything is decoded (a small file can declare a
//! huge canvas), and the decoder runs under an allocation limit.

use std::io::Cursor;

use image::{DynamicImage, ImageReader, Limits};

use super::ImageProblem;

/// What an image may be.
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    /// Largest file in bytes.
    pub max_bytes: usize,
    /// Most pixels (width × height).
    pub max_pixels: u64,
    /// Longest side in pixels.
    pub max_side: u32,
}

impl Default for ImageLimits {
    fn default() -> Self {
        // Phone screenshots are 1–4 MP and a few hundred KB; photos up to ~12 MP.
        Self { max_bytes: 10 * 1024 * 1024, max_pixels: 24_000_000, max_side: 8_000 }
    }
}

/// Decodes `bytes` (PNG, JPEG, WebP, GIF or BMP) within `limits`.
pub fn decode(bytes: &[u8], limits: &ImageLimits) -> Result<DynamicImage, ImageProblem> {
    if bytes.len() > limits.max_bytes {
        return Err(ImageProblem::TooLarge);
    }
    let reader = || ImageReader::new(Cursor::new(bytes)).with_guessed_format();
    let probe = reader().map_err(|_| ImageProblem::NotAnImage)?;
    if probe.format().is_none() {
        return Err(ImageProblem::NotAnImage);
    }
    let (w, h) = probe.into_dimensions().map_err(|_| ImageProblem::Corrupt)?;
    if w == 0 || h == 0 {
        return Err(ImageProblem::Corrupt);
    }
    if w > limits.max_side || h > limits.max_side || u64::from(w) * u64::from(h) > limits.max_pixels {
        return Err(ImageProblem::TooManyPixels);
    }
    let mut r = reader().map_err(|_| ImageProblem::NotAnImage)?;
    let mut l = Limits::default();
    l.max_image_width = Some(limits.max_side);
    l.max_image_height = Some(limits.max_side);
    // RGBA at the pixel limit, with room for the decoder's own buffers.
    l.max_alloc = Some(limits.max_pixels * 4 * 2);
    r.limits(l);
    r.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ImageProblem::TooManyPixels,
        _ => ImageProblem::Corrupt,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::GrayImage::from_pixel(w, h, image::Luma([200u8]));
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).expect("png");
        out
    }

    /// The PNG chunk checksum (so that the forged header is otherwise valid).
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn sizes_formats_and_bombs_are_refused_before_decoding() {
        let l = ImageLimits::default();
        assert!(decode(&png(40, 30), &l).is_ok());
        assert_eq!(decode(b"hello, not an image", &l).err(), Some(ImageProblem::NotAnImage));
        let mut broken = png(40, 30);
        broken.truncate(60);
        assert_eq!(decode(&broken, &l).err(), Some(ImageProblem::Corrupt));
        let small = ImageLimits { max_bytes: 100, ..l };
        assert_eq!(decode(&png(400, 300), &small).err(), Some(ImageProblem::TooLarge));
        // A tiny file declaring a 100,000 × 100,000 canvas (a decompression bomb).
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(decode(&bomb, &l).err(), Some(ImageProblem::TooManyPixels));
    }
}
