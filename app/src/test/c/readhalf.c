/* readhalf - reads at most 10 bytes of stdin, echoes them and exits 0
 * without reading the rest. Tests that the runtime copes with a function
 * that stops consuming its input early. */
#include <unistd.h>

int main(void)
{
    char buf[10];
    size_t got = 0;
    while (got < sizeof buf) {            /* read() may return fewer bytes */
        ssize_t n = read(0, buf + got, sizeof buf - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return write(1, buf, got) == (ssize_t)got ? 0 : 1;
}
