/* runcount - counts its runs in a mounted volume: appends one line, its input, to /count/runs, then
 * spins for the number of milliseconds given as its first argument (default 0) and prints "ran".
 * A test that kills workers mid-call reads the file to see how often each call ran. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
    char in[256];
    size_t n = fread(in, 1, sizeof in - 1, stdin);
    in[n] = 0;
    FILE *f = fopen("/count/runs", "a");
    if (!f)
        return 2;
    fprintf(f, "%s\n", in);
    if (fclose(f) != 0)
        return 3;
    long long until = now_ms() + (argc > 1 ? atoll(argv[1]) : 0);
    while (now_ms() < until)
        ;
    puts("ran");
    return 0;
}
