/*
 * hpcfaas.h - helper header for hpc-faas functions (function ABI v1).
 *
 * Header-only: just #include "hpcfaas.h" and compile with
 *   clang --target=wasm32-wasi -O2 -I functions-sdk/include fn.c -o fn.wasm
 * (see functions-sdk/README.md, or let functions-sdk/build.sh do it).
 *
 * ABI v1 in one paragraph: the request body is stdin, the response body is
 * stdout, stderr is the log. A *command* module (normal main()) gets a fresh
 * instance per invocation; exit code 0 = success, anything else (or a trap)
 * = function error. A *reactor* module (built with -mexec-model=reactor and
 * using HPCFAAS_HANDLER below) is kept warm and its handler is called once per
 * invocation; a non-zero return value = function error. A command's
 * environment holds HPCFAAS_FUNCTION, HPCFAAS_INVOCATION_ID and the query
 * parameters of the call; a reactor's holds HPCFAAS_FUNCTION only (it is fixed
 * when the warm instance is created).
 *
 * Everything here also compiles natively (gcc/clang on Linux), so a function
 * can be tested with ordinary tools before it is deployed.
 */
#ifndef HPCFAAS_H
#define HPCFAAS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __wasi__
#include <stdio_ext.h>            /* __fpurge */
#endif

#define HPCFAAS_ABI_VERSION 1

/*
 * Read all of stdin (until end of input) into one malloc'd buffer.
 *
 * Returns the buffer, NUL-terminated for convenience (the terminator is not
 * counted in *len; the data itself may contain NUL bytes), and stores the
 * number of bytes read in *len (len may be NULL). The caller frees it.
 * Returns NULL (and *len = 0) if memory runs out - e.g. the input is larger
 * than the function's memory limit allows - or on a read error.
 * Needs up to about twice the input size while growing the buffer; for large
 * inputs prefer a streaming loop over read(0, ...) or fread().
 */
static inline char *hpcfaas_read_all(size_t *len)
{
    size_t cap = 64 * 1024, used = 0;
    char *buf = malloc(cap + 1);

    if (len)
        *len = 0;
    if (buf == NULL)
        return NULL;
    for (;;) {
        size_t want = cap - used;
        size_t n = fread(buf + used, 1, want, stdin);
        used += n;
        if (n < want) {               /* end of input, or an error */
            if (ferror(stdin)) {
                free(buf);
                return NULL;
            }
            break;
        }
        /* buffer full: double it (checking for size_t overflow) */
        if (cap > (SIZE_MAX - 1) / 2) {
            free(buf);
            return NULL;
        }
        char *bigger = realloc(buf, 2 * cap + 1);
        if (bigger == NULL) {
            free(buf);
            return NULL;
        }
        buf = bigger;
        cap *= 2;
    }
    buf[used] = '\0';
    if (len)
        *len = used;
    return buf;
}

/*
 * Write len bytes to stdout and flush them, so the caller receives them now.
 * Returns 0 on success, -1 on error (e.g. the caller went away or the output
 * limit was hit). Mixes freely with printf/fwrite on stdout.
 */
static inline int hpcfaas_write_all(const void *data, size_t len)
{
    const unsigned char *p = data;

    while (len > 0) {
        size_t n = fwrite(p, 1, len, stdout);
        if (n == 0)
            return -1;
        p += n;
        len -= n;
    }
    return fflush(stdout) == 0 ? 0 : -1;
}

/*
 * Value of environment variable `name`, or NULL if it is not set.
 * In a command module the query parameters of the invocation appear as
 * variables too, e.g. for .../invoke?n=100 use hpcfaas_env("n"). A reactor's
 * environment is fixed for the life of its warm instance (HPCFAAS_FUNCTION).
 */
static inline const char *hpcfaas_env(const char *name)
{
    return getenv(name);
}

/* Called by HPCFAAS_HANDLER before each call. */
static inline void hpcfaas_begin_call_(void)
{
#ifdef __wasi__
    __fpurge(stdin);    /* drop input buffered but unread by the last call */
#endif
    clearerr(stdin);    /* forget the previous call's end-of-input */
    clearerr(stdout);
    clearerr(stderr);
}

/* Called by HPCFAAS_HANDLER after each call. */
static inline void hpcfaas_end_call_(void)
{
    fflush(stdout);
    fflush(stderr);
}

/*
 * HPCFAAS_HANDLER(fn);   - turn `int fn(void)` into a reactor handler.
 *
 * Defines the exported `int hpcfaas_handle(void)` that the runtime calls once
 * per invocation of the warm instance: it resets stdin's end-of-input state,
 * calls fn (which reads stdin and writes stdout as
 * usual), flushes stdout and stderr, and returns fn's result (0 = success,
 * non-zero = function error). Static variables keep their values between
 * calls of the same instance (useful for caches), but an instance may be
 * replaced at any time, so never rely on that for correctness.
 * Do not call exit() in a reactor - return a non-zero value instead.
 *
 * Build with -mexec-model=reactor (build.sh does this automatically when the
 * source contains HPCFAAS_HANDLER). Built natively, the macro also defines
 * main(), which runs the handler once, so the function can be tested with
 *   ./fn < input
 */
#ifdef __wasm__
#define HPCFAAS_EXPORT_ __attribute__((export_name("hpcfaas_handle")))
#define HPCFAAS_NATIVE_MAIN_
#else
#define HPCFAAS_EXPORT_
#define HPCFAAS_NATIVE_MAIN_ \
    int main(void) { return hpcfaas_handle(); }
#endif

#define HPCFAAS_HANDLER(fn)                                                  \
    HPCFAAS_EXPORT_ int hpcfaas_handle(void);                                \
    HPCFAAS_EXPORT_ int hpcfaas_handle(void)                                 \
    {                                                                        \
        hpcfaas_begin_call_();                                               \
        int hpcfaas_rc_ = (fn)();                                            \
        hpcfaas_end_call_();                                                 \
        return hpcfaas_rc_;                                                  \
    }                                                                        \
    HPCFAAS_NATIVE_MAIN_                                                     \
    extern int hpcfaas_handle(void) /* completes the caller's `;` */

/*
 * Calling other functions (HPX's async/get). A function may call functions of
 * its own namespace by name (without the namespace, or with its own): the call
 * is placed over the cluster like any other, its stdin is `in`, its stdout
 * comes back in `out` (at most out_cap bytes; *out_len is the whole length).
 * A child's time limit is its own or what the caller has left, whichever ends
 * first; calls nest at most hpcfaas.invoke.max-call-depth deep. While it
 * waits, the caller gives up its WASM thread, so fan-outs wider than the
 * cluster's threads do not wait for themselves (its memory stays reserved).
 *
 *   hpcfaas_call(name, in, in_len, out, out_cap, &out_len)   call and wait
 *   hpcfaas_spawn(name, in, in_len, &future)                 start a call
 *   hpcfaas_wait(future, out, out_cap, &out_len)             collect it
 *
 * Each returns HPCFAAS_OK or one of the codes below; when a child did not
 * succeed, `out` holds what went wrong, as text. Natively (not wasm32-wasi)
 * every call answers HPCFAAS_UNAVAILABLE.
 */
enum {
    HPCFAAS_OK = 0,
    HPCFAAS_NO_FUNCTION = 1,     /* no such function in the caller's namespace */
    HPCFAAS_FAILED = 2,          /* the child failed: non-zero exit, trap, limits */
    HPCFAAS_TOO_DEEP = 3,        /* calls nested deeper than max-call-depth */
    HPCFAAS_TRUNCATED = 4,       /* the output was longer than out_cap */
    HPCFAAS_BAD_FUTURE = 5,      /* no started call has this future (or it was collected) */
    HPCFAAS_UNAVAILABLE = 6,     /* no worker could take the call */
    HPCFAAS_TIMED_OUT = 7,       /* the caller's time ran out first */
    HPCFAAS_TOO_MANY = 8         /* 4096 calls started and not collected, or the node has no
                                    memory to spare for more (its bulk-memory-budget) */
};

typedef uint32_t hpcfaas_future_t;

#ifdef __wasi__
__attribute__((import_module("hpcfaas"), import_name("call")))
int hpcfaas_call_n(const char *name, size_t name_len, const void *in, size_t in_len,
                   void *out, size_t out_cap, size_t *out_len);
__attribute__((import_module("hpcfaas"), import_name("spawn")))
int hpcfaas_spawn_n(const char *name, size_t name_len, const void *in, size_t in_len,
                    hpcfaas_future_t *future);
__attribute__((import_module("hpcfaas"), import_name("wait")))
int hpcfaas_wait(hpcfaas_future_t future, void *out, size_t out_cap, size_t *out_len);

static inline int hpcfaas_call(const char *name, const void *in, size_t in_len,
                               void *out, size_t out_cap, size_t *out_len)
{
    return hpcfaas_call_n(name, strlen(name), in, in_len, out, out_cap, out_len);
}

static inline int hpcfaas_spawn(const char *name, const void *in, size_t in_len,
                                hpcfaas_future_t *future)
{
    return hpcfaas_spawn_n(name, strlen(name), in, in_len, future);
}
#else
static inline int hpcfaas_call(const char *name, const void *in, size_t in_len,
                               void *out, size_t out_cap, size_t *out_len)
{
    (void) name; (void) in; (void) in_len; (void) out; (void) out_cap;
    *out_len = 0;
    return HPCFAAS_UNAVAILABLE;
}

static inline int hpcfaas_spawn(const char *name, const void *in, size_t in_len,
                                hpcfaas_future_t *future)
{
    (void) name; (void) in; (void) in_len; (void) future;
    return HPCFAAS_UNAVAILABLE;
}

static inline int hpcfaas_wait(hpcfaas_future_t future, void *out, size_t out_cap, size_t *out_len)
{
    (void) future; (void) out; (void) out_cap;
    *out_len = 0;
    return HPCFAAS_UNAVAILABLE;
}
#endif

#endif /* HPCFAAS_H */
