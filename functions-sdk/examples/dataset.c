/* dataset - summary statistics of the numbers in a file, the way a function reads a dataset from a
 * mounted volume and keeps intermediate results in its private /tmp.
 *
 *   deploy with ?mount=<volume>:/data (see the README: Volumes), invoke with ?arg=/data/values.txt;
 *   without an argument the numbers come from stdin.
 *
 * It copies the numbers it parsed, sorted, to /tmp/sorted.txt (each call has its own /tmp, removed
 * when the call ends), reads them back for the median, and prints: count, min, max, mean, median. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    FILE *in = stdin;
    if (argc > 1 && (in = fopen(argv[1], "r")) == NULL) {
        fprintf(stderr, "dataset: cannot open %s: %s\n", argv[1], strerror(errno));
        return 2;
    }
    size_t count = 0, capacity = 1024;
    double *values = malloc(capacity * sizeof *values), v, sum = 0;
    while (values != NULL && fscanf(in, "%lf", &v) == 1) {
        if (count == capacity && (values = realloc(values, (capacity *= 2) * sizeof *values)) == NULL)
            break;
        values[count++] = v;
        sum += v;
    }
    if (values == NULL) {
        fprintf(stderr, "dataset: out of memory after %zu values\n", count);
        return 3;
    }
    if (count == 0) {
        fprintf(stderr, "dataset: no numbers in the input\n");
        return 1;
    }
    qsort(values, count, sizeof *values, compare);

    FILE *tmp = fopen("/tmp/sorted.txt", "w+");
    if (tmp == NULL) {
        fprintf(stderr, "dataset: cannot write /tmp/sorted.txt: %s\n", strerror(errno));
        return 2;
    }
    for (size_t i = 0; i < count; i++)
        fprintf(tmp, "%.17g\n", values[i]);
    rewind(tmp);
    double median = 0;
    for (size_t i = 0; i <= count / 2 && fscanf(tmp, "%lf", &v) == 1; i++)
        median = (count % 2 == 0 && i == count / 2) ? (median + v) / 2 : v;
    fclose(tmp);

    printf("count %zu min %g max %g mean %g median %g\n", count, values[0], values[count - 1], sum / count, median);
    return 0;
}
