/* sum: adds the whitespace-separated integers on stdin and prints the sum.
 * The leaf of the parallel reduction psum.c, and a function of its own. */
#include <stdio.h>

int main(void)
{
    long long total = 0, x;
    while (scanf("%lld", &x) == 1)
        total += x;
    printf("%lld\n", total);
    return 0;
}
