#include "nic.h"

#include <stdlib.h>
#include <string.h>

struct simnic;

struct nic_timer {
    struct evq_event ev;
    struct simnic *nic;
    unsigned id;
};

struct simnic {
    struct evq *q;
    struct e1k_dev *dev;
    struct simnic_hooks hooks;
    struct nic_timer timers[E1K_TIMER_COUNT];
    uint64_t irq_edges;
};

static void timer_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct nic_timer *t = arg;
    e1k_timer_fired(t->nic->dev, t->id);
}

static uint64_t h_now(void *ctx) { return evq_now(((struct simnic *)ctx)->q); }

static void h_timer_arm(void *ctx, unsigned id, uint64_t when)
{
    struct simnic *n = ctx;
    if (id >= E1K_TIMER_COUNT)
        return;
    if (when < evq_now(n->q))
        when = evq_now(n->q);
    evq_schedule(n->q, &n->timers[id].ev, when, EVQ_PRIO_DEVICE);
}

static void h_timer_cancel(void *ctx, unsigned id)
{
    struct simnic *n = ctx;
    if (id < E1K_TIMER_COUNT)
        evq_cancel(n->q, &n->timers[id].ev);
}

static void h_set_irq(void *ctx, int level)
{
    struct simnic *n = ctx;
    if (level)
        n->irq_edges++;
    if (n->hooks.irq)
        n->hooks.irq(n->hooks.ctx, level, evq_now(n->q));
}

static void h_anomaly(void *ctx, const struct e1k_anomaly *a)
{
    struct simnic *n = ctx;
    if (n->hooks.anomaly)
        n->hooks.anomaly(n->hooks.ctx, a, evq_now(n->q));
}

static void h_tx(void *ctx, const uint8_t *f, size_t len)
{
    struct simnic *n = ctx;
    if (n->hooks.tx_frame)
        n->hooks.tx_frame(n->hooks.ctx, f, len, evq_now(n->q));
}

static void h_frame_event(void *ctx, int ev, uint64_t t)
{
    struct simnic *n = ctx;
    if (n->hooks.frame_event)
        n->hooks.frame_event(n->hooks.ctx, ev, t);
}

static int h_dma_read(void *ctx, enum e1k_dma_kind kind, uint64_t addr, void *buf, size_t len)
{
    struct simnic *n = ctx;
    return n->hooks.dma_read ? n->hooks.dma_read(n->hooks.ctx, kind, addr, buf, len) : -1;
}

static int h_dma_write(void *ctx, enum e1k_dma_kind kind, uint64_t addr, const void *buf,
                       size_t len)
{
    struct simnic *n = ctx;
    return n->hooks.dma_write ? n->hooks.dma_write(n->hooks.ctx, kind, addr, buf, len) : -1;
}

struct simnic *simnic_new(struct evq *q, const struct e1k_config *cfg,
                          const struct simnic_hooks *hooks)
{
    struct simnic *n = calloc(1, sizeof(*n));
    if (!n)
        return NULL;
    n->q = q;
    if (hooks)
        n->hooks = *hooks;
    for (unsigned i = 0; i < E1K_TIMER_COUNT; i++) {
        evq_event_init(&n->timers[i].ev, timer_fn, &n->timers[i]);
        n->timers[i].nic = n;
        n->timers[i].id = i;
    }
    struct e1k_host host = {
        .ctx = n,
        .dma_read = h_dma_read,
        .dma_write = h_dma_write,
        .set_irq = h_set_irq,
        .tx_frame = h_tx,
        .now = h_now,
        .timer_arm = h_timer_arm,
        .timer_cancel = h_timer_cancel,
        .anomaly = h_anomaly,
        .frame_event = h_frame_event,
    };
    n->dev = e1k_new(cfg, &host);
    if (!n->dev) {
        free(n);
        return NULL;
    }
    return n;
}

void simnic_free(struct simnic *n)
{
    if (!n)
        return;
    for (unsigned i = 0; i < E1K_TIMER_COUNT; i++)
        evq_cancel(n->q, &n->timers[i].ev);
    e1k_free(n->dev);
    free(n);
}

struct e1k_dev *simnic_dev(struct simnic *n) { return n->dev; }
uint64_t simnic_irq_edges(const struct simnic *n) { return n->irq_edges; }
