/* Copies stdin to stdout line by line with fgets and fputs through a buffer of argv[1] bytes (default
 * 4096), flushing after each line, so that each line comes out as soon as it went in. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int size = argc > 1 ? atoi(argv[1]) : 4096;
    char *line = malloc(size);
    if (line == NULL || size < 2) {
        fprintf(stderr, "fgetscat: bad buffer size\n");
        return 2;
    }
    while (fgets(line, size, stdin) != NULL) {
        fputs(line, stdout);
        fflush(stdout);
    }
    return ferror(stdin) ? 1 : 0;
}
