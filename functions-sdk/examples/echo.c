/*
 * echo - copy the request body (stdin) unchanged to the response (stdout).
 *
 * Streaming: each chunk is written as soon as it has been read, so the
 * caller starts receiving output before the input has ended, and memory use
 * stays constant (one 64 KiB buffer) however large the input is.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static char buf[64 * 1024];   /* static, not on the (small) wasm stack */

/* write all n bytes of p to fd; 0 on success, -1 on error */
static int write_full(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int main(void)
{
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);   /* returns what is available */
        if (n == 0)
            return 0;                            /* end of input */
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("echo: read");
            return 1;
        }
        if (write_full(1, buf, (size_t)n) != 0) {
            perror("echo: write");
            return 1;
        }
    }
}
