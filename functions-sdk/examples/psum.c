/* psum: a parallel reduction over the cluster. Reads whitespace-separated
 * integers from stdin, cuts them into PARTS pieces (argv[1], default 8),
 * spawns the function "sum" on each piece at once, waits for all of them and
 * prints the total of their sums. Deploy sum.c as "sum" in the same namespace.
 *
 *   seq 1 100000 | curl --data-binary @- 'http://127.0.0.1:8080/v1/functions/psum/invoke?arg=16'
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hpcfaas.h"

int main(int argc, char **argv)
{
    int parts = argc > 1 ? atoi(argv[1]) : 8;
    size_t len;
    char *in = hpcfaas_read_all(&len);
    if (in == NULL || parts < 1) {
        fprintf(stderr, "psum: out of memory, or no parts\n");
        return 1;
    }
    if (len == 0) {                   /* the sum of nothing */
        printf("0\n");
        return 0;
    }
    hpcfaas_future_t *futures = calloc(parts, sizeof *futures);
    size_t start = 0;
    for (int i = 0; i < parts; i++) {
        /* cut after a whitespace near the i+1-th share of the input */
        size_t end = i == parts - 1 ? len : len * (i + 1) / parts;
        while (end < len && in[end] != ' ' && in[end] != '\n')
            end++;
        if (end < start)
            end = start;
        int rc = hpcfaas_spawn("sum", in + start, end - start, &futures[i]);
        if (rc != HPCFAAS_OK) {
            fprintf(stderr, "psum: cannot start part %d: code %d\n", i, rc);
            return 1;
        }
        start = end;
    }
    long long total = 0;
    for (int i = 0; i < parts; i++) {
        char out[64];
        size_t out_len;
        int rc = hpcfaas_wait(futures[i], out, sizeof out - 1, &out_len);
        if (rc != HPCFAAS_OK) {
            fprintf(stderr, "psum: part %d: code %d: %.*s\n", i, rc, (int) (out_len < sizeof out ? out_len : sizeof out - 1), out);
            return 1;
        }
        out[out_len] = '\0';
        total += atoll(out);
    }
    printf("%lld\n", total);
    return 0;
}
