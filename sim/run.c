#include "run.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"
#include "evq.h"
#include "gmem.h"
#include "nic.h"
#include "pcapio.h"
#include "recorder.h"
#include "traffic.h"
#include "version.h"

#define SLICE_PS 1000000000ull
#define RUN_PARAMS_MAX 65536 /* every key escaped at its longest fits */           /* check for stop requests every 1 ms */
#define LINK_WAIT_PS (30 * 1000000000000ull)
#define DRAIN_PS (100 * 1000000000ull)   /* let frames in flight finish: 100 ms */
#define HSUB 64                          /* histogram: 64 buckets per power of two */
#define HBUCKETS (HSUB + 48 * HSUB)

#define NO_WIRE (REC_NONE - 1) /* a transmit packet the device dropped */
enum { T_OFFER, T_MAC, T_DMA, T_WB, T_IRQ, T_HANDLER, T_DONE, T_QUEUED, T_DOORBELL, T_FETCH,
       T_WIRE, T_TXWB, T_WIRE_FIRST, T_COUNT };

/* Frames between the wire and the stack, in order. */
struct track {
    uint64_t id;
    uint32_t len;
    int warm;                /* offered during warm-up: not in the statistics */
    uint64_t t[T_COUNT];
};
struct fifo {
    struct track *a;
    size_t head, n, cap;
};

static struct track *fifo_push(struct fifo *f)
{
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 1024;
        struct track *na = malloc(nc * sizeof(*na));
        if (!na)
            return NULL;
        for (size_t i = 0; i < f->n; i++)
            na[i] = f->a[(f->head + i) % f->cap];
        free(f->a);
        f->a = na;
        f->head = 0;
        f->cap = nc;
    }
    struct track *t = &f->a[(f->head + f->n++) % f->cap];
    memset(t, 0, sizeof(*t));
    for (int i = 0; i < T_COUNT; i++)
        t->t[i] = REC_NONE;
    return t;
}

static struct track *fifo_at(struct fifo *f, size_t i) { return &f->a[(f->head + i) % f->cap]; }

static void fifo_pop(struct fifo *f)
{
    f->head = (f->head + 1) % f->cap;
    f->n--;
}

/* The first frame (from the head) whose stage `k` is not set yet. */
static struct track *fifo_first_without(struct fifo *f, int k, size_t *hint)
{
    for (size_t i = *hint; i < f->n; i++) {
        struct track *t = fifo_at(f, i);
        if (t->t[k] == REC_NONE) {
            *hint = i;
            return t;
        }
    }
    return NULL;
}

struct ctx {
    const struct scenario *s;
    const struct run_opts *o;
    struct evq *q;
    struct gmem *mem;
    struct simnic *nic;
    struct e1k_dev *dev;
    struct driver *drv;
    struct rec *rec;
    int64_t run_id;
    int rec_failed;
    char *err;
    size_t errlen;
    int failed;

    struct tsrc *rx_src, *tx_src;
    struct evq_event ev_rx, ev_tx;
    uint8_t rx_frame[TSRC_MAX_FRAME + 4];
    uint32_t rx_len;
    uint8_t tx_frame[TSRC_MAX_FRAME];
    uint32_t tx_len;
    int tx_have;
    int rx_have;            /* a frame is on the wire towards the NIC */
    uint64_t rx_offer, wire_free;
    uint64_t next_rx_id, next_tx_id;
    int traffic_on, traffic_ended;
    uint64_t origin, end_time;

    struct fifo rxf, txf;   /* frames in flight */
    size_t hint_dma, hint_wb, hint_fetch, hint_txwb, hint_wire, hint_wire_first;
    uint64_t wb_since_irq_rx, wb_since_irq_tx;
    uint64_t irq_seq;
    size_t irq_hint;        /* rx frames up to here have their interrupt time */

    struct drv_stats ds0;   /* driver counters when traffic started */
    struct pcapout *pc_rx, *pc_tx;
    uint64_t hist[2][HBUCKETS];
    struct run_result *res;
};

static unsigned hbucket(uint64_t ns)
{
    if (ns < HSUB)
        return (unsigned)ns;
    unsigned e = 63 - (unsigned)__builtin_clzll(ns); /* e >= 6 */
    unsigned sub = (unsigned)(ns >> (e - 6)) & (HSUB - 1);
    unsigned b = HSUB + (e - 6) * HSUB + sub;
    return b < HBUCKETS ? b : HBUCKETS - 1;
}

static uint64_t hbucket_lo(unsigned b)
{
    if (b < HSUB)
        return b;
    unsigned e = (b - HSUB) / HSUB + 6, sub = (b - HSUB) % HSUB;
    return ((uint64_t)HSUB + sub) << (e - 6);
}

static uint64_t hbucket_hi(unsigned b) { return b + 1 < HBUCKETS ? hbucket_lo(b + 1) : UINT64_MAX; }

static void rec_fail(struct ctx *c)
{
    if (!c->rec_failed && c->rec) {
        c->rec_failed = 1;
        const char *e = rec_error(c->rec);
        if (e != c->err) /* the recorder may write into our buffer already */
            snprintf(c->err, c->errlen, "%s", e);
    }
}

static void record_packet(struct ctx *c, int dir, const struct track *t, int dropped)
{
    if (dir == 1 && t->t[T_WIRE] == NO_WIRE)
        dropped = 1; /* the device dropped it */
    if (t->warm)
        return;
    if (!dropped && t->t[T_DONE] != REC_NONE && t->t[T_OFFER] != REC_NONE)
        c->hist[dir][hbucket((t->t[T_DONE] - t->t[T_OFFER]) / 1000)]++;
    if (!c->rec || c->rec_failed || c->s->record.level != SCEN_LEVEL_PACKETS)
        return;
    struct rec_packet p = {
        .dir = dir, .id = t->id, .len = t->len, .dropped = dropped, .t_offer = t->t[T_OFFER],
        .t_mac = t->t[T_MAC], .t_dma = t->t[T_DMA], .t_wb = dir ? t->t[T_TXWB] : t->t[T_WB],
        .t_irq = t->t[T_IRQ], .t_handler = t->t[T_HANDLER], .t_done = t->t[T_DONE],
        .t_queued = t->t[T_QUEUED], .t_doorbell = t->t[T_DOORBELL], .t_fetch = t->t[T_FETCH],
        .t_wire_first = t->t[T_WIRE_FIRST] == NO_WIRE ? REC_NONE : t->t[T_WIRE_FIRST],
        .t_wire = t->t[T_WIRE] == NO_WIRE ? REC_NONE : t->t[T_WIRE],
    };
    if (rec_packet(c->rec, c->run_id, &p))
        rec_fail(c);
}

/* ---- receive side: source -> wire -> NIC ---- */

static unsigned link_speed(const struct ctx *c)
{
    switch (e1k_reg_peek(c->dev, E1K_REG_STATUS) & E1K_STATUS_SPEED_MASK) {
    case E1K_STATUS_SPEED_10: return 10;
    case E1K_STATUS_SPEED_100: return 100;
    default: return 1000;
    }
}

static uint64_t byte_ps(unsigned mbps) { return 8000000ull / mbps; }

static void crc_append(uint8_t *f, uint32_t len);
static void tx_flush(struct ctx *c);
static void start_traffic(struct ctx *c, uint64_t t);

/* The next frame of a source within the measured period: 1 with its time,
 * bytes and length; 0 at the end; a bad source record stops the run. */
static int src_next(struct ctx *c, struct tsrc *src, uint64_t *t, const uint8_t **f,
                    uint32_t *len)
{
    if (!src || c->traffic_ended)
        return 0;
    char e[256];
    int rc = tsrc_next(src, t, f, len, e, sizeof(e));
    if (rc < 0) {
        snprintf(c->err, c->errlen, "%s", e);
        c->failed = 1;
        c->res->bad_input = 1; /* a bad record in the traffic file */
        evq_stop(c->q);
        return 0;
    }
    return rc == 1 && *t < c->end_time;
}

/* Fetch the next frame from the source and put it on the wire: its last bit
 * reaches the MAC after preamble+SFD (8), frame and FCS at the link speed;
 * the wire is then busy for the inter-frame gap (12 bytes). */
static void rx_next(struct ctx *c)
{
    c->rx_have = 0;
    uint64_t t;
    const uint8_t *f;
    uint32_t len;
    if (!src_next(c, c->rx_src, &t, &f, &len))
        return;
    memcpy(c->rx_frame, f, len);
    crc_append(c->rx_frame, len);
    c->rx_len = len + 4;
    uint64_t first = t > c->wire_free ? t : c->wire_free;
    if (first < evq_now(c->q))
        first = evq_now(c->q);
    /* latency counts from the offer (the pcap timestamp or generator time):
     * a burst faster than the wire waits for it, as it would upstream */
    c->rx_offer = t;
    uint64_t bt = byte_ps(link_speed(c));
    uint64_t last = first + (8 + (uint64_t)c->rx_len) * bt;
    c->wire_free = last + 12 * bt;
    c->rx_have = 1;
    evq_schedule(c->q, &c->ev_rx, last, EVQ_PRIO_DEFAULT);
}

static void rx_arrive(struct evq *q, struct evq_event *ev, void *arg)
{
    struct ctx *c = arg;
    if (!c->rx_have)
        return;
    uint64_t id = c->next_rx_id++;
    c->res->rx_offered++;
    struct track tmp = { .id = id, .len = c->rx_len - 4 };
    for (int i = 0; i < T_COUNT; i++)
        tmp.t[i] = REC_NONE;
    tmp.t[T_OFFER] = c->rx_offer;
    tmp.t[T_MAC] = evq_now(q);
    tmp.warm = c->rx_offer < c->origin + c->s->warmup_ps;
    enum e1k_rx_result r = e1k_rx_frame(c->dev, c->rx_frame, c->rx_len);
    if (r == E1K_RX_ACCEPTED) {
        struct track *t = fifo_push(&c->rxf);
        if (t)
            *t = tmp;
    } else {
        if (r == E1K_RX_FILTERED)
            c->res->rx_filtered++;
        else
            c->res->rx_dropped++;
        record_packet(c, 0, &tmp, 1);
    }
    rx_next(c);
}

/* ---- transmit side: source -> driver ---- */

static void tx_next(struct ctx *c)
{
    c->tx_have = 0;
    uint64_t t;
    const uint8_t *f;
    uint32_t len;
    if (!src_next(c, c->tx_src, &t, &f, &len))
        return;
    memcpy(c->tx_frame, f, len);
    c->tx_len = len;
    c->tx_have = 1;
    if (t < evq_now(c->q))
        t = evq_now(c->q);
    evq_schedule(c->q, &c->ev_tx, t, EVQ_PRIO_DEFAULT);
}

static void tx_offer(struct evq *q, struct evq_event *ev, void *arg)
{
    struct ctx *c = arg;
    if (!c->tx_have)
        return;
    uint64_t id = c->next_tx_id++;
    c->res->tx_offered++;
    struct track *t = fifo_push(&c->txf);
    if (t) {
        t->id = id;
        t->len = c->tx_len;
        t->t[T_OFFER] = evq_now(q);
        t->warm = evq_now(q) < c->origin + c->s->warmup_ps;
    }
    drv_xmit(c->drv, c->tx_frame, c->tx_len, id);
    tx_next(c);
}

/* ---- hooks from the device ---- */

static void on_irq(void *ctx, int level, uint64_t t)
{
    struct ctx *c = ctx;
    if (level) {
        if (c->traffic_on && t < c->end_time)
            c->res->interrupts++;
        uint32_t causes = e1k_reg_peek(c->dev, E1K_REG_ICR) & e1k_reg_peek(c->dev, E1K_REG_IMS);
        if (c->rec && !c->rec_failed &&
            rec_interrupt(c->rec, c->run_id, c->irq_seq, t, causes, c->wb_since_irq_rx,
                          c->wb_since_irq_tx))
            rec_fail(c);
        c->irq_seq++;
        c->wb_since_irq_rx = c->wb_since_irq_tx = 0;
        /* frames written back and waiting get this interrupt's time */
        for (size_t i = c->irq_hint; i < c->rxf.n; i++) {
            struct track *tr = fifo_at(&c->rxf, i);
            if (tr->t[T_WB] == REC_NONE)
                break;
            if (tr->t[T_IRQ] == REC_NONE)
                tr->t[T_IRQ] = t;
            c->irq_hint = i + 1;
        }
    }
    if (c->drv)
        drv_irq(c->drv, level);
}

static void on_anomaly(void *ctx, const struct e1k_anomaly *a, uint64_t t)
{
    struct ctx *c = ctx;
    c->res->anomalies++;
    if (c->rec && !c->rec_failed &&
        rec_anomaly(c->rec, c->run_id, t, e1k_anomaly_name(a->kind), a->offset, a->value, a->msg))
        rec_fail(c);
}

static void on_tx_frame(void *ctx, const uint8_t *f, size_t len, uint64_t t)
{
    struct ctx *c = ctx;
    c->res->tx_sent++;
    if (c->pc_tx && len >= 4)
        pcapout_write(c->pc_tx, f, len - 4, t);
}

static void on_frame_event(void *ctx, int ev, uint64_t t)
{
    struct ctx *c = ctx;
    struct track *tr;
    switch (ev) {
    case E1K_EV_RX_DMA_DONE:
        if ((tr = fifo_first_without(&c->rxf, T_DMA, &c->hint_dma)))
            tr->t[T_DMA] = t;
        break;
    case E1K_EV_RX_WB:
        c->wb_since_irq_rx++;
        if ((tr = fifo_first_without(&c->rxf, T_WB, &c->hint_wb)))
            tr->t[T_WB] = t;
        break;
    case E1K_EV_RX_DROP:
        /* an accepted frame that never reached memory: the first without data */
        if ((tr = fifo_first_without(&c->rxf, T_DMA, &c->hint_dma))) {
            tr->t[T_DMA] = tr->t[T_WB] = tr->t[T_DONE] = 0; /* marks it dropped */
            tr->t[T_HANDLER] = REC_NONE - 1;
        }
        break;
    case E1K_EV_TX_FETCH:
        if ((tr = fifo_first_without(&c->txf, T_FETCH, &c->hint_fetch)))
            tr->t[T_FETCH] = t;
        break;
    case E1K_EV_TX_WIRE:
        /* packets leave in order (the FIFO): its last segment's last bit */
        if ((tr = fifo_first_without(&c->txf, T_WIRE, &c->hint_wire)))
            tr->t[T_WIRE] = t;
        tx_flush(c);
        break;
    case E1K_EV_TX_DROP:
        /* the packet in the engine: the one fetched last; it never reaches
         * the wire (marked so that wire events skip it) */
        if (c->hint_fetch < c->txf.n && (tr = fifo_at(&c->txf, c->hint_fetch)) &&
            tr->t[T_FETCH] != REC_NONE) {
            if (tr->t[T_WIRE] == REC_NONE)
                tr->t[T_WIRE] = NO_WIRE;
            if (tr->t[T_WIRE_FIRST] == REC_NONE)
                tr->t[T_WIRE_FIRST] = NO_WIRE;
        }
        break;
    case E1K_EV_TX_WIRE_START:
        if ((tr = fifo_first_without(&c->txf, T_WIRE_FIRST, &c->hint_wire_first)))
            tr->t[T_WIRE_FIRST] = t;
        break;
    case E1K_EV_TX_WB:
        c->wb_since_irq_tx++;
        if ((tr = fifo_first_without(&c->txf, T_TXWB, &c->hint_txwb)))
            tr->t[T_TXWB] = t;
        break;
    default:
        break;
    }
}

static int on_dma_rd(void *ctx, enum e1k_dma_kind k, uint64_t a, void *b, size_t n)
{
    return gmem_dma_read(((struct ctx *)ctx)->mem, k, a, b, n);
}

static int on_dma_wr(void *ctx, enum e1k_dma_kind k, uint64_t a, const void *b, size_t n)
{
    return gmem_dma_write(((struct ctx *)ctx)->mem, k, a, b, n);
}

/* ---- hooks from the driver ---- */

static void on_mmio(void *ctx, int is_write, uint32_t off, uint32_t val, uint64_t t)
{
    struct ctx *c = ctx;
    if (!c->rec || c->rec_failed)
        return;
    char name[24];
    struct rec_access a = { .time_ps = t, .space = "mem", .is_write = is_write, .width = 4,
                            .offset = off, .reg = e1k_reg_name(off, name, sizeof(name)),
                            .value = val, .ok = 1 };
    if (rec_access(c->rec, c->run_id, &a))
        rec_fail(c);
}

/* Retire the oldest frame: the search hints move with the queue. */
static void dec(size_t *h)
{
    if (*h)
        (*h)--;
}

static void rx_pop(struct ctx *c)
{
    fifo_pop(&c->rxf);
    dec(&c->hint_dma);
    dec(&c->hint_wb);
    dec(&c->irq_hint);
}

static void tx_pop(struct ctx *c)
{
    fifo_pop(&c->txf);
    dec(&c->hint_fetch);
    dec(&c->hint_wire);
    dec(&c->hint_wire_first);
    dec(&c->hint_txwb);
}

static void pop_rx_dropped(struct ctx *c)
{
    /* frames the device dropped after accepting them leave the head */
    while (c->rxf.n) {
        struct track *h = fifo_at(&c->rxf, 0);
        if (h->t[T_HANDLER] != REC_NONE - 1)
            break;
        h->t[T_DMA] = h->t[T_WB] = h->t[T_DONE] = REC_NONE;
        h->t[T_HANDLER] = REC_NONE;
        c->res->rx_dropped++;
        record_packet(c, 0, h, 1);
        rx_pop(c);
    }
}

static void on_rx_deliver(void *ctx, const uint8_t *f, size_t len, uint64_t handler, uint64_t t)
{
    struct ctx *c = ctx;
    pop_rx_dropped(c);
    if (!c->rxf.n)
        return;
    struct track *h = fifo_at(&c->rxf, 0);
    h->t[T_HANDLER] = handler;
    h->t[T_DONE] = t;
    if (f) {
        c->res->rx_delivered++;
        if (c->pc_rx)
            pcapout_write(c->pc_rx, f, len, t);
        record_packet(c, 0, h, 0);
    } else {
        c->res->rx_dropped++;
        record_packet(c, 0, h, 1);
    }
    rx_pop(c);
}

static struct track *tx_find(struct ctx *c, uint64_t id)
{
    for (size_t i = 0; i < c->txf.n; i++) {
        struct track *t = fifo_at(&c->txf, i);
        if (t->id == id)
            return t;
    }
    return NULL;
}

static void on_tx_queued(void *ctx, uint64_t id, uint64_t t)
{
    struct track *tr = tx_find(ctx, id);
    if (tr)
        tr->t[T_QUEUED] = t;
}

static void on_tx_doorbell(void *ctx, uint64_t id, uint64_t t)
{
    struct track *tr = tx_find(ctx, id);
    if (tr)
        tr->t[T_DOORBELL] = t;
}

/* Transmit frames leave the tracking queue in order once the driver has
 * reclaimed them and their last bit has left (the device writes DD back
 * when the data is fetched, so reclaiming can come first): a frame's wire
 * event must find it still queued. */
static void tx_flush(struct ctx *c)
{
    while (c->txf.n) {
        struct track *h = fifo_at(&c->txf, 0);
        if (h->t[T_DONE] == REC_NONE || h->t[T_WIRE] == REC_NONE)
            break;
        record_packet(c, 1, h, h->t[T_WIRE] == NO_WIRE);
        tx_pop(c);
    }
}

static void tx_retire(struct ctx *c, uint64_t id, uint64_t t, int dropped)
{
    for (size_t i = 0; i < c->txf.n; i++) {
        struct track *h = fifo_at(&c->txf, i);
        if (h->id != id)
            continue;
        h->t[T_DONE] = t;
        if (dropped)
            h->t[T_WIRE] = NO_WIRE;
        break;
    }
    tx_flush(c);
}

static void on_tx_cleaned(void *ctx, uint64_t id, uint64_t t) { tx_retire(ctx, id, t, 0); }

static void on_tx_dropped(void *ctx, uint64_t id, uint64_t t)
{
    struct ctx *c = ctx;
    c->res->tx_dropped++;
    /* dropped before reaching the ring: it is the newest frame */
    if (c->txf.n && fifo_at(&c->txf, c->txf.n - 1)->id == id) {
        struct track *tr = fifo_at(&c->txf, c->txf.n - 1);
        record_packet(c, 1, tr, 1);
        c->txf.n--;
    }
}

static void start_traffic(struct ctx *c, uint64_t t)
{
    if (c->traffic_on)
        return;
    c->traffic_on = 1;
    c->ds0 = *drv_stats(c->drv);
    c->origin = t;
    c->end_time = t + c->s->duration_ps;
    c->res->traffic_start_ps = t;
    if (c->rx_src) {
        tsrc_set_origin(c->rx_src, t);
        c->wire_free = t;
        rx_next(c);
    }
    if (c->tx_src) {
        tsrc_set_origin(c->tx_src, t);
        tx_next(c);
    }
}

static void on_carrier(void *ctx, int up, uint64_t t)
{
    struct ctx *c = ctx;
    if (up)
        start_traffic(c, t);
}

/* The FCS the wire carries (IEEE 802.3 CRC-32). */
static void crc_append(uint8_t *f, uint32_t len)
{
    uint32_t crc = e1k_fcs(f, len);
    for (int i = 0; i < 4; i++)
        f[len + i] = (uint8_t)(crc >> (8 * i));
}

/* ---- percentiles from the histogram ---- */

static double hist_pct(const uint64_t *h, uint64_t n, double p)
{
    if (!n)
        return 0;
    uint64_t rank = (uint64_t)(p * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    uint64_t acc = 0;
    for (unsigned b = 0; b < HBUCKETS; b++) {
        acc += h[b];
        if (acc >= rank) {
            uint64_t lo = hbucket_lo(b), hi = hbucket_hi(b);
            return hi == UINT64_MAX ? (double)lo : ((double)lo + (double)hi) / 2.0;
        }
    }
    return 0;
}

/* The resolved parameters as JSON; -1 when they do not fit (they identify
 * the run, so they are never cut short). */
static int fill_params(const struct scenario *s, char *json, size_t n)
{
    return scen_to_json(s, json, n) < 0 ? -1 : 0;
}

/* FNV-1a over scenario name, parameters, seed and version: the run's key. */
static void run_key(const struct scenario *s, const char *params, char out[17])
{
    uint64_t h = 0xcbf29ce484222325ull;
    const char *parts[] = { s->name, params, E1KSIM_VERSION };
    for (int i = 0; i < 3; i++) {
        for (const char *p = parts[i]; *p; p++)
            h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
        h = (h ^ 0xff) * 0x100000001b3ull;
    }
    for (int i = 0; i < 8; i++)
        h = (h ^ (uint8_t)(s->seed >> (8 * i))) * 0x100000001b3ull;
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

void run_identity(const struct scenario *s, char key[17])
{
    static char params[RUN_PARAMS_MAX];
    if (fill_params(s, params, sizeof(params)))
        snprintf(params, sizeof(params), "{\"too-long\":true}");
    run_key(s, params, key);
}

static void drv_params_from(const struct scenario *s, struct drv_params *p)
{
    drv_params_default(p);
    p->model = s->driver.model == SCEN_DRV_POLL ? DRV_POLL : DRV_LINUX;
    p->itr = s->driver.itr;
    p->rx_int_delay = (unsigned)s->driver.rx_int_delay;
    p->rx_abs_int_delay = (unsigned)s->driver.rx_abs_int_delay;
    p->tx_int_delay = (unsigned)s->driver.tx_int_delay;
    p->tx_abs_int_delay = (unsigned)s->driver.tx_abs_int_delay;
    p->rx_ring = (unsigned)s->driver.rx_ring;
    p->tx_ring = (unsigned)s->driver.tx_ring;
    p->napi_budget = (unsigned)s->driver.napi_budget;
    p->rx_buffer_write = (unsigned)s->driver.rx_buffer_write;
    p->tx_batch = (unsigned)s->driver.tx_batch;
    p->poll_interval_ps = s->driver.poll_interval_ps;
    p->mmio_exit_ps = s->driver.mmio_exit_ps;
    p->irq_cost_ps = s->driver.irq_cost_ps;
    p->pkt_cost_ps = s->driver.pkt_cost_ps;
    p->poll_cost_ps = s->driver.poll_cost_ps;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)v[i];
    return 0;
}

static void write_counters(struct ctx *c)
{
    if (!c->rec || c->rec_failed)
        return;
    const struct drv_stats *ds = c->drv ? drv_stats(c->drv) : NULL;
    const struct gmem_counters *gc = gmem_counters(c->mem);
    struct run_result *r = c->res;
    struct {
        const char *name;
        double v;
    } kv[] = {
        { "rx_offered", (double)r->rx_offered },
        { "rx_delivered", (double)r->rx_delivered },
        { "rx_dropped", (double)r->rx_dropped },
        { "rx_filtered", (double)r->rx_filtered },
        { "tx_offered", (double)r->tx_offered },
        { "tx_sent", (double)r->tx_sent },
        { "tx_dropped", (double)r->tx_dropped },
        { "interrupts", (double)r->interrupts },
        { "interrupts_per_s", r->irq_per_s },
        { "interrupts_per_frame", r->irq_per_frame },
        { "exits_per_frame", r->exits_per_frame },
        { "cpu_busy", r->cpu_busy },
        { "measured_ps", (double)r->measured_ps },
        { "traffic_start_ps", (double)r->traffic_start_ps },
        { "anomalies", (double)r->anomalies },
        { "mmio_accesses", (double)r->mmio_accesses },
        { "driver_polls", ds ? (double)ds->polls : 0 },
        { "driver_spurious_irqs", ds ? (double)ds->spurious_irqs : 0 },
        { "driver_itr_writes", ds ? (double)ds->itr_writes : 0 },
        { "driver_itr_rate", ds ? (double)ds->itr_rate : 0 },
        { "dma_desc_fetch_bytes", (double)gc->bytes[E1K_DMA_DESC_FETCH] },
        { "dma_desc_wb_bytes", (double)gc->bytes[E1K_DMA_DESC_WB] },
        { "dma_data_bytes", (double)gc->bytes[E1K_DMA_DATA] },
        { "dma_transactions", (double)(gc->transactions[0] + gc->transactions[1] +
                                       gc->transactions[2]) },
        { "dma_errors", (double)gc->errors },
        /* receive latency from the histogram (summary-level runs have no rows) */
        { "rx_latency_frames", (double)r->lat_frames },
        { "rx_latency_p50_ns", r->lat_ns[0] },
        { "rx_latency_p90_ns", r->lat_ns[1] },
        { "rx_latency_p99_ns", r->lat_ns[2] },
        { "rx_latency_p999_ns", r->lat_ns[3] },
        { "rx_latency_max_ns", r->lat_ns[4] },
    };
    for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
        if (rec_counter(c->rec, c->run_id, kv[i].name, kv[i].v)) {
            rec_fail(c);
            return;
        }
    for (int dir = 0; dir < 2; dir++)
        for (unsigned b = 0; b < HBUCKETS; b++)
            if (c->hist[dir][b] &&
                rec_histogram(c->rec, c->run_id, dir, hbucket_lo(b), hbucket_hi(b),
                              c->hist[dir][b])) {
                rec_fail(c);
                return;
            }
}

static void report_progress(struct ctx *c)
{
    if (c->o->progress)
        c->o->progress(c->o->progress_ctx, evq_now(c->q), c->end_time,
                       c->res->rx_delivered + c->res->tx_sent);
}

int run_scenario(const struct scenario *s, const struct run_opts *o, struct run_result *res,
                 char *err, size_t errlen)
{
    memset(res, 0, sizeof(*res));
    struct ctx *c = calloc(1, sizeof(*c));
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    c->s = s;
    c->o = o;
    c->res = res;
    c->err = err;
    c->errlen = errlen;
    c->end_time = UINT64_MAX;
    int rc = -1;
    const char *db = o->db ? o->db : s->record.db;
    char dirbuf[SCEN_STR];
    snprintf(dirbuf, sizeof(dirbuf), "%s", s->path[0] ? s->path : ".");
    const char *base = s->path[0] ? dirname(dirbuf) : ".";

    struct e1k_config cfg;
    e1k_config_default(&cfg);
    if (parse_mac(s->device.mac, cfg.mac)) {
        snprintf(err, errlen, "device.mac: '%s' is not a MAC address", s->device.mac);
        goto out;
    }
    if (s->device.timing == SCEN_TIMING_FUNCTIONAL)
        e1k_timing_functional(&cfg.timing);
    cfg.timing.autoneg_ps = s->device.autoneg_ps;
    if (s->device.timing != SCEN_TIMING_FUNCTIONAL) {
        cfg.timing.pci_mhz = (unsigned)s->device.pci_mhz;
        cfg.timing.dma_read_latency_ps = s->device.dma_read_latency_ps;
    }
    cfg.partner_speeds = (unsigned)s->device.partner_speeds;
    cfg.subsys_vendor_id = (uint16_t)s->device.subsystem_vendor_id;
    cfg.subsys_id = (uint16_t)s->device.subsystem_id;
    cfg.mitigation = s->device.mitigation == SCEN_MIT_QEMU ? E1K_MIT_QEMU : E1K_MIT_SDM;

    c->q = evq_new();
    c->mem = gmem_new(GMEM_DEFAULT_SIZE);
    if (!c->q || !c->mem) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    struct simnic_hooks hk = {
        .ctx = c, .irq = on_irq, .anomaly = on_anomaly, .tx_frame = on_tx_frame,
        .frame_event = on_frame_event, .dma_read = on_dma_rd, .dma_write = on_dma_wr,
    };
    c->nic = simnic_new(c->q, &cfg, &hk);
    if (!c->nic) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    c->dev = simnic_dev(c->nic);
    /* As firmware would: BARs assigned, the register BAR is no RAM. */
    e1k_pci_write(c->dev, 0x10, 0xFEBC0000u, 4);
    e1k_pci_write(c->dev, 0x18, 0xC000u, 4);
    gmem_add_hole(c->mem, 0xFEBC0000u, E1K_MMIO_SIZE);

    if (s->traffic.rx.source != SCEN_SRC_NONE &&
        !(c->rx_src = tsrc_new(&s->traffic.rx, 0, base, cfg.mac, s->seed, err, errlen)))
        goto out;
    if (s->traffic.tx.source != SCEN_SRC_NONE &&
        !(c->tx_src = tsrc_new(&s->traffic.tx, 1, base, cfg.mac, s->seed, err, errlen)))
        goto out;
    evq_event_init(&c->ev_rx, rx_arrive, c);
    evq_event_init(&c->ev_tx, tx_offer, c);
    if (s->record.pcap_rx[0] && pcapout_open(s->record.pcap_rx, &c->pc_rx, err, errlen))
        goto out;
    if (s->record.pcap_tx[0] && pcapout_open(s->record.pcap_tx, &c->pc_tx, err, errlen))
        goto out;

    static char params[RUN_PARAMS_MAX];
    if (fill_params(s, params, sizeof(params))) {
        snprintf(err, errlen, "%s: the resolved parameters do not fit in %d bytes",
                 s->path[0] ? s->path : s->name, RUN_PARAMS_MAX);
        goto out;
    }
    if (db && db[0]) {
        if (rec_open(db, &c->rec, err, errlen))
            goto out;
        if (rec_run_begin(c->rec, "run", s->path[0] ? s->path : s->name, s->seed, params,
                          &c->run_id))
            goto out; /* the recorder wrote the message into err */
        char key[17];
        run_key(s, params, key);
        if (rec_run_key(c->rec, c->run_id, key))
            goto out;
        res->run_id = c->run_id;
    }

    struct drv_params dp;
    drv_params_from(s, &dp);
    dp.mmio_read_ps = e1k_get_timing(c->dev)->mmio_read_ps;
    dp.mmio_write_ps = e1k_get_timing(c->dev)->mmio_write_ps;
    struct drv_hooks dh = {
        .ctx = c, .carrier = on_carrier, .rx_deliver = on_rx_deliver,
        .tx_queued = on_tx_queued, .tx_doorbell = on_tx_doorbell, .tx_cleaned = on_tx_cleaned,
        .tx_dropped = on_tx_dropped,
        .mmio = s->record.reg_accesses ? on_mmio : NULL,
    };
    c->drv = drv_new(c->q, c->dev, c->mem, &dp, &dh);
    if (!c->drv) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    char derr[256];
    if (drv_start(c->drv, derr, sizeof(derr))) {
        snprintf(err, errlen, "driver probe failed: %s", derr);
        goto out;
    }

    /* Wait for the carrier, then run the measured duration, then drain. */
    int stopped = 0;
    uint64_t deadline = evq_now(c->q) + LINK_WAIT_PS;
    while (!c->traffic_on && !stopped && !c->failed && evq_now(c->q) < deadline) {
        evq_run_until(c->q, evq_now(c->q) + SLICE_PS);
        report_progress(c);
        stopped = o->stop && *o->stop;
    }
    if (!c->traffic_on && !stopped && !c->failed) {
        snprintf(err, errlen, "the link never came up within %llu s of simulated time",
                 (unsigned long long)(LINK_WAIT_PS / 1000000000000ull));
        goto out;
    }
    while (!stopped && !c->failed && !c->rec_failed && evq_now(c->q) < c->end_time) {
        uint64_t until = evq_now(c->q) + SLICE_PS;
        evq_run_until(c->q, until < c->end_time ? until : c->end_time);
        report_progress(c);
        stopped = o->stop && *o->stop;
    }
    c->traffic_ended = 1;
    uint64_t drain_end = evq_now(c->q) + DRAIN_PS;
    while (!stopped && !c->failed && (c->rxf.n || c->txf.n) && evq_now(c->q) < drain_end) {
        evq_run_until(c->q, evq_now(c->q) + SLICE_PS);
        report_progress(c);
        stopped = o->stop && *o->stop;
    }
    if (c->failed)
        goto out;

    res->complete = !stopped;
    res->sim_time_ps = evq_now(c->q);
    res->measured_ps = (stopped ? evq_now(c->q) : c->end_time) - c->origin;
    /* VM exits and CPU time over the measured period only (not probe). */
    const struct drv_stats *ds = drv_stats(c->drv);
    res->mmio_accesses = ds->mmio_reads + ds->mmio_writes + ds->io_accesses -
                         (c->ds0.mmio_reads + c->ds0.mmio_writes + c->ds0.io_accesses);
    uint64_t frames = res->rx_delivered + res->tx_sent;
    double secs = (double)res->measured_ps / 1e12;
    res->irq_per_s = secs > 0 ? (double)res->interrupts / secs : 0;
    res->irq_per_frame = frames ? (double)res->interrupts / (double)frames : 0;
    res->exits_per_frame = frames ? (double)res->mmio_accesses / (double)frames : 0;
    uint64_t span = res->sim_time_ps - c->origin;
    res->cpu_busy = span ? (double)(ds->cpu_busy_ps - c->ds0.cpu_busy_ps) / (double)span : 0;
    uint64_t n = 0;
    for (unsigned b = 0; b < HBUCKETS; b++)
        n += c->hist[0][b];
    res->lat_frames = n;
    static const double ps[] = { 0.50, 0.90, 0.99, 0.999, 1.0 };
    for (int i = 0; i < 5; i++)
        res->lat_ns[i] = hist_pct(c->hist[0], n, ps[i]);
    res->lat_ns[5] = hist_pct(c->hist[0], n, 0.0);
    write_counters(c);
    rc = 0;
out:;
    /* the frame captures are part of the results: closed before the run is
     * marked complete */
    char perr[256];
    if (c->pc_rx && pcapout_close(c->pc_rx, perr, sizeof(perr)) && !rc) {
        snprintf(err, errlen, "%s", perr);
        rc = -1;
    }
    if (c->pc_tx && pcapout_close(c->pc_tx, perr, sizeof(perr)) && !rc) {
        snprintf(err, errlen, "%s", perr);
        rc = -1;
    }
    res->started = c->q && evq_now(c->q) > 0 && !res->bad_input;
    if (c->rec) {
        /* a recorder failure leaves the run 'incomplete' (the write that
         * failed may be the very one that would mark it 'failed') */
        const char *status = rc ? "failed" : res->complete ? "complete" : "incomplete";
        if (!c->rec_failed &&
            rec_run_end(c->rec, c->run_id, status, evq_now(c->q), res->anomalies) && !rc)
            rc = -1; /* message in err */
        if (c->rec_failed && !rc)
            rc = -1;
        if (rec_close(c->rec) && !rc) {
            snprintf(err, errlen, "%s: cannot commit the results", db);
            rc = -1;
        }
    }
    drv_free(c->drv);
    tsrc_free(c->rx_src);
    tsrc_free(c->tx_src);
    simnic_free(c->nic);
    evq_free(c->q);
    gmem_free(c->mem);
    free(c->rxf.a);
    free(c->txf.a);
    free(c);
    return rc;
}
