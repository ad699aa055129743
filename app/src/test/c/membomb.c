/* membomb - allocates and touches 1 MiB blocks until malloc fails, then
 * reports "malloc failed after N MiB" on stderr and exits 3.
 * Tests that the per-function memory cap makes malloc return NULL (instead of
 * the host running out of memory). Blocks are never freed on purpose. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Storing each block here makes it "used": otherwise clang may delete the
 * unused malloc calls and turn this program into an endless loop. */
static void *volatile sink;

int main(void)
{
    unsigned long mib = 0;
    for (;;) {
        char *p = malloc(1 << 20);
        if (p == NULL)
            break;
        memset(p, 0xA5, 1 << 20);   /* touch every page */
        sink = p;
        mib++;
    }
    fprintf(stderr, "malloc failed after %lu MiB\n", mib);
    return 3;
}
