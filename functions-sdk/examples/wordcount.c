/*
 * wordcount - count lines, words and bytes of the input, like `wc`:
 * prints "lines words bytes\n". A word is a maximal run of non-white-space
 * bytes (white space = space, \t, \n, \v, \f, \r), as in `LC_ALL=C wc` on
 * text (GNU wc also skips non-printable bytes, so binary data may differ).
 *
 * Streaming: reads 64 KiB at a time, so any input size works in constant
 * memory.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static unsigned char buf[64 * 1024];

static int is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

int main(void)
{
    uint64_t lines = 0, words = 0, bytes = 0;
    int in_word = 0;   /* kept across chunks: a word may span two reads */
    ssize_t n;

    while ((n = read(0, buf, sizeof buf)) > 0) {
        bytes += (uint64_t)n;
        for (ssize_t i = 0; i < n; i++) {
            unsigned char c = buf[i];
            if (c == '\n')
                lines++;
            if (is_space(c)) {
                in_word = 0;
            } else if (!in_word) {
                in_word = 1;
                words++;
            }
        }
    }
    if (n < 0) {
        perror("wordcount: read");
        return 1;
    }
    printf("%" PRIu64 " %" PRIu64 " %" PRIu64 "\n", lines, words, bytes);
    return 0;
}
