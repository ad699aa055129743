/*
 * upper - streaming upper-case filter (ASCII letters a-z become A-Z, all
 * other bytes, including UTF-8 sequences, pass through unchanged).
 *
 * Each chunk is converted and flushed as soon as it arrives, so a caller
 * sending input line by line sees each line's answer immediately - output
 * appears before the input has ended.
 */
#include <stdio.h>
#include <unistd.h>

static char buf[64 * 1024];

int main(void)
{
    ssize_t n;

    while ((n = read(0, buf, sizeof buf)) > 0) {   /* what is available now */
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] = (char)(buf[i] - 'a' + 'A');
        if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n || fflush(stdout) != 0) {
            fprintf(stderr, "upper: write failed\n");
            return 1;
        }
    }
    if (n < 0) {
        perror("upper: read");
        return 1;
    }
    return 0;
}
