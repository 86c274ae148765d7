//! Precompression of the built app: next to every text or wasm file in dist/ it writes a
//! brotli (quality 11) and a gzip (level 9) sibling, which the relay serves to browsers that
//! accept them. Compressing once at build time lets us use the slowest, smallest settings,
//! and keeps the download within its budget (DESIGN.md section 10).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

const COMPRESSIBLE: [&str; 7] = ["wasm", "js", "css", "html", "webmanifest", "json", "svg"];
/// DESIGN.md section 10: compressed download of wasm + js + css.
pub const DOWNLOAD_BUDGET: u64 = 500 * 1024;

pub struct Compressed {
    /// brotli bytes of the wasm, js and css a browser downloads to start the app
    pub download: u64,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            files(&path, out)?;
        } else if path.extension().and_then(|e| e.to_str()).is_some_and(|e| COMPRESSIBLE.contains(&e)) {
            out.push(path);
        }
    }
    Ok(())
}

pub fn brotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 3);
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        // writing into a Vec cannot fail
        w.write_all(data).expect("brotli into memory");
    }
    out
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(data).expect("gzip into memory");
    w.finish().expect("gzip into memory")
}

/// Writes `<file>.br` and `<file>.gz` for every compressible file under `dist`.
pub fn precompress(dist: &Path) -> Result<Compressed> {
    let mut list = Vec::new();
    files(dist, &mut list)?;
    let mut download = 0;
    for path in list {
        let data = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let br = brotli(&data);
        if matches!(path.extension().and_then(|e| e.to_str()), Some("wasm" | "js" | "css")) && !path.ends_with("sw.js") {
            download += br.len() as u64;
        }
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        fs::write(path.with_file_name(format!("{name}.br")), br)?;
        fs::write(path.with_file_name(format!("{name}.gz")), gzip(&data))?;
    }
    Ok(Compressed { download })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn siblings_decompress_to_the_original_and_only_compressible_files_get_them() {
        let dir = std::env::temp_dir().join(format!("xtask-compress-{}", std::process::id()));
        fs::create_dir_all(dir.join("icons")).unwrap();
        let js = "export function hello() { return 'hello'; }\n".repeat(200);
        fs::write(dir.join("app.js"), &js).unwrap();
        fs::write(dir.join("icons/icon.png"), [0u8, 1, 2]).unwrap();
        let c = precompress(&dir).unwrap();
        let mut back = String::new();
        brotli::Decompressor::new(&fs::read(dir.join("app.js.br")).unwrap()[..], 4096).read_to_string(&mut back).unwrap();
        assert_eq!(back, js);
        let mut back = String::new();
        flate2::read::GzDecoder::new(&fs::read(dir.join("app.js.gz")).unwrap()[..]).read_to_string(&mut back).unwrap();
        assert_eq!(back, js);
        assert!(c.download > 0 && c.download < js.len() as u64);
        assert!(!dir.join("icons/icon.png.br").exists());
        fs::remove_dir_all(dir).unwrap();
    }
}
