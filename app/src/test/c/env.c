/* env - prints every environment variable as KEY=VALUE, one per line, in the
 * order the runtime provides them. Tests HPCFAAS_FUNCTION,
 * HPCFAAS_INVOCATION_ID and query parameters passed as variables. */
#include <stdio.h>

extern char **environ;

int main(void)
{
    for (char **e = environ; e != NULL && *e != NULL; e++)
        printf("%s\n", *e);
    return 0;
}
