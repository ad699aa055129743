/* stderrflood - writes 1 MiB of log lines to stderr, then exits 1.
 * Tests that the runtime keeps only a bounded tail of stderr. The last line
 * is "stderrflood: end" so the tail is recognisable. */
#include <stdio.h>

int main(void)
{
    static char line[64];
    long written = 0;
    for (long i = 0; written < (1L << 20); i++) {
        int n = snprintf(line, sizeof line, "stderrflood line %08ld ..................\n", i);
        fputs(line, stderr);
        written += n;
    }
    fputs("stderrflood: end\n", stderr);
    return 1;
}
