/*
 * matmul - a compute kernel for benchmarks: C = A * B for n x n doubles.
 *
 * Input (stdin): "n [reps]", e.g. "512 3"; empty input means n=256, reps=1.
 * Output: "n=<n> reps=<reps> checksum=<sum of all C entries>".
 * A and B are deterministic, so the checksum is the same for every run and
 * on every platform (all values are small integers, exact in double).
 * Memory: 3 * n * n * 8 bytes (n=2048 needs 96 MiB).
 * Exit code 2: bad input, n outside 1..2048, or not enough memory.
 */
#include <stdio.h>
#include <stdlib.h>

#define MAX_N 2048

int main(void)
{
    long n = 256, reps = 1;
    int got = scanf("%ld %ld", &n, &reps);

    if (got == 0) {                       /* something that is not a number */
        fprintf(stderr, "matmul: expected input \"n [reps]\"\n");
        return 2;
    }
    if (n < 1 || n > MAX_N) {
        fprintf(stderr, "matmul: n=%ld out of range 1..%d\n", n, MAX_N);
        return 2;
    }
    if (reps < 1) {
        fprintf(stderr, "matmul: reps=%ld must be at least 1\n", reps);
        return 2;
    }

    size_t nn = (size_t)n * (size_t)n;
    double *a = malloc(nn * sizeof *a);
    double *b = malloc(nn * sizeof *b);
    double *c = malloc(nn * sizeof *c);
    if (a == NULL || b == NULL || c == NULL) {
        fprintf(stderr, "matmul: cannot allocate 3 x %ld x %ld doubles (%zu MiB)\n",
                n, n, 3 * nn * sizeof(double) >> 20);
        return 2;
    }

    for (long i = 0; i < n; i++)
        for (long j = 0; j < n; j++) {
            a[i * n + j] = (double)((i * j) % 7 + 1);
            b[i * n + j] = (double)((i + j) % 5);
        }

    for (long r = 0; r < reps; r++) {
        /* classic i-k-j order: the inner loop walks rows of B and C */
        for (long i = 0; i < n; i++) {
            double *ci = c + i * n;
            for (long j = 0; j < n; j++)
                ci[j] = 0.0;
            for (long k = 0; k < n; k++) {
                double aik = a[i * n + k];
                const double *bk = b + k * n;
                for (long j = 0; j < n; j++)
                    ci[j] += aik * bk[j];
            }
        }
    }

    double sum = 0.0;
    for (size_t i = 0; i < nn; i++)
        sum += c[i];
    printf("n=%ld reps=%ld checksum=%.6e\n", n, reps, sum);
    free(a);
    free(b);
    free(c);
    return 0;
}
