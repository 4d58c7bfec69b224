/* Register-access traces: parser for the text format in docs/trace-format.md. */
#ifndef E1K_TRACE_H
#define E1K_TRACE_H

#include <stddef.h>
#include <stdint.h>

enum trace_kind {
    TR_ACCESS,  /* a register access */
    TR_WAIT,    /* advance simulated time */
    TR_IRQ,     /* expect the interrupt line's level */
    TR_LINK,    /* cable up/down */
    TR_SECTION, /* start of a named section */
    TR_OPTION,  /* header option */
};

enum trace_space { TS_MEM, TS_IO, TS_CFG };

struct trace_item {
    enum trace_kind kind;
    unsigned line;
    /* TR_ACCESS */
    enum trace_space space;
    uint8_t is_write;
    uint8_t has_expect;
    uint8_t width; /* bytes: 1, 2, 4 */
    uint32_t offset;
    uint32_t value; /* written, or expected */
    uint32_t mask;  /* compared bits of an expectation */
    /* TR_WAIT */
    uint64_t wait_ps;
    /* TR_IRQ, TR_LINK */
    int level;
    /* TR_SECTION name, TR_OPTION key and value */
    char *text;
    char *value_text;
};

struct trace {
    char *name; /* file name, for messages */
    struct trace_item *items;
    size_t n, cap;
    size_t accesses, reads_checked;
};

/* Parse a trace held in memory. On error returns -1 and writes
 * "NAME:LINE: message" into err. */
int trace_parse(const char *name, const char *text, size_t len, struct trace **out, char *err,
                size_t errlen);
/* Read and parse a file. */
int trace_load(const char *path, struct trace **out, char *err, size_t errlen);
void trace_free(struct trace *t);
/* Look up an option ("source", "timing", "mac"); NULL when absent. */
const char *trace_option(const struct trace *t, const char *key);
const char *trace_space_name(enum trace_space s);

#endif
