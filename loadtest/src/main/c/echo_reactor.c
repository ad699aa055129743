/*
 * echo_reactor - a reactor that copies the request body (stdin) to the
 * response (stdout). Used by EngineBenchmark.warmReactorCall to measure the
 * cost of one call into a warm instance: its output does not depend on
 * earlier calls (unlike greet's call counter), so every call can be checked.
 */
#include <stdio.h>
#include "hpcfaas.h"

static char buf[64 * 1024];   /* static, not on the (small) wasm stack */

static int echo(void)
{
    size_t n;

    do {
        n = fread(buf, 1, sizeof buf, stdin);     /* waits for a full buffer or EOF */
        if (n > 0 && hpcfaas_write_all(buf, n) != 0)
            return 1;
    } while (n == sizeof buf);
    return ferror(stdin) ? 1 : 0;
}

HPCFAAS_HANDLER(echo);
