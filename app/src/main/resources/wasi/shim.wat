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
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_readlink" (func $path_readlink (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_size" (func $fd_filestat_set_size (param i32 i64) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pread" (func $fd_pread (param i32 i32 i32 i64 i32) (result i32)))
  (import "hpcfaas_host" "readable" (func $readable (param i32) (result i32)))
  (import "hpcfaas_host" "errno" (func $errno (result i32)))
  (import "hpcfaas_host" "nofollow" (func $nofollow (param i32) (result i32)))
  (import "hpcfaas_host" "link_text" (func $link_text (param i32 i32) (result i32)))
  (import "hpcfaas_host" "link_target" (func $link_target (param i32 i32) (result i32)))
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
            (return (call $on_dir (local.get $fd) (local.get $err)))))
        (local.set $got (i32.load (local.get $nread)))
        (local.set $total (i32.add (local.get $total) (local.get $got)))
        (br_if $done (i32.lt_u (local.get $got) (local.get $len)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (local.get $nread) (local.get $total))
    (i32.const 0))


  ;; 64 bytes at address 0, borrowed by the helpers below for what a WASI call writes, and put back.
  (global $b0 (mut i64) (i64.const 0)) (global $b1 (mut i64) (i64.const 0))
  (global $b2 (mut i64) (i64.const 0)) (global $b3 (mut i64) (i64.const 0))
  (global $b4 (mut i64) (i64.const 0)) (global $b5 (mut i64) (i64.const 0))
  (global $b6 (mut i64) (i64.const 0)) (global $b7 (mut i64) (i64.const 0))
  (func $borrow
    (global.set $b0 (i64.load offset=0 (i32.const 0))) (global.set $b1 (i64.load offset=8 (i32.const 0)))
    (global.set $b2 (i64.load offset=16 (i32.const 0))) (global.set $b3 (i64.load offset=24 (i32.const 0)))
    (global.set $b4 (i64.load offset=32 (i32.const 0))) (global.set $b5 (i64.load offset=40 (i32.const 0)))
    (global.set $b6 (i64.load offset=48 (i32.const 0))) (global.set $b7 (i64.load offset=56 (i32.const 0))))
  (func $give_back
    (i64.store offset=0 (i32.const 0) (global.get $b0)) (i64.store offset=8 (i32.const 0) (global.get $b1))
    (i64.store offset=16 (i32.const 0) (global.get $b2)) (i64.store offset=24 (i32.const 0) (global.get $b3))
    (i64.store offset=32 (i32.const 0) (global.get $b4)) (i64.store offset=40 (i32.const 0) (global.get $b5))
    (i64.store offset=48 (i32.const 0) (global.get $b6)) (i64.store offset=56 (i32.const 0) (global.get $b7)))

  ;; A field of a descriptor's fdstat (0: file type, 3 for a directory; 1: flags, 1 for append;
  ;; 2: base rights), or -1 when it is not open.
  (func $fdstat (param $fd i32) (param $field i32) (result i64)
    (local $v i64)
    (if (i32.eqz (memory.size)) (then (return (i64.const -1))))
    (call $borrow)
    (local.set $v
      (if (result i64) (call $fd_fdstat_get (local.get $fd) (i32.const 0))
        (then (i64.const -1))
        (else (if (result i64) (i32.eqz (local.get $field))
          (then (i64.load8_u (i32.const 0)))
          (else (if (result i64) (i32.eq (local.get $field) (i32.const 1))
            (then (i64.load16_u offset=2 (i32.const 0)))
            (else (i64.load offset=8 (i32.const 0)))))))))
    (call $give_back)
    (local.get $v))
  (func $filetype (param $fd i32) (result i32)
    (i32.wrap_i64 (call $fdstat (local.get $fd) (i32.const 0))))

  ;; The file type of a path (3: a directory, 7: a symbolic link; following a last link only when
  ;; $flags says so), or -1 when it cannot be stat'ed. This look is not the guest's call: what it saw
  ;; of a host error is taken off.
  (func $path_type (param $fd i32) (param $flags i32) (param $path i32) (param $len i32) (result i32)
    (local $type i32)
    (if (i32.or (i32.eqz (memory.size)) (i32.lt_u (local.get $path) (i32.const 64))) (then (return (i32.const -1))))
    (call $borrow)
    (drop (call $nofollow (i32.eqz (i32.and (local.get $flags) (i32.const 1)))))
    (local.set $type
      (if (result i32) (call $path_filestat_get (local.get $fd) (local.get $flags) (local.get $path) (local.get $len)
                         (i32.const 0))
        (then (drop (call $errno)) (i32.const -1))
        (else (i32.load8_u offset=16 (i32.const 0)))))
    (drop (call $nofollow (i32.const 0)))
    (call $give_back)
    (local.get $type))

  (func $ends_with_slash (param $path i32) (param $len i32) (result i32)
    (i32.and (i32.ne (local.get $len) (i32.const 0))
      (i32.eq (i32.load8_u (i32.sub (i32.add (local.get $path) (local.get $len)) (i32.const 1))) (i32.const 47))))

  ;; Why a guest's path names nothing it may reach, in $refusal: a NUL byte in it (EINVAL, 28; the builtin
  ;; traps on it); an absolute path, or more ".." than components before them, leaves the directory it is
  ;; relative to (ENOTCAPABLE, 76; the builtin stops at the preopen's root and looks there). A link's text
  ;; ($confined 0) is only checked for NUL: it is relative to the link's own directory.
  (global $refusal (mut i32) (i32.const 0))
  (func $bad_path (param $path i32) (param $len i32) (param $confined i32) (result i32)
    (local $end i32) (local $start i32) (local $depth i32) (local $c i32) (local $n i32)
    (local.set $end (i32.add (local.get $path) (local.get $len)))
    (global.set $refusal (i32.const 76))
    (if (i32.and (local.get $confined)
          (i32.and (i32.ne (local.get $len) (i32.const 0)) (i32.eq (i32.load8_u (local.get $path)) (i32.const 47))))
      (then (return (i32.const 1))))
    (local.set $start (local.get $path))
    (block $done
      (loop $next
        (local.set $c (if (result i32) (i32.lt_u (local.get $path) (local.get $end))
          (then (i32.load8_u (local.get $path))) (else (i32.const 47))))
        (if (i32.eqz (local.get $c)) (then (global.set $refusal (i32.const 28)) (return (i32.const 1))))
        (if (i32.eq (local.get $c) (i32.const 47))
          (then
            (local.set $n (i32.sub (local.get $path) (local.get $start)))
            (if (i32.and (i32.eq (local.get $n) (i32.const 2)) (i32.eq (i32.load16_u (local.get $start)) (i32.const 0x2e2e)))
              (then
                (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
                (if (i32.and (local.get $confined) (i32.lt_s (local.get $depth) (i32.const 0))) (then (return (i32.const 1)))))
              (else (if (i32.and (i32.ne (local.get $n) (i32.const 0))
                              (i32.eqz (i32.and (i32.eq (local.get $n) (i32.const 1)) (i32.eq (i32.load8_u (local.get $start)) (i32.const 46)))))
                (then (local.set $depth (i32.add (local.get $depth) (i32.const 1)))))))
            (local.set $start (i32.add (local.get $path) (i32.const 1)))))
        (br_if $done (i32.ge_u (local.get $path) (local.get $end)))
        (local.set $path (i32.add (local.get $path) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; Reading, writing or truncating a directory's descriptor is EISDIR (31), as POSIX has it; the builtin
  ;; answers EACCES.
  (func $on_dir (param $fd i32) (param $err i32) (result i32)
    (if (result i32) (i32.and (i32.ne (local.get $err) (i32.const 0)) (i32.eq (call $filetype (local.get $fd)) (i32.const 3)))
      (then (i32.const 31))
      (else (local.get $err))))
  (func (export "fd_write") (param $fd i32) (param $iovs i32) (param $count i32) (param $written i32) (result i32)
    (call $on_dir (local.get $fd) (call $fd_write (local.get $fd) (local.get $iovs) (local.get $count) (local.get $written))))
  (func (export "fd_filestat_set_size") (param $fd i32) (param $size i64) (result i32)
    (call $on_dir (local.get $fd) (call $fd_filestat_set_size (local.get $fd) (local.get $size))))
  (func (export "fd_pread") (param $fd i32) (param $iovs i32) (param $count i32) (param $offset i64) (param $read i32)
        (result i32)
    (call $on_dir (local.get $fd)
      (call $fd_pread (local.get $fd) (local.get $iovs) (local.get $count) (local.get $offset) (local.get $read))))

  ;; A name ending in a slash, for a link to be made: ENOENT when nothing is there, EEXIST for a directory,
  ;; ENOTDIR for anything else; the builtin drops the slash and makes the link. 0 for any other name.
  (func $slashed_name (param $fd i32) (param $path i32) (param $len i32) (result i32)
    (local $type i32)
    (if (i32.eqz (call $ends_with_slash (local.get $path) (local.get $len))) (then (return (i32.const 0))))
    (local.set $type (call $path_type (local.get $fd) (i32.const 0) (local.get $path) (local.get $len)))
    (if (result i32) (i32.lt_s (local.get $type) (i32.const 0))
      (then (i32.const 44))
      (else (if (result i32) (i32.eq (local.get $type) (i32.const 3)) (then (i32.const 20)) (else (i32.const 54))))))

  ;; The builtin turns most host errors into EIO (29), or ENOTDIR (54) for a missing directory; the
  ;; runtime's file system kept the errno the host's error stands for (ENOENT, ELOOP, ENOTEMPTY, ...).
  (func $corrected (param $err i32) (result i32)
    (local $seen i32)
    (if (i32.or (i32.eq (local.get $err) (i32.const 29)) (i32.eq (local.get $err) (i32.const 54)))
      (then
        (local.set $seen (call $errno))
        (if (local.get $seen) (then (return (local.get $seen))))))
    (local.get $err))

  ;; path_open as POSIX and WASI have it, where the builtin differs: an absolute path is not capable (76);
  ;; without SYMLINK_FOLLOW a last symbolic link is ELOOP (32), as O_NOFOLLOW; a trailing slash names a directory
  ;; (O_DIRECTORY), where the builtin drops it and opens a file; the right to write a
  ;; directory is EISDIR (31); O_TRUNC needs the directory's right PATH_FILESTAT_SET_SIZE (1 << 19).
  (func (export "path_open") (param $fd i32) (param $dirflags i32) (param $path i32) (param $len i32) (param $oflags i32)
        (param $base i64) (param $inheriting i64) (param $fdflags i32) (param $opened i32) (result i32)
    (if (call $bad_path (local.get $path) (local.get $len) (i32.const 1)) (then (return (global.get $refusal))))
    (if (i32.eqz (i32.and (local.get $dirflags) (i32.const 1)))
      (then (if (i32.eq (call $path_type (local.get $fd) (i32.const 0) (local.get $path) (local.get $len)) (i32.const 7))
        (then (return (i32.const 32))))))
    (if (call $ends_with_slash (local.get $path) (local.get $len))
      (then (local.set $oflags (i32.or (local.get $oflags) (i32.const 2)))))
    (if (i64.ne (i64.and (local.get $base) (i64.const 64)) (i64.const 0))
      (then (if (i32.eq (call $path_type (local.get $fd) (i32.const 1) (local.get $path) (local.get $len)) (i32.const 3))
        (then (return (i32.const 31))))))
    (if (i32.and (local.get $oflags) (i32.const 8))
      (then (if (i64.eqz (i64.and (call $fdstat (local.get $fd) (i32.const 2)) (i64.const 524288)))
        (then (return (i32.const 76))))))
    (call $corrected (call $path_open (local.get $fd) (local.get $dirflags) (local.get $path) (local.get $len)
      (local.get $oflags) (local.get $base) (local.get $inheriting) (local.get $fdflags) (local.get $opened))))

  ;; stat and set-times of a path: the builtin follows a last symbolic link even when the guest asks it not
  ;; to (lstat); the runtime's file system does not follow it while the call is marked.
  (func (export "path_filestat_get") (param $fd i32) (param $flags i32) (param $path i32) (param $len i32) (param $stat i32)
        (result i32)
    (local $err i32)
    (if (call $bad_path (local.get $path) (local.get $len) (i32.const 1)) (then (return (global.get $refusal))))
    (drop (call $nofollow (i32.eqz (i32.and (local.get $flags) (i32.const 1)))))
    (local.set $err (call $path_filestat_get (local.get $fd) (local.get $flags) (local.get $path) (local.get $len)
      (local.get $stat)))
    (drop (call $nofollow (i32.const 0)))
    (call $corrected (local.get $err)))
  (func (export "path_filestat_set_times") (param $fd i32) (param $flags i32) (param $path i32) (param $len i32)
        (param $atim i64) (param $mtim i64) (param $fst i32) (result i32)
    (local $err i32)
    (if (call $bad_path (local.get $path) (local.get $len) (i32.const 1)) (then (return (global.get $refusal))))
    (if (call $times_invalid (local.get $fst)) (then (return (i32.const 28))))
    (drop (call $nofollow (i32.eqz (i32.and (local.get $flags) (i32.const 1)))))
    (local.set $err (call $path_filestat_set_times (local.get $fd) (local.get $flags) (local.get $path) (local.get $len)
      (local.get $atim) (local.get $mtim) (local.get $fst)))
    (drop (call $nofollow (i32.const 0)))
    (call $corrected (local.get $err)))

  (func (export "path_create_directory") (param $fd i32) (param $path i32) (param $len i32) (result i32)
    (if (call $bad_path (local.get $path) (local.get $len) (i32.const 1)) (then (return (global.get $refusal))))
    (call $corrected (call $path_create_directory (local.get $fd) (local.get $path) (local.get $len))))
  (func (export "path_remove_directory") (param $fd i32) (param $path i32) (param $len i32) (result i32)
    (if (call $bad_path (local.get $path) (local.get $len) (i32.const 1)) (then (return (global.get $refusal))))
    (call $corrected (call $path_remove_directory (local.get $fd) (local.get $path) (local.get $len))))
  (func (export "path_rename") (param $fd i32) (param $old i32) (param $oldlen i32) (param $newfd i32) (param $new i32)
        (param $newlen i32) (result i32)
    (if (call $bad_path (local.get $old) (local.get $oldlen) (i32.const 1)) (then (return (global.get $refusal))))
    (if (call $bad_path (local.get $new) (local.get $newlen) (i32.const 1)) (then (return (global.get $refusal))))
    (call $corrected (call $path_rename (local.get $fd) (local.get $old) (local.get $oldlen) (local.get $newfd)
      (local.get $new) (local.get $newlen))))
  ;; link(2) does not follow a last symbolic link unless asked to (the builtin looks through it first); asked
  ;; to, a dangling one is ENOENT.
  (func (export "path_link") (param $fd i32) (param $flags i32) (param $old i32) (param $oldlen i32) (param $newfd i32)
        (param $new i32) (param $newlen i32) (result i32)
    (local $err i32)
    (if (call $bad_path (local.get $old) (local.get $oldlen) (i32.const 1)) (then (return (global.get $refusal))))
    (if (call $bad_path (local.get $new) (local.get $newlen) (i32.const 1)) (then (return (global.get $refusal))))
    (local.set $err (call $slashed_name (local.get $newfd) (local.get $new) (local.get $newlen)))
    (if (local.get $err) (then (return (local.get $err))))
    (if (i32.and (local.get $flags) (i32.const 1))
      (then (if (i32.lt_s (call $path_type (local.get $fd) (i32.const 1) (local.get $old) (local.get $oldlen)) (i32.const 0))
        (then (return (i32.const 44))))))
    (drop (call $nofollow (i32.eqz (i32.and (local.get $flags) (i32.const 1)))))
    (local.set $err (call $path_link (local.get $fd) (local.get $flags) (local.get $old) (local.get $oldlen)
      (local.get $newfd) (local.get $new) (local.get $newlen)))
    (drop (call $nofollow (i32.const 0)))
    (call $corrected (local.get $err)))

  ;; unlink refuses a directory (EISDIR, 31), where the builtin removes an empty one, and a file named with a
  ;; trailing slash (ENOTDIR, 54), which the builtin unlinks; a link to a directory is a link, and goes (the
  ;; builtin looks through it and answers EISDIR).
  (func (export "path_unlink_file") (param $fd i32) (param $path i32) (param $len i32) (result i32)
    (local $type i32)
    (if (call $bad_path (local.get $path) (local.get $len) (i32.const 1)) (then (return (global.get $refusal))))
    (local.set $type (call $path_type (local.get $fd) (i32.const 0) (local.get $path) (local.get $len)))
    (if (i32.eq (local.get $type) (i32.const 3)) (then (return (i32.const 31))))
    (if (i32.and (i32.ge_s (local.get $type) (i32.const 0)) (call $ends_with_slash (local.get $path) (local.get $len)))
      (then (return (i32.const 54))))
    (drop (call $nofollow (i32.const 1)))
    (local.set $type (call $path_unlink_file (local.get $fd) (local.get $path) (local.get $len)))
    (drop (call $nofollow (i32.const 0)))
    (call $corrected (local.get $type)))

  ;; A link to an absolute path would point out of the preopens: ENOTCAPABLE (76), as for absolute paths.
  ;; The link keeps the target's text as the guest wrote it (the builtin resolved it against the directory
  ;; descriptor and stored the absolute host path): the runtime's file system is told the text first.
  (func (export "path_symlink") (param $old i32) (param $oldlen i32) (param $fd i32) (param $new i32) (param $newlen i32)
        (result i32)
    (local $err i32)
    (if (call $bad_path (local.get $old) (local.get $oldlen) (i32.const 0)) (then (return (global.get $refusal))))
    (if (call $bad_path (local.get $new) (local.get $newlen) (i32.const 1)) (then (return (global.get $refusal))))
    (if (i32.and (i32.ne (local.get $oldlen) (i32.const 0)) (i32.eq (i32.load8_u (local.get $old)) (i32.const 47)))
      (then (return (i32.const 76))))
    (local.set $err (call $slashed_name (local.get $fd) (local.get $new) (local.get $newlen)))
    (if (local.get $err) (then (return (local.get $err))))
    (drop (call $link_target (local.get $old) (local.get $oldlen)))
    (call $corrected (call $path_symlink (local.get $old) (local.get $oldlen) (local.get $fd) (local.get $new)
      (local.get $newlen))))

  ;; readlink: the link's text as it is (the runtime's file system kept it as the builtin read it), at most
  ;; the buffer's length, nothing written beyond; the builtin writes an absolute guest path into the whole buffer.
  (func (export "path_readlink") (param $fd i32) (param $path i32) (param $len i32) (param $buf i32) (param $cap i32)
        (param $used i32) (result i32)
    (local $err i32) (local $n i32)
    (if (call $bad_path (local.get $path) (local.get $len) (i32.const 1)) (then (return (global.get $refusal))))
    (local.set $err (call $path_readlink (local.get $fd) (local.get $path) (local.get $len) (local.get $buf) (i32.const 0)
      (local.get $used)))
    (local.set $n (call $link_text (local.get $buf) (local.get $cap)))
    (if (i32.ge_s (local.get $n) (i32.const 0))
      (then
        (i32.store (local.get $used) (local.get $n))
        (return (i32.const 0))))
    (call $corrected (local.get $err)))

  ;; A preopen's name does not fit a buffer shorter than it: ENAMETOOLONG (37); the builtin writes a part.
  (func (export "fd_prestat_dir_name") (param $fd i32) (param $buf i32) (param $len i32) (result i32)
    (local $err i32) (local $need i32)
    (if (memory.size)
      (then
        (call $borrow)
        (local.set $err (call $fd_prestat_get (local.get $fd) (i32.const 0)))
        (local.set $need (i32.load offset=4 (i32.const 0)))
        (call $give_back)
        (if (i32.and (i32.eqz (local.get $err)) (i32.lt_u (local.get $len) (local.get $need)))
          (then (return (i32.const 37))))))
    (call $fd_prestat_dir_name (local.get $fd) (local.get $buf) (local.get $len)))

  ;; pwrite on a file opened to append writes at its end, as Linux does, and leaves the offset where it was;
  ;; the builtin answers ENOSYS (52).
  (func (export "fd_pwrite") (param $fd i32) (param $iovs i32) (param $count i32) (param $offset i64) (param $written i32)
        (result i32)
    (local $err i32) (local $at i64)
    (local.set $err (call $fd_pwrite (local.get $fd) (local.get $iovs) (local.get $count) (local.get $offset)
      (local.get $written)))
    (if (i32.or (i32.ne (local.get $err) (i32.const 52)) (i32.eqz (memory.size)))
      (then (return (call $on_dir (local.get $fd) (local.get $err)))))
    (if (i64.eqz (i64.and (call $fdstat (local.get $fd) (i32.const 1)) (i64.const 1))) (then (return (local.get $err))))
    (call $borrow)
    (local.set $err (call $fd_tell (local.get $fd) (i32.const 0)))
    (local.set $at (i64.load (i32.const 0)))
    (call $give_back)
    (if (local.get $err) (then (return (local.get $err))))
    (local.set $err (call $fd_write (local.get $fd) (local.get $iovs) (local.get $count) (local.get $written)))
    (call $borrow)
    (drop (call $fd_seek (local.get $fd) (local.get $at) (i32.const 0) (i32.const 0)))
    (call $give_back)
    (local.get $err))

  ;; A time and "now" for the same timestamp contradict each other: EINVAL (28); the builtin takes one of them.
  (func $times_invalid (param $flags i32) (result i32)
    (i32.or (i32.eq (i32.and (local.get $flags) (i32.const 3)) (i32.const 3))
            (i32.eq (i32.and (local.get $flags) (i32.const 12)) (i32.const 12))))
  (func (export "fd_filestat_set_times") (param i32 i64 i64 i32) (result i32)
    (if (result i32) (call $times_invalid (local.get 3))
      (then (i32.const 28))
      (else (call $fd_filestat_set_times (local.get 0) (local.get 1) (local.get 2) (local.get 3)))))

  ;; A directory has no offset to seek or tell: EBADF (8), where the builtin seeks it. Nor has it the rights of a
  ;; file's data (FD_DATASYNC 1, FD_SEEK 4, FD_TELL 32, FD_WRITE 64, FD_ALLOCATE 256; 357 together): a guest that
  ;; reopens a directory with the rights it has asks for none of them, and path_open refuses FD_WRITE on one.
  (func (export "fd_fdstat_get") (param $fd i32) (param $stat i32) (result i32)
    (local $err i32)
    (local.set $err (call $fd_fdstat_get (local.get $fd) (local.get $stat)))
    (if (i32.and (i32.eqz (local.get $err)) (i32.eq (i32.load8_u (local.get $stat)) (i32.const 3)))
      (then (i64.store offset=8 (local.get $stat)
        (i64.and (i64.load offset=8 (local.get $stat)) (i64.xor (i64.const -1) (i64.const 357))))))
    (local.get $err))
  (func (export "fd_seek") (param $fd i32) (param i64 i32 i32) (result i32)
    (if (result i32) (i32.eq (call $filetype (local.get $fd)) (i32.const 3))
      (then (i32.const 8))
      (else (call $fd_seek (local.get $fd) (local.get 1) (local.get 2) (local.get 3)))))
  (func (export "fd_tell") (param $fd i32) (param i32) (result i32)
    (if (result i32) (i32.eq (call $filetype (local.get $fd)) (i32.const 3))
      (then (i32.const 8))
      (else (call $fd_tell (local.get $fd) (local.get 1)))))

  ;; Preallocating file space is optional in WASI: ENOTSUP (58) where the builtin answers ENOSYS; a
  ;; directory has no space to preallocate: EBADF (8).
  (func (export "fd_allocate") (param $fd i32) (param i64 i64) (result i32)
    (if (result i32) (i32.eq (call $filetype (local.get $fd)) (i32.const 3))
      (then (i32.const 8))
      (else (i32.const 58))))

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
