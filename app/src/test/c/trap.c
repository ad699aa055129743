/* trap - logs "about to trap" on stderr, then executes a wasm `unreachable`
 * trap. Tests that a trap is reported as a function error (with the log). */
#include <stdio.h>

int main(void)
{
    fputs("about to trap\n", stderr);   /* stderr is unbuffered: written now */
    __builtin_trap();
}
