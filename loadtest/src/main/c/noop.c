/*
 * noop - a reactor that does nothing: no input is read, no output written, and
 * it returns 0 (success). loadtest/bench compares its throughput with the same
 * node's GET /health to measure what an invocation costs in the runtime itself.
 */
#include "hpcfaas.h"

static int noop(void)
{
    return 0;
}

HPCFAAS_HANDLER(noop);
