/* spin - busy work of a size the caller picks: reads a count N from stdin, spins N million times and
 * prints "spun N". Records of a map that take a while, so that a node can leave while they run. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char buf[32];
    size_t n = fread(buf, 1, sizeof buf - 1, stdin);
    buf[n] = '\0';
    unsigned long millions = strtoul(buf, NULL, 10);
    volatile unsigned long counter = 0;
    for (unsigned long i = 0; i < millions * 1000000UL; i++)
        counter++;
    printf("spun %lu", millions);
    return 0;
}
