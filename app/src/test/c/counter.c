/* counter - a reactor that counts its calls: prints "call N" (N = calls of
 * this warm instance, including failed ones) and returns 0. Input "fail":
 * logs "failing" and returns 5 (function error, instance stays usable).
 * Input "trap": traps (the instance must be discarded). Input "tmp": prints
 * "fresh" or "left over" as /tmp/mark was absent or there, then creates it.
 * Tests warm reuse,
 * per-call stdin/stdout rebinding and reactor error handling. */
#include <stdio.h>
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
    if (len == 3 && memcmp(in, "tmp", 3) == 0) {
        FILE *mark = fopen("/tmp/mark", "r");
        puts(mark == NULL ? "fresh" : "left over");
        if (mark != NULL)
            fclose(mark);
        mark = fopen("/tmp/mark", "w");
        if (mark == NULL || fclose(mark) != 0)
            puts("cannot create /tmp/mark");
        free(in);
        return 0;
    }
    printf("call %lu\n", calls);
    free(in);
    return 0;
}

HPCFAAS_HANDLER(handle);
