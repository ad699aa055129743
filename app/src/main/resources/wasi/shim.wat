;; The runtime's WASI shim (see WasiShim.java): instantiated before each guest, it owns the guest's
;; linear memory and supplies the WASI calls that GraalWasm's builtin module gets wrong.
;; Built with `wat2wasm shim.wat -o shim.wasm`; a test checks that shim.wasm is this source.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory" (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file" (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename" (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "hpcfaas_host" "readable" (func $readable (param i32) (result i32)))
  (import "hpcfaas_host" "missing" (func $missing (result i32)))
  ;; The guest's memory; its limits are set to the guest's own when the guest is compiled.
  (memory (export "memory") 1)

  ;; readv as POSIX has it: fill the iovecs in order and return at the first one that is not filled
  ;; completely; go on to the next one only while more input is there without waiting. The builtin
  ;; reads each iovec once and moves on after a short read, which leaves holes in the caller's data.
  (func (export "fd_read") (param $fd i32) (param $iovs i32) (param $count i32) (param $nread i32) (result i32)
    (local $i i32) (local $iov i32) (local $len i32) (local $got i32) (local $total i32) (local $err i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $iov (i32.add (local.get $iovs) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $len (i32.load offset=4 (local.get $iov)))
        (if (local.get $total)
          (then (br_if $done (i32.eqz (call $readable (local.get $fd))))))
        (local.set $err (call $fd_read (local.get $fd) (local.get $iov) (i32.const 1) (local.get $nread)))
        (if (local.get $err)
          (then
            (br_if $done (local.get $total))
            (return (local.get $err))))
        (local.set $got (i32.load (local.get $nread)))
        (local.set $total (i32.add (local.get $total) (local.get $got)))
        (br_if $done (i32.lt_u (local.get $got) (local.get $len)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (local.get $nread) (local.get $total))
    (i32.const 0))

  ;; The path calls, with the errno of a missing path corrected: the builtin reports EIO (29), or ENOTDIR
  ;; (54) for a directory, where POSIX says ENOENT (44); the runtime's file system tells
  ;; (hpcfaas_host.missing) whether a path was missing.
  (func $enoent (param $err i32) (result i32)
    (if (result i32) (i32.and (i32.or (i32.eq (local.get $err) (i32.const 29)) (i32.eq (local.get $err) (i32.const 54)))
                              (call $missing))
      (then (i32.const 44))
      (else (local.get $err))))
  (func (export "path_open") (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)
    (call $enoent (call $path_open (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5) (local.get 6) (local.get 7) (local.get 8))))
  (func (export "path_filestat_get") (param i32 i32 i32 i32 i32) (result i32)
    (call $enoent (call $path_filestat_get (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4))))
  (func (export "path_create_directory") (param i32 i32 i32) (result i32)
    (call $enoent (call $path_create_directory (local.get 0) (local.get 1) (local.get 2))))
  (func (export "path_remove_directory") (param i32 i32 i32) (result i32)
    (call $enoent (call $path_remove_directory (local.get 0) (local.get 1) (local.get 2))))
  (func (export "path_unlink_file") (param i32 i32 i32) (result i32)
    (call $enoent (call $path_unlink_file (local.get 0) (local.get 1) (local.get 2))))
  (func (export "path_rename") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $enoent (call $path_rename (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))))

  ;; Preallocating file space is optional in WASI; the builtin answers ENOSYS, the standard ENOTSUP (58).
  (func (export "fd_allocate") (param i32 i64 i64) (result i32)
    (i32.const 58))

  ;; No descriptor is a socket: EBADF (8) for one that is not open, ENOTSOCK (57) for any other.
  ;; fd_fdstat_get needs 24 bytes to write to: it borrows address 0 and puts back what was there.
  (func $not_a_socket (param $fd i32) (result i32)
    (local $a i64) (local $b i64) (local $c i64) (local $err i32)
    (if (i32.eqz (memory.size)) (then (return (i32.const 57))))
    (local.set $a (i64.load (i32.const 0)))
    (local.set $b (i64.load (i32.const 8)))
    (local.set $c (i64.load (i32.const 16)))
    (local.set $err (call $fd_fdstat_get (local.get $fd) (i32.const 0)))
    (i64.store (i32.const 0) (local.get $a))
    (i64.store (i32.const 8) (local.get $b))
    (i64.store (i32.const 16) (local.get $c))
    (if (result i32) (i32.eq (local.get $err) (i32.const 8))
      (then (i32.const 8))
      (else (i32.const 57))))
  (func (export "sock_accept") (param $fd i32) (param i32 i32) (result i32)
    (call $not_a_socket (local.get $fd)))
  (func (export "sock_recv") (param $fd i32) (param i32 i32 i32 i32 i32) (result i32)
    (call $not_a_socket (local.get $fd)))
  (func (export "sock_send") (param $fd i32) (param i32 i32 i32 i32) (result i32)
    (call $not_a_socket (local.get $fd)))
  (func (export "sock_shutdown") (param $fd i32) (param i32) (result i32)
    (call $not_a_socket (local.get $fd))))
