//! QR codes drawn as SVG in Rust (no image files, no script): a household's monitoring code on its
//! card and page, the self-report page's address for a village notice board.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code of `text` (error correction M), `size` pixels wide at least, black on white, with
/// the four-module quiet zone readers need. `None` when the text is too long for a QR code.
pub fn svg(text: &str, size: u32) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(size, size)
            .quiet_zone(true)
            .dark_color(svg::Color("#000"))
            .light_color(svg::Color("#fff"))
            .build(),
    )
}

/// The modules of the QR code of `text`, row by row (`true` dark), without the quiet zone: what a
/// reader sees, for tests that decode what the pages draw.
pub fn modules(text: &str) -> Option<(usize, Vec<bool>)> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some((width, dark))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a QR code back from its modules drawn 4 pixels each with a quiet zone of 4 modules.
    fn decode(width: usize, dark: &[bool]) -> String {
        let (scale, quiet) = (4, 4);
        let side = (width + 2 * quiet) * scale;
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            let inside =
                (quiet..quiet + width).contains(&mx) && (quiet..quiet + width).contains(&my);
            if inside && dark[(my - quiet) * width + mx - quiet] {
                0
            } else {
                255
            }
        });
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().expect("decodes").1
    }

    #[test]
    fn a_monitoring_code_reads_back_from_its_qr_code() {
        let code = fupin_core::household_code::monitoring_code("140525100201001").unwrap();
        let (width, dark) = modules(&code).unwrap();
        assert_eq!(decode(width, &dark), "140525100201001X");
        let svg = svg(&code, 160).unwrap();
        assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("#000"));
    }

    #[test]
    fn text_too_long_for_a_qr_code_is_refused() {
        assert!(svg(&"9".repeat(8000), 100).is_none());
    }
}
