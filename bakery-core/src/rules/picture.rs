//! Judging uploaded bytes and making the variants served to phones: pure CPU work, run by
//! the use cases on the blocking pool (judging while attaching, making by the outbox).

use std::io::Cursor;

use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ExtendedColorType, ImageDecoder, ImageReader, Limits};

use crate::domain::{ImageFormat, VARIANT_SIDES};
use crate::error::{Error, UploadCode};

/// Decoding stops beyond this many pixels a side (a 5 MiB PNG can claim far more than it
/// holds) and this much memory, so no upload can make the server allocate gigabytes.
const MAX_SIDE: u32 = 12_000;
const MAX_DECODE_BYTES: u64 = 256 * 1024 * 1024;

/// One resized picture, WebP-encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variant {
    pub side: u32,
    pub width: u32,
    pub height: u32,
    pub webp: Vec<u8>,
}

/// A judged picture's size once its EXIF orientation is applied (a portrait phone photo is
/// taller than wide, whatever its sensor wrote).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dimensions {
    pub width: u32,
    pub height: u32,
}

fn unsupported(message: &str) -> Error {
    Error::upload(UploadCode::UnsupportedImage, "uploadId", message)
}

/// Judges `bytes`, which the client said are `declared`: the whole picture is decoded, so
/// what is accepted here is what [`make_variants`] can resize later.
///
/// The content decides: bytes whose magic numbers are not the declared format, or that do
/// not decode completely, are refused.
pub fn judge(bytes: &[u8], declared: ImageFormat) -> Result<Dimensions, Error> {
    let Some(found) = ImageFormat::sniff(bytes) else {
        return Err(unsupported("the file is not a JPEG, PNG or WebP picture"));
    };
    if found != declared {
        return Err(unsupported(&format!(
            "the file is a {} picture, not the {} it was announced as",
            found.content_type(),
            declared.content_type()
        )));
    }
    let picture = decode(bytes, found)?;
    Ok(Dimensions {
        width: picture.width(),
        height: picture.height(),
    })
}

/// Makes the variants of bytes [`judge`] accepted (they are decoded again: judging and
/// making happen at different times, possibly on different instances).
///
/// EXIF orientation is applied to the pixels, and the variants are re-encoded from pixels
/// alone, so no metadata (GPS position, camera) leaves.
pub fn make_variants(bytes: &[u8]) -> Result<Vec<Variant>, Error> {
    let Some(format) = ImageFormat::sniff(bytes) else {
        return Err(unsupported("the file is not a JPEG, PNG or WebP picture"));
    };
    let picture = decode(bytes, format)?;
    VARIANT_SIDES
        .iter()
        .map(|side| variant(&picture, *side))
        .collect()
}

/// The pixels, upright, within the decoding limits.
fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, Error> {
    let format = match format {
        ImageFormat::Jpeg => image::ImageFormat::Jpeg,
        ImageFormat::Png => image::ImageFormat::Png,
        ImageFormat::Webp => image::ImageFormat::WebP,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits);
    let mut decoder = reader
        .into_decoder()
        .map_err(|_| unsupported("the picture cannot be read"))?;
    let orientation = decoder
        .orientation()
        .map_err(|_| unsupported("the picture cannot be read"))?;
    let mut picture = DynamicImage::from_decoder(decoder)
        .map_err(|_| unsupported("the picture cannot be read"))?;
    picture.apply_orientation(orientation);
    if picture.width() == 0 || picture.height() == 0 {
        return Err(unsupported("the picture is empty"));
    }
    Ok(picture)
}

fn variant(picture: &DynamicImage, side: u32) -> Result<Variant, Error> {
    let long = picture.width().max(picture.height());
    let resized = if long > side {
        picture.resize(side, side, FilterType::Triangle)
    } else {
        picture.clone()
    };
    let (width, height) = (resized.width(), resized.height());
    let mut webp = Vec::new();
    // The pure-Rust encoder writes lossless WebP; dropping an unused alpha channel keeps it
    // smaller.
    if resized.color().has_alpha() {
        let rgba = resized.to_rgba8();
        WebPEncoder::new_lossless(&mut webp)
            .encode(rgba.as_raw(), width, height, ExtendedColorType::Rgba8)
            .map_err(Error::internal)?;
    } else {
        let rgb = resized.to_rgb8();
        WebPEncoder::new_lossless(&mut webp)
            .encode(rgb.as_raw(), width, height, ExtendedColorType::Rgb8)
            .map_err(Error::internal)?;
    }
    Ok(Variant {
        side,
        width,
        height,
        webp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, RgbImage};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(picture.as_raw(), width, height, ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn variants_fit_their_side_and_keep_the_ratio() {
        let variants = make_variants(&png(1600, 800)).unwrap();
        let sizes: Vec<_> = variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(sizes, vec![(400, 200), (1200, 600)]);
        for v in &variants {
            assert_eq!(ImageFormat::sniff(&v.webp), Some(ImageFormat::Webp));
        }
    }

    #[test]
    fn small_pictures_are_not_upscaled() {
        let variants = make_variants(&png(300, 200)).unwrap();
        assert!(variants.iter().all(|v| (v.width, v.height) == (300, 200)));
    }

    #[test]
    fn judging_answers_the_size() {
        assert_eq!(
            judge(&png(640, 480), ImageFormat::Png).unwrap(),
            Dimensions {
                width: 640,
                height: 480
            }
        );
    }

    /// A JPEG whose EXIF says "rotate 90°": stored 40 × 20, shown 20 × 40.
    fn rotated_jpeg() -> Vec<u8> {
        let picture = RgbImage::from_pixel(40, 20, image::Rgb([200, 120, 40]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .write_image(picture.as_raw(), 40, 20, ExtendedColorType::Rgb8)
            .unwrap();
        // APP1 "Exif", little-endian TIFF, one IFD entry: Orientation (0x0112) = 6.
        let mut tiff = b"II*\0\x08\0\0\0\x01\0".to_vec();
        tiff.extend_from_slice(&[0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn exif_orientation_is_applied_and_not_kept() {
        let bytes = rotated_jpeg();
        assert_eq!(
            judge(&bytes, ImageFormat::Jpeg).unwrap(),
            Dimensions {
                width: 20,
                height: 40
            }
        );
        let variants = make_variants(&bytes).unwrap();
        assert!(variants.iter().all(|v| (v.width, v.height) == (20, 40)));
        for v in &variants {
            assert!(!v.webp.windows(4).any(|w| w == b"EXIF" || w == b"Exif"));
        }
    }

    #[test]
    fn content_decides() {
        let as_jpeg = judge(&png(10, 10), ImageFormat::Jpeg);
        assert!(matches!(
            as_jpeg,
            Err(Error::Upload {
                code: UploadCode::UnsupportedImage,
                ..
            })
        ));
        let text = judge(b"hello, I am a picture", ImageFormat::Png);
        assert!(matches!(text, Err(Error::Upload { .. })));
        assert!(make_variants(b"hello, I am a picture").is_err());
        let mut truncated = png(64, 64);
        truncated.truncate(60);
        assert!(judge(&truncated, ImageFormat::Png).is_err());
        assert!(make_variants(&truncated).is_err());
    }
}
