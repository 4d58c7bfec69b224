#include "driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"

/* Descriptor layouts (SDM 3.2.3 receive, 3.3.3 legacy transmit). */
#define DESC 16
#define TXD_CMD_EOP 0x01
#define TXD_CMD_IFCS 0x02
#define TXD_CMD_RS 0x08
#define TXD_CMD_IDE 0x80
#define TXD_STA_DD 0x01
#define RXD_STA_DD 0x01
#define RXD_STA_EOP 0x02
#define RXD_ERR_FRAME 0x97 /* CE | SE | SEQ | CXE | RXE: Linux's frame-error mask */

#define IMS_ENABLE_MASK (E1K_ICR_RXT0 | E1K_ICR_TXDW | E1K_ICR_RXDMT0 | E1K_ICR_RXSEQ | E1K_ICR_LSC)
#define RX_BUFFER_LEN 2048
#define TX_BUFFER_LEN 2048
#define WATCHDOG_PS (2 * 1000000000000ull) /* 2 s */
#define JIFFY_PS 4000000000ull             /* HZ = 250 */
#define EE_DELAY_US 50                     /* Microwire bit delay on the 82540 */

enum latency { LOWEST_LATENCY, LOW_LATENCY, BULK_LATENCY };
enum poll_phase { POLL_START, POLL_RX, POLL_FINISH };

struct txq_entry {
    uint8_t *data;
    uint32_t len;
    uint64_t id;
};

struct driver {
    struct evq *q;
    struct e1k_dev *dev;
    struct gmem *mem;
    struct drv_params p;
    struct drv_hooks h;
    struct drv_stats st;

    int sync;              /* probe/open/close: waits let time pass inline */
    uint64_t step_cost;    /* CPU time of the step being executed */
    uint64_t cpu_free;     /* when the vCPU is free again */
    int up;                /* opened */
    int carrier;
    int irq_enabled;       /* IMS set by the driver */
    int napi_scheduled;
    int isr_scheduled;
    int irq_line;

    struct evq_event ev_isr, ev_poll, ev_watchdog, ev_xmit;
    enum poll_phase phase;
    unsigned work_done, rx_cleaned_pending;
    uint64_t handler_start;

    /* rings */
    uint64_t rx_base, tx_base;
    uint64_t *rx_buf, *tx_buf;
    uint64_t *tx_id;
    unsigned rx_next_to_use, rx_next_to_clean;
    unsigned tx_next_to_use, tx_next_to_clean;
    unsigned tx_pending; /* descriptors queued since the last TDT write */
    int doorbell_due;    /* the next xmit step writes TDT */
    uint64_t *tx_pending_ids;
    int queue_stopped;

    /* the stack's transmit queue */
    struct txq_entry *txq;
    unsigned txq_head, txq_len;

    /* adaptive ITR (modes 1 and 3) */
    uint32_t itr;          /* interrupts/s in effect */
    enum latency rx_itr, tx_itr;
    uint64_t total_rx_bytes, total_rx_packets, total_tx_bytes, total_tx_packets;
    uint32_t ee_words[64];
    uint8_t mac[6];
};

void drv_params_default(struct drv_params *p)
{
    memset(p, 0, sizeof(*p));
    p->model = DRV_LINUX;
    p->itr = 3;
    p->rx_int_delay = 0;
    p->rx_abs_int_delay = 8;
    p->tx_int_delay = 8;
    p->tx_abs_int_delay = 32;
    p->rx_ring = p->tx_ring = 256;
    p->napi_budget = 64;
    p->rx_buffer_write = 16;
    p->tx_batch = 1;
    p->poll_interval_ps = 10000000;
    p->mmio_exit_ps = 2000000;
    p->irq_cost_ps = 3000000;
    p->pkt_cost_ps = 1000000;
    p->poll_cost_ps = 200000;
    p->irq_latency_ps = 1000000;
    p->txq_len = 1000;
}

static uint64_t now(const struct driver *d) { return evq_now(d->q); }

/* ---- CPU time ---- */

/* In probe/open/close the driver's code runs inline and lets time pass as
 * the real one spins or sleeps; elsewhere a step adds up its cost and the
 * next step is scheduled that much later. */
static void spend(struct driver *d, uint64_t ps, int busy)
{
    if (busy)
        d->st.cpu_busy_ps += ps;
    if (d->sync)
        evq_run_until(d->q, now(d) + ps);
    else
        d->step_cost += ps;
}

static void udelay(struct driver *d, uint64_t us) { spend(d, us * 1000000ull, 1); }
static void msleep(struct driver *d, uint64_t ms) { spend(d, ms * 1000000000ull, 0); }

static uint32_t er32(struct driver *d, uint32_t off)
{
    uint32_t v = e1k_mmio_read(d->dev, off, 4);
    d->st.mmio_reads++;
    if (d->h.mmio)
        d->h.mmio(d->h.ctx, 0, off, v, now(d));
    spend(d, d->p.mmio_exit_ps + d->p.mmio_read_ps, 1);
    return v;
}

static void ew32(struct driver *d, uint32_t off, uint32_t v)
{
    e1k_mmio_write(d->dev, off, v, 4);
    d->st.mmio_writes++;
    if (d->h.mmio)
        d->h.mmio(d->h.ctx, 1, off, v, now(d));
    spend(d, d->p.mmio_exit_ps + d->p.mmio_write_ps, 1);
}

static void flush(struct driver *d) { (void)er32(d, E1K_REG_STATUS); }

/* The I/O window: the driver resets the 82540 through it (e1000_reset_hw). */
static void ew32_io(struct driver *d, uint32_t off, uint32_t v)
{
    e1k_io_write(d->dev, 0, off, 4);
    e1k_io_write(d->dev, 4, v, 4);
    d->st.io_accesses += 2;
    spend(d, 2 * d->p.mmio_exit_ps, 1);
}

/* Run `fn` as the next step of the vCPU: not before it is free. */
static void schedule_step(struct driver *d, struct evq_event *ev, uint64_t at)
{
    if (at < d->cpu_free)
        at = d->cpu_free;
    if (at < now(d))
        at = now(d);
    evq_schedule(d->q, ev, at, EVQ_PRIO_GUEST);
}

/* While the driver runs inline code that lets time pass (probe, the
 * watchdog's PHY accesses), its other work waits for the vCPU. */
static int deferred(struct driver *d, struct evq_event *ev)
{
    if (d->sync) {
        evq_schedule(d->q, ev, now(d) + 1000000, EVQ_PRIO_GUEST);
        return 1;
    }
    /* One vCPU: work that became due while it was busy waits its turn. */
    if (now(d) < d->cpu_free) {
        evq_schedule(d->q, ev, d->cpu_free, EVQ_PRIO_GUEST);
        return 1;
    }
    return 0;
}

static void begin_step(struct driver *d, uint64_t base_cost)
{
    d->step_cost = 0;
    if (base_cost)
        spend(d, base_cost, 1);
}

static void end_step(struct driver *d) { d->cpu_free = now(d) + d->step_cost; }

/* ---- EEPROM (Microwire bit-banging, as e1000_read_eeprom does on 82540) ---- */

static void ee_clk(struct driver *d, uint32_t *eecd, int high)
{
    *eecd = high ? (*eecd | E1K_EECD_SK) : (*eecd & ~E1K_EECD_SK);
    ew32(d, E1K_REG_EECD, *eecd);
    flush(d);
    udelay(d, EE_DELAY_US);
}

static void ee_shift_out(struct driver *d, uint32_t *eecd, unsigned data, unsigned count)
{
    *eecd &= ~E1K_EECD_DO;
    for (unsigned mask = 1u << (count - 1); mask; mask >>= 1) {
        *eecd &= ~E1K_EECD_DI;
        if (data & mask)
            *eecd |= E1K_EECD_DI;
        ew32(d, E1K_REG_EECD, *eecd);
        flush(d);
        udelay(d, EE_DELAY_US);
        ee_clk(d, eecd, 1);
        ee_clk(d, eecd, 0);
    }
    *eecd &= ~E1K_EECD_DI;
    ew32(d, E1K_REG_EECD, *eecd);
}

static uint16_t ee_shift_in(struct driver *d, uint32_t *eecd)
{
    *eecd = er32(d, E1K_REG_EECD) & ~(E1K_EECD_DO | E1K_EECD_DI);
    uint16_t data = 0;
    for (int i = 0; i < 16; i++) {
        data = (uint16_t)(data << 1);
        ee_clk(d, eecd, 1);
        *eecd = er32(d, E1K_REG_EECD) & ~E1K_EECD_DI;
        if (*eecd & E1K_EECD_DO)
            data |= 1;
        ee_clk(d, eecd, 0);
    }
    return data;
}

static int ee_read_word(struct driver *d, unsigned addr, uint16_t *out)
{
    uint32_t eecd = er32(d, E1K_REG_EECD) | E1K_EECD_REQ;
    ew32(d, E1K_REG_EECD, eecd);
    eecd = er32(d, E1K_REG_EECD);
    for (int i = 0; !(eecd & E1K_EECD_GNT) && i < 1000; i++) {
        udelay(d, 5);
        eecd = er32(d, E1K_REG_EECD);
    }
    if (!(eecd & E1K_EECD_GNT)) {
        ew32(d, E1K_REG_EECD, eecd & ~E1K_EECD_REQ);
        return -1;
    }
    eecd &= ~(E1K_EECD_DI | E1K_EECD_SK);
    ew32(d, E1K_REG_EECD, eecd);
    eecd |= E1K_EECD_CS;
    ew32(d, E1K_REG_EECD, eecd);
    ee_shift_out(d, &eecd, 0x6, 3); /* READ opcode with the start bit */
    ee_shift_out(d, &eecd, addr & 0x3F, 6);
    *out = ee_shift_in(d, &eecd);
    /* standby, then release */
    eecd &= ~(E1K_EECD_CS | E1K_EECD_SK);
    ew32(d, E1K_REG_EECD, eecd);
    flush(d);
    udelay(d, EE_DELAY_US);
    eecd &= ~(E1K_EECD_CS | E1K_EECD_DI);
    ew32(d, E1K_REG_EECD, eecd);
    ee_clk(d, &eecd, 1);
    ee_clk(d, &eecd, 0);
    ew32(d, E1K_REG_EECD, eecd & ~E1K_EECD_REQ);
    return 0;
}

/* ---- PHY through MDIC ---- */

static int mdic(struct driver *d, int write, unsigned reg, uint16_t val, uint16_t *out)
{
    uint32_t cmd = (reg << E1K_MDIC_REG_SHIFT) | (1u << E1K_MDIC_PHY_SHIFT) |
                   (write ? E1K_MDIC_OP_WRITE | val : E1K_MDIC_OP_READ);
    ew32(d, E1K_REG_MDIC, cmd);
    uint32_t v = 0;
    for (int i = 0; i < 64; i++) {
        udelay(d, 50);
        v = er32(d, E1K_REG_MDIC);
        if (v & E1K_MDIC_READY)
            break;
    }
    if (!(v & E1K_MDIC_READY) || (v & E1K_MDIC_ERROR))
        return -1;
    if (out)
        *out = (uint16_t)v;
    return 0;
}

/* ---- interrupts ---- */

static void irq_enable(struct driver *d)
{
    ew32(d, E1K_REG_IMS, IMS_ENABLE_MASK);
    flush(d);
    d->irq_enabled = 1;
}

static void irq_disable(struct driver *d)
{
    ew32(d, E1K_REG_IMC, ~0u);
    flush(d);
    d->irq_enabled = 0;
}

static uint32_t itr_reg(uint32_t rate) { return rate ? 1000000000u / (rate * 256u) : 0; }

static void write_itr(struct driver *d, uint32_t rate)
{
    d->itr = rate;
    d->st.itr_rate = rate;
    d->st.itr_writes++;
    ew32(d, E1K_REG_ITR, itr_reg(rate));
}

/* e1000_update_itr: classify the traffic since the last interrupt. */
static enum latency update_itr(enum latency cur, uint64_t packets, uint64_t bytes)
{
    if (packets == 0)
        return cur;
    enum latency r = cur;
    switch (cur) {
    case LOWEST_LATENCY:
        if (bytes / packets > 8000)
            r = BULK_LATENCY;
        else if (packets < 5 && bytes > 512)
            r = LOW_LATENCY;
        break;
    case LOW_LATENCY:
        if (bytes > 10000) {
            if (bytes / packets > 8000)
                r = BULK_LATENCY;
            else if (packets < 10 || bytes / packets > 1200)
                r = BULK_LATENCY;
            else if (packets > 35)
                r = LOWEST_LATENCY;
        } else if (bytes / packets > 2000) {
            r = BULK_LATENCY;
        } else if (packets <= 2 && bytes < 512) {
            r = LOWEST_LATENCY;
        }
        break;
    case BULK_LATENCY:
        if (bytes > 25000) {
            if (packets > 35)
                r = LOW_LATENCY;
        } else if (bytes < 6000) {
            r = LOW_LATENCY;
        }
        break;
    }
    return r;
}

/* e1000_set_itr: modes 1 (dynamic) and 3 (dynamic conservative). Below
 * gigabit the rate is fixed at 4000/s. Rising rates are approached in
 * quarter steps to bias towards bulk. */
static void set_itr(struct driver *d)
{
    uint32_t new_itr;
    /* The driver's cached link speed (adapter->link_speed, read by the
     * watchdog when the carrier came up): peeked, not re-read. */
    if (!d->carrier ||
        (e1k_reg_peek(d->dev, E1K_REG_STATUS) & E1K_STATUS_SPEED_MASK) != E1K_STATUS_SPEED_1000) {
        new_itr = 4000;
    } else {
        d->tx_itr = update_itr(d->tx_itr, d->total_tx_packets, d->total_tx_bytes);
        d->rx_itr = update_itr(d->rx_itr, d->total_rx_packets, d->total_rx_bytes);
        /* conservative mode (3) eliminates the lowest_latency class */
        if (d->p.itr == 3 && d->tx_itr == LOWEST_LATENCY)
            d->tx_itr = LOW_LATENCY;
        if (d->p.itr == 3 && d->rx_itr == LOWEST_LATENCY)
            d->rx_itr = LOW_LATENCY;
        enum latency cur = d->rx_itr > d->tx_itr ? d->rx_itr : d->tx_itr;
        new_itr = cur == LOWEST_LATENCY ? 70000 : cur == LOW_LATENCY ? 20000 : 4000;
    }
    if (new_itr != d->itr) {
        if (new_itr > d->itr) {
            uint32_t step = d->itr + (new_itr >> 2);
            new_itr = step < new_itr ? step : new_itr;
        }
        write_itr(d, new_itr);
    }
}

/* ---- receive ---- */

static uint8_t *rx_desc(struct driver *d, unsigned i)
{
    return gmem_ptr(d->mem, d->rx_base + (uint64_t)i * DESC, DESC);
}

static uint8_t *tx_desc(struct driver *d, unsigned i)
{
    return gmem_ptr(d->mem, d->tx_base + (uint64_t)i * DESC, DESC);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* e1000_alloc_rx_buffers: give `n` cleaned slots back, then RDT = the last
 * slot filled (next_to_use - 1), as the Linux driver writes it. */
static void rx_refill(struct driver *d, unsigned n)
{
    if (!n)
        return;
    for (unsigned k = 0; k < n; k++) {
        uint8_t *ds = rx_desc(d, d->rx_next_to_use);
        memset(ds, 0, DESC);
        put64(ds, d->rx_buf[d->rx_next_to_use]);
        d->rx_next_to_use = (d->rx_next_to_use + 1) % d->p.rx_ring;
    }
    unsigned rdt = d->rx_next_to_use ? d->rx_next_to_use - 1 : d->p.rx_ring - 1;
    ew32(d, E1K_REG_RDT, rdt);
}

static unsigned rx_unused(const struct driver *d)
{
    unsigned ntc = d->rx_next_to_clean, ntu = d->rx_next_to_use, n = d->p.rx_ring;
    return (ntc > ntu ? 0 : n) + ntc - ntu - 1;
}

/* One received descriptor; 1 when a frame was there. */
static int rx_one(struct driver *d)
{
    uint8_t *ds = rx_desc(d, d->rx_next_to_clean);
    if (!(ds[12] & RXD_STA_DD))
        return 0;
    unsigned len = (unsigned)ds[8] | (unsigned)ds[9] << 8;
    uint8_t status = ds[12], errors = ds[13];
    unsigned i = d->rx_next_to_clean;
    d->rx_next_to_clean = (i + 1) % d->p.rx_ring;
    d->rx_cleaned_pending++;
    spend(d, d->p.pkt_cost_ps, 1);
    if (!(status & RXD_STA_EOP) || (errors & RXD_ERR_FRAME) || len < 4 || len > RX_BUFFER_LEN) {
        d->st.rx_errors++;
        if (d->h.rx_deliver) /* discarded: the frame goes no further */
            d->h.rx_deliver(d->h.ctx, NULL, 0, d->handler_start, now(d) + d->step_cost);
        return 1;
    }
    len -= 4; /* the FCS: RCTL.SECRC is clear */
    const uint8_t *buf = gmem_ptr(d->mem, d->rx_buf[i], len);
    d->st.rx_frames++;
    d->st.rx_bytes += len;
    d->total_rx_packets++;
    d->total_rx_bytes += len;
    if (d->h.rx_deliver && buf)
        d->h.rx_deliver(d->h.ctx, buf, len, d->handler_start, now(d) + d->step_cost);
    return 1;
}

/* ---- transmit ---- */

static unsigned tx_unused(const struct driver *d)
{
    unsigned ntc = d->tx_next_to_clean, ntu = d->tx_next_to_use, n = d->p.tx_ring;
    return (ntc > ntu ? 0 : n) + ntc - ntu - 1;
}

static void tx_doorbell(struct driver *d)
{
    if (!d->tx_pending)
        return;
    uint64_t t = now(d);
    ew32(d, E1K_REG_TDT, d->tx_next_to_use);
    for (unsigned k = 0; k < d->tx_pending; k++)
        if (d->h.tx_doorbell)
            d->h.tx_doorbell(d->h.ctx, d->tx_pending_ids[k], t);
    d->tx_pending = 0;
}

/* e1000_clean_tx_irq: reclaim descriptors the device marked done. */
static unsigned tx_clean(struct driver *d)
{
    unsigned n = 0;
    while (d->tx_next_to_clean != d->tx_next_to_use) {
        uint8_t *ds = tx_desc(d, d->tx_next_to_clean);
        if (!(ds[12] & TXD_STA_DD))
            break;
        unsigned len = (unsigned)ds[8] | (unsigned)ds[9] << 8;
        d->total_tx_packets++;
        d->total_tx_bytes += len;
        d->st.tx_cleaned++;
        if (d->h.tx_cleaned)
            d->h.tx_cleaned(d->h.ctx, d->tx_id[d->tx_next_to_clean], now(d) + d->step_cost);
        d->tx_next_to_clean = (d->tx_next_to_clean + 1) % d->p.tx_ring;
        spend(d, d->p.pkt_cost_ps / 4, 1);
        n++;
    }
    if (n && d->queue_stopped && tx_unused(d) >= 32) { /* TX_WAKE_THRESHOLD */
        d->queue_stopped = 0;
        if (d->txq_len && !evq_pending(&d->ev_xmit))
            schedule_step(d, &d->ev_xmit, now(d) + d->step_cost);
    }
    return n;
}

/* Transmit (e1000_xmit_frame): the descriptor is written, costing the
 * per-packet stack time, and then, one step later, the doorbell (TDT) when
 * the batch is full or nothing else is queued; so the device sees TDT at
 * the time the CPU gets there. The poll-mode driver sends bursts of 32. */
static void xmit_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct driver *d = arg;
    if (!d->up || deferred(d, ev))
        return;
    begin_step(d, 0);
    if (d->doorbell_due) {
        d->doorbell_due = 0;
        tx_doorbell(d);
        end_step(d);
        if (d->txq_len && !d->queue_stopped)
            schedule_step(d, &d->ev_xmit, d->cpu_free);
        return;
    }
    unsigned burst = d->p.model == DRV_POLL ? 32 : 1;
    for (unsigned b = 0; b < burst && d->txq_len; b++) {
        if (tx_unused(d) < 1) {
            d->queue_stopped = 1;
            d->st.tx_ring_full++;
            break;
        }
        struct txq_entry *e = &d->txq[d->txq_head];
        unsigned i = d->tx_next_to_use;
        uint8_t *buf = gmem_ptr(d->mem, d->tx_buf[i], e->len);
        if (buf)
            memcpy(buf, e->data, e->len);
        uint8_t *ds = tx_desc(d, i);
        memset(ds, 0, DESC);
        put64(ds, d->tx_buf[i]);
        ds[8] = (uint8_t)e->len;
        ds[9] = (uint8_t)(e->len >> 8);
        ds[11] = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS |
                 (d->p.tx_int_delay && d->p.model == DRV_LINUX ? TXD_CMD_IDE : 0);
        d->tx_id[i] = e->id;
        d->tx_next_to_use = (i + 1) % d->p.tx_ring;
        d->tx_pending_ids[d->tx_pending++] = e->id;
        spend(d, d->p.pkt_cost_ps, 1);
        if (d->h.tx_queued)
            d->h.tx_queued(d->h.ctx, e->id, now(d) + d->step_cost);
        free(e->data);
        d->txq_head = (d->txq_head + 1) % d->p.txq_len;
        d->txq_len--;
        d->st.tx_frames++;
    }
    end_step(d);
    if (d->tx_pending && (d->tx_pending >= d->p.tx_batch || !d->txq_len || d->queue_stopped ||
                          d->p.model == DRV_POLL)) {
        d->doorbell_due = 1;
        schedule_step(d, &d->ev_xmit, d->cpu_free);
    } else if (d->txq_len && !d->queue_stopped) {
        schedule_step(d, &d->ev_xmit, d->cpu_free);
    }
}

int drv_xmit(struct driver *d, const uint8_t *frame, size_t len, uint64_t id)
{
    if (!d->up || d->txq_len >= d->p.txq_len || len > TX_BUFFER_LEN || len < 14) {
        d->st.tx_dropped++;
        if (d->h.tx_dropped)
            d->h.tx_dropped(d->h.ctx, id, now(d));
        return -1;
    }
    struct txq_entry *e = &d->txq[(d->txq_head + d->txq_len) % d->p.txq_len];
    e->data = malloc(len);
    if (!e->data) {
        d->st.tx_dropped++;
        return -1;
    }
    memcpy(e->data, frame, len);
    e->len = (uint32_t)len;
    e->id = id;
    d->txq_len++;
    if (!d->queue_stopped && !evq_pending(&d->ev_xmit) && d->p.model == DRV_LINUX)
        schedule_step(d, &d->ev_xmit, now(d));
    else if (d->p.model == DRV_POLL && !evq_pending(&d->ev_xmit) && !d->queue_stopped)
        schedule_step(d, &d->ev_xmit, now(d));
    return 0;
}

/* ---- the interrupt handler and NAPI poll (e1000_intr, e1000_clean) ---- */

void drv_irq(struct driver *d, int level)
{
    d->irq_line = level;
    if (!level || d->sync || !d->up || d->p.model != DRV_LINUX || d->isr_scheduled)
        return;
    d->isr_scheduled = 1;
    schedule_step(d, &d->ev_isr, now(d) + d->p.irq_latency_ps);
}

static void watchdog_fn(struct evq *q, struct evq_event *ev, void *arg);

static void isr_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct driver *d = arg;
    if (deferred(d, ev))
        return;
    d->isr_scheduled = 0;
    if (!d->up)
        return;
    if (!d->irq_line) /* the line dropped before the vCPU took it */
        return;
    begin_step(d, d->p.irq_cost_ps);
    d->st.irqs++;
    uint32_t icr = er32(d, E1K_REG_ICR);
    if (d->h.isr)
        d->h.isr(d->h.ctx, icr, now(d));
    if (!icr) {
        d->st.spurious_irqs++;
        end_step(d);
        return;
    }
    if (icr & (E1K_ICR_RXSEQ | E1K_ICR_LSC))
        evq_schedule(d->q, &d->ev_watchdog, now(d) + JIFFY_PS, EVQ_PRIO_GUEST);
    irq_disable(d);
    if (!d->napi_scheduled) {
        d->napi_scheduled = 1;
        d->total_rx_bytes = d->total_rx_packets = d->total_tx_bytes = d->total_tx_packets = 0;
        d->phase = POLL_START;
        end_step(d);
        schedule_step(d, &d->ev_poll, d->cpu_free);
    } else {
        end_step(d);
    }
}

static void poll_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct driver *d = arg;
    if (!d->up || deferred(d, ev))
        return;
    switch (d->phase) {
    case POLL_START:
        begin_step(d, d->p.poll_cost_ps);
        d->st.polls++;
        d->handler_start = now(d);
        d->work_done = 0;
        tx_clean(d);
        d->phase = POLL_RX;
        end_step(d);
        schedule_step(d, &d->ev_poll, d->cpu_free);
        return;
    case POLL_RX:
        begin_step(d, 0);
        if (d->work_done < d->p.napi_budget && rx_one(d)) {
            d->work_done++;
            if (d->rx_cleaned_pending >= d->p.rx_buffer_write) {
                rx_refill(d, d->rx_cleaned_pending);
                d->rx_cleaned_pending = 0;
            }
            end_step(d);
            schedule_step(d, &d->ev_poll, d->cpu_free);
            return;
        }
        d->phase = POLL_FINISH;
        /* fall through */
    case POLL_FINISH: {
        unsigned n = rx_unused(d);
        if (n)
            rx_refill(d, n);
        d->rx_cleaned_pending = 0;
        if (d->work_done < d->p.napi_budget) {
            if (d->p.itr == 1 || d->p.itr == 3)
                set_itr(d);
            d->napi_scheduled = 0;
            irq_enable(d);
        } else {
            d->phase = POLL_START;
            end_step(d);
            schedule_step(d, &d->ev_poll, d->cpu_free);
            return;
        }
        end_step(d);
        return;
    }
    }
}

/* ---- the poll-mode driver: no interrupts, a loop on the vCPU ---- */

static void pmd_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct driver *d = arg;
    if (!d->up || deferred(d, ev))
        return;
    begin_step(d, d->p.poll_cost_ps);
    d->st.polls++;
    d->handler_start = now(d);
    unsigned got = 0;
    while (got < 32 && rx_one(d))
        got++;
    if (d->rx_cleaned_pending) {
        rx_refill(d, d->rx_cleaned_pending);
        d->rx_cleaned_pending = 0;
    }
    unsigned cleaned = tx_clean(d);
    end_step(d);
    if (d->txq_len && !d->queue_stopped)
        schedule_step(d, &d->ev_xmit, d->cpu_free);
    uint64_t next = got || cleaned ? d->cpu_free : now(d) + d->p.poll_interval_ps;
    schedule_step(d, &d->ev_poll, next);
}

/* ---- the watchdog (e1000_watchdog, every 2 s and after LSC) ---- */

static void link_check(struct driver *d)
{
    uint32_t status = er32(d, E1K_REG_STATUS);
    int link = (status & E1K_STATUS_LU) != 0;
    if (link && !d->carrier) {
        uint16_t v;
        mdic(d, 0, 1, 0, &v); /* e1000_check_for_link: PHY status, twice (latched) */
        mdic(d, 0, 1, 0, &v);
        uint32_t tctl = er32(d, E1K_REG_TCTL);
        ew32(d, E1K_REG_TCTL, tctl | E1K_TCTL_EN);
        d->carrier = 1;
        d->st.link_up_ps = now(d) + d->step_cost;
        if (d->h.carrier)
            d->h.carrier(d->h.ctx, 1, now(d) + d->step_cost);
    } else if (!link && d->carrier) {
        d->carrier = 0;
        if (d->h.carrier)
            d->h.carrier(d->h.ctx, 0, now(d) + d->step_cost);
    }
}

static void watchdog_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct driver *d = arg;
    if (!d->up || deferred(d, ev))
        return;
    /* A kernel work item: it may sleep while the PHY answers. */
    uint64_t t0 = now(d) > d->cpu_free ? now(d) : d->cpu_free;
    if (t0 > now(d)) {
        evq_schedule(d->q, ev, t0, EVQ_PRIO_GUEST);
        return;
    }
    d->sync = 1;
    d->st.watchdogs++;
    link_check(d);
    /* e1000_update_stats: the statistics block (reading clears it). */
    static const uint32_t stats[] = { E1K_REG_CRCERRS, E1K_REG_GPRC, E1K_REG_GORCL,
                                      E1K_REG_GORCH, E1K_REG_BPRC, E1K_REG_MPRC,
                                      E1K_REG_ROC, E1K_REG_PRC64, E1K_REG_PRC127,
                                      E1K_REG_PRC255, E1K_REG_PRC511, E1K_REG_PRC1023,
                                      E1K_REG_PRC1522, E1K_REG_SYMERRS, E1K_REG_MPC,
                                      E1K_REG_SCC, E1K_REG_ECOL, E1K_REG_MCC,
                                      E1K_REG_LATECOL, E1K_REG_COLC, E1K_REG_DC,
                                      E1K_REG_SEC, E1K_REG_RLEC, E1K_REG_XONRXC,
                                      E1K_REG_XONTXC, E1K_REG_XOFFRXC, E1K_REG_XOFFTXC,
                                      E1K_REG_FCRUC, E1K_REG_GPTC, E1K_REG_GOTCL,
                                      E1K_REG_GOTCH, E1K_REG_RNBC, E1K_REG_RUC,
                                      E1K_REG_RFC, E1K_REG_RJC, E1K_REG_TORL, E1K_REG_TORH,
                                      E1K_REG_TOTL, E1K_REG_TOTH, E1K_REG_TPR, E1K_REG_TPT,
                                      E1K_REG_PTC64, E1K_REG_PTC127, E1K_REG_PTC255,
                                      E1K_REG_PTC511, E1K_REG_PTC1023, E1K_REG_PTC1522,
                                      E1K_REG_MPTC, E1K_REG_BPTC, E1K_REG_ALGNERRC,
                                      E1K_REG_RXERRC, E1K_REG_TNCRS, E1K_REG_CEXTERR,
                                      E1K_REG_TSCTC, E1K_REG_TSCTFC };
    uint64_t gorc = 0, gotc = 0;
    for (size_t i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
        uint32_t v = er32(d, stats[i]);
        if (stats[i] == E1K_REG_GORCL)
            gorc = v;
        if (stats[i] == E1K_REG_GOTCL)
            gotc = v;
    }
    /* Mode 4: a rate from the octet balance of the last 2 s. */
    if (d->p.itr == 4) {
        uint64_t goc = (gotc + gorc) / 10000;
        uint64_t dif = (gotc > gorc ? gotc - gorc : gorc - gotc) / 10000;
        uint32_t itr = goc ? (uint32_t)(dif * 6000 / goc + 2000) : 8000;
        write_itr(d, itr);
    }
    /* Force a receive-descriptor interrupt so that refills happen. */
    ew32(d, E1K_REG_ICS, E1K_ICR_RXDMT0);
    d->sync = 0;
    d->cpu_free = now(d);
    evq_schedule(d->q, &d->ev_watchdog, now(d) + WATCHDOG_PS, EVQ_PRIO_GUEST);
    if (d->irq_line && !d->isr_scheduled && d->irq_enabled)
        drv_irq(d, 1);
}

/* ---- probe and open (sync: time passes inline) ---- */

static int probe(struct driver *d, char *err, size_t errlen)
{
    struct e1k_dev *dv = d->dev;
    uint32_t id = e1k_pci_read(dv, 0, 4);
    if (id != 0x100E8086u) {
        snprintf(err, errlen, "PCI 0x%08x is not an 82540EM (8086:100e)", id);
        return -1;
    }
    e1k_pci_write(dv, 0x04, 0x0007, 2); /* I/O, memory, bus master */
    /* e1000_reset_hw for the 82540 */
    ew32(d, E1K_REG_IMC, ~0u);
    ew32(d, E1K_REG_RCTL, 0);
    ew32(d, E1K_REG_TCTL, E1K_TCTL_PSP);
    flush(d);
    msleep(d, 10);
    uint32_t ctrl = er32(d, E1K_REG_CTRL);
    ew32_io(d, E1K_REG_CTRL, ctrl | E1K_CTRL_RST);
    udelay(d, 10);
    uint32_t ext = er32(d, E1K_REG_CTRL_EXT);
    ew32(d, E1K_REG_CTRL_EXT, ext | E1K_CTRL_EXT_EE_RST);
    flush(d);
    msleep(d, 2);
    uint32_t manc = er32(d, E1K_REG_MANC);
    ew32(d, E1K_REG_MANC, manc & ~(1u << 13)); /* ARP_EN */
    ew32(d, E1K_REG_IMC, ~0u);
    (void)er32(d, E1K_REG_ICR);
    /* EEPROM: checksum over all 64 words, then the MAC address */
    uint16_t sum = 0;
    for (unsigned a = 0; a < 64; a++) {
        uint16_t w;
        if (ee_read_word(d, a, &w)) {
            snprintf(err, errlen, "EEPROM grant (EECD.EE_GNT) never came");
            return -1;
        }
        d->ee_words[a] = w;
        sum = (uint16_t)(sum + w);
    }
    if (sum != 0xBABA) {
        snprintf(err, errlen, "EEPROM checksum 0x%04x, not 0xBABA", sum);
        return -1;
    }
    for (int i = 0; i < 3; i++) {
        d->mac[2 * i] = (uint8_t)d->ee_words[i];
        d->mac[2 * i + 1] = (uint8_t)(d->ee_words[i] >> 8);
    }
    /* e1000_init_hw: VLAN filter off, receive addresses, multicast table */
    ew32(d, E1K_REG_VET, 0);
    for (unsigned i = 0; i < 128; i++)
        ew32(d, E1K_REG_VFTA + 4 * i, 0);
    ew32(d, E1K_REG_RAL, (uint32_t)d->mac[0] | (uint32_t)d->mac[1] << 8 |
                             (uint32_t)d->mac[2] << 16 | (uint32_t)d->mac[3] << 24);
    ew32(d, E1K_REG_RAH, (uint32_t)d->mac[4] | (uint32_t)d->mac[5] << 8 | E1K_RAH_AV);
    for (unsigned i = 1; i < 16; i++) {
        ew32(d, E1K_REG_RAL + 8 * i, 0);
        ew32(d, E1K_REG_RAH + 8 * i, 0);
    }
    for (unsigned i = 0; i < 128; i++)
        ew32(d, E1K_REG_MTA + 4 * i, 0);
    /* e1000_setup_link: flow-control addresses and timers */
    ew32(d, E1K_REG_FCAL, 0x00C28001);
    ew32(d, E1K_REG_FCAH, 0x0100);
    ew32(d, E1K_REG_FCT, 0x8808);
    ew32(d, E1K_REG_FCTTV, 0xFFFF);
    uint32_t hwm = 48 * 1024 * 9 / 10;
    if (hwm > 48 * 1024 - 1522)
        hwm = 48 * 1024 - 1522;
    ew32(d, E1K_REG_FCRTL, (hwm & 0xFFF8) - 8);
    ew32(d, E1K_REG_FCRTH, hwm & 0xFFF8);
    /* e1000_setup_copper_link: SLU, speed from the PHY, PHY reset, setup */
    ctrl = er32(d, E1K_REG_CTRL);
    ctrl = (ctrl | E1K_CTRL_SLU) & ~(E1K_CTRL_FRCSPD | E1K_CTRL_FRCDPLX);
    ew32(d, E1K_REG_CTRL, ctrl | E1K_CTRL_PHY_RST);
    flush(d);
    msleep(d, 10);
    ew32(d, E1K_REG_CTRL, ctrl);
    flush(d);
    uint16_t id1 = 0, id2 = 0, v = 0;
    if (mdic(d, 0, 2, 0, &id1) || mdic(d, 0, 3, 0, &id2) || id1 != 0x0141 ||
        (id2 & 0xFFF0) != 0x0C20) {
        snprintf(err, errlen, "PHY identifier %04x:%04x is not an M88E1011", id1, id2);
        return -1;
    }
    mdic(d, 0, 16, 0, &v);
    mdic(d, 1, 16, (uint16_t)(v | 0x0060), NULL); /* automatic MDI/MDI-X */
    mdic(d, 0, 20, 0, &v);
    mdic(d, 1, 20, v, NULL);
    mdic(d, 1, 0, 0x9140, NULL); /* PHY soft reset to commit */
    mdic(d, 0, 9, 0, &v);
    mdic(d, 1, 4, 0x0DE1, NULL); /* 10/100 FD/HD, PAUSE, ASM_DIR */
    mdic(d, 1, 9, 0x0E00, NULL); /* 1000BASE-T FD */
    mdic(d, 1, 0, 0x1340, NULL); /* restart auto-negotiation */
    /* e1000_clear_hw_cntrs */
    for (uint32_t off = E1K_REG_CRCERRS; off <= E1K_REG_TSCTFC; off += 4)
        if (e1k_reg_lookup(off, NULL))
            (void)er32(d, off);
    return 0;
}

static int open_dev(struct driver *d, char *err, size_t errlen)
{
    unsigned nr = d->p.rx_ring, nt = d->p.tx_ring;
    d->rx_base = gmem_alloc(d->mem, (size_t)nr * DESC, 4096);
    d->tx_base = gmem_alloc(d->mem, (size_t)nt * DESC, 4096);
    d->rx_buf = calloc(nr, sizeof(uint64_t));
    d->tx_buf = calloc(nt, sizeof(uint64_t));
    d->tx_id = calloc(nt, sizeof(uint64_t));
    d->tx_pending_ids = calloc(nt, sizeof(uint64_t));
    d->txq = calloc(d->p.txq_len, sizeof(*d->txq));
    if (d->rx_base == UINT64_MAX || d->tx_base == UINT64_MAX || !d->rx_buf || !d->tx_buf ||
        !d->tx_id || !d->tx_pending_ids || !d->txq) {
        snprintf(err, errlen, "guest memory too small for the rings");
        return -1;
    }
    for (unsigned i = 0; i < nr; i++)
        if ((d->rx_buf[i] = gmem_alloc(d->mem, RX_BUFFER_LEN, 64)) == UINT64_MAX)
            return snprintf(err, errlen, "guest memory too small for receive buffers"), -1;
    for (unsigned i = 0; i < nt; i++)
        if ((d->tx_buf[i] = gmem_alloc(d->mem, TX_BUFFER_LEN, 64)) == UINT64_MAX)
            return snprintf(err, errlen, "guest memory too small for transmit buffers"), -1;
    /* e1000_configure_tx */
    ew32(d, E1K_REG_TDBAL, (uint32_t)d->tx_base);
    ew32(d, E1K_REG_TDBAH, (uint32_t)(d->tx_base >> 32));
    ew32(d, E1K_REG_TDLEN, nt * DESC);
    ew32(d, E1K_REG_TDH, 0);
    ew32(d, E1K_REG_TDT, 0);
    ew32(d, E1K_REG_TIPG, 0x00602008); /* IPGT 8, IPGR1 8, IPGR2 6 */
    ew32(d, E1K_REG_TIDV, d->p.tx_int_delay);
    ew32(d, E1K_REG_TADV, d->p.tx_abs_int_delay);
    uint32_t tctl = er32(d, E1K_REG_TCTL) & ~E1K_TCTL_CT_MASK;
    tctl |= E1K_TCTL_PSP | E1K_TCTL_RTLC | (0x0Fu << E1K_TCTL_CT_SHIFT);
    ew32(d, E1K_REG_TCTL, tctl);
    tctl = er32(d, E1K_REG_TCTL) & ~E1K_TCTL_COLD_MASK;
    ew32(d, E1K_REG_TCTL, tctl | (0x3Fu << E1K_TCTL_COLD_SHIFT)); /* full duplex */
    /* e1000_setup_rctl + e1000_configure_rx */
    uint32_t rctl = er32(d, E1K_REG_RCTL) & ~E1K_RCTL_MO_MASK;
    rctl |= E1K_RCTL_BAM; /* LBM none, RDMTS 1/2, BSIZE 2048 */
    ew32(d, E1K_REG_RCTL, rctl);
    ew32(d, E1K_REG_RCTL, rctl & ~E1K_RCTL_EN);
    ew32(d, E1K_REG_RDTR, d->p.rx_int_delay);
    ew32(d, E1K_REG_RADV, d->p.rx_abs_int_delay);
    /* e1000_param.c: modes 1 and 3 start at 20000/s; mode 4 keeps
     * adapter->itr = 4, so e1000_configure_rx writes 10^9 / (4 * 256),
     * which the 16-bit ITR field truncates, until the watchdog's first
     * adjustment; a fixed rate is written as given. */
    if (d->p.model == DRV_LINUX && d->p.itr)
        write_itr(d, d->p.itr >= 100 ? (uint32_t)d->p.itr : d->p.itr == 4 ? 4 : 20000);
    ew32(d, E1K_REG_RDBAL, (uint32_t)d->rx_base);
    ew32(d, E1K_REG_RDBAH, (uint32_t)(d->rx_base >> 32));
    ew32(d, E1K_REG_RDLEN, nr * DESC);
    ew32(d, E1K_REG_RDH, 0);
    ew32(d, E1K_REG_RDT, 0);
    uint32_t rxcsum = er32(d, E1K_REG_RXCSUM);
    ew32(d, E1K_REG_RXCSUM, rxcsum | (1u << 9)); /* TUOFLD */
    ew32(d, E1K_REG_RCTL, rctl | E1K_RCTL_EN);
    d->rx_next_to_use = d->rx_next_to_clean = 0;
    d->tx_next_to_use = d->tx_next_to_clean = 0;
    d->up = 1;
    rx_refill(d, rx_unused(d));
    if (d->p.model == DRV_LINUX) {
        irq_enable(d);
        ew32(d, E1K_REG_ICS, E1K_ICR_LSC); /* start the link check */
    } else {
        irq_disable(d);
    }
    return 0;
}

int drv_start(struct driver *d, char *err, size_t errlen)
{
    d->sync = 1;
    int rc = probe(d, err, errlen);
    if (!rc)
        rc = open_dev(d, err, errlen);
    d->sync = 0;
    d->cpu_free = now(d);
    if (rc)
        return rc;
    if (d->p.model == DRV_LINUX) {
        evq_schedule(d->q, &d->ev_watchdog, now(d) + WATCHDOG_PS, EVQ_PRIO_GUEST);
        if (e1k_irq_level(d->dev))
            drv_irq(d, 1);
    } else {
        /* no interrupts: the PMD checks the link itself, then spins */
        evq_schedule(d->q, &d->ev_watchdog, now(d), EVQ_PRIO_GUEST);
        evq_schedule(d->q, &d->ev_poll, now(d), EVQ_PRIO_GUEST);
    }
    return 0;
}

void drv_stop(struct driver *d)
{
    if (!d->up)
        return;
    d->sync = 1;
    irq_disable(d);
    ew32(d, E1K_REG_RCTL, er32(d, E1K_REG_RCTL) & ~E1K_RCTL_EN);
    ew32(d, E1K_REG_TCTL, er32(d, E1K_REG_TCTL) & ~E1K_TCTL_EN);
    d->sync = 0;
    d->up = 0;
    evq_cancel(d->q, &d->ev_isr);
    evq_cancel(d->q, &d->ev_poll);
    evq_cancel(d->q, &d->ev_watchdog);
    evq_cancel(d->q, &d->ev_xmit);
}

static void pmd_watchdog_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct driver *d = arg;
    if (!d->up || deferred(d, ev))
        return;
    d->sync = 1;
    link_check(d);
    d->sync = 0;
    d->cpu_free = now(d);
    /* the PMD checks the link status every 100 ms until it is up, then 2 s */
    evq_schedule(d->q, &d->ev_watchdog, now(d) + (d->carrier ? WATCHDOG_PS : 100000000000ull),
                 EVQ_PRIO_GUEST);
}

struct driver *drv_new(struct evq *q, struct e1k_dev *dev, struct gmem *mem,
                       const struct drv_params *p, const struct drv_hooks *h)
{
    struct driver *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->q = q;
    d->dev = dev;
    d->mem = mem;
    d->p = *p;
    if (d->p.txq_len == 0)
        d->p.txq_len = 1000;
    if (h)
        d->h = *h;
    d->rx_itr = d->tx_itr = LOWEST_LATENCY; /* zeroed adapter in Linux */
    evq_event_init(&d->ev_isr, isr_fn, d);
    evq_event_init(&d->ev_poll, d->p.model == DRV_POLL ? pmd_fn : poll_fn, d);
    evq_event_init(&d->ev_watchdog, d->p.model == DRV_POLL ? pmd_watchdog_fn : watchdog_fn, d);
    evq_event_init(&d->ev_xmit, xmit_fn, d);
    return d;
}

void drv_free(struct driver *d)
{
    if (!d)
        return;
    evq_cancel(d->q, &d->ev_isr);
    evq_cancel(d->q, &d->ev_poll);
    evq_cancel(d->q, &d->ev_watchdog);
    evq_cancel(d->q, &d->ev_xmit);
    if (d->txq)
        for (unsigned k = 0; k < d->txq_len; k++)
            free(d->txq[(d->txq_head + k) % d->p.txq_len].data);
    free(d->txq);
    free(d->rx_buf);
    free(d->tx_buf);
    free(d->tx_id);
    free(d->tx_pending_ids);
    free(d);
}

const struct drv_stats *drv_stats(const struct driver *d) { return &d->st; }
