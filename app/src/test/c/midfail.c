/* midfail - streams the first line of its output, reads all its input, then
 * fails with exit code 4: a streamed response must then end abnormally, never
 * look complete. */
#include <stdio.h>

int main(void)
{
    char buf[4096];

    fputs("first part of the output\n", stdout);
    fflush(stdout);
    while (fread(buf, 1, sizeof buf, stdin) > 0)
        ;
    fputs("giving up after the output began\n", stderr);
    return 4;
}
