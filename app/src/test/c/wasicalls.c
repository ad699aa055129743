/* WASI calls GraalWasm's builtin module gets wrong, one per argument, one line of output each:
 *   sleep MS      nanosleep (a poll_oneoff on a clock): "slept enough" or "woke early"
 *   shutdown FD   sock_shutdown on a descriptor that is no socket: "errno <n>"
 *   poll          poll_oneoff on stdin and a 200 ms clock: "stdin <bytes>" when stdin was ready first
 *                 (<bytes> then read), else "clock"
 *   unlinkdir     unlink of a directory in /tmp: "errno <n>" (or "ok")
 *   unlinkslash   unlink of a file in /tmp named with a trailing slash: "errno <n>" (or "ok")
 *   seekdir       lseek on a directory: "errno <n>" (or "ok")
 *   times         fd_filestat_set_times with a time and "now" for mtime: "errno <n>" (or "ok")
 *   links         symbolic links in /tmp: readlink's text and length, lstat, O_NOFOLLOW, a loop, unlink of
 *                 a link to a directory, link(2) of a directory, a link in a subdirectory read through:
 *                 one word or errno each, on one line
 *   rename        a directory over an empty one ("ok"), over a full one ("errno <n>")
 *   pwriteappend  pwrite on a file opened to append: "<written> <offset after> <size>"
 *   slash         open of a file named with a trailing slash: "errno <n>" (or "ok")
 *   readdirfd     read(2) on a directory's descriptor: "errno <n>" (or "ok")
 *   nul           open of a path with a NUL byte in it (the raw WASI call): "errno <n>" (or "ok") */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

/* path_open with the path's length given, so that a path may hold a NUL byte */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open")))
int raw_path_open(int fd, int dirflags, const char *path, size_t len, int oflags, long long base, long long inheriting,
    int fdflags, int *opened);

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "sleep") && i + 1 < argc) {
            long ms = atol(argv[++i]);
            struct timespec start, end, want = { ms / 1000, (ms % 1000) * 1000000L };
            clock_gettime(CLOCK_MONOTONIC, &start);
            if (nanosleep(&want, NULL) != 0) {
                printf("errno %d\n", errno);
                continue;
            }
            clock_gettime(CLOCK_MONOTONIC, &end);
            long slept = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
            printf("%s\n", slept >= ms ? "slept enough" : "woke early");
        } else if (!strcmp(argv[i], "shutdown") && i + 1 < argc) {
            int fd = atoi(argv[++i]);
            int r = shutdown(fd, SHUT_RDWR);
            printf(r == 0 ? "ok\n" : "errno %d\n", errno);
        } else if (!strcmp(argv[i], "poll")) {
            __wasi_subscription_t subs[2] = {0};
            subs[0].userdata = 1;
            subs[0].u.tag = __WASI_EVENTTYPE_CLOCK;
            subs[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
            subs[0].u.u.clock.timeout = 200000000ull;
            subs[1].userdata = 2;
            subs[1].u.tag = __WASI_EVENTTYPE_FD_READ;
            subs[1].u.u.fd_read.file_descriptor = 0;
            __wasi_event_t events[2];
            __wasi_size_t n = 0;
            __wasi_errno_t err = __wasi_poll_oneoff(subs, events, 2, &n);
            if (err != 0) {
                printf("errno %d\n", err);
                continue;
            }
            int stdin_ready = 0;
            for (__wasi_size_t k = 0; k < n; k++)
                if (events[k].userdata == 2 && events[k].error == 0)
                    stdin_ready = 1;
            if (stdin_ready) {
                char buf[256];
                ssize_t got = read(0, buf, sizeof buf);
                printf("stdin %zd\n", got);
            } else {
                printf("clock\n");
            }
        } else if (!strcmp(argv[i], "unlinkdir")) {
            mkdir("/tmp/d", 0700);
            int r = unlink("/tmp/d");
            printf(r == 0 ? "ok\n" : "errno %d\n", errno);
        } else if (!strcmp(argv[i], "unlinkslash")) {
            close(open("/tmp/f", O_CREAT | O_WRONLY, 0600));
            int r = unlink("/tmp/f/");
            printf(r == 0 ? "ok\n" : "errno %d\n", errno);
        } else if (!strcmp(argv[i], "seekdir")) {
            mkdir("/tmp/s", 0700);
            int fd = open("/tmp/s", O_RDONLY | O_DIRECTORY);
            off_t at = lseek(fd, 0, SEEK_CUR);
            printf(at >= 0 ? "ok\n" : "errno %d\n", errno);
            close(fd);
        } else if (!strcmp(argv[i], "times")) {
            int fd = open("/tmp/t", O_CREAT | O_WRONLY, 0600);
            __wasi_errno_t err = __wasi_fd_filestat_set_times(fd, 100, 200,
                __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW);
            printf(err == 0 ? "ok\n" : "errno %d\n", err);
            close(fd);
        } else if (!strcmp(argv[i], "links")) {
            close(open("/tmp/target", O_CREAT | O_WRONLY, 0600));
            symlink("target", "/tmp/link");
            char text[16];
            memset(text, '#', sizeof text);
            ssize_t n = readlink("/tmp/link", text, sizeof text);
            printf("%zd %.*s %c", n, n > 0 ? (int) n : 0, text, text[n > 0 ? n : 0]);
            struct stat st;
            printf(" %s", lstat("/tmp/link", &st) == 0 && S_ISLNK(st.st_mode) ? "lnk" : "notlnk");
            int fd = open("/tmp/link", O_RDONLY | O_NOFOLLOW);
            printf(fd >= 0 ? " ok" : " errno %d", errno);
            symlink("loop", "/tmp/loop");
            printf(open("/tmp/loop", O_RDONLY) >= 0 ? " ok" : " errno %d", errno);
            mkdir("/tmp/dir", 0700);
            symlink("dir", "/tmp/dirlink");
            printf(unlink("/tmp/dirlink") == 0 ? " ok" : " errno %d", errno);
            printf(link("/tmp/dir", "/tmp/hard") == 0 ? " ok" : " errno %d", errno);
            mkdir("/tmp/sub", 0700);
            int w = open("/tmp/sub/t", O_CREAT | O_WRONLY, 0600);
            write(w, "x", 1);
            close(w);
            symlink("t", "/tmp/sub/l");
            char c = '?';
            int r = open("/tmp/sub/l", O_RDONLY);
            printf(r >= 0 && read(r, &c, 1) == 1 ? " %c\n" : " errno %d\n", r >= 0 ? c : errno);
        } else if (!strcmp(argv[i], "rename")) {
            mkdir("/tmp/a", 0700);
            mkdir("/tmp/b", 0700);
            printf(rename("/tmp/a", "/tmp/b") == 0 ? "ok" : "errno %d", errno);
            mkdir("/tmp/full", 0700);
            close(open("/tmp/full/x", O_CREAT | O_WRONLY, 0600));
            printf(rename("/tmp/b", "/tmp/full") == 0 ? " ok\n" : " errno %d\n", errno);
        } else if (!strcmp(argv[i], "pwriteappend")) {
            int fd = open("/tmp/p", O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0600);
            write(fd, "ab", 2);
            ssize_t n = pwrite(fd, "cde", 3, 0);
            off_t at = lseek(fd, 0, SEEK_CUR);
            off_t size = lseek(fd, 0, SEEK_END);
            printf("%zd %lld %lld\n", n, (long long) at, (long long) size);
            close(fd);
        } else if (!strcmp(argv[i], "slash")) {
            close(open("/tmp/plain", O_CREAT | O_WRONLY, 0600));
            printf(open("/tmp/plain/", O_RDONLY) >= 0 ? "ok" : "errno %d", errno);
            int fd;
            int err = raw_path_open(3, 0, "plain/", 6, 0, 0, 0, 0, &fd);
            printf(err == 0 ? " ok\n" : " errno %d\n", err);
        } else if (!strcmp(argv[i], "readdirfd")) {
            mkdir("/tmp/r", 0700);
            int fd = open("/tmp/r", O_RDONLY | O_DIRECTORY);
            char buf[8];
            printf(read(fd, buf, sizeof buf) >= 0 ? "ok\n" : "errno %d\n", errno);
            close(fd);
        } else if (!strcmp(argv[i], "nul")) {
            int fd;
            int err = raw_path_open(3, 0, "x\0y", 3, 0, 0, 0, 0, &fd);
            printf(err == 0 ? "ok\n" : "errno %d\n", err);
        } else {
            fprintf(stderr, "wasicalls: cannot parse argument %d: %s\n", i, argv[i]);
            return 2;
        }
    }
    return 0;
}
