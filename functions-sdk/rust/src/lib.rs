//! Write hpc-faas functions in Rust (function ABI v1; see functions-sdk/README.md).
//!
//! The request body is stdin, the response body is stdout, stderr is the log. A *command* is an
//! ordinary `fn main()` built for `wasm32-wasip1` (`wasm32-wasi` before Rust 1.78): a fresh instance
//! per call, exit code 0 = success. A *reactor* names its handler with [`handler!`], is built as a
//! `cdylib`, and stays warm between calls: the handler's [`Status`] decides success.

use std::fmt::Display;
use std::fs::File;
use std::io::{self, Read, Write};
use std::mem::ManuallyDrop;
#[cfg(unix)]
use std::os::unix::io::FromRawFd;
#[cfg(target_os = "wasi")]
use std::os::wasi::io::FromRawFd;

/// The function ABI these functions follow.
pub const ABI_VERSION: u32 = 1;

/// All of the input, up to its end.
pub fn read_all() -> io::Result<Vec<u8>> {
    let mut input = Vec::new();
    io::stdin().lock().read_to_end(&mut input)?;
    Ok(input)
}

/// Writes `data` to stdout and flushes it, so that the caller receives it now.
pub fn write_all(data: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(data)?;
    out.flush()
}

/// An environment variable, or `None`. A command's environment also holds the query parameters of
/// its call (`.../invoke?n=512` gives `n`); a reactor's holds `HPCFAAS_FUNCTION` only.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// What a handler returns, turned into the ABI's status: 0 = success, anything else = function error.
pub trait Status {
    fn code(self) -> i32;
}

impl Status for i32 {
    fn code(self) -> i32 {
        self
    }
}

impl Status for () {
    fn code(self) -> i32 {
        0
    }
}

/// `Err(e)` logs `e` to stderr (returned to the caller with the error) and fails the call.
impl<E: Display> Status for Result<(), E> {
    fn code(self) -> i32 {
        match self {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("{e}");
                1
            }
        }
    }
}

/// One call of a reactor's handler; [`handler!`] exports it as `hpcfaas_handle`.
#[doc(hidden)]
pub fn call<R: Status>(handle: fn(&[u8], &mut Vec<u8>) -> R) -> i32 {
    let input = match read_all() {
        Ok(input) => input,
        Err(e) => {
            eprintln!("hpcfaas: reading the input failed: {e}");
            return 1;
        }
    };
    let mut out = Vec::new();
    let code = handle(&input, &mut out).code();
    // print! output first, then `out`. `out` goes straight to fd 1: std's stdout keeps what it
    // failed to write, and that must not become the start of the next call's output.
    let _ = io::stdout().flush();
    let mut stdout = ManuallyDrop::new(unsafe { File::from_raw_fd(1) });
    match stdout.write_all(&out) {
        Ok(()) => code,
        Err(e) => {
            eprintln!("hpcfaas: writing the output failed: {e}");
            if code == 0 { 1 } else { code }
        }
    }
}

/// Makes a function the reactor's handler, called once per invocation with the whole input:
///
/// ```ignore
/// hpcfaas::handler!(fn handle(input: &[u8], out: &mut Vec<u8>) -> i32 { out.extend_from_slice(input); 0 });
/// // or name a function `fn(&[u8], &mut Vec<u8>) -> R` defined elsewhere:
/// hpcfaas::handler!(handle);
/// ```
///
/// `R` is any [`Status`]: `i32`, `()` or `Result<(), E: Display>`. The handler writes its response
/// into `out`; the call fails if it returns non-zero or `Err` (never call `exit` in a reactor; a
/// panic traps, and the instance is discarded). Statics keep their values between the calls of one
/// warm instance, but the runtime may start a new one at any time. Built for wasm, the macro exports
/// `hpcfaas_handle` and `_initialize`; built natively it defines a `main` that runs the handler once,
/// so `./fn < input` tests it.
#[macro_export]
macro_rules! handler {
    (fn $name:ident ($($params:tt)*) $(-> $ret:ty)? $body:block) => {
        fn $name($($params)*) $(-> $ret)? $body
        $crate::handler!($name);
    };
    ($handle:path) => {
        #[cfg(target_os = "wasi")]
        #[no_mangle]
        pub extern "C" fn hpcfaas_handle() -> i32 {
            $crate::call($handle)
        }

        #[cfg(target_os = "wasi")]
        #[no_mangle]
        pub extern "C" fn _initialize() {
            // Declared here, not in the crate: a command that links a reference to it no longer has
            // its constructors run by _start (and sees an empty environment).
            extern "C" {
                fn __wasm_call_ctors();
            }
            unsafe { __wasm_call_ctors() }
        }

        #[cfg(not(target_os = "wasi"))]
        fn main() {
            std::process::exit($crate::call($handle))
        }
    };
}
