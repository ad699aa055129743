/* Exercises the file system a function sees, one operation per argument pair, printing one line each:
 *   read PATH         "ok <bytes>: <first line>"  or "errno <n>"
 *   write PATH TEXT   writes TEXT (a new file), "ok" or "errno <n>"
 *   list DIR          the entries of DIR, sorted by the guest, "ok a b c" or "errno <n>"
 *   mkdir DIR         "ok" or "errno <n>"
 *   fill PATH BYTES   writes BYTES bytes, "ok" or "errno <n>" at the first failing write
 * Failures are answers, never crashes: the exit code is 0 unless the arguments are malformed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *op = argv[i];
        if (!strcmp(op, "read") && i + 1 < argc) {
            FILE *f = fopen(argv[++i], "r");
            if (!f) { printf("errno %d\n", errno); continue; }
            char buf[4096];
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            buf[n] = 0;
            char *nl = strchr(buf, '\n');
            if (nl) *nl = 0;
            printf("ok %zu: %s\n", n, buf);
            fclose(f);
        } else if (!strcmp(op, "write") && i + 2 < argc) {
            const char *path = argv[++i], *text = argv[++i];
            FILE *f = fopen(path, "w");
            if (!f) { printf("errno %d\n", errno); continue; }
            int ok = fputs(text, f) >= 0;
            ok = fclose(f) == 0 && ok;
            printf(ok ? "ok\n" : "errno %d\n", errno);
        } else if (!strcmp(op, "list") && i + 1 < argc) {
            DIR *d = opendir(argv[++i]);
            if (!d) { printf("errno %d\n", errno); continue; }
            char *names[256];
            int count = 0;
            struct dirent *e;
            while ((e = readdir(d)) && count < 256)
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                    names[count++] = strdup(e->d_name);
            closedir(d);
            qsort(names, count, sizeof *names, cmp);
            printf("ok");
            for (int k = 0; k < count; k++) printf(" %s", names[k]);
            printf("\n");
        } else if (!strcmp(op, "mkdir") && i + 1 < argc) {
            printf(mkdir(argv[++i], 0755) == 0 ? "ok\n" : "errno %d\n", errno);
        } else if (!strcmp(op, "fill") && i + 2 < argc) {
            const char *path = argv[++i];
            long total = atol(argv[++i]), done = 0;
            FILE *f = fopen(path, "w");
            if (!f) { printf("errno %d\n", errno); continue; }
            static char block[65536];
            int failed = 0;
            while (done < total && !failed) {
                size_t n = total - done < (long)sizeof block ? (size_t)(total - done) : sizeof block;
                if (fwrite(block, 1, n, f) != n || fflush(f) != 0) failed = errno ? errno : -1;
                done += n;
            }
            if (fclose(f) != 0 && !failed) failed = errno ? errno : -1;
            if (failed) printf("errno %d\n", failed); else printf("ok\n");
        } else {
            fprintf(stderr, "files: cannot parse argument %d: %s\n", i, op);
            return 2;
        }
    }
    return 0;
}
