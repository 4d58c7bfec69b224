#include "intr.h"

#include "dev.h"

static uint64_t now(const struct e1k_dev *d) { return d->host.now ? d->host.now(d->host.ctx) : 0; }

static void arm(struct e1k_dev *d, unsigned id, uint64_t when)
{
    if (d->host.timer_arm)
        d->host.timer_arm(d->host.ctx, id, when);
}

static void cancel(struct e1k_dev *d, unsigned id)
{
    if (d->host.timer_cancel)
        d->host.timer_cancel(d->host.ctx, id);
}

#define ITR_UNIT_PS 256000ull     /* 256 ns (SDM 13.4.18) */
#define DELAY_UNIT_PS 1024000ull  /* 1.024 us (SDM 13.4.30) */

/* INTA# follows (ICR & IMS) != 0, except that with ITR non-zero an assertion
 * waits until ITR x 256 ns have passed since the previous one (SDM 13.4.18:
 * a minimum inter-interrupt interval). Deassertion is immediate. */
static void set_line(struct e1k_dev *d, int level)
{
    if (level == d->irq_level)
        return;
    d->irq_level = level;
    if (level) {
        d->intr.ever_asserted = 1;
        d->intr.last_assert = now(d);
        d->intr.assertions++;
        d->intr.rx_frames = d->intr.tx_frames = 0;
    }
    if (d->host.set_irq)
        d->host.set_irq(d->host.ctx, level);
}

/* QEMU 7.x's scheme (see enum e1k_mitigation): a rising edge is raised at
 * once unless a hold-off is running, and starts the next hold-off. */
static void update_irq_qemu(struct e1k_dev *d)
{
    struct e1k_intr *in = &d->intr;
    uint32_t pending = rd(d, E1K_REG_ICR) & rd(d, E1K_REG_IMS);
    if (!d->irq_level && pending) {
        if (in->itr_wait)
            return;
        uint64_t delay = 0;
#define QEMU_MIT(v)                                                                                \
    do {                                                                                           \
        uint64_t v_ = (v);                                                                         \
        if (v_ && (delay == 0 || v_ < delay))                                                      \
            delay = v_;                                                                            \
    } while (0)
        if (in->qemu_ide && (pending & (E1K_ICR_TXQE | E1K_ICR_TXDW)))
            QEMU_MIT((uint64_t)(rd(d, E1K_REG_TADV) & 0xFFFF) * 4);
        if ((rd(d, E1K_REG_RDTR) & 0xFFFF) && (pending & E1K_ICR_RXT0))
            QEMU_MIT((uint64_t)(rd(d, E1K_REG_RADV) & 0xFFFF) * 4);
        QEMU_MIT(rd(d, E1K_REG_ITR) & 0xFFFF);
#undef QEMU_MIT
        if (delay < 500)
            delay = 500;
        in->itr_wait = 1;
        arm(d, E1K_TIMER_ITR, now(d) + delay * ITR_UNIT_PS);
        in->qemu_ide = 0;
    }
    set_line(d, pending != 0);
}

void e1k_update_irq(struct e1k_dev *d)
{
    struct e1k_intr *in = &d->intr;
    if (d->cfg.mitigation == E1K_MIT_QEMU) {
        update_irq_qemu(d);
        return;
    }
    int want = (rd(d, E1K_REG_ICR) & rd(d, E1K_REG_IMS)) != 0;
    if (!want) {
        set_line(d, 0);
        return;
    }
    if (d->irq_level || in->itr_wait)
        return;
    uint64_t itr = (rd(d, E1K_REG_ITR) & 0xFFFF) * ITR_UNIT_PS;
    uint64_t t = now(d);
    if (itr && in->ever_asserted && t < in->last_assert + itr) {
        in->itr_wait = 1;
        arm(d, E1K_TIMER_ITR, in->last_assert + itr);
        return;
    }
    (void)t;
    set_line(d, 1);
}

void e1k_intr_cause(struct e1k_dev *d, uint32_t causes)
{
    wr(d, E1K_REG_ICR, rd(d, E1K_REG_ICR) | causes);
    e1k_update_irq(d);
}

void e1k_set_ics(struct e1k_dev *d, uint32_t causes) { e1k_intr_cause(d, causes); }

static void rx_timers_fire(struct e1k_dev *d)
{
    d->intr.rdtr_armed = d->intr.radv_armed = 0;
    cancel(d, E1K_TIMER_RDTR);
    cancel(d, E1K_TIMER_RADV);
    e1k_intr_cause(d, E1K_ICR_RXT0);
}

static void tx_timers_fire(struct e1k_dev *d)
{
    d->intr.tidv_armed = d->intr.tadv_armed = 0;
    cancel(d, E1K_TIMER_TIDV);
    cancel(d, E1K_TIMER_TADV);
    e1k_intr_cause(d, E1K_ICR_TXDW);
}

/* Receive moderation (SDM 3.2.7.1): with RDTR = 0 every frame raises RXT0 at
 * once. Otherwise the packet timer restarts with each frame and RXT0 rises
 * when it runs out; RADV, when non-zero, starts with the first frame after
 * the last RXT0 and is not restarted, capping the delay. Either expiry
 * cancels the other. A frame no longer than RSRPD.SIZE raises SRPD and
 * flushes (SDM 3.2.7.2). */
void e1k_intr_rx_frame(struct e1k_dev *d, unsigned len)
{
    struct e1k_intr *in = &d->intr;
    in->rx_frames++;
    if (d->cfg.mitigation == E1K_MIT_QEMU) {
        /* QEMU raises RXT0 with every frame; RDTR only enables RADV. */
        e1k_intr_cause(d, E1K_ICR_RXT0);
        return;
    }
    uint32_t rsrpd = rd(d, E1K_REG_RSRPD) & 0xFFF;
    if (rsrpd && len <= rsrpd) {
        e1k_intr_cause(d, E1K_ICR_SRPD);
        rx_timers_fire(d);
        return;
    }
    uint64_t rdtr = rd(d, E1K_REG_RDTR) & 0xFFFF;
    uint64_t radv = rd(d, E1K_REG_RADV) & 0xFFFF;
    if (!rdtr) {
        rx_timers_fire(d);
        return;
    }
    uint64_t t = now(d);
    in->rdtr_armed = 1;
    arm(d, E1K_TIMER_RDTR, t + rdtr * DELAY_UNIT_PS);
    if (radv && !in->radv_armed) {
        in->radv_armed = 1;
        arm(d, E1K_TIMER_RADV, t + radv * DELAY_UNIT_PS);
    }
}

void e1k_intr_rx_flush(struct e1k_dev *d)
{
    if (d->intr.rdtr_armed || d->intr.radv_armed)
        rx_timers_fire(d);
}

/* Transmit moderation (SDM 3.4.1, 13.4.41, 13.4.44): a descriptor written
 * back with RS but not IDE raises TXDW at once, which also halts TADV; with
 * IDE the TIDV timer restarts and TADV (non-zero) starts with the first such
 * descriptor; expiry raises TXDW. TIDV = 0 "is not allowed": treated as
 * immediate and recorded. */
void e1k_intr_tx_desc(struct e1k_dev *d, int ide)
{
    struct e1k_intr *in = &d->intr;
    if (d->cfg.mitigation == E1K_MIT_QEMU) {
        /* QEMU raises TXDW at once; IDE only selects TADV for the hold-off. */
        if (ide)
            in->qemu_ide = 1;
        e1k_intr_cause(d, E1K_ICR_TXDW);
        return;
    }
    uint64_t tidv = rd(d, E1K_REG_TIDV) & 0xFFFF;
    uint64_t tadv = rd(d, E1K_REG_TADV) & 0xFFFF;
    if (!ide) {
        tx_timers_fire(d);
        return;
    }
    if (!tidv) {
        e1k_anomaly(d, E1K_ANOM_DESC, E1K_REG_TIDV, 0,
                    "descriptor with IDE while TIDV is 0 (not allowed): TXDW at once");
        tx_timers_fire(d);
        return;
    }
    uint64_t t = now(d);
    in->tidv_armed = 1;
    arm(d, E1K_TIMER_TIDV, t + tidv * DELAY_UNIT_PS);
    if (tadv && !in->tadv_armed) {
        in->tadv_armed = 1;
        arm(d, E1K_TIMER_TADV, t + tadv * DELAY_UNIT_PS);
    }
}

void e1k_intr_tx_frame(struct e1k_dev *d) { d->intr.tx_frames++; }

void e1k_intr_timer(struct e1k_dev *d, unsigned id)
{
    struct e1k_intr *in = &d->intr;
    switch (id) {
    case E1K_TIMER_ITR:
        in->itr_wait = 0;
        e1k_update_irq(d);
        break;
    case E1K_TIMER_RDTR:
    case E1K_TIMER_RADV:
        if (in->rdtr_armed || in->radv_armed)
            rx_timers_fire(d);
        break;
    case E1K_TIMER_TIDV:
    case E1K_TIMER_TADV:
        if (in->tidv_armed || in->tadv_armed)
            tx_timers_fire(d);
        break;
    default:
        break;
    }
}

void e1k_intr_reset(struct e1k_dev *d)
{
    static const unsigned ids[] = { E1K_TIMER_ITR, E1K_TIMER_RDTR, E1K_TIMER_RADV,
                                    E1K_TIMER_TIDV, E1K_TIMER_TADV };
    for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        cancel(d, ids[i]);
    uint64_t assertions = d->intr.assertions;
    d->intr = (struct e1k_intr){ 0 };
    d->intr.assertions = assertions;
}
