/* Calls other functions through hpcfaas.h, as the first argument says:
 *   chain        stdin is a count n: calls this function itself with n-1 until 0 ("done"); prints what
 *                came back, or "code <rc>" where a call failed (HPCFAAS_TOO_DEEP deep enough)
 *   call NAME    calls NAME with stdin: "rc <code> <output>"
 *   wait         waits for a future it never started: "rc <code>"
 *   flood NAME   spawns NAME with 1 MiB of input over and over, collecting nothing, until a spawn fails:
 *                "rc <code> after <n>" */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hpcfaas.h"

int main(int argc, char **argv)
{
    char out[256];
    size_t out_len = 0;
    if (argc > 1 && !strcmp(argv[1], "chain")) {
        int n = 0;
        if (scanf("%d", &n) != 1 || n <= 0) {
            printf("done");
            return 0;
        }
        char in[16];
        int in_len = snprintf(in, sizeof in, "%d", n - 1);
        int rc = hpcfaas_call(getenv("HPCFAAS_FUNCTION"), in, in_len, out, sizeof out, &out_len);
        if (rc != HPCFAAS_OK) {
            printf("code %d", rc);
            return 0;
        }
        fwrite(out, 1, out_len, stdout);
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "call")) {
        size_t in_len;
        char *in = hpcfaas_read_all(&in_len);
        int rc = hpcfaas_call(argv[2], in, in_len, out, sizeof out, &out_len);
        printf("rc %d %.*s", rc, (int) (out_len < sizeof out ? out_len : sizeof out), out);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "wait")) {
        printf("rc %d", hpcfaas_wait(12345, out, sizeof out, &out_len));
        return 0;
    }
    if (argc > 2 && !strcmp(argv[1], "flood")) {
        static char big[1 << 20];
        hpcfaas_future_t future;
        int n = 0, rc = HPCFAAS_OK;
        while (n < 100000 && (rc = hpcfaas_spawn(argv[2], big, sizeof big, &future)) == HPCFAAS_OK)
            n++;
        printf("rc %d after %d", rc, n);
        return 0;
    }
    fprintf(stderr, "caller: chain | call NAME | wait | flood NAME\n");
    return 2;
}
