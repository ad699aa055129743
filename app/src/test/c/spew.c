/* spew - writes 'x' to stdout forever, in 64 KiB blocks. Tests the output
 * size limit (and that a write error or kill stops it). Exits 1 if a write
 * fails. */
#include <string.h>
#include <unistd.h>

static char block[64 * 1024];

int main(void)
{
    memset(block, 'x', sizeof block);
    for (;;) {
        if (write(1, block, sizeof block) < 0)
            return 1;
    }
}
