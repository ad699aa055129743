/* counter - a reactor that counts its calls: prints "call N" (N = calls of
 * this warm instance, including failed ones) and returns 0. Input "fail":
 * logs "failing" and returns 5 (function error, instance stays usable).
 * Input "trap": traps (the instance must be discarded). Tests warm reuse,
 * per-call stdin/stdout rebinding and reactor error handling. */
#include <string.h>
#include "hpcfaas.h"

static unsigned long calls;

static int handle(void)
{
    size_t len;
    char *in = hpcfaas_read_all(&len);
    if (in == NULL)
        return 1;
    calls++;
    if (len == 4 && memcmp(in, "trap", 4) == 0)
        __builtin_trap();
    if (len == 4 && memcmp(in, "fail", 4) == 0) {
        fputs("failing\n", stderr);
        free(in);
        return 5;
    }
    printf("call %lu\n", calls);
    free(in);
    return 0;
}

HPCFAAS_HANDLER(handle);
