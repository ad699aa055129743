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
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func $fd_filestat_set_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times"
    (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
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
  ;; unlink refuses a directory (EISDIR, 31), where the builtin removes an empty one, and a file named with a
  ;; trailing slash (ENOTDIR, 54), which the builtin unlinks.
  (func (export "path_unlink_file") (param $fd i32) (param $path i32) (param $len i32) (result i32)
    (local $type i32)
    (local.set $type (call $path_type (local.get $fd) (local.get $path) (local.get $len)))
    (if (i32.eq (local.get $type) (i32.const 3)) (then (return (i32.const 31))))
    (if (i32.and (i32.ge_s (local.get $type) (i32.const 0))
          (i32.and (i32.ne (local.get $len) (i32.const 0))
            (i32.eq (i32.load8_u (i32.sub (i32.add (local.get $path) (local.get $len)) (i32.const 1))) (i32.const 47))))
      (then (return (i32.const 54))))
    (call $enoent (call $path_unlink_file (local.get $fd) (local.get $path) (local.get $len))))

  ;; The file type of a path (not following a last symlink; 3: a directory), or -1 when it cannot be
  ;; stat'ed. path_filestat_get needs 64 bytes to write to: it borrows address 0 and puts back what was
  ;; there; a missing path's mark is taken off, as this look is not the guest's call.
  (func $path_type (param $fd i32) (param $path i32) (param $len i32) (result i32)
    (local $a i64) (local $b i64) (local $c i64) (local $d i64) (local $e i64) (local $f i64) (local $g i64)
    (local $h i64) (local $type i32)
    (if (i32.or (i32.eqz (memory.size)) (i32.lt_u (local.get $path) (i32.const 64))) (then (return (i32.const -1))))
    (local.set $a (i64.load offset=0 (i32.const 0)))
    (local.set $b (i64.load offset=8 (i32.const 0)))
    (local.set $c (i64.load offset=16 (i32.const 0)))
    (local.set $d (i64.load offset=24 (i32.const 0)))
    (local.set $e (i64.load offset=32 (i32.const 0)))
    (local.set $f (i64.load offset=40 (i32.const 0)))
    (local.set $g (i64.load offset=48 (i32.const 0)))
    (local.set $h (i64.load offset=56 (i32.const 0)))
    (local.set $type
      (if (result i32) (call $path_filestat_get (local.get $fd) (i32.const 0) (local.get $path) (local.get $len) (i32.const 0))
        (then (drop (call $missing)) (i32.const -1))
        (else (i32.load8_u offset=16 (i32.const 0)))))
    (i64.store offset=0 (i32.const 0) (local.get $a))
    (i64.store offset=8 (i32.const 0) (local.get $b))
    (i64.store offset=16 (i32.const 0) (local.get $c))
    (i64.store offset=24 (i32.const 0) (local.get $d))
    (i64.store offset=32 (i32.const 0) (local.get $e))
    (i64.store offset=40 (i32.const 0) (local.get $f))
    (i64.store offset=48 (i32.const 0) (local.get $g))
    (i64.store offset=56 (i32.const 0) (local.get $h))
    (local.get $type))
  (func (export "path_rename") (param i32 i32 i32 i32 i32 i32) (result i32)
    (call $enoent (call $path_rename (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4) (local.get 5))))

  ;; A time and "now" for the same timestamp contradict each other: EINVAL (28); the builtin takes one of them.
  (func $times_invalid (param $flags i32) (result i32)
    (i32.or (i32.eq (i32.and (local.get $flags) (i32.const 3)) (i32.const 3))
            (i32.eq (i32.and (local.get $flags) (i32.const 12)) (i32.const 12))))
  (func (export "fd_filestat_set_times") (param i32 i64 i64 i32) (result i32)
    (if (result i32) (call $times_invalid (local.get 3))
      (then (i32.const 28))
      (else (call $fd_filestat_set_times (local.get 0) (local.get 1) (local.get 2) (local.get 3)))))
  (func (export "path_filestat_set_times") (param i32 i32 i32 i32 i64 i64 i32) (result i32)
    (if (result i32) (call $times_invalid (local.get 6))
      (then (i32.const 28))
      (else (call $enoent (call $path_filestat_set_times (local.get 0) (local.get 1) (local.get 2) (local.get 3)
        (local.get 4) (local.get 5) (local.get 6))))))

  ;; A directory has no offset to seek or tell: EBADF (8), where the builtin seeks it; nor the right to (FD_SEEK, 4).
  (func (export "fd_fdstat_get") (param $fd i32) (param $stat i32) (result i32)
    (local $err i32)
    (local.set $err (call $fd_fdstat_get (local.get $fd) (local.get $stat)))
    (if (i32.and (i32.eqz (local.get $err)) (i32.eq (i32.load8_u (local.get $stat)) (i32.const 3)))
      (then (i64.store offset=8 (local.get $stat)
        (i64.and (i64.load offset=8 (local.get $stat)) (i64.xor (i64.const -1) (i64.const 4))))))
    (local.get $err))
  (func (export "fd_seek") (param $fd i32) (param i64 i32 i32) (result i32)
    (if (result i32) (i32.eq (call $filetype (local.get $fd)) (i32.const 3))
      (then (i32.const 8))
      (else (call $fd_seek (local.get $fd) (local.get 1) (local.get 2) (local.get 3)))))

  (func (export "fd_tell") (param $fd i32) (param i32) (result i32)
    (if (result i32) (i32.eq (call $filetype (local.get $fd)) (i32.const 3))
      (then (i32.const 8))
      (else (call $fd_tell (local.get $fd) (local.get 1)))))

  ;; Preallocating file space is optional in WASI; the builtin answers ENOSYS, the standard ENOTSUP (58).
  (func (export "fd_allocate") (param i32 i64 i64) (result i32)
    (i32.const 58))

  ;; The file type of a descriptor (3: a directory), or -1 when it is not open. fd_fdstat_get needs 24
  ;; bytes to write to: it borrows address 0 and puts back what was there.
  (func $filetype (param $fd i32) (result i32)
    (local $a i64) (local $b i64) (local $c i64) (local $type i32)
    (if (i32.eqz (memory.size)) (then (return (i32.const 0))))
    (local.set $a (i64.load (i32.const 0)))
    (local.set $b (i64.load (i32.const 8)))
    (local.set $c (i64.load (i32.const 16)))
    (local.set $type
      (if (result i32) (call $fd_fdstat_get (local.get $fd) (i32.const 0))
        (then (i32.const -1))
        (else (i32.load8_u (i32.const 0)))))
    (i64.store (i32.const 0) (local.get $a))
    (i64.store (i32.const 8) (local.get $b))
    (i64.store (i32.const 16) (local.get $c))
    (local.get $type))

  ;; No descriptor is a socket: EBADF (8) for one that is not open, ENOTSOCK (57) for any other.
  (func $not_a_socket (param $fd i32) (result i32)
    (if (result i32) (i32.eq (call $filetype (local.get $fd)) (i32.const -1))
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
