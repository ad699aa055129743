/* bigalloc - one malloc of 1 GiB. Under a smaller memory cap it must fail
 * cleanly: prints a message on stderr and exits 3. If it succeeds (no cap),
 * it touches the block, prints "allocated 1 GiB" and exits 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Storing the block here makes it "used": otherwise clang may delete the
 * malloc/memset/free entirely and the allocation would never happen. */
static void *volatile sink;

int main(void)
{
    size_t size = (size_t)1 << 30;
    char *p = malloc(size);
    if (p == NULL) {
        fprintf(stderr, "malloc of 1 GiB failed\n");
        return 3;
    }
    sink = p;
    memset(p, 1, size);
    printf("allocated 1 GiB\n");
    free(p);
    return 0;
}
