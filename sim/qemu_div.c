#include "qemu_div.h"

#include <stddef.h>

#include "e1k/e1k_regs.h"

/* Keep in step with docs/qemu-divergences.md. */
static const struct qemu_div table[] = {
    { NULL, TS_MEM, 0, 0, NULL, NULL },
};

const struct qemu_div *qemu_div_table(unsigned *n)
{
    *n = (unsigned)(sizeof(table) / sizeof(table[0])) - 1;
    return table;
}

const struct qemu_div *qemu_div_match(enum trace_space sp, uint32_t offset, uint32_t expected,
                                      uint32_t got, uint32_t mask)
{
    uint32_t diff = (expected ^ got) & mask;
    for (const struct qemu_div *d = table; d->id; d++) {
        if (d->space != sp || d->offset != (offset & ~3u))
            continue;
        uint32_t bits = d->bits >> ((offset & 3) * 8);
        if ((diff & ~bits) == 0)
            return d;
    }
    return NULL;
}
