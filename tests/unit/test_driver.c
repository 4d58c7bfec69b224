/* The simulated Linux e1000 driver against the model: the interrupt / NAPI
 * handshake of e1000_intr + e1000_clean (ICR read, IMC all, poll with a
 * budget of 64, RDT written every 16 buffers, IMS re-enabled only when the
 * poll finishes under budget), the adaptive ITR of e1000_update_itr /
 * e1000_set_itr (modes 1 and 3, quarter steps towards higher rates), and
 * the poll-mode driver (no interrupts). The wiring is run.c's, minimal:
 * event queue, guest memory, the model behind sim/nic, the driver. Every
 * register access, interrupt edge, ISR and delivered frame is logged in one
 * sequence so that orderings can be checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver.h"
#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"
#include "evq.h"
#include "gmem.h"
#include "nic.h"

#define US 1000000ull
#define MS 1000000000ull
#define IMS_ENABLE (E1K_ICR_RXT0 | E1K_ICR_TXDW | E1K_ICR_RXDMT0 | E1K_ICR_RXSEQ | E1K_ICR_LSC)

enum lk { L_RD, L_WR, L_EDGE, L_ISR, L_RX };

struct logent {
    enum lk k;
    uint32_t off, val; /* register; ICR (isr); IMS at delivery (rx) */
    uint64_t t;
    uint32_t len;      /* rx: delivered length */
    uint8_t *data;     /* rx: copy of the bytes */
};

struct env {
    struct evq *q;
    struct gmem *mem;
    struct simnic *nic;
    struct e1k_dev *dev;
    struct driver *drv;
    uint8_t mac[6];
    int carrier;
    struct logent *log;
    size_t nlog, cap;
    int logging;
    /* a frame generator: one frame every `period`, `left` more to go */
    struct evq_event gen;
    uint64_t gen_period;
    unsigned gen_left;
    size_t gen_len;
    unsigned seq;
    /* ITR values the driver wrote from probe to the end of env_new */
    uint32_t boot_itr[16];
    size_t n_boot_itr;
};

static unsigned g_tx_batch = 1;
static struct env *g_env; /* the test's environment: freed by teardown */

static void logit(struct env *e, struct logent l)
{
    if (!e->logging)
        return;
    if (e->nlog == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 4096;
        e->log = realloc(e->log, e->cap * sizeof(*e->log));
        assert_non_null(e->log);
    }
    e->log[e->nlog++] = l;
}

static void clear_log(struct env *e)
{
    for (size_t i = 0; i < e->nlog; i++)
        free(e->log[i].data);
    e->nlog = 0;
}

/* ---- hooks ---- */

static void on_irq(void *ctx, int level, uint64_t t)
{
    struct env *e = ctx;
    if (level)
        logit(e, (struct logent){ .k = L_EDGE, .t = t });
    if (e->drv)
        drv_irq(e->drv, level);
}

static int on_dma_rd(void *ctx, enum e1k_dma_kind k, uint64_t a, void *b, size_t n)
{
    return gmem_dma_read(((struct env *)ctx)->mem, k, a, b, n);
}

static int on_dma_wr(void *ctx, enum e1k_dma_kind k, uint64_t a, const void *b, size_t n)
{
    return gmem_dma_write(((struct env *)ctx)->mem, k, a, b, n);
}

static void on_carrier(void *ctx, int up, uint64_t t) { ((struct env *)ctx)->carrier = up; }

static void on_rx(void *ctx, const uint8_t *f, size_t len, uint64_t handler, uint64_t t)
{
    struct env *e = ctx;
    struct logent l = { .k = L_RX, .t = t, .len = (uint32_t)len,
                        .val = e1k_reg_peek(e->dev, E1K_REG_IMS) };
    if (f) {
        l.data = malloc(len ? len : 1);
        memcpy(l.data, f, len);
    }
    logit(e, l);
}

static void on_isr(void *ctx, uint32_t icr, uint64_t t)
{
    logit(ctx, (struct logent){ .k = L_ISR, .val = icr, .t = t });
}

static void on_mmio(void *ctx, int w, uint32_t off, uint32_t val, uint64_t t)
{
    logit(ctx, (struct logent){ .k = w ? L_WR : L_RD, .off = off, .val = val, .t = t });
}

/* ---- frames ---- */

/* IEEE 802.3 CRC-32, bit by bit (independent of the model's). */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

/* Frame `seq` of `len` bytes (before the FCS) to our MAC, FCS appended. */
static size_t mkframe(struct env *e, uint8_t *f, size_t len, unsigned seq)
{
    memcpy(f, e->mac, 6);
    static const uint8_t sa[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };
    memcpy(f + 6, sa, 6);
    f[12] = 0x88;
    f[13] = 0xB5;
    f[14] = (uint8_t)(seq >> 8);
    f[15] = (uint8_t)seq;
    for (size_t i = 16; i < len; i++)
        f[i] = (uint8_t)(seq * 13 + i * 7);
    uint32_t c = crc32_ieee(f, len);
    for (int i = 0; i < 4; i++)
        f[len + i] = (uint8_t)(c >> (8 * i));
    return len + 4;
}

static void inject(struct env *e, size_t len)
{
    uint8_t f[2048];
    size_t n = mkframe(e, f, len, e->seq++);
    assert_int_equal(e1k_rx_frame(e->dev, f, n), E1K_RX_ACCEPTED);
}

static void gen_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct env *e = arg;
    if (!e->gen_left)
        return;
    inject(e, e->gen_len);
    if (--e->gen_left)
        evq_schedule(q, ev, evq_now(q) + e->gen_period, EVQ_PRIO_DEFAULT);
}

static void generate(struct env *e, unsigned n, uint64_t period, size_t len)
{
    e->gen_left = n;
    e->gen_period = period;
    e->gen_len = len;
    evq_schedule(e->q, &e->gen, evq_now(e->q), EVQ_PRIO_DEFAULT);
}

/* ---- set-up ---- */

static struct env *env_new(enum drv_model model, int64_t itr)
{
    struct env *e = calloc(1, sizeof(*e));
    g_env = e;
    struct e1k_config cfg;
    e1k_config_default(&cfg);
    e1k_timing_functional(&cfg.timing);
    memcpy(e->mac, cfg.mac, 6);
    e->q = evq_new();
    e->mem = gmem_new(GMEM_DEFAULT_SIZE);
    struct simnic_hooks hk = { .ctx = e, .irq = on_irq, .dma_read = on_dma_rd,
                               .dma_write = on_dma_wr };
    e->nic = simnic_new(e->q, &cfg, &hk);
    e->dev = simnic_dev(e->nic);
    e1k_pci_write(e->dev, 0x10, 0xFEBC0000u, 4);
    e1k_pci_write(e->dev, 0x18, 0xC000u, 4);
    gmem_add_hole(e->mem, 0xFEBC0000u, 0x20000);
    evq_event_init(&e->gen, gen_fn, e);

    struct drv_params p;
    drv_params_default(&p);
    p.model = model;
    p.itr = itr;
    p.tx_batch = g_tx_batch;
    p.mmio_read_ps = e1k_get_timing(e->dev)->mmio_read_ps;
    p.mmio_write_ps = e1k_get_timing(e->dev)->mmio_write_ps;
    struct drv_hooks dh = { .ctx = e, .carrier = on_carrier, .rx_deliver = on_rx,
                            .isr = on_isr, .mmio = on_mmio };
    e->drv = drv_new(e->q, e->dev, e->mem, &p, &dh);
    assert_non_null(e->drv);
    e->logging = 1;
    char err[256];
    if (drv_start(e->drv, err, sizeof(err)))
        fail_msg("drv_start: %s", err);
    uint64_t limit = evq_now(e->q) + 10000 * MS;
    while (!e->carrier && evq_now(e->q) < limit)
        evq_run_until(e->q, evq_now(e->q) + MS);
    assert_true(e->carrier);
    /* let the link-up interrupt and its poll finish */
    evq_run_until(e->q, evq_now(e->q) + 20 * MS);
    for (size_t i = 0; i < e->nlog; i++)
        if (e->log[i].k == L_WR && e->log[i].off == E1K_REG_ITR && e->n_boot_itr < 16)
            e->boot_itr[e->n_boot_itr++] = e->log[i].val;
    clear_log(e);
    return e;
}

static void env_free(struct env *e)
{
    g_env = NULL;
    clear_log(e);
    free(e->log);
    drv_free(e->drv);
    simnic_free(e->nic);
    evq_free(e->q);
    gmem_free(e->mem);
    free(e);
}

static void run_for(struct env *e, uint64_t ps) { evq_run_until(e->q, evq_now(e->q) + ps); }

static size_t count(const struct env *e, enum lk k, uint32_t off)
{
    size_t n = 0;
    for (size_t i = 0; i < e->nlog; i++)
        n += e->log[i].k == k && (k == L_RD || k == L_WR ? e->log[i].off == off : 1);
    return n;
}

/* Index of the first entry at or after `from` of kind k (and offset, for
 * register accesses), or SIZE_MAX. */
static size_t find(const struct env *e, size_t from, enum lk k, uint32_t off)
{
    for (size_t i = from; i < e->nlog; i++)
        if (e->log[i].k == k && (k == L_RD || k == L_WR ? e->log[i].off == off : 1))
            return i;
    return SIZE_MAX;
}

/* The frames delivered since the log was cleared are frames first..first+n-1
 * of length len, in order, byte for byte (the FCS removed). */
static void check_delivered(struct env *e, unsigned first, unsigned n, size_t len)
{
    unsigned k = 0;
    for (size_t i = 0; i < e->nlog; i++) {
        if (e->log[i].k != L_RX)
            continue;
        assert_true(k < n);
        uint8_t f[2048];
        mkframe(e, f, len, first + k);
        assert_non_null(e->log[i].data);
        assert_int_equal(e->log[i].len, len);
        assert_memory_equal(e->log[i].data, f, len);
        k++;
    }
    assert_int_equal(k, n);
}

/* ---- the handshake ---- */

static void test_driver_isr_napi_handshake(void **state)
{
    struct env *e = env_new(DRV_LINUX, 3);
    /* InterruptThrottleRate 3: e1000_configure_rx writes 20000/s, ITR =
     * 10^9 / (20000 x 256) = 195. The poll after the link-change interrupt
     * that e1000_open raises runs before the watchdog has seen the link:
     * below gigabit e1000_set_itr fixes 4000/s (976). The watchdog's
     * RXDMT0 interrupt after link-up finds gigabit and no traffic:
     * low_latency, 20000/s, approached by a quarter step: 9000/s (434). */
    static const uint32_t boot[] = { 195, 976, 434 };
    assert_int_equal(e->n_boot_itr, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(e->boot_itr[i], boot[i]);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_ITR), 434);
    /* the driver enabled RXT0 | TXDW | RXDMT0 | RXSEQ | LSC; RXSEQ (bit 3)
     * is reserved on the 82540EM and reads 0 */
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_IMS), IMS_ENABLE & ~E1K_ICR_RXSEQ);
    const struct drv_stats *st = drv_stats(e->drv);
    uint64_t irqs0 = st->irqs, polls0 = st->polls;

    for (unsigned k = 0; k < 10; k++)
        inject(e, 60);
    run_for(e, 2 * MS);

    /* one interrupt, one ISR, one poll */
    assert_int_equal(count(e, L_EDGE, 0), 1);
    assert_int_equal(count(e, L_ISR, 0), 1);
    assert_int_equal(st->irqs - irqs0, 1);
    assert_int_equal(st->polls - polls0, 1);
    size_t edge = find(e, 0, L_EDGE, 0);
    /* the ISR reads ICR first: RXT0 (RDTR = 0: each frame at once) */
    size_t icr = find(e, edge, L_RD, E1K_REG_ICR);
    assert_true(icr != SIZE_MAX);
    assert_int_equal(e->log[icr].val, E1K_ICR_RXT0);
    assert_int_equal(e->log[find(e, 0, L_ISR, 0)].val, E1K_ICR_RXT0);
    /* then masks everything with IMC and flushes (a STATUS read) */
    size_t imc = find(e, icr, L_WR, E1K_REG_IMC);
    assert_int_equal(e->log[icr + 1].k, L_ISR); /* (the hook, not an access) */
    assert_int_equal(imc, icr + 2);
    assert_int_equal(e->log[imc].val, 0xFFFFFFFFu);
    assert_int_equal(e->log[imc + 1].k, L_RD);
    assert_int_equal(e->log[imc + 1].off, E1K_REG_STATUS);
    /* the frames reach the stack in order, intact, with IMS reading 0 */
    check_delivered(e, 0, 10, 60);
    size_t last_rx = 0;
    for (size_t i = 0; i < e->nlog; i++)
        if (e->log[i].k == L_RX) {
            assert_true(i > imc);
            assert_int_equal(e->log[i].val, 0);
            last_rx = i;
        }
    /* and then, under budget, IMS = IMS_ENABLE_MASK is written once */
    assert_int_equal(count(e, L_WR, E1K_REG_IMS), 1);
    size_t ims = find(e, 0, L_WR, E1K_REG_IMS);
    assert_true(ims > last_rx);
    assert_int_equal(e->log[ims].val, IMS_ENABLE);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_IMS), IMS_ENABLE & ~E1K_ICR_RXSEQ);
    /* the stack's bookkeeping */
    assert_int_equal(st->rx_frames, 10);
    assert_int_equal(st->rx_bytes, 600);
    /* ten cleaned buffers: fewer than 16, given back when the poll ends */
    assert_int_equal(count(e, L_WR, E1K_REG_RDT), 1);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_RDT), 8); /* next_to_use 9, minus 1 */
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_RDH), 10);
    assert_int_equal(e1k_anomaly_total(e->dev), 0);
    env_free(e);
}

static void test_driver_napi_budget(void **state)
{
    struct env *e = env_new(DRV_LINUX, 3);
    const struct drv_stats *st = drv_stats(e->drv);
    uint64_t polls0 = st->polls;
    for (unsigned k = 0; k < 100; k++)
        inject(e, 60);
    run_for(e, 5 * MS);

    assert_int_equal(count(e, L_EDGE, 0), 1);
    assert_int_equal(count(e, L_ISR, 0), 1);
    check_delivered(e, 0, 100, 60);
    /* 64 in the first poll (the budget), which re-schedules itself without
     * re-enabling interrupts; 36 in the second, which does */
    assert_int_equal(st->polls - polls0, 2);
    assert_int_equal(count(e, L_WR, E1K_REG_IMS), 1);
    size_t ims = find(e, 0, L_WR, E1K_REG_IMS);
    size_t rx = 0;
    for (size_t i = 0; i < e->nlog; i++)
        if (e->log[i].k == L_RX) {
            assert_true(i < ims);
            assert_int_equal(e->log[i].val, 0);
            rx++;
        }
    assert_int_equal(rx, 100);
    /* RDT: every 16 cleaned buffers (the ring was filled up to 254, the
     * Linux way: RDT = next_to_use - 1), then the rest when the poll ends */
    static const uint32_t want[] = { 14, 30, 46, 62, 78, 94, 98 };
    size_t n = 0;
    for (size_t i = 0; i < e->nlog; i++)
        if (e->log[i].k == L_WR && e->log[i].off == E1K_REG_RDT) {
            assert_true(n < 7);
            assert_int_equal(e->log[i].val, want[n]);
            n++;
        }
    assert_int_equal(n, 7);
    /* the fourth RDT write (62) comes with the 64th frame, before the
     * second poll's first frame */
    size_t k64 = 0, seen = 0;
    for (size_t i = 0; i < e->nlog && !k64; i++)
        if (e->log[i].k == L_RX && ++seen == 64)
            k64 = i;
    size_t w62 = SIZE_MAX;
    for (size_t i = 0; i < e->nlog; i++)
        if (e->log[i].k == L_WR && e->log[i].off == E1K_REG_RDT && e->log[i].val == 62)
            w62 = i;
    assert_true(w62 > k64);
    assert_true(find(e, k64 + 1, L_RX, 0) > w62);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_RDH), 100);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_MPC), 0);
    env_free(e);
}

/* ---- adaptive ITR ---- */

/* The values written to ITR since the log was cleared. */
static size_t itr_writes(const struct env *e, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < e->nlog; i++)
        if (e->log[i].k == L_WR && e->log[i].off == E1K_REG_ITR && n < max)
            out[n++] = e->log[i].val;
    return n;
}

/* Mode 3 ("dynamic conservative") never goes to lowest_latency (70000/s):
 * small frames, sparse or dense, stay at low_latency (20000/s, ITR 195). */
static void test_driver_itr_mode3_small(void **state)
{
    struct env *e = env_new(DRV_LINUX, 3);
    uint32_t w[64];
    /* sparse: one frame per millisecond (1 packet, 60 bytes per interrupt:
     * lowest_latency by e1000_update_itr, capped to low_latency) */
    generate(e, 20, 1 * MS, 60);
    run_for(e, 25 * MS);
    /* dense: one frame per microsecond, ~50 per interrupt */
    generate(e, 2000, 1 * US, 60);
    run_for(e, 5 * MS);
    assert_int_equal(count(e, L_RX, 0), 2020);
    /* from 9000/s after link-up (see the handshake test) up to 20000/s in
     * quarter steps, and no further */
    static const uint32_t want[] = { 279, 205, 195 };
    assert_int_equal(itr_writes(e, w, 64), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(w[i], want[i]);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_ITR), 195);
    assert_int_equal(drv_stats(e->drv)->itr_rate, 20000);
    env_free(e);
}

/* Bulk (large frames, > 10000 bytes per interrupt) drops to 4000/s at once
 * (ITR 976); back at low_latency the rate rises in quarter steps of the
 * target: 4000 + 20000/4 = 9000 (ITR 434), 14000 (279), 19000 (205), then
 * 20000 (195). */
static void test_driver_itr_mode3_bulk_and_back(void **state)
{
    struct env *e = env_new(DRV_LINUX, 3);
    uint32_t w[64];
    for (unsigned k = 0; k < 20; k++)
        inject(e, 1514);
    run_for(e, 2 * MS);
    assert_int_equal(count(e, L_RX, 0), 20);
    assert_int_equal(count(e, L_ISR, 0), 1);
    assert_int_equal(itr_writes(e, w, 64), 1);
    assert_int_equal(w[0], 976);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_ITR), 976);
    assert_int_equal(drv_stats(e->drv)->itr_rate, 4000);

    clear_log(e);
    generate(e, 6, 2 * MS, 60);
    run_for(e, 14 * MS);
    assert_int_equal(count(e, L_RX, 0), 6);
    size_t n = itr_writes(e, w, 64);
    static const uint32_t want[] = { 434, 279, 205, 195 };
    assert_int_equal(n, 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(w[i], want[i]);
    assert_int_equal(drv_stats(e->drv)->itr_rate, 20000);
    env_free(e);
}

/* Mode 1 ("dynamic"): sparse small frames are lowest_latency, 70000/s,
 * approached in quarter steps of 70000 (17500). In Linux adapter->rx_itr
 * and tx_itr start at 0 = lowest_latency (the adapter is zeroed by
 * alloc_etherdev and nothing sets them) and a direction without traffic
 * keeps its class (e1000_update_itr returns it for 0 packets). So: open
 * 20000/s (195); the link-change poll before link-up 4000/s (976); the
 * watchdog's RXDMT0 poll at gigabit: lowest, 4000 + 17500 = 21500 (181);
 * then one small frame per interrupt: 39000 (100), 56500 (69), 70000 (55). */
static void test_driver_itr_mode1_lowest(void **state)
{
    struct env *e = env_new(DRV_LINUX, 1);
    static const uint32_t boot[] = { 195, 976, 181 };
    assert_int_equal(e->n_boot_itr, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(e->boot_itr[i], boot[i]);
    uint32_t w[64];
    generate(e, 5, 2 * MS, 60);
    run_for(e, 12 * MS);
    assert_int_equal(count(e, L_RX, 0), 5);
    size_t n = itr_writes(e, w, 64);
    static const uint32_t want[] = { 100, 69, 55 };
    assert_int_equal(n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(w[i], want[i]);
    assert_int_equal(drv_stats(e->drv)->itr_rate, 70000);
    env_free(e);
}

/* Mode 3 caps the transmit class too (e1000_set_itr: "conservative mode
 * (itr 3) eliminates the lowest_latency setting", applied to tx_itr and to
 * rx_itr). A sparse small transmit leaves tx_itr at low_latency, so a burst
 * of 12 full frames (18000 bytes in one interrupt: bytes/packet 1500 >
 * 1200) is bulk: 4000/s, ITR 976. */
static void test_driver_itr_mode3_tx_class(void **state)
{
    g_tx_batch = 16; /* the burst goes out with one TDT write */
    struct env *e = env_new(DRV_LINUX, 3);
    g_tx_batch = 1;
    uint8_t f[1500];
    memset(f, 0x5A, sizeof(f));
    memcpy(f, "\x02\x00\x00\x00\x00\x02", 6);
    memcpy(f + 6, e->mac, 6);
    f[12] = 0x88;
    f[13] = 0xB5;
    /* one small frame: its completion interrupt and poll */
    assert_int_equal(drv_xmit(e->drv, f, 60, 1), 0);
    run_for(e, 2 * MS);
    assert_true(count(e, L_ISR, 0) >= 1);
    assert_int_equal(drv_stats(e->drv)->tx_cleaned, 1);
    /* the burst, all on the ring before the first completion interrupt */
    clear_log(e);
    for (unsigned k = 0; k < 12; k++)
        assert_int_equal(drv_xmit(e->drv, f, 1500, 2 + k), 0);
    run_for(e, 5 * MS);
    assert_int_equal(drv_stats(e->drv)->tx_cleaned, 13);
    /* one completion interrupt took all twelve */
    assert_int_equal(count(e, L_ISR, 0), 1);
    uint32_t w[64];
    size_t n = itr_writes(e, w, 64);
    assert_true(n >= 1);
    assert_int_equal(w[0], 976);
    env_free(e);
}

/* A fixed InterruptThrottleRate: ITR = 10^9 / (rate x 256), never changed. */
static void test_driver_itr_fixed(void **state)
{
    struct env *e = env_new(DRV_LINUX, 8000);
    assert_int_equal(e->n_boot_itr, 1);
    assert_int_equal(e->boot_itr[0], 488);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_ITR), 488);
    uint32_t w[8];
    for (unsigned k = 0; k < 20; k++)
        inject(e, 1514);
    run_for(e, 2 * MS);
    generate(e, 10, 1 * MS, 60);
    run_for(e, 12 * MS);
    assert_int_equal(count(e, L_RX, 0), 30);
    assert_int_equal(itr_writes(e, w, 8), 0);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_ITR), 488);
    env_free(e);
}

/* ---- the poll-mode driver ---- */

static void test_driver_poll_mode(void **state)
{
    struct env *e = env_new(DRV_POLL, 0);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_IMS), 0);
    generate(e, 200, 2 * US, 60);
    run_for(e, 2 * MS);
    check_delivered(e, 0, 200, 60);
    assert_int_equal(count(e, L_EDGE, 0), 0);
    assert_int_equal(count(e, L_ISR, 0), 0);
    assert_int_equal(count(e, L_RD, E1K_REG_ICR), 0);
    assert_int_equal(drv_stats(e->drv)->irqs, 0);
    assert_int_equal(e1k_irq_level(e->dev), 0);
    /* the ring was refilled as it went: nothing missed */
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_MPC), 0);
    assert_int_equal(e1k_reg_peek(e->dev, E1K_REG_RNBC), 0);
    env_free(e);
}

/* A failed assertion leaves the test early: free what it built. */
static int teardown(void **state)
{
    g_tx_batch = 1;
    if (g_env)
        env_free(g_env);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_driver_isr_napi_handshake, teardown),
        cmocka_unit_test_teardown(test_driver_napi_budget, teardown),
        cmocka_unit_test_teardown(test_driver_itr_mode3_small, teardown),
        cmocka_unit_test_teardown(test_driver_itr_mode3_bulk_and_back, teardown),
        cmocka_unit_test_teardown(test_driver_itr_mode1_lowest, teardown),
        cmocka_unit_test_teardown(test_driver_itr_mode3_tx_class, teardown),
        cmocka_unit_test_teardown(test_driver_itr_fixed, teardown),
        cmocka_unit_test_teardown(test_driver_poll_mode, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
