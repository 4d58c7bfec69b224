/* A small test harness: the model on an event queue, with counters. */
#ifndef E1K_TEST_HARNESS_H
#define E1K_TEST_HARNESS_H

#include <stdlib.h>

#include "e1k/e1k.h"
#include "evq.h"
#include "nic.h"

struct th {
    struct evq *q;
    struct simnic *nic;
    struct e1k_dev *d;
    int irq;
    unsigned irq_edges;
    unsigned anomalies;
};

static void th_irq(void *ctx, int level, uint64_t t)
{
    struct th *h = ctx;
    h->irq = level;
    h->irq_edges += level != 0;
}

static void th_anom(void *ctx, const struct e1k_anomaly *a, uint64_t t) { ((struct th *)ctx)->anomalies++; }

static inline struct th *th_new_cfg(const struct e1k_config *cfg)
{
    struct th *h = calloc(1, sizeof(*h));
    h->q = evq_new();
    struct simnic_hooks hk = { .ctx = h, .irq = th_irq, .anomaly = th_anom };
    h->nic = simnic_new(h->q, cfg, &hk);
    h->d = simnic_dev(h->nic);
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

static inline void th_free(struct th *h)
{
    simnic_free(h->nic);
    evq_free(h->q);
    free(h);
}

static inline void th_run(struct th *h, uint64_t ps) { evq_run_until(h->q, evq_now(h->q) + ps); }

static inline uint32_t th_rd(struct th *h, uint32_t off) { return e1k_mmio_read(h->d, off, 4); }
static inline void th_wr(struct th *h, uint32_t off, uint32_t v) { e1k_mmio_write(h->d, off, v, 4); }

#endif
