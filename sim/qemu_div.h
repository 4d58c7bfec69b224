/* Intended divergences from QEMU's e1000: where our model follows the SDM and
 * QEMU (7.x, hw/net/e1000.c) does not. Documented in docs/qemu-divergences.md;
 * `replay` uses this table to classify mismatches in QEMU-derived traces. */
#ifndef E1K_QEMU_DIV_H
#define E1K_QEMU_DIV_H

#include <stdint.h>

#include "e1k/e1k.h"
#include "trace.h"

/* What a classification may look at: the mismatch and our device's state. */
struct qemu_div_ctx {
    const struct e1k_dev *dev;
    enum trace_space space;
    uint32_t offset, expected, got, mask;
};

struct qemu_div {
    const char *id;       /* short key, e.g. "status-lu-slu" */
    enum trace_space space;
    uint32_t offset;      /* register (dword) offset */
    uint32_t bits;        /* the bits that may differ (dword positions) */
    int mdic_reg;         /* MDIC entries: the PHY register they concern; -1 otherwise */
    int (*applies)(const struct qemu_div_ctx *c); /* NULL: always */
    const char *what;     /* QEMU's behaviour against the SDM's, one line */
    const char *sdm;      /* SDM reference */
};

/* The divergence explaining a mismatch, or NULL. A mismatch is explained when
 * every differing bit is covered by entries that apply; the first one is
 * returned. */
const struct qemu_div *qemu_div_match(const struct qemu_div_ctx *c);
const struct qemu_div *qemu_div_table(unsigned *n);

/* Values that only the guest's memory could make right: statistics, the
 * DMA-driven interrupt causes and ring heads. A register-only capture does
 * not carry the guest's descriptors and buffers, so the replayed device
 * cannot reproduce them; `replay` reports such mismatches as unverifiable. */
int qemu_div_needs_memory(enum trace_space sp, uint32_t offset, uint32_t expected, uint32_t got,
                          uint32_t mask);

#endif
