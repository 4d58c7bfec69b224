#include "sbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No text the simulator builds comes near this (2 TiB, or a quarter of the
 * address space); past it an append is out of memory rather than a wrap. */
#define SB_MAX ((uint64_t)SIZE_MAX / 4 < ((uint64_t)1 << 41) ? SIZE_MAX / 4 : (size_t)((uint64_t)1 << 41))

/* Room for len more bytes and the NUL; 0, or -1 with oom set. */
static int sb_reserve(struct sbuf *b, size_t len)
{
    if (b->oom)
        return -1;
    if (len < SB_MAX - b->n && b->n + len + 1 <= b->cap)
        return 0;
    if (len >= SB_MAX - b->n) {
        b->oom = 1;
        return -1;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + len + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void sb_put(struct sbuf *b, const char *s, size_t len)
{
    if (sb_reserve(b, len))
        return;
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = 0;
}

void sb_puts(struct sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap)
{
    if (b->oom)
        return;
    va_list aq;
    va_copy(aq, ap);
    size_t room = b->cap - b->n; /* the NUL included */
    int m = vsnprintf(b->p ? b->p + b->n : NULL, room, fmt, aq);
    va_end(aq);
    if (m < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)m >= room) { /* did not fit: grow and format again */
        if (sb_reserve(b, (size_t)m))
            return;
        vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    }
    b->n += (size_t)m;
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

void sb_reset(struct sbuf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = 0;
}
