//! stats - count, sum, minimum and maximum of the integers in the input (a reactor).
//!
//! Input: integers separated by white space. Output: `count=N sum=S min=A max=B`. Anything that is
//! not an integer fails the call, with the reason in stderr.

use std::sync::atomic::{AtomicU64, Ordering};

static CALLS: AtomicU64 = AtomicU64::new(0); // survives between the calls of one warm instance

fn stats(input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
    let call = CALLS.fetch_add(1, Ordering::Relaxed) + 1;
    let text = std::str::from_utf8(input).map_err(|_| "stats: the input is not UTF-8".to_string())?;
    let (mut count, mut sum, mut min, mut max) = (0u64, 0i128, i64::MAX, i64::MIN);
    for word in text.split_ascii_whitespace() {
        let x: i64 = word.parse().map_err(|_| format!("stats: '{word}' is not an integer"))?;
        count += 1;
        sum += i128::from(x);
        min = min.min(x);
        max = max.max(x);
    }
    if count == 0 {
        out.extend_from_slice(b"count=0\n");
    } else {
        out.extend_from_slice(format!("count={count} sum={sum} min={min} max={max}\n").as_bytes());
    }
    eprintln!("stats: call {call} of this instance");
    Ok(())
}

hpcfaas::handler!(stats);
