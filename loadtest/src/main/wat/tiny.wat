;; tiny - the smallest useful command module: one 64 KiB page of memory, and a _start
;; that writes "ok\n" to stdout with one WASI fd_write. No libc, no stack, no heap.
;; EngineBenchmark.freshCommandInstanceOnePage runs it to show the fixed cost of a fresh
;; Context + instance, next to the ~6-page SDK examples (256 KiB stack + data).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param $fd i32) (param $iovs i32) (param $iovs_len i32) (param $nwritten i32) (result i32)))
  (memory (export "memory") 1)
  ;; offset 0: one iovec {buf = 16, len = 3}; offset 8: nwritten; offset 16: the text
  (data (i32.const 0) "\10\00\00\00\03\00\00\00")
  (data (i32.const 16) "ok\n")
  (func (export "_start")
    ;; errno != 0 or a short write: trap, so a broken host cannot pass for a fast one
    (if (i32.ne (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 0))
      (then unreachable))
    (if (i32.ne (i32.load (i32.const 8)) (i32.const 3))
      (then unreachable))))
