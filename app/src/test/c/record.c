/* record - one record of a map: prints its stdin back followed by "!", or, when the stdin is "fail",
 * writes a message to stderr and exits with code 5. The record a map test makes fail alone. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, stdin);
    buf[n] = '\0';
    if (strcmp(buf, "fail") == 0) {
        fputs("record refused\n", stderr);
        return 5;
    }
    fwrite(buf, 1, n, stdout);
    fputs("!", stdout);
    return 0;
}
