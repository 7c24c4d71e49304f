//! A KDE surface as a PNG with a legend bar, written by a tiny encoder of our own.
//!
//! The encoder writes RGBA with *stored* (uncompressed) deflate blocks: about 60 lines and no
//! dependency, at the price of larger files (a 500 × 500 map is about 1 MB). That is acceptable
//! for an on-demand analyst view; switch to the `png` crate if these images ever travel far.
//!
//! Colours are five classes of the share of the peak density (ColorBrewer YlOrRd); cells below
//! the first class are transparent so that the image can lie over a base map. The legend is a
//! bar of the five colours under the map, and the class bounds in events/km² (with the map's
//! corner coordinates) travel as JSON in a `tEXt` chunk and in the response header.

use crate::domain::input::Plane;
use pingan_crimestat::kde::KdeSurface;
use serde_json::json;

/// Class lower bounds as a share of the peak, and their colours.
const CLASSES: [(f64, [u8; 3]); 5] = [
    (0.05, [0xff, 0xff, 0xb2]),
    (0.2, [0xfe, 0xcc, 0x5c]),
    (0.4, [0xfd, 0x8d, 0x3c]),
    (0.6, [0xf0, 0x3b, 0x20]),
    (0.8, [0xbd, 0x00, 0x26]),
];
/// Height of the legend bar and the gap above it, pixels.
const LEGEND_PX: usize = 16;
const GAP_PX: usize = 4;

/// Renders `s` (north up) and returns the PNG and its legend (JSON text).
pub fn render(s: &KdeSurface, plane: &Plane) -> (Vec<u8>, String) {
    let g = s.grid;
    // Small grids are scaled up so that the image is at least ~256 px across.
    let scale = (256 / g.nx.max(g.ny).max(1)).clamp(1, 8);
    let (w, map_h) = (g.nx * scale, g.ny * scale);
    let h = map_h + GAP_PX + LEGEND_PX;
    let mut px = vec![0u8; w * h * 4];
    for iy in 0..g.ny {
        for ix in 0..g.nx {
            let v = s.values[iy * g.nx + ix];
            let Some(rgb) = colour(v, s.max) else {
                continue;
            };
            // PNG rows run from the top (north); grid rows from the south.
            let top = (g.ny - 1 - iy) * scale;
            for dy in 0..scale {
                for dx in 0..scale {
                    let o = ((top + dy) * w + ix * scale + dx) * 4;
                    px[o..o + 4].copy_from_slice(&[rgb[0], rgb[1], rgb[2], 0xff]);
                }
            }
        }
    }
    for y in map_h + GAP_PX..h {
        for x in 0..w {
            let class = (x * CLASSES.len() / w.max(1)).min(CLASSES.len() - 1);
            let rgb = CLASSES[class].1;
            let o = (y * w + x) * 4;
            px[o..o + 4].copy_from_slice(&[rgb[0], rgb[1], rgb[2], 0xff]);
        }
    }
    let per_km2 = s.n_events as f64 * 1e6 * s.max;
    let classes: Vec<_> = CLASSES
        .iter()
        .enumerate()
        .map(|(i, (lo, rgb))| {
            let hi = CLASSES.get(i + 1).map_or(1.0, |c| c.0);
            json!({
                "from_events_per_km2": lo * per_km2, "to_events_per_km2": hi * per_km2,
                "colour": format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]),
            })
        })
        .collect();
    let corner = |x: f64, y: f64| plane.output(x, y);
    let (x1, y1) = (g.x0 + g.nx as f64 * g.cell, g.y0 + g.ny as f64 * g.cell);
    let legend = json!({
        "unit": "events_per_km2",
        "transparent_below_share_of_peak": CLASSES[0].0,
        "classes": classes,
        "map_px": [w, map_h], "legend_bar_px": LEGEND_PX,
        "crs": plane.crs_name(),
        "corners_sw_se_ne_nw": [corner(g.x0, g.y0), corner(x1, g.y0), corner(x1, y1), corner(g.x0, y1)],
    })
    .to_string();
    (encode_rgba(w, h, &px, &legend), legend)
}

fn colour(v: f64, max: f64) -> Option<[u8; 3]> {
    if max <= 0.0 || v <= 0.0 {
        return None;
    }
    let share = v / max;
    CLASSES
        .iter()
        .rev()
        .find(|(lo, _)| share >= *lo)
        .map(|c| c.1)
}

/// Encodes 8-bit RGBA pixels (`w * h * 4` bytes, rows from the top) with a `Legend` text chunk.
pub fn encode_rgba(w: usize, h: usize, px: &[u8], legend: &str) -> Vec<u8> {
    let mut raw = Vec::with_capacity((w * 4 + 1) * h);
    for row in px.chunks(w * 4).take(h) {
        raw.push(0); // Filter type "none".
        raw.extend_from_slice(row);
    }
    let mut z = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    if blocks.peek().is_none() {
        z.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(block) = blocks.next() {
        z.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&(w as u32).to_be_bytes());
    ihdr.extend_from_slice(&(h as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut text = b"Legend\0".to_vec();
    text.extend(legend.bytes().filter(u8::is_ascii));
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [
        (b"IHDR", &ihdr),
        (b"tEXt", &text),
        (b"IDAT", &z),
        (b"IEND", &Vec::new()),
    ] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5_552) {
        for &d in chunk {
            a += u32::from(d);
            b += a;
        }
        a %= 65_521;
        b %= 65_521;
    }
    (b << 16) | a
}

fn crc32(data: &[u8]) -> u32 {
    let mut table = [0u32; 256];
    for (n, slot) in table.iter_mut().enumerate() {
        let mut c = n as u32;
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xedb8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
        *slot = c;
    }
    let mut c = !0u32;
    for &d in data {
        c = table[((c ^ u32::from(d)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_match_known_values() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
    }

    /// Reads the chunks back, checks every CRC and inflates the stored blocks.
    #[test]
    fn the_file_reads_back() {
        let (w, h) = (300, 250);
        let px: Vec<u8> = (0..w * h * 4).map(|i| (i % 251) as u8).collect();
        let png = encode_rgba(w, h, &px, "{\"a\":1}");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let mut at = 8;
        let mut idat = Vec::new();
        let mut kinds = Vec::new();
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            let body = &png[at + 4..at + 8 + len];
            let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
            assert_eq!(crc, crc32(body));
            kinds.push(String::from_utf8_lossy(&body[..4]).into_owned());
            if &body[..4] == b"IDAT" {
                idat.extend_from_slice(&body[4..]);
            }
            at += 12 + len;
        }
        assert_eq!(kinds, ["IHDR", "tEXt", "IDAT", "IEND"]);
        let mut raw = Vec::new();
        let mut i = 2;
        loop {
            let last = idat[i] & 1 == 1;
            let len = u16::from_le_bytes([idat[i + 1], idat[i + 2]]) as usize;
            raw.extend_from_slice(&idat[i + 5..i + 5 + len]);
            i += 5 + len;
            if last {
                break;
            }
        }
        assert_eq!(
            u32::from_be_bytes(idat[i..i + 4].try_into().unwrap()),
            adler32(&raw)
        );
        assert_eq!(raw.len(), (w * 4 + 1) * h);
        assert_eq!(&raw[1..w * 4 + 1], &px[..w * 4]);
    }
}
