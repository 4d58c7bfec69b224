/* A growing text buffer for the SQL, HTML and trace text the simulator
 * builds: appends never fail loudly; running out of memory sets `oom`, after
 * which appends do nothing, so a caller checks once at the end. The text is
 * NUL-terminated whenever p is not NULL. */
#ifndef E1K_SIM_SBUF_H
#define E1K_SIM_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
};

void sb_put(struct sbuf *b, const char *s, size_t len);
void sb_puts(struct sbuf *b, const char *s);
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct sbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Empties the text, keeping the memory (and a sticky oom). */
void sb_reset(struct sbuf *b);

#endif
