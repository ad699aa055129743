/* context - prints argc and each argument in brackets, then every environment variable as KEY=VALUE, then
 * copies stdin to stdout: a command that reads stdin (so it uses the WASI shim) and shows exactly the argv
 * and environment of its call. */
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv)
{
    printf("%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("[%s]\n", argv[i]);
    for (char **e = environ; e != NULL && *e != NULL; e++)
        printf("%s\n", *e);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        fwrite(buf, 1, n, stdout);
    return 0;
}
