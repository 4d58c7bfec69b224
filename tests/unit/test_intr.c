/* Interrupt moderation against timelines computed by hand from the SDM:
 * ITR (13.4.18), the receive packet and absolute delay timers RDTR/RADV
 * (3.2.7.1, 13.4.30/31) with RDTR.FPD, the small-packet detect RSRPD
 * (13.4.32), and the transmit delay timers TIDV/TADV (3.4.1, 13.4.41/44).
 * The device runs with functional timing (DMA costs nothing) unless a test
 * says otherwise, so a frame is written back at the instant it is handed to
 * e1k_rx_frame and a descriptor at the instant TDT covers it. Every expected
 * time is exact to the picosecond. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dev.h"
#include "harness.h"

#define NS 1000ull
#define US 1000000ull
#define ITR_UNIT (256 * NS)     /* SDM 13.4.18 */
#define DELAY_UNIT (1024 * NS)  /* SDM 13.4.30 */
#define NONE UINT64_MAX

static const uint8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t peer[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* The test's device: freed by teardown when an assertion ends it early. */
static struct th *g_th;

static struct th *th_make(int functional)
{
    g_th = th_new(functional);
    return g_th;
}

static void th_done(struct th *h)
{
    if (h == g_th)
        g_th = NULL;
    th_free(h);
}

static int teardown(void **state)
{
    if (g_th)
        th_done(g_th);
    return 0;
}

/* ---- event stepping ---- */

/* Runs events up to `until` and stops right after the first one that
 * raises INTA#: returns its time, or NONE (the clock then stands at
 * `until`). */
static uint64_t run_to_edge(struct th *h, uint64_t until)
{
    unsigned e0 = h->irq_edges;
    while (evq_next_time(h->q) <= until) {
        evq_step(h->q);
        if (h->irq_edges != e0)
            return evq_now(h->q);
    }
    evq_run_until(h->q, until);
    return NONE;
}

static void run_to(struct th *h, uint64_t t)
{
    assert_true(t >= evq_now(h->q));
    evq_run_until(h->q, t);
}

static uint32_t icr_peek(struct th *h) { return e1k_reg_peek(h->d, E1K_REG_ICR); }

/* ---- receive side: a ring as a driver sets one up ---- */

struct rxt {
    struct th *h;
    uint64_t ring, bufs;
    uint32_t n;
};

static struct rxt rx_setup(int functional, uint32_t n, uint32_t rctl)
{
    struct rxt t;
    t.h = th_make(functional);
    t.n = n;
    assert_true(th_link_up(t.h) & E1K_STATUS_LU);
    t.ring = th_rx_ring(t.h, n, 2048, &t.bufs);
    assert_true(t.ring != UINT64_MAX);
    th_wr(t.h, E1K_REG_RDT, n - 1);
    th_wr(t.h, E1K_REG_RCTL, rctl | E1K_RCTL_EN);
    th_wr(t.h, E1K_REG_IMS, E1K_ICR_RXT0);
    th_rd(t.h, E1K_REG_ICR);
    assert_int_equal(t.h->irq, 0);
    return t;
}

/* A unicast frame to us: `len` bytes before the FCS, FCS appended. */
static size_t mkframe(uint8_t *f, size_t len, uint8_t seed)
{
    memcpy(f, our_mac, 6);
    memcpy(f + 6, peer, 6);
    f[12] = 0x88;
    f[13] = 0xB5;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seed + i);
    uint32_t c = e1k_crc32(f, len);
    for (int i = 0; i < 4; i++)
        f[len + i] = (uint8_t)(c >> (8 * i));
    return len + 4;
}

static void rx_one(struct rxt *t, size_t len)
{
    uint8_t f[2048];
    size_t n = mkframe(f, len, (uint8_t)evq_now(t->h->q));
    assert_int_equal(e1k_rx_frame(t->h->d, f, n), E1K_RX_ACCEPTED);
}

/* Frames (60 bytes + FCS) at absolute times ft[], the clock run to `end`;
 * at every rising edge of INTA# the "ISR" reads ICR at once. The edge
 * times land in edges[] and the ICR values read in icrs[]. */
static unsigned play(struct rxt *t, const uint64_t *ft, unsigned nf, uint64_t end,
                     uint64_t *edges, uint32_t *icrs, unsigned max)
{
    unsigned k = 0, ne = 0;
    for (;;) {
        uint64_t next = k < nf ? ft[k] : NONE;
        uint64_t limit = next < end ? next : end;
        uint64_t e = run_to_edge(t->h, limit);
        if (e != NONE) {
            assert_true(ne < max);
            edges[ne] = e;
            icrs[ne++] = th_rd(t->h, E1K_REG_ICR);
            assert_int_equal(t->h->irq, 0);
            continue;
        }
        if (k < nf && next <= end) {
            run_to(t->h, next);
            rx_one(t, 60);
            k++;
            continue;
        }
        return ne;
    }
}

/* ---- ITR ---- */

static void test_intr_itr_spacing(void **state)
{
    struct th *h = th_make(1);
    const uint64_t N = 100, I = N * ITR_UNIT; /* 25.6 us */
    th_wr(h, E1K_REG_ITR, (uint32_t)N);
    th_wr(h, E1K_REG_IMS, E1K_ICR_TXDW);
    run_to(h, 1000 * US);
    uint64_t t0 = evq_now(h->q);

    /* the first assertion is immediate */
    th_wr(h, E1K_REG_ICS, E1K_ICR_TXDW);
    assert_int_equal(h->irq, 1);
    assert_int_equal(h->irq_edges, 1);
    /* reading ICR deasserts at once; a cause raised back to back waits for
     * exactly N x 256 ns after the previous assertion */
    for (unsigned k = 1; k <= 4; k++) {
        assert_int_equal(th_rd(h, E1K_REG_ICR), E1K_ICR_TXDW);
        assert_int_equal(h->irq, 0);
        th_wr(h, E1K_REG_ICS, E1K_ICR_TXDW);
        assert_int_equal(h->irq, 0);
        assert_int_equal(run_to_edge(h, t0 + k * I - 1), NONE);
        assert_int_equal(icr_peek(h), E1K_ICR_TXDW); /* pending, held */
        assert_int_equal(run_to_edge(h, t0 + k * I), t0 + k * I);
        assert_int_equal(h->irq_edges, k + 1);
    }
    /* a cause raised 10 us into the interval is held to its end, not for
     * a whole interval from the cause */
    uint64_t t1 = t0 + 4 * I;
    th_rd(h, E1K_REG_ICR);
    run_to(h, t1 + 10 * US);
    th_wr(h, E1K_REG_ICS, E1K_ICR_TXDW);
    assert_int_equal(h->irq, 0);
    assert_int_equal(run_to_edge(h, t1 + 2 * I), t1 + I);

    /* idle for longer than the interval: immediate again */
    uint64_t t2 = t1 + I;
    th_rd(h, E1K_REG_ICR);
    run_to(h, t2 + 3 * I);
    th_wr(h, E1K_REG_ICS, E1K_ICR_TXDW);
    assert_int_equal(h->irq, 1);
    assert_int_equal(h->irq_edges, 7);

    /* a held cause acknowledged (ICR read) before the interval ends: no
     * assertion when it ends, nothing pending */
    uint64_t t3 = evq_now(h->q);
    th_rd(h, E1K_REG_ICR);
    th_wr(h, E1K_REG_ICS, E1K_ICR_TXDW);
    run_to(h, t3 + I / 2);
    th_rd(h, E1K_REG_ICR);
    assert_int_equal(run_to_edge(h, t3 + 3 * I), NONE);
    assert_int_equal(h->irq_edges, 7);
    /* masked causes are held back by IMS, not by ITR */
    th_wr(h, E1K_REG_ICS, E1K_ICR_LSC);
    assert_int_equal(run_to_edge(h, t3 + 5 * I), NONE);
    th_wr(h, E1K_REG_IMS, E1K_ICR_LSC);
    assert_int_equal(h->irq, 1);
    assert_int_equal(h->irq_edges, 8);
    th_rd(h, E1K_REG_ICR);

    /* ITR = 0: no throttling at all */
    th_wr(h, E1K_REG_ITR, 0);
    for (unsigned k = 0; k < 5; k++) {
        th_wr(h, E1K_REG_ICS, E1K_ICR_TXDW);
        assert_int_equal(h->irq, 1);
        th_rd(h, E1K_REG_ICR);
    }
    assert_int_equal(h->irq_edges, 13);
    assert_int_equal(e1k_anomaly_total(h->d), 0);
    th_done(h);
}

/* The largest interval, 65535 x 256 ns = 16.776960 ms, to the picosecond. */
static void test_intr_itr_max(void **state)
{
    struct th *h = th_make(1);
    th_wr(h, E1K_REG_ITR, 0xFFFF);
    th_wr(h, E1K_REG_IMS, E1K_ICR_TXDW);
    uint64_t t0 = evq_now(h->q);
    th_wr(h, E1K_REG_ICS, E1K_ICR_TXDW);
    th_rd(h, E1K_REG_ICR);
    th_wr(h, E1K_REG_ICS, E1K_ICR_TXDW);
    assert_int_equal(run_to_edge(h, t0 + 20000 * US), t0 + 16776960 * NS);
    th_done(h);
}

/* ---- RDTR / RADV ---- */

static void test_intr_rdtr_restart(void **state)
{
    struct rxt t = rx_setup(1, 64, 0);
    th_wr(t.h, E1K_REG_RDTR, 16); /* 16.384 us */
    th_wr(t.h, E1K_REG_RADV, 0);
    uint64_t t0 = evq_now(t.h->q) + 100 * US;
    uint64_t ft[] = { t0, t0 + 10 * US, t0 + 20 * US };
    uint64_t e[8];
    uint32_t icr[8];
    /* each frame restarts the packet timer: RXT0 16.384 us after the last */
    unsigned ne = play(&t, ft, 3, t0 + 200 * US, e, icr, 8);
    assert_int_equal(ne, 1);
    assert_int_equal(e[0], t0 + 20 * US + 16 * DELAY_UNIT);
    assert_int_equal(icr[0] & E1K_ICR_RXT0, E1K_ICR_RXT0);
    /* all three were written back long before */
    assert_int_equal(e1k_reg_peek(t.h->d, E1K_REG_RDH), 3);

    /* RDTR = 0: every frame at once */
    th_wr(t.h, E1K_REG_RDTR, 0);
    uint64_t t1 = evq_now(t.h->q) + 10 * US;
    uint64_t ft2[] = { t1, t1 + 1 * US };
    ne = play(&t, ft2, 2, t1 + 100 * US, e, icr, 8);
    assert_int_equal(ne, 2);
    assert_int_equal(e[0], t1);
    assert_int_equal(e[1], t1 + 1 * US);
    assert_int_equal(e1k_anomaly_total(t.h->d), 0);
    th_done(t.h);
}

/* With the default (hardware-like) timing the frame is written back after
 * its DMA: the descriptor fetch, the data and the write-back. The packet
 * timer starts then, so RXT0 follows the last frame by that DMA time plus
 * RDTR, exactly. */
static void test_intr_rdtr_with_dma_time(void **state)
{
    struct rxt t = rx_setup(0, 64, 0);
    th_wr(t.h, E1K_REG_RDTR, 16);
    th_wr(t.h, E1K_REG_RADV, 0);
    uint64_t dma = e1k_dma_cost(t.h->d, 1, 16) + e1k_dma_cost(t.h->d, 0, 64) +
                   e1k_dma_cost(t.h->d, 0, 16);
    assert_true(dma > 0);
    uint64_t t0 = evq_now(t.h->q) + 100 * US;
    uint64_t ft[] = { t0, t0 + 10 * US, t0 + 20 * US };
    uint64_t e[8];
    uint32_t icr[8];
    unsigned ne = play(&t, ft, 3, t0 + 200 * US, e, icr, 8);
    assert_int_equal(ne, 1);
    assert_int_equal(e[0], t0 + 20 * US + dma + 16 * DELAY_UNIT);
    th_done(t.h);
}

static void test_intr_radv_cap(void **state)
{
    struct rxt t = rx_setup(1, 64, 0);
    th_wr(t.h, E1K_REG_RDTR, 16); /* 16.384 us */
    th_wr(t.h, E1K_REG_RADV, 32); /* 32.768 us */
    uint64_t t0 = evq_now(t.h->q) + 100 * US;
    uint64_t ft[8];
    for (unsigned k = 0; k < 8; k++)
        ft[k] = t0 + k * 10 * US; /* 0, 10, ..., 70 us */
    uint64_t e[8];
    uint32_t icr[8];
    unsigned ne = play(&t, ft, 8, t0 + 500 * US, e, icr, 8);
    /* RADV starts with the first frame and is not restarted: RXT0 at
     * 32.768 us although the packet timer keeps being pushed out. It
     * starts again with the first frame after that RXT0 (40 us): 72.768 us.
     * Both timers stop at RXT0, so the frame at 70 us leaves nothing
     * behind (its packet timer would have run out at 86.384 us). */
    assert_int_equal(ne, 2);
    assert_int_equal(e[0], t0 + 32 * DELAY_UNIT);
    assert_int_equal(e[1], t0 + 40 * US + 32 * DELAY_UNIT);

    /* RADV longer than the packet timer: the packet timer wins */
    uint64_t t1 = evq_now(t.h->q) + 10 * US;
    uint64_t ft2[] = { t1, t1 + 5 * US };
    ne = play(&t, ft2, 2, t1 + 500 * US, e, icr, 8);
    assert_int_equal(ne, 1);
    assert_int_equal(e[0], t1 + 5 * US + 16 * DELAY_UNIT);
    th_done(t.h);
}

static void test_intr_rdtr_fpd(void **state)
{
    struct rxt t = rx_setup(1, 64, 0);
    th_wr(t.h, E1K_REG_RDTR, 16);
    th_wr(t.h, E1K_REG_RADV, 32);
    uint64_t t0 = evq_now(t.h->q) + 100 * US;
    uint64_t e[8];
    uint32_t icr[8];
    uint64_t ft[] = { t0 };
    assert_int_equal(play(&t, ft, 1, t0 + 5 * US, e, icr, 8), 0);
    /* RDTR written with FPD (bit 31): the timers expire at once */
    th_wr(t.h, E1K_REG_RDTR, 0x80000000u | 16);
    assert_int_equal(t.h->irq, 1);
    assert_int_equal(th_rd(t.h, E1K_REG_ICR) & E1K_ICR_RXT0, E1K_ICR_RXT0);
    /* FPD is self-clearing: it reads back 0, the delay stays */
    assert_int_equal(th_rd(t.h, E1K_REG_RDTR), 16);
    /* and neither timer fires later */
    assert_int_equal(run_to_edge(t.h, t0 + 200 * US), NONE);
    assert_int_equal(t.h->irq_edges, 1);
    /* the timers work as before afterwards */
    uint64_t t1 = evq_now(t.h->q) + 10 * US;
    uint64_t ft2[] = { t1 };
    assert_int_equal(play(&t, ft2, 1, t1 + 100 * US, e, icr, 8), 1);
    assert_int_equal(e[0], t1 + 16 * DELAY_UNIT);
    th_done(t.h);
}

/* RSRPD (SDM 3.2.7.2, 13.4.32): a frame no longer than SIZE raises SRPD and
 * RXT0 at once, whatever the delay timers say. */
static void test_intr_rsrpd(void **state)
{
    struct rxt t = rx_setup(1, 64, 0);
    th_wr(t.h, E1K_REG_RDTR, 16);
    th_wr(t.h, E1K_REG_RADV, 0);
    th_wr(t.h, E1K_REG_RSRPD, 64);
    th_wr(t.h, E1K_REG_IMS, E1K_ICR_SRPD);
    uint64_t t0 = evq_now(t.h->q) + 10 * US;
    uint64_t e[8];
    uint32_t icr[8];
    /* 60 bytes + FCS = 64 <= 64: at once */
    uint64_t ft[] = { t0 };
    assert_int_equal(play(&t, ft, 1, t0 + 100 * US, e, icr, 8), 1);
    assert_int_equal(e[0], t0);
    assert_int_equal(icr[0] & (E1K_ICR_SRPD | E1K_ICR_RXT0), E1K_ICR_SRPD | E1K_ICR_RXT0);
    /* 61 + FCS = 65 > 64: the packet timer */
    uint64_t t1 = evq_now(t.h->q);
    run_to(t.h, t1 + 10 * US);
    rx_one(&t, 61);
    uint64_t at = evq_now(t.h->q);
    assert_int_equal(run_to_edge(t.h, at + 100 * US), at + 16 * DELAY_UNIT);
    uint32_t v = th_rd(t.h, E1K_REG_ICR);
    assert_int_equal(v & (E1K_ICR_SRPD | E1K_ICR_RXT0), E1K_ICR_RXT0);
    th_done(t.h);
}

/* SDM 13.4.32: "SIZE is specified in bytes and includes the headers and the
 * CRC" (and excludes a stripped VLAN tag). Stripping the CRC from what is
 * written to memory (RCTL.SECRC) does not change the size compared. */
static void test_intr_rsrpd_counts_crc(void **state)
{
    struct rxt t = rx_setup(1, 64, E1K_RCTL_SECRC);
    th_wr(t.h, E1K_REG_RDTR, 16);
    th_wr(t.h, E1K_REG_RADV, 0);
    th_wr(t.h, E1K_REG_RSRPD, 63);
    uint64_t t0 = evq_now(t.h->q) + 10 * US;
    run_to(t.h, t0);
    rx_one(&t, 60); /* 64 bytes with its CRC: not small */
    assert_int_equal(run_to_edge(t.h, t0 + 100 * US), t0 + 16 * DELAY_UNIT);
    assert_int_equal(th_rd(t.h, E1K_REG_ICR) & E1K_ICR_SRPD, 0);
    th_done(t.h);
}

/* ITR holds an RXT0 the delay timer raised: the timers decide when the cause
 * rises, ITR when the line does. */
static void test_intr_itr_holds_rxt0(void **state)
{
    struct rxt t = rx_setup(1, 64, 0);
    th_wr(t.h, E1K_REG_RDTR, 4);   /* 4.096 us */
    th_wr(t.h, E1K_REG_ITR, 200);  /* 51.2 us */
    uint64_t t0 = evq_now(t.h->q) + 10 * US;
    uint64_t e[8];
    uint32_t icr[8];
    uint64_t ft[] = { t0, t0 + 20 * US };
    unsigned ne = play(&t, ft, 2, t0 + 200 * US, e, icr, 8);
    assert_int_equal(ne, 2);
    assert_int_equal(e[0], t0 + 4 * DELAY_UNIT);
    /* the second RXT0 rises at 24.096 us; the line waits for 4.096 + 51.2 */
    assert_int_equal(e[1], t0 + 4 * DELAY_UNIT + 200 * ITR_UNIT);
    th_done(t.h);
}

/* ---- TIDV / TADV ---- */

#define TX_EOP 0x01
#define TX_IFCS 0x02
#define TX_RS 0x08
#define TX_IDE 0x80

struct txt {
    struct th *h;
    uint64_t ring, buf;
    uint32_t n, tail;
};

static struct txt tx_setup(void)
{
    struct txt t;
    t.h = th_make(1);
    t.n = 64;
    t.tail = 0;
    assert_true(th_link_up(t.h) & E1K_STATUS_LU);
    t.buf = gmem_alloc(t.h->mem, 64, 16);
    uint8_t *p = th_mem(t.h, t.buf, 60);
    memcpy(p, peer, 6);
    memcpy(p + 6, our_mac, 6);
    p[12] = 0x88;
    p[13] = 0xB5;
    for (int i = 14; i < 60; i++)
        p[i] = (uint8_t)i;
    t.ring = th_tx_ring(t.h, t.n);
    assert_true(t.ring != UINT64_MAX);
    th_wr(t.h, E1K_REG_TIDV, 8);  /* 8.192 us */
    th_wr(t.h, E1K_REG_TADV, 32); /* 32.768 us */
    th_wr(t.h, E1K_REG_TCTL, E1K_TCTL_EN | E1K_TCTL_PSP);
    th_wr(t.h, E1K_REG_IMS, E1K_ICR_TXDW);
    th_rd(t.h, E1K_REG_ICR);
    return t;
}

/* One 60-byte frame, one descriptor, TDT bumped now. */
static void tx_post(struct txt *t, uint8_t cmd)
{
    uint8_t *p = th_mem(t->h, t->ring + 16ull * t->tail, 16);
    memset(p, 0, 16);
    for (int k = 0; k < 8; k++)
        p[k] = (uint8_t)(t->buf >> (8 * k));
    p[8] = 60;
    p[11] = cmd;
    t->tail = (t->tail + 1) % t->n;
    th_wr(t->h, E1K_REG_TDT, t->tail);
}

/* Descriptors posted at absolute times pt[] with commands cmd[], run to
 * `end`; ICR read at each edge. */
static unsigned tx_play(struct txt *t, const uint64_t *pt, const uint8_t *cmd, unsigned np,
                        uint64_t end, uint64_t *edges, unsigned max)
{
    unsigned k = 0, ne = 0;
    for (;;) {
        uint64_t next = k < np ? pt[k] : NONE;
        uint64_t limit = next < end ? next : end;
        uint64_t e = run_to_edge(t->h, limit);
        if (e != NONE) {
            assert_true(ne < max);
            edges[ne++] = e;
            assert_true(th_rd(t->h, E1K_REG_ICR) & E1K_ICR_TXDW);
            continue;
        }
        if (k < np && next <= end) {
            run_to(t->h, next);
            tx_post(t, cmd[k]);
            k++;
            continue;
        }
        return ne;
    }
}

static void test_intr_tidv_tadv(void **state)
{
    struct txt t = tx_setup();
    const uint8_t IDE = TX_EOP | TX_IFCS | TX_RS | TX_IDE, NOW = TX_EOP | TX_IFCS | TX_RS;
    uint64_t e[8];

    /* one descriptor with IDE: TXDW after TIDV */
    uint64_t t0 = evq_now(t.h->q) + 10 * US;
    uint64_t p1[] = { t0 };
    uint8_t c1[] = { IDE };
    assert_int_equal(tx_play(&t, p1, c1, 1, t0 + 100 * US, e, 8), 1);
    assert_int_equal(e[0], t0 + 8 * DELAY_UNIT);
    assert_int_equal(t.h->ntx, 1);

    /* one every 5 us: TIDV keeps restarting, TADV (from the first) caps it
     * at 32.768 us; the descriptor at 35 us starts both again and TIDV
     * runs out first (43.192 us) */
    uint64_t t1 = evq_now(t.h->q) + 10 * US;
    uint64_t p2[8];
    uint8_t c2[8];
    for (unsigned k = 0; k < 8; k++) {
        p2[k] = t1 + k * 5 * US;
        c2[k] = IDE;
    }
    assert_int_equal(tx_play(&t, p2, c2, 8, t1 + 200 * US, e, 8), 2);
    assert_int_equal(e[0], t1 + 32 * DELAY_UNIT);
    assert_int_equal(e[1], t1 + 35 * US + 8 * DELAY_UNIT);

    /* RS without IDE: TXDW at once */
    uint64_t t2 = evq_now(t.h->q) + 10 * US;
    uint64_t p3[] = { t2 };
    uint8_t c3[] = { NOW };
    assert_int_equal(tx_play(&t, p3, c3, 1, t2 + 100 * US, e, 8), 1);
    assert_int_equal(e[0], t2);

    /* ... also when IDE descriptors are waiting: TXDW at once, and the
     * pending timers are spent with it (SDM 3.4.1: nothing more later) */
    uint64_t t3 = evq_now(t.h->q) + 10 * US;
    uint64_t p4[] = { t3, t3 + 2 * US };
    uint8_t c4[] = { IDE, NOW };
    assert_int_equal(tx_play(&t, p4, c4, 2, t3 + 100 * US, e, 8), 1);
    assert_int_equal(e[0], t3 + 2 * US);
    assert_int_equal(t.h->ntx, 12);
    assert_int_equal(e1k_anomaly_total(t.h->d), 0);
    th_done(t.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_intr_itr_spacing, teardown),
        cmocka_unit_test_teardown(test_intr_itr_max, teardown),
        cmocka_unit_test_teardown(test_intr_rdtr_restart, teardown),
        cmocka_unit_test_teardown(test_intr_rdtr_with_dma_time, teardown),
        cmocka_unit_test_teardown(test_intr_radv_cap, teardown),
        cmocka_unit_test_teardown(test_intr_rdtr_fpd, teardown),
        cmocka_unit_test_teardown(test_intr_rsrpd, teardown),
        cmocka_unit_test_teardown(test_intr_rsrpd_counts_crc, teardown),
        cmocka_unit_test_teardown(test_intr_itr_holds_rxt0, teardown),
        cmocka_unit_test_teardown(test_intr_tidv_tadv, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
