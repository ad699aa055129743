/* fail - a function error: writes "partial" to stdout, a message to stderr,
 * and exits with code 7. Tests exit-code handling and error reporting. */
#include <stdio.h>

int main(void)
{
    fputs("something went wrong: bad input\n", stderr);
    fputs("partial", stdout);
    return 7;   /* returning from main flushes stdout */
}
