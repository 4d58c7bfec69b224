/* A small test harness: the model on an event queue, with guest memory,
 * captured transmitted frames and counters. */
#ifndef E1K_TEST_HARNESS_H
#define E1K_TEST_HARNESS_H

#include <stdlib.h>
#include <string.h>

#include "e1k/e1k.h"
#include "evq.h"
#include "gmem.h"
#include "nic.h"

#define TH_MAX_FRAMES 4096

struct th_frame {
    uint8_t *data;
    size_t len; /* FCS included */
    uint64_t t;
};

struct th {
    struct evq *q;
    struct simnic *nic;
    struct e1k_dev *d;
    struct gmem *mem;
    int irq;
    unsigned irq_edges;
    unsigned anomalies;
    struct th_frame tx[TH_MAX_FRAMES];
    size_t ntx;
};

static void th_irq(void *ctx, int level, uint64_t t)
{
    struct th *h = ctx;
    h->irq = level;
    h->irq_edges += level != 0;
}

static void th_anom(void *ctx, const struct e1k_anomaly *a, uint64_t t) { ((struct th *)ctx)->anomalies++; }

static void th_tx(void *ctx, const uint8_t *f, size_t len, uint64_t t)
{
    struct th *h = ctx;
    if (h->ntx == TH_MAX_FRAMES)
        return;
    h->tx[h->ntx].data = malloc(len ? len : 1);
    memcpy(h->tx[h->ntx].data, f, len);
    h->tx[h->ntx].len = len;
    h->tx[h->ntx].t = t;
    h->ntx++;
}

static int th_dma_rd(void *ctx, enum e1k_dma_kind k, uint64_t a, void *b, size_t n)
{
    return gmem_dma_read(((struct th *)ctx)->mem, k, a, b, n);
}

static int th_dma_wr(void *ctx, enum e1k_dma_kind k, uint64_t a, const void *b, size_t n)
{
    return gmem_dma_write(((struct th *)ctx)->mem, k, a, b, n);
}

static inline struct th *th_new_cfg(const struct e1k_config *cfg)
{
    struct th *h = calloc(1, sizeof(*h));
    h->q = evq_new();
    h->mem = gmem_new(16u << 20);
    struct simnic_hooks hk = { .ctx = h, .irq = th_irq, .anomaly = th_anom, .tx_frame = th_tx,
                               .dma_read = th_dma_rd, .dma_write = th_dma_wr };
    h->nic = simnic_new(h->q, cfg, &hk);
    h->d = simnic_dev(h->nic);
    /* as firmware and a driver leave it: I/O and memory decoding, bus master */
    e1k_pci_write(h->d, 0x04, 0x0007, 2);
    return h;
}

/* functional = 1: all device-internal latencies zero. */
static inline struct th *th_new(int functional)
{
    struct e1k_config cfg;
    e1k_config_default(&cfg);
    if (functional)
        e1k_timing_functional(&cfg.timing);
    return th_new_cfg(&cfg);
}

static inline void th_clear_tx(struct th *h)
{
    for (size_t i = 0; i < h->ntx; i++)
        free(h->tx[i].data);
    h->ntx = 0;
}

static inline void th_free(struct th *h)
{
    th_clear_tx(h);
    simnic_free(h->nic);
    evq_free(h->q);
    gmem_free(h->mem);
    free(h);
}

static inline void th_run(struct th *h, uint64_t ps) { evq_run_until(h->q, evq_now(h->q) + ps); }
/* Run every pending event (engines, timers) to completion. */
static inline void th_settle(struct th *h) { evq_run_until_idle(h->q); }

static inline uint32_t th_rd(struct th *h, uint32_t off) { return e1k_mmio_read(h->d, off, 4); }
static inline void th_wr(struct th *h, uint32_t off, uint32_t v) { e1k_mmio_write(h->d, off, v, 4); }

/* Guest-side access to its memory. */
static inline void *th_mem(struct th *h, uint64_t addr, size_t len) { return gmem_ptr(h->mem, addr, len); }

/* ---- what every datapath test's driver does first ---- */

/* Sets CTRL.SLU and runs auto-negotiation to its end; returns STATUS (the
 * caller asserts LU). */
static inline uint32_t th_link_up(struct th *h)
{
    th_wr(h, E1K_REG_CTRL, th_rd(h, E1K_REG_CTRL) | E1K_CTRL_SLU);
    th_settle(h);
    return th_rd(h, E1K_REG_STATUS);
}

/* A transmit ring of n descriptors in fresh guest memory: TDBAL/TDBAH/TDLEN
 * written, TDH = TDT = 0 (the delay timers and TCTL are the caller's).
 * Returns its base, UINT64_MAX (nothing written) when memory ran out. */
static inline uint64_t th_tx_ring(struct th *h, uint32_t n)
{
    uint64_t ring = gmem_alloc(h->mem, 16u * n, 128);
    if (ring == UINT64_MAX)
        return ring;
    th_wr(h, E1K_REG_TDBAL, (uint32_t)ring);
    th_wr(h, E1K_REG_TDBAH, (uint32_t)(ring >> 32));
    th_wr(h, E1K_REG_TDLEN, 16u * n);
    th_wr(h, E1K_REG_TDH, 0);
    th_wr(h, E1K_REG_TDT, 0);
    return ring;
}

/* A receive ring of n legacy descriptors, each pointing at its own buffer of
 * `stride` bytes (*bufs is the first): RDBAL/RDBAH/RDLEN written, RDH = 0
 * (RDT and RCTL are the caller's). Returns the ring's base, UINT64_MAX
 * (nothing written) when memory ran out. */
static inline uint64_t th_rx_ring(struct th *h, uint32_t n, size_t stride, uint64_t *bufs)
{
    uint64_t ring = gmem_alloc(h->mem, 16u * n, 128);
    *bufs = gmem_alloc(h->mem, (size_t)n * stride, 16);
    if (ring == UINT64_MAX || *bufs == UINT64_MAX)
        return UINT64_MAX;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *dsc = th_mem(h, ring + 16ull * i, 16);
        uint64_t a = *bufs + (uint64_t)i * stride;
        for (int k = 0; k < 8; k++)
            dsc[k] = (uint8_t)(a >> (8 * k));
    }
    th_wr(h, E1K_REG_RDBAL, (uint32_t)ring);
    th_wr(h, E1K_REG_RDBAH, (uint32_t)(ring >> 32));
    th_wr(h, E1K_REG_RDLEN, 16u * n);
    th_wr(h, E1K_REG_RDH, 0);
    return ring;
}

#endif
