/* Prints argc, then each argument of argv in brackets on its own line, so that empty arguments and
 * spaces show. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("[%s]\n", argv[i]);
    return 0;
}
