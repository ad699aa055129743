//! numberlines - numbers the lines of the input, like `cat -n`: a streaming filter (command).
//!
//! Reads the input in 64 KiB chunks and answers each chunk as soon as it is read, so it runs in
//! constant memory on any input size. `.../invoke?start=100` numbers from 100.

use std::io::{self, Read, Write};

fn main() -> io::Result<()> {
    let mut next: u64 = match hpcfaas::env("start") {
        Some(s) => s.trim().parse().map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "start is not a number"))?,
        None => 1,
    };
    let mut input = io::stdin().lock();
    let mut output = io::stdout().lock();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut out = Vec::with_capacity(2 * chunk.len());
    let mut at_line_start = true;
    loop {
        let n = match input.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        out.clear();
        for &b in &chunk[..n] {
            if at_line_start {
                write!(out, "{next:6}\t")?;
                next += 1;
            }
            out.push(b);
            at_line_start = b == b'\n';
        }
        output.write_all(&out)?;
        output.flush()?;
    }
    Ok(())
}
