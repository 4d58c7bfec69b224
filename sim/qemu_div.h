/* Intended divergences from QEMU's e1000: where our model follows the SDM and
 * QEMU does not. Documented in docs/qemu-divergences.md; `replay` uses this
 * table to classify mismatches against QEMU-derived traces. */
#ifndef E1K_QEMU_DIV_H
#define E1K_QEMU_DIV_H

#include <stdint.h>

#include "trace.h"

struct qemu_div {
    const char *id;    /* short key, e.g. "ctrl-rst" */
    enum trace_space space;
    uint32_t offset;   /* register (dword) offset */
    uint32_t bits;     /* the bits that may differ */
    const char *what;  /* one line: what QEMU does vs the SDM */
    const char *sdm;   /* SDM reference */
};

/* The divergence explaining a mismatch (all differing bits within `bits`),
 * or NULL. */
const struct qemu_div *qemu_div_match(enum trace_space sp, uint32_t offset, uint32_t expected,
                                      uint32_t got, uint32_t mask);
const struct qemu_div *qemu_div_table(unsigned *n);

#endif
