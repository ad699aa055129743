/* Copies stdin to stdout with stdio, the way ordinary C programs do: fread into a buffer of argv[1]
 * bytes (default 65536), fwrite what it got. Any hole or reordering in what fread returns shows up as
 * output that differs from the input. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    size_t size = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 65536;
    char *buf = malloc(size);
    if (buf == NULL) {
        fprintf(stderr, "freadcat: cannot allocate %zu bytes\n", size);
        return 2;
    }
    size_t n;
    while ((n = fread(buf, 1, size, stdin)) > 0) {
        if (fwrite(buf, 1, n, stdout) != n) {
            perror("freadcat: fwrite");
            return 1;
        }
    }
    if (ferror(stdin)) {
        perror("freadcat: fread");
        return 1;
    }
    return 0;
}
