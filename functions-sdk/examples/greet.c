/*
 * greet - a reactor: the instance stays warm and greet() runs once per call.
 *
 * Answers "Hello, <input>! (call N of this instance)". N counts the calls
 * served by this warm instance (a static variable survives between calls),
 * so repeated invocations show 1, 2, 3, ... until the runtime starts a new
 * instance. Empty input greets "world".
 */
#include "hpcfaas.h"

static unsigned long calls;   /* lives as long as the instance */

static int greet(void)
{
    size_t len;
    char *name = hpcfaas_read_all(&len);

    if (name == NULL) {
        fprintf(stderr, "greet: out of memory\n");
        return 1;
    }
    while (len > 0 && (name[len - 1] == '\n' || name[len - 1] == '\r'))
        name[--len] = '\0';   /* trim trailing newline(s) */

    calls++;
    printf("Hello, %s! (call %lu of this instance)\n", len > 0 ? name : "world", calls);
    free(name);
    return 0;   /* 0 = success */
}

HPCFAAS_HANDLER(greet);
