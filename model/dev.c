/* The 82540EM device core: register file and access paths, resets, EEPROM
 * and PHY plumbing (EERD, EECD, MDIC), link state and interrupts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "dev.h"
#include "regs_internal.h"

/* ------------------------------------------------------------------------ */
/* configuration */

void e1k_timing_default(struct e1k_timing *t)
{
    memset(t, 0, sizeof(*t));
    /* Auto-negotiation: IEEE 802.3 clause 28 break-link + FLP exchange; an
     * 88E1011 typically links up 1.5-3 s after restart. 2 s is the default. */
    t->autoneg_ps = 2000000000000ull;
    /* MDIC: an MDIO frame is 64 bits (32 preamble + 32) at the MDC clock of
     * 2.5 MHz (802.3 22.2.2.11): 25.6 us. */
    t->mdic_ps = 25600000ull;
    /* EERD: Microwire read = 3 start/opcode + 6 address + 1 dummy + 16 data
     * = 26 bits at the EEPROM clock (~1 MHz on the 82540EM): 26 us. */
    t->eerd_ps = 26000000ull;
    /* 32-bit PCI at 33 MHz (30 ns cycles, PCI 2.2 4.2.3): 133 MB/s peak. A
     * memory read through a host bridge answers after ~0.5-1 us; 600 ns. A
     * posted write costs arbitration, address and turnaround: 3 cycles.
     * Bursts up to 256 bytes (the 82540EM ends bursts at cache-line
     * multiples; a conservative latency timer allows about 64 data phases). */
    t->pci_mhz = 33;
    t->pci_bytes = 4;
    t->dma_read_latency_ps = 600000ull;
    t->dma_write_cycles = 3;
    t->dma_burst_bytes = 256;
    /* Register reads are non-posted round trips (~1 us on PCI through a
     * bridge); writes are posted (a few bus cycles). */
    t->mmio_read_ps = 1000000ull;
    t->mmio_write_ps = 90000ull;
    t->wire = 1;
}

void e1k_timing_functional(struct e1k_timing *t) { memset(t, 0, sizeof(*t)); }

void e1k_config_default(struct e1k_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
    memcpy(cfg->mac, mac, 6);
    cfg->vendor_id = 0x8086;
    cfg->device_id = 0x100E;
    cfg->subsys_vendor_id = 0x8086;
    cfg->subsys_id = 0x001E; /* PRO/1000 MT Desktop */
    cfg->revision = 0x02;    /* 82540EM A-step revision ID (SDM 4.1, table 4-1) */
    cfg->flash_size = 0;
    cfg->cable_connected = 1;
    cfg->partner_speeds = 7;
    e1k_timing_default(&cfg->timing);
    cfg->eeprom_image = NULL;
}

/* ------------------------------------------------------------------------ */
/* small helpers */

static const char *const anom_names[E1K_ANOM_COUNT] = {
    [E1K_ANOM_UNKNOWN_REG] = "unknown-register",
    [E1K_ANOM_UNALIGNED] = "unaligned-access",
    [E1K_ANOM_BAD_WIDTH] = "bad-width",
    [E1K_ANOM_RO_WRITE] = "read-only-write",
    [E1K_ANOM_WO_READ] = "write-only-read",
    [E1K_ANOM_RESERVED_BITS] = "reserved-bits",
    [E1K_ANOM_MDIC] = "mdic",
    [E1K_ANOM_EEPROM] = "eeprom",
    [E1K_ANOM_PCI] = "pci-config",
    [E1K_ANOM_DMA] = "dma",
    [E1K_ANOM_RING] = "ring",
    [E1K_ANOM_DESC] = "descriptor",
};

const char *e1k_anomaly_name(enum e1k_anomaly_kind kind)
{
    return (unsigned)kind < E1K_ANOM_COUNT ? anom_names[kind] : "?";
}

void e1k_anomaly(struct e1k_dev *d, enum e1k_anomaly_kind k, uint32_t off, uint64_t value,
                 const char *fmt, ...)
{
    d->anom[k]++;
    if (!d->host.anomaly)
        return;
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct e1k_anomaly a = { k, off, value, msg };
    d->host.anomaly(d->host.ctx, &a);
}

uint64_t e1k_anomaly_count(const struct e1k_dev *d, enum e1k_anomaly_kind kind)
{
    return (unsigned)kind < E1K_ANOM_COUNT ? d->anom[kind] : 0;
}

uint64_t e1k_anomaly_total(const struct e1k_dev *d)
{
    uint64_t n = 0;
    for (int i = 0; i < E1K_ANOM_COUNT; i++)
        n += d->anom[i];
    return n;
}

uint64_t e1k_now(const struct e1k_dev *d) { return d->host.now ? d->host.now(d->host.ctx) : 0; }
static uint64_t now(const struct e1k_dev *d) { return e1k_now(d); }

void e1k_timer_arm_in(struct e1k_dev *d, unsigned id, uint64_t delay)
{
    uint64_t t = now(d);
    t = t > UINT64_MAX - delay ? UINT64_MAX : t + delay;
    if (d->host.timer_arm)
        d->host.timer_arm(d->host.ctx, id, t);
}

void e1k_timer_cancel(struct e1k_dev *d, unsigned id)
{
    if (d->host.timer_cancel)
        d->host.timer_cancel(d->host.ctx, id);
}

static void timer_arm_in(struct e1k_dev *d, unsigned id, uint64_t delay)
{
    e1k_timer_arm_in(d, id, delay);
}

static void timer_cancel(struct e1k_dev *d, unsigned id) { e1k_timer_cancel(d, id); }

static const char *const dma_kind_names[E1K_DMA_KINDS] = { "descriptor fetch",
                                                           "descriptor write-back",
                                                           "packet data" };

const struct e1k_timing *e1k_get_timing(const struct e1k_dev *d) { return &d->cfg.timing; }

/* A transfer is cut into bursts; each pays the read latency (or the posted
 * write's overhead cycles) and one bus cycle per data phase. */
uint64_t e1k_dma_cost(const struct e1k_dev *d, int is_read, size_t len)
{
    const struct e1k_timing *t = &d->cfg.timing;
    if (!t->pci_mhz || !t->pci_bytes)
        return 0;
    uint64_t cyc = t->pci_mhz >= 66 ? 15000ull : 30000ull;
    uint64_t burst = t->dma_burst_bytes ? t->dma_burst_bytes : 256;
    uint64_t bursts = len <= burst ? 1 : (len + burst - 1) / burst;
    uint64_t phases = t->pci_bytes == 4 ? (len + 3) >> 2 : (len + t->pci_bytes - 1) / t->pci_bytes;
    uint64_t per = is_read ? t->dma_read_latency_ps : t->dma_write_cycles * cyc;
    return bursts * per + phases * cyc;
}

/* PCI Command (PCI 2.2 6.2.2): I/O space (bit 0) and memory space (bit 1)
 * decoding, bus mastering (bit 2). With a bit clear the device does not
 * claim the access (the host sees a master abort: all ones) or cannot start
 * DMA: what a driver that forgot pci_enable_device / pci_set_master meets. */
#define PCI_CMD_IO 1u
#define PCI_CMD_MEM 2u
#define PCI_CMD_MASTER 4u

static int pci_cmd(const struct e1k_dev *d) { return d->pci[4] | d->pci[5] << 8; }

static int dma_allowed(struct e1k_dev *d, uint64_t addr, size_t len, const char *what)
{
    if (pci_cmd(d) & PCI_CMD_MASTER)
        return 1;
    e1k_anomaly(d, E1K_ANOM_DMA, 0, addr,
                "%s: %zu-byte DMA at 0x%llx while PCI Command.Bus Master is clear: not done",
                what, len, (unsigned long long)addr);
    return 0;
}

int e1k_dma_read(struct e1k_dev *d, enum e1k_dma_kind kind, uint64_t addr, void *buf, size_t len,
                 const char *what)
{
    if (!dma_allowed(d, addr, len, what)) {
        memset(buf, 0, len);
        return -1;
    }
    d->dma_acc_ps += e1k_dma_cost(d, 1, len);
    if (d->host.dma_read && d->host.dma_read(d->host.ctx, kind, addr, buf, len) == 0)
        return 0;
    memset(buf, 0, len);
    e1k_anomaly(d, E1K_ANOM_DMA, 0, addr, "%s: DMA read (%s) of %zu bytes at 0x%llx refused",
                what, dma_kind_names[kind], len, (unsigned long long)addr);
    return -1;
}

int e1k_dma_write(struct e1k_dev *d, enum e1k_dma_kind kind, uint64_t addr, const void *buf,
                  size_t len, const char *what)
{
    if (!dma_allowed(d, addr, len, what))
        return -1;
    d->dma_acc_ps += e1k_dma_cost(d, 0, len);
    if (d->host.dma_write && d->host.dma_write(d->host.ctx, kind, addr, buf, len) == 0)
        return 0;
    e1k_anomaly(d, E1K_ANOM_DMA, 0, addr, "%s: DMA write (%s) of %zu bytes at 0x%llx refused",
                what, dma_kind_names[kind], len, (unsigned long long)addr);
    return -1;
}

void e1k_stat_inc(struct e1k_dev *d, uint32_t off, uint32_t n)
{
    uint32_t v = rd(d, off);
    wr(d, off, v > UINT32_MAX - n ? UINT32_MAX : v + n);
}

void e1k_stat_add64(struct e1k_dev *d, uint32_t lo_off, uint64_t n)
{
    uint64_t v = (uint64_t)rd(d, lo_off) | (uint64_t)rd(d, lo_off + 4) << 32;
    v = v > UINT64_MAX - n ? UINT64_MAX : v + n;
    wr(d, lo_off, (uint32_t)v);
    wr(d, lo_off + 4, (uint32_t)(v >> 32));
}

const uint16_t *e1k_eeprom_words(const struct e1k_dev *d) { return d->ee.w; }

uint32_t e1k_io_addr(const struct e1k_dev *d) { return d->ioaddr; }

int e1k_irq_level(const struct e1k_dev *d) { return d->irq_level; }

uint32_t e1k_reg_peek(const struct e1k_dev *d, uint32_t off)
{
    return off < E1K_MMIO_SIZE ? d->r[off >> 2] : 0;
}

void e1k_reg_poke(struct e1k_dev *d, uint32_t off, uint32_t val)
{
    if (off < E1K_MMIO_SIZE)
        d->r[off >> 2] = val;
}

/* ------------------------------------------------------------------------ */
/* link: the MAC sees the PHY's link only with CTRL.SLU set (SDM 8.6.2.1);
 * speed from the PHY unless CTRL.FRCSPD, duplex from the PHY unless
 * CTRL.FRCDPLX (SDM 8.6.2.2, 8.6.2.3). */

static void update_status_link(struct e1k_dev *d, int may_interrupt)
{
    uint32_t ctrl = rd(d, E1K_REG_CTRL);
    uint32_t st = rd(d, E1K_REG_STATUS);
    uint32_t old = st;
    int lu = d->phy.link && (ctrl & E1K_CTRL_SLU);
    st &= ~(E1K_STATUS_LU | E1K_STATUS_FD | E1K_STATUS_SPEED_MASK | E1K_STATUS_TXOFF);
    /* TXOFF follows the flow-control pause, not the link (SDM 13.4.2). */
    if (e1k_now(d) < d->fc_paused_until)
        st |= E1K_STATUS_TXOFF;
    if (lu)
        st |= E1K_STATUS_LU;
    unsigned speed = d->phy.link ? d->phy.speed : 1000;
    if (ctrl & E1K_CTRL_FRCSPD) {
        st |= ctrl & E1K_CTRL_SPEED_MASK ? ((ctrl & E1K_CTRL_SPEED_MASK) >> 8) << 6 : 0;
        if ((st & E1K_STATUS_SPEED_MASK) == (3u << 6))
            st = (st & ~E1K_STATUS_SPEED_MASK) | E1K_STATUS_SPEED_1000;
    } else {
        st |= speed == 1000 ? E1K_STATUS_SPEED_1000
              : speed == 100 ? E1K_STATUS_SPEED_100 : E1K_STATUS_SPEED_10;
    }
    if (ctrl & E1K_CTRL_FRCDPLX) {
        if (ctrl & E1K_CTRL_FD)
            st |= E1K_STATUS_FD;
    } else if (d->phy.link ? d->phy.full_duplex : 1) {
        st |= E1K_STATUS_FD;
    }
    wr(d, E1K_REG_STATUS, st);
    if (may_interrupt && ((old ^ st) & E1K_STATUS_LU))
        e1k_set_ics(d, E1K_ICR_LSC);
    if ((old ^ st) & E1K_STATUS_LU)
        e1k_tx_kick(d);
}

int e1k_mac_link_up(const struct e1k_dev *d) { return (rd(d, E1K_REG_STATUS) & E1K_STATUS_LU) != 0; }

unsigned e1k_mac_speed(const struct e1k_dev *d)
{
    switch (rd(d, E1K_REG_STATUS) & E1K_STATUS_SPEED_MASK) {
    case E1K_STATUS_SPEED_10: return 10;
    case E1K_STATUS_SPEED_100: return 100;
    default: return 1000;
    }
}

int e1k_loopback(const struct e1k_dev *d)
{
    return (rd(d, E1K_REG_RCTL) & E1K_RCTL_LBM_MASK) == E1K_RCTL_LBM_MAC ||
           e1k_phy_loopback(&d->phy);
}

int e1k_mac_can_tx(const struct e1k_dev *d)
{
    if (!(rd(d, E1K_REG_TCTL) & E1K_TCTL_EN))
        return 0;
    if (!e1k_mac_link_up(d) && !e1k_loopback(d))
        return 0;
    return e1k_now(d) >= d->fc_paused_until;
}

/* The FCS: IEEE 802.3 CRC-32 (reflected polynomial 0xEDB88320, initial and
 * final xor all ones; zlib's crc32() computes the same). Frames are short
 * (64 bytes at line rate) and zlib's crc32 spends most of its time setting
 * up for long buffers there, so the device uses slicing-by-8 (eight bytes
 * per step from eight 256-entry tables), checked against zlib in tests. */
static uint32_t crc_tab[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_tab[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xFF];
}

uint32_t e1k_crc32(const uint8_t *p, size_t len)
{
    pthread_once(&crc_once, crc_init);
    uint32_t c = 0xFFFFFFFFu;
    while (len >= 8) {
        uint32_t lo, hi;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(&lo, p, 4); /* one load each on a little-endian host */
        memcpy(&hi, p + 4, 4);
#else
        lo = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 24;
#endif
        lo ^= c;
        c = crc_tab[7][lo & 0xFF] ^ crc_tab[6][(lo >> 8) & 0xFF] ^
            crc_tab[5][(lo >> 16) & 0xFF] ^ crc_tab[4][lo >> 24] ^ crc_tab[3][hi & 0xFF] ^
            crc_tab[2][(hi >> 8) & 0xFF] ^ crc_tab[1][(hi >> 16) & 0xFF] ^ crc_tab[0][hi >> 24];
        p += 8;
        len -= 8;
    }
    while (len--)
        c = crc_tab[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

uint32_t e1k_fcs(const uint8_t *frame, size_t len) { return e1k_crc32(frame, len); }

/* The PAUSE frame the MAC sends (SDM 3.7.x): destination FCAH:FCAL (the
 * reserved multicast 01:80:C2:00:00:01 as software programs it), source
 * RAL0/RAH0, type FCT (8808h), opcode 0001h, the pause time, zero padding
 * to 60 bytes, FCS. */
void e1k_fc_build_pause(const struct e1k_dev *d, uint16_t quanta, uint8_t buf[64])
{
    memset(buf, 0, 64);
    uint32_t fcal = rd(d, E1K_REG_FCAL), fcah = rd(d, E1K_REG_FCAH);
    uint32_t ral = rd(d, E1K_REG_RAL), rah = rd(d, E1K_REG_RAH);
    for (int i = 0; i < 4; i++) {
        buf[i] = (uint8_t)(fcal >> (8 * i));
        buf[6 + i] = (uint8_t)(ral >> (8 * i));
    }
    buf[4] = (uint8_t)fcah;
    buf[5] = (uint8_t)(fcah >> 8);
    buf[10] = (uint8_t)rah;
    buf[11] = (uint8_t)(rah >> 8);
    uint16_t type = (uint16_t)rd(d, E1K_REG_FCT);
    buf[12] = (uint8_t)(type >> 8);
    buf[13] = (uint8_t)type;
    buf[14] = 0x00;
    buf[15] = 0x01;
    buf[16] = (uint8_t)(quanta >> 8);
    buf[17] = (uint8_t)quanta;
    uint32_t fcs = e1k_crc32(buf, 60);
    for (int i = 0; i < 4; i++)
        buf[60 + i] = (uint8_t)(fcs >> (8 * i));
}

void e1k_fc_pause_received(struct e1k_dev *d, uint16_t quanta)
{
    if (!(rd(d, E1K_REG_CTRL) & E1K_CTRL_RFCE))
        return;
    uint32_t st = rd(d, E1K_REG_STATUS);
    if (quanta == 0) {
        d->fc_paused_until = 0;
        e1k_timer_cancel(d, E1K_TIMER_FC);
        wr(d, E1K_REG_STATUS, st & ~E1K_STATUS_TXOFF);
        e1k_tx_kick(d);
        return;
    }
    /* One quantum is 512 bit times at the current speed. */
    uint64_t bit_ps = 1000000ull / e1k_mac_speed(d);
    d->fc_paused_until = e1k_now(d) + (uint64_t)quanta * 512 * bit_ps;
    wr(d, E1K_REG_STATUS, st | E1K_STATUS_TXOFF);
    if (d->host.timer_arm)
        d->host.timer_arm(d->host.ctx, E1K_TIMER_FC, d->fc_paused_until);
}

static void fc_send(struct e1k_dev *d, uint16_t quanta)
{
    /* In loopback a PAUSE comes straight back into the receive FIFO, which
     * may ask for another: one PAUSE at a time. */
    if (d->fc_sending)
        return;
    d->fc_sending = 1;
    uint8_t f[64];
    e1k_fc_build_pause(d, quanta, f);
    /* PAUSE frames go out even while the transmitter is paused, right after
     * the frame on the wire (802.3 31B). */
    if (e1k_mac_link_up(d) || e1k_loopback(d)) {
        e1k_tx_send_control(d, f, sizeof(f));
        e1k_stat_inc(d, quanta ? E1K_REG_XOFFTXC : E1K_REG_XONTXC, 1);
        /* Flow-control frames count in the total transmit counters (13.7). */
        e1k_stat_inc(d, E1K_REG_TPT, 1);
        e1k_stat_add64(d, E1K_REG_TOTL, sizeof(f));
        e1k_stat_inc(d, E1K_REG_PTC64, 1);
    }
    d->fc_sending = 0;
}

/* The receive FIFO overflowed while XOFF was in effect: the partner did
 * not stop; send another XOFF (SDM 8.7.5). */
void e1k_fc_rx_overflow(struct e1k_dev *d)
{
    /* once per overflow episode (until XON): not a PAUSE storm */
    if ((rd(d, E1K_REG_CTRL) & E1K_CTRL_TFCE) && d->fc_xoff_sent && !d->fc_overflow_xoff) {
        d->fc_overflow_xoff = 1;
        fc_send(d, (uint16_t)rd(d, E1K_REG_FCTTV));
    }
}

void e1k_fc_rx_fifo_changed(struct e1k_dev *d, uint32_t fifo_bytes)
{
    if (!(rd(d, E1K_REG_CTRL) & E1K_CTRL_TFCE))
        return;
    uint32_t high = rd(d, E1K_REG_FCRTH) & 0xFFF8, low = rd(d, E1K_REG_FCRTL) & 0xFFF8;
    if (!d->fc_xoff_sent && high && fifo_bytes >= high) {
        d->fc_xoff_sent = 1;
        fc_send(d, (uint16_t)rd(d, E1K_REG_FCTTV));
    } else if (d->fc_xoff_sent && fifo_bytes < low) {
        d->fc_xoff_sent = 0;
        d->fc_overflow_xoff = 0;
        fc_send(d, 0);
    }
}

void e1k_mac_tx_out(struct e1k_dev *d, const uint8_t *frame, size_t len)
{
    if (e1k_loopback(d)) {
        e1k_rx_frame(d, frame, len);
        return;
    }
    if (d->host.tx_frame)
        d->host.tx_frame(d->host.ctx, frame, len);
}

static void phy_actions(struct e1k_dev *d, unsigned act)
{
    if (act & E1K_PHY_ACT_AUTONEG) {
        d->autoneg_busy = 1;
        if (d->cfg.timing.autoneg_ps)
            timer_arm_in(d, E1K_TIMER_AUTONEG, d->cfg.timing.autoneg_ps);
        else
            e1k_timer_fired(d, E1K_TIMER_AUTONEG);
    }
    if (act & (E1K_PHY_ACT_LINK | E1K_PHY_ACT_RESET))
        update_status_link(d, 1);
}

void e1k_set_cable(struct e1k_dev *d, int connected)
{
    d->cfg.cable_connected = connected;
    if (d->phy_in_reset)
        return; /* seen when the PHY comes out of reset */
    if (!connected) {
        d->autoneg_busy = 0;
        timer_cancel(d, E1K_TIMER_AUTONEG);
    }
    phy_actions(d, e1k_phy_set_cable(&d->phy, connected));
}

/* ------------------------------------------------------------------------ */
/* resets */

/* Registers the software reset leaves alone. CTRL.RST resets the MAC, DMA
 * and registers but not PCI configuration space (SDM 13.4.1, 14.7); the
 * internal PHY is reset only by CTRL.PHY_RST or its own control register.
 * WUS, WUPL and WUPM survive every reset but power-on (SDM 14.7). */
static int kept_on_sw_reset(uint32_t off)
{
    if (off >= E1K_REG_WUPM && off < E1K_REG_WUPM + 32 * 4)
        return 1;
    return off == E1K_REG_WUS || off == E1K_REG_WUPL;
}

static void regs_to_reset_values(struct e1k_dev *d, int software)
{
    for (size_t i = 0; i < e1k_reg_count(); i++) {
        const struct e1k_reg_info *e = e1k_reg_at(i);
        for (unsigned k = 0; k < e->count; k++) {
            uint32_t off = e->offset + k * e->stride;
            if (software && kept_on_sw_reset(off))
                continue;
            wr(d, off, e->reset);
        }
    }
}

/* Control-register defaults from the EEPROM (SDM 5.6, table 5-2). Words
 * whose signature (bits 15:14 = 01b) is wrong are not loaded (SDM 5.6.7).
 * Initialization Control Word 1 (0Ah): FD (10) -> CTRL.FD, FRCSPD (11) ->
 * CTRL.FRCSPD, ILOS (4) -> CTRL.ILOS. Initialization Control Word 2 (0Fh):
 * SWDPIO_EXT (7:4) -> CTRL_EXT SDP7..4 direction bits (11:8). Called only
 * when the image's signature is valid. */
static void e1k_autoload_control_words(struct e1k_dev *d)
{
    uint16_t icw1 = d->ee.w[E1K_EE_INIT1];
    {
        uint32_t ctrl = rd(d, E1K_REG_CTRL) & ~(E1K_CTRL_FD | E1K_CTRL_FRCSPD | E1K_CTRL_ILOS);
        if (icw1 & (1u << 10))
            ctrl |= E1K_CTRL_FD;
        if (icw1 & (1u << 11))
            ctrl |= E1K_CTRL_FRCSPD;
        if (icw1 & (1u << 4))
            ctrl |= E1K_CTRL_ILOS;
        wr(d, E1K_REG_CTRL, ctrl);
    }
    uint16_t icw2 = d->ee.w[E1K_EE_INIT2];
    {
        uint32_t ext = rd(d, E1K_REG_CTRL_EXT) & ~0x00000F00u;
        ext |= (uint32_t)((icw2 >> 4) & 0xF) << 8;
        wr(d, E1K_REG_CTRL_EXT, ext);
    }
}

/* EEPROM auto-load (SDM 5.6, 14.3): the MAC address into RAL0/RAH0 with
 * Address Valid, and the init control words into CTRL / CTRL_EXT / LEDCTL. */
static void eeprom_autoload(struct e1k_dev *d)
{
    const uint16_t *w = d->ee.w;
    /* Without the signature 01b in ICW1 bits 15:14 the device loads nothing
     * and keeps its hardware defaults; RAL0/RAH0 stay invalid (SDM 5.6.7). */
    if ((w[E1K_EE_INIT1] >> 14) != 1) {
        e1k_anomaly(d, E1K_ANOM_EEPROM, 0, w[E1K_EE_INIT1],
                    "EEPROM signature invalid (word 0Ah = 0x%04x): nothing auto-loaded",
                    w[E1K_EE_INIT1]);
        return;
    }
    wr(d, E1K_REG_RAL, (uint32_t)w[0] | (uint32_t)w[1] << 16);
    wr(d, E1K_REG_RAH, (uint32_t)w[2] | E1K_RAH_AV);
    e1k_autoload_control_words(d);
}

static void phy_release(struct e1k_dev *d);

static void software_reset(struct e1k_dev *d)
{
    static const unsigned timers[] = { E1K_TIMER_MDIC, E1K_TIMER_EERD, E1K_TIMER_ITR,
                                       E1K_TIMER_RDTR, E1K_TIMER_RADV, E1K_TIMER_TIDV,
                                       E1K_TIMER_TADV, E1K_TIMER_TX, E1K_TIMER_RX,
                                       E1K_TIMER_FC, E1K_TIMER_WIRE, E1K_TIMER_TXDONE };
    for (size_t i = 0; i < sizeof(timers) / sizeof(timers[0]); i++)
        timer_cancel(d, timers[i]);
    d->mdic_busy = 0;
    d->eerd_busy = 0;
    d->ioaddr = 0;
    e1k_tx_reset(d);
    e1k_rx_reset(d);
    e1k_intr_reset(d);
    d->fc_paused_until = 0;
    d->fc_xoff_sent = 0;
    d->fc_overflow_xoff = 0;
    d->fc_sending = 0;
    int held = d->phy_in_reset;
    regs_to_reset_values(d, 1);
    e1k_eeprom_pins(&d->ee, 0, 0, 0);
    eeprom_autoload(d);
    update_status_link(d, 0);
    /* CTRL.RST clears PHY_RST, which releases a PHY held in reset */
    if (held)
        phy_release(d);
    e1k_update_irq(d);
}

static void power_on(struct e1k_dev *d)
{
    for (unsigned t = 0; t < E1K_TIMER_COUNT; t++)
        timer_cancel(d, t);
    d->mdic_busy = d->eerd_busy = d->autoneg_busy = 0;
    d->phy_in_reset = 0;
    d->ioaddr = 0;
    if (d->irq_level && d->host.set_irq) /* RST# deasserts INTA# */
        d->host.set_irq(d->host.ctx, 0);
    e1k_eeprom_pins(&d->ee, 0, 0, 0);
    e1k_tx_reset(d);
    e1k_rx_reset(d);
    e1k_intr_reset(d);
    d->intr.assertions = 0;
    d->fc_paused_until = 0;
    d->fc_xoff_sent = 0;
    d->fc_overflow_xoff = 0;
    d->fc_sending = 0;
    memset(d->r, 0, sizeof(d->r));
    regs_to_reset_values(d, 0);
    e1k_phy_power_on(&d->phy, d->cfg.cable_connected, d->cfg.partner_speeds);
    e1k_pci_init(d);
    eeprom_autoload(d);
    d->irq_level = 0;
    update_status_link(d, 0);
    /* The PHY starts auto-negotiating by itself at power-on. */
    if (d->cfg.cable_connected)
        phy_actions(d, e1k_phy_set_cable(&d->phy, 1));
}

void e1k_pci_reset(struct e1k_dev *d) { power_on(d); }

void e1k_eeprom_default_image(const struct e1k_config *cfg, uint16_t img[64])
{
    struct e1k_eeprom e;
    e1k_eeprom_build(&e, cfg->mac, cfg->vendor_id, cfg->device_id, cfg->subsys_vendor_id,
                     cfg->subsys_id);
    memcpy(img, e.w, sizeof(e.w));
}

struct e1k_dev *e1k_new(const struct e1k_config *cfg, const struct e1k_host *host)
{
    struct e1k_dev *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->cfg = *cfg;
    if (host)
        d->host = *host;
    if (cfg->eeprom_image) {
        memcpy(d->eeprom_image, cfg->eeprom_image, sizeof(d->eeprom_image));
        e1k_eeprom_load(&d->ee, d->eeprom_image);
    } else {
        e1k_eeprom_build(&d->ee, cfg->mac, cfg->vendor_id, cfg->device_id,
                         cfg->subsys_vendor_id, cfg->subsys_id);
    }
    d->cfg.eeprom_image = NULL; /* not owned; the EEPROM now holds the words */
    e1k_tx_init(d);
    e1k_rx_init(d);
    power_on(d);
    return d;
}

void e1k_free(struct e1k_dev *d)
{
    if (!d)
        return;
    e1k_tx_free(d);
    e1k_rx_free(d);
    free(d);
}

/* ------------------------------------------------------------------------ */
/* timers */

static void mdic_complete(struct e1k_dev *d);
static void eerd_complete(struct e1k_dev *d);

void e1k_timer_fired(struct e1k_dev *d, unsigned id)
{
    switch (id) {
    case E1K_TIMER_AUTONEG:
        if (!d->autoneg_busy || d->phy_in_reset)
            return;
        d->autoneg_busy = 0;
        e1k_phy_autoneg_done(&d->phy);
        update_status_link(d, 1);
        break;
    case E1K_TIMER_MDIC:
        mdic_complete(d);
        break;
    case E1K_TIMER_EERD:
        eerd_complete(d);
        break;
    case E1K_TIMER_TX:
        e1k_tx_step(d);
        break;
    case E1K_TIMER_RX:
        e1k_rx_step(d);
        break;
    case E1K_TIMER_WIRE:
        e1k_tx_wire_done(d);
        break;
    case E1K_TIMER_TXDONE:
        e1k_tx_done(d);
        break;
    case E1K_TIMER_FC:
        /* a flow-control pause ran out */
        d->fc_paused_until = 0;
        wr(d, E1K_REG_STATUS, rd(d, E1K_REG_STATUS) & ~E1K_STATUS_TXOFF);
        e1k_tx_kick(d);
        break;
    default:
        e1k_intr_timer(d, id);
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* EEPROM access: EERD (SDM 13.4.4) and EECD bit-banging (SDM 13.4.3, 5.3) */

static void eerd_complete(struct e1k_dev *d)
{
    if (!d->eerd_busy)
        return;
    d->eerd_busy = 0;
    uint32_t v = rd(d, E1K_REG_EERD);
    unsigned addr = (v & E1K_EERD_ADDR_MASK) >> E1K_EERD_ADDR_SHIFT;
    if (addr >= E1K_EEPROM_WORDS)
        e1k_anomaly(d, E1K_ANOM_EEPROM, E1K_REG_EERD, addr,
                    "EERD address 0x%02x beyond the 64-word EEPROM (wraps)", addr);
    uint16_t word = e1k_eeprom_read(&d->ee, addr);
    v = (v & ~(E1K_EERD_START | 0xFFFF0000u)) | E1K_EERD_DONE |
        ((uint32_t)word << E1K_EERD_DATA_SHIFT);
    wr(d, E1K_REG_EERD, v);
}

static void eerd_write(struct e1k_dev *d, uint32_t val)
{
    /* A write replaces ADDR/START; DONE and DATA are the hardware's. */
    uint32_t v = (val & (E1K_EERD_ADDR_MASK | E1K_EERD_START));
    if (!(val & E1K_EERD_START)) {
        wr(d, E1K_REG_EERD, (rd(d, E1K_REG_EERD) & ~E1K_EERD_ADDR_MASK) | v);
        return;
    }
    if (rd(d, E1K_REG_EECD) & E1K_EECD_GNT)
        e1k_anomaly(d, E1K_ANOM_EEPROM, E1K_REG_EERD, val,
                    "EERD read started while software owns the EEPROM (EECD.EE_GNT)");
    wr(d, E1K_REG_EERD, v);
    d->eerd_busy = 1;
    if (d->cfg.timing.eerd_ps)
        timer_arm_in(d, E1K_TIMER_EERD, d->cfg.timing.eerd_ps);
    else
        eerd_complete(d);
}

static void eecd_write(struct e1k_dev *d, uint32_t val)
{
    const struct e1k_reg_info *e = e1k_reg_at(E1K_RI_EECD);
    uint32_t cur = rd(d, E1K_REG_EECD);
    uint32_t v = (cur & ~e->wmask) | (val & e->wmask);
    /* Grant follows request at once unless an EERD read is in flight. */
    if ((v & E1K_EECD_REQ) && !d->eerd_busy)
        v |= E1K_EECD_GNT;
    else
        v &= ~E1K_EECD_GNT;
    v |= E1K_EECD_PRES;
    /* The pins reach the EEPROM only while software holds the grant. */
    if (v & E1K_EECD_GNT)
        e1k_eeprom_pins(&d->ee, !!(v & E1K_EECD_CS), !!(v & E1K_EECD_SK), !!(v & E1K_EECD_DI));
    else if (v & (E1K_EECD_CS | E1K_EECD_SK))
        e1k_anomaly(d, E1K_ANOM_EEPROM, E1K_REG_EECD, val,
                    "EECD pins driven without EE_REQ/EE_GNT: ignored");
    v = (v & ~E1K_EECD_DO) | (e1k_eeprom_do(&d->ee) ? E1K_EECD_DO : 0);
    wr(d, E1K_REG_EECD, v);
}

static uint32_t eecd_read(struct e1k_dev *d)
{
    uint32_t v = rd(d, E1K_REG_EECD);
    v = (v & ~E1K_EECD_DO) | (e1k_eeprom_do(&d->ee) ? E1K_EECD_DO : 0);
    wr(d, E1K_REG_EECD, v);
    return v;
}

/* ------------------------------------------------------------------------ */
/* MDIC (SDM 13.4.7): one PHY register access; READY when done, ERROR for a
 * PHY address other than the internal PHY's, MDAC interrupt when asked. */

static void mdic_complete(struct e1k_dev *d)
{
    if (!d->mdic_busy)
        return;
    d->mdic_busy = 0;
    uint32_t v = d->mdic_pending;
    unsigned phy = (v & E1K_MDIC_PHY_MASK) >> E1K_MDIC_PHY_SHIFT;
    unsigned reg = (v & E1K_MDIC_REG_MASK) >> E1K_MDIC_REG_SHIFT;
    unsigned op = v & E1K_MDIC_OP_MASK;
    v &= ~(E1K_MDIC_ERROR | E1K_MDIC_READY);
    if (phy != E1K_PHY_ADDR || d->phy_in_reset) {
        if (phy != E1K_PHY_ADDR)
            e1k_anomaly(d, E1K_ANOM_MDIC, E1K_REG_MDIC, v, "MDIC access to PHY address %u", phy);
        else
            e1k_anomaly(d, E1K_ANOM_MDIC, E1K_REG_MDIC, v,
                        "MDIC access while CTRL.PHY_RST holds the PHY in reset");
        v |= E1K_MDIC_ERROR;
    } else if (op == E1K_MDIC_OP_READ) {
        uint16_t val = 0;
        if (e1k_phy_read(&d->phy, reg, &val) < 0)
            e1k_anomaly(d, E1K_ANOM_MDIC, E1K_REG_MDIC, v, "MDIC read of PHY register %u", reg);
        v = (v & ~E1K_MDIC_DATA_MASK) | val;
    } else if (op == E1K_MDIC_OP_WRITE) {
        unsigned act = e1k_phy_write(&d->phy, reg, (uint16_t)(v & E1K_MDIC_DATA_MASK));
        wr(d, E1K_REG_MDIC, v | E1K_MDIC_READY);
        phy_actions(d, act);
    } else {
        e1k_anomaly(d, E1K_ANOM_MDIC, E1K_REG_MDIC, v, "MDIC with reserved opcode %u",
                    op >> E1K_MDIC_OP_SHIFT);
        v |= E1K_MDIC_ERROR;
    }
    wr(d, E1K_REG_MDIC, v | E1K_MDIC_READY);
    if (v & E1K_MDIC_INT_EN)
        e1k_set_ics(d, E1K_ICR_MDAC);
}

static void mdic_write(struct e1k_dev *d, uint32_t val)
{
    if (d->mdic_busy)
        e1k_anomaly(d, E1K_ANOM_MDIC, E1K_REG_MDIC, val,
                    "MDIC written while the previous operation is in progress");
    uint32_t v = val & ~(E1K_MDIC_READY | E1K_MDIC_ERROR | 0x80000000u);
    wr(d, E1K_REG_MDIC, v);
    d->mdic_pending = v;
    d->mdic_busy = 1;
    if (d->cfg.timing.mdic_ps)
        timer_arm_in(d, E1K_TIMER_MDIC, d->cfg.timing.mdic_ps);
    else
        mdic_complete(d);
}

/* ------------------------------------------------------------------------ */
/* the register file: default behaviour per access kind, then side effects */

/* CTRL.PHY_RST (SDM 13.4.1): while it is set the PHY is held in reset: the
 * link drops at once, nothing negotiates, MDIO gets no answer. */
static void phy_hold(struct e1k_dev *d)
{
    d->phy_in_reset = 1;
    d->autoneg_busy = 0;
    timer_cancel(d, E1K_TIMER_AUTONEG);
    phy_actions(d, e1k_phy_reset(&d->phy) & ~E1K_PHY_ACT_AUTONEG);
}

/* Released: the PHY comes out of reset with its defaults and starts
 * auto-negotiating if a partner is there. */
static void phy_release(struct e1k_dev *d)
{
    d->phy_in_reset = 0;
    unsigned act = e1k_phy_reset(&d->phy);
    act |= e1k_phy_set_cable(&d->phy, d->cfg.cable_connected);
    phy_actions(d, act);
}

static void ctrl_write(struct e1k_dev *d, uint32_t val, uint32_t wmask)
{
    uint32_t old = rd(d, E1K_REG_CTRL);
    if (val & E1K_CTRL_RST) {
        /* SDM 13.4.1: RST is self-clearing; the whole device resets except
         * PCI configuration, and the EEPROM is read again. */
        software_reset(d);
        return;
    }
    uint32_t v = (old & ~wmask) | (val & wmask);
    wr(d, E1K_REG_CTRL, v);
    if ((old ^ v) & E1K_CTRL_PHY_RST) {
        if (v & E1K_CTRL_PHY_RST)
            phy_hold(d);
        else
            phy_release(d);
    }
    update_status_link(d, 1);
}

static void ctrl_ext_write(struct e1k_dev *d, uint32_t val, uint32_t wmask)
{
    uint32_t v = (rd(d, E1K_REG_CTRL_EXT) & ~wmask) | (val & wmask);
    v &= ~(E1K_CTRL_EXT_EE_RST | E1K_CTRL_EXT_ASDCHK); /* self-clearing */
    wr(d, E1K_REG_CTRL_EXT, v);
    if (val & E1K_CTRL_EXT_EE_RST)
        eeprom_autoload(d); /* SDM 13.4.6: re-read the EEPROM */
    if (val & E1K_CTRL_EXT_ASDCHK) {
        /* Auto-speed detection check: STATUS.ASDV shows the speed the MAC
         * senses from the PHY (SDM 8.6.2.2.2). */
        uint32_t st = rd(d, E1K_REG_STATUS) & ~E1K_STATUS_ASDV_MASK;
        unsigned sp = d->phy.link ? d->phy.speed : 10;
        st |= (sp == 1000 ? 2u : sp == 100 ? 1u : 0u) << E1K_STATUS_ASDV_SHIFT;
        wr(d, E1K_REG_STATUS, st);
    }
}

static uint32_t reg_read32(struct e1k_dev *d, uint32_t off, int ri)
{
    const struct e1k_reg_info *e = e1k_reg_at((size_t)ri);
    uint32_t v;
    switch (ri) {
    case E1K_RI_ICR:
        /* SDM 13.4.17: reading ICR returns the causes and clears them all. */
        v = rd(d, off);
        wr(d, off, 0);
        e1k_update_irq(d);
        return v;
    case E1K_RI_EECD:
        return eecd_read(d);
    default:
        break;
    }
    switch (e->access) {
    case E1K_ACC_WO:
        e1k_anomaly(d, E1K_ANOM_WO_READ, off, 0, "read of write-only register %s", e->name);
        return 0;
    case E1K_ACC_RC:
        v = rd(d, off);
        wr(d, off, 0);
        return v;
    case E1K_ACC_RCW:
        /* 64-bit counter pairs (GORC, GOTC, TOR, TOT): reading the high
         * half clears the whole counter; reading the low half does not
         * (SDM 13.7, 13.7.31). The high half sits at the odd dword. */
        v = rd(d, off);
        if (off & 4) {
            wr(d, off, 0);
            wr(d, off - 4, 0);
        }
        return v;
    default:
        return rd(d, off);
    }
}

/* `val` holds the bytes being written in the lanes set in `lanes` (a 32-bit
 * mask); other lanes are not written. */
static void reg_write32(struct e1k_dev *d, uint32_t off, int ri, uint32_t val, uint32_t lanes)
{
    const struct e1k_reg_info *e = e1k_reg_at((size_t)ri);
    uint32_t wmask = e->wmask & lanes;
    val &= lanes;
    switch (ri) {
    case E1K_RI_CTRL:
        ctrl_write(d, val, wmask);
        return;
    case E1K_RI_CTRL_EXT:
        ctrl_ext_write(d, val, wmask);
        return;
    case E1K_RI_EECD:
        eecd_write(d, (rd(d, off) & ~lanes) | val);
        return;
    case E1K_RI_EERD:
        eerd_write(d, (rd(d, off) & ~lanes) | val);
        return;
    case E1K_RI_MDIC:
        mdic_write(d, (rd(d, off) & ~lanes) | val);
        return;
    case E1K_RI_ICR:
        /* Writing 1s clears the corresponding causes (SDM 13.4.17). */
        wr(d, off, rd(d, off) & ~val);
        e1k_update_irq(d);
        return;
    case E1K_RI_ICS:
        e1k_set_ics(d, val & e->wmask);
        return;
    case E1K_RI_IMS:
        wr(d, off, rd(d, off) | (val & e->wmask));
        e1k_update_irq(d);
        return;
    case E1K_RI_IMC:
        wr(d, E1K_REG_IMS, rd(d, E1K_REG_IMS) & ~val);
        e1k_update_irq(d);
        return;
    case E1K_RI_RDTR:
        /* FPD is self-clearing: it acts (flushes the receive timer) and
         * reads back 0 (SDM 13.4.30). */
        wr(d, off, (rd(d, off) & ~wmask) | (val & wmask & ~E1K_RDTR_FPD));
        if (val & E1K_RDTR_FPD)
            e1k_intr_rx_flush(d);
        return;
    case E1K_RI_TDT:
    case E1K_RI_TCTL:
        wr(d, off, (rd(d, off) & ~wmask) | (val & wmask));
        e1k_tx_kick(d);
        return;
    case E1K_RI_RDT:
    case E1K_RI_RCTL:
        wr(d, off, (rd(d, off) & ~wmask) | (val & wmask));
        e1k_rx_kick(d);
        return;
    case E1K_RI_ITR:
        wr(d, off, (rd(d, off) & ~wmask) | (val & wmask));
        e1k_update_irq(d);
        return;
    default:
        break;
    }
    switch (e->access) {
    case E1K_ACC_RO:
    case E1K_ACC_RC:
        e1k_anomaly(d, E1K_ANOM_RO_WRITE, off, val, "write to read-only register %s", e->name);
        return;
    case E1K_ACC_RW1C:
        wr(d, off, rd(d, off) & ~(val & e->wmask));
        return;
    default:
        break;
    }
    uint32_t cur = rd(d, off);
    if (val & ~e->wmask & ~cur)
        e1k_anomaly(d, E1K_ANOM_RESERVED_BITS, off, val,
                    "write sets reserved or read-only bits 0x%08x of %s", val & ~e->wmask & ~cur,
                    e->name);
    wr(d, off, (cur & ~wmask) | (val & wmask));
}

static uint32_t lane_mask(unsigned size, unsigned shift)
{
    return (size >= 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1)) << shift;
}

static void check_width(struct e1k_dev *d, int ri, uint32_t off, unsigned size, int is_write);

/* One access within a single dword. */
static uint32_t mmio_read_dword(struct e1k_dev *d, uint32_t off, unsigned size)
{
    uint32_t base = off & ~3u;
    unsigned shift = (off & 3) * 8;
    int ri = e1k_reg_index_of(base, NULL);
    if (ri < 0) {
        e1k_anomaly(d, E1K_ANOM_UNKNOWN_REG, off, 0, "read of unknown register offset 0x%05x",
                    off);
        return 0;
    }
    check_width(d, ri, off, size, 0);
    uint32_t v = reg_read32(d, base, ri);
    return (v & lane_mask(size, shift)) >> shift;
}

/* Registers are 32-bit and are to be accessed as dwords; the packet buffer
 * memory takes any width (SDM 13.1, 13.8). A narrower access still reaches
 * the register through its byte lanes, and is recorded. */
static void check_width(struct e1k_dev *d, int ri, uint32_t off, unsigned size, int is_write)
{
    if (size != 4 && ri != E1K_RI_PBM)
        e1k_anomaly(d, E1K_ANOM_BAD_WIDTH, off, size, "%u-byte %s of %s (registers are 32-bit)",
                    size, is_write ? "write" : "read", e1k_reg_at((size_t)ri)->name);
}

static void mmio_write_dword(struct e1k_dev *d, uint32_t off, uint32_t val, unsigned size)
{
    uint32_t base = off & ~3u;
    unsigned shift = (off & 3) * 8;
    int ri = e1k_reg_index_of(base, NULL);
    if (ri < 0) {
        e1k_anomaly(d, E1K_ANOM_UNKNOWN_REG, off, val,
                    "write of 0x%08x to unknown register offset 0x%05x", val, off);
        return;
    }
    check_width(d, ri, off, size, 1);
    uint32_t lanes = lane_mask(size, shift);
    reg_write32(d, base, ri, (val << shift) & lanes, lanes);
}

static int check_access(struct e1k_dev *d, uint32_t off, unsigned size, uint32_t limit,
                        const char *what)
{
    if (size != 1 && size != 2 && size != 4) {
        e1k_anomaly(d, E1K_ANOM_BAD_WIDTH, off, size, "%s access of %u bytes", what, size);
        return -1;
    }
    if (off >= limit || size > limit - off) {
        e1k_anomaly(d, E1K_ANOM_UNKNOWN_REG, off, size, "%s access beyond the BAR at 0x%x", what,
                    off);
        return -1;
    }
    if (off & (size - 1))
        e1k_anomaly(d, E1K_ANOM_UNALIGNED, off, size, "unaligned %u-byte %s access at 0x%05x",
                    size, what, off);
    return 0;
}

/* Accesses narrower than 32 bits reach the register with byte enables
 * (PCI 2.2, 3.2.2): reads return the enabled lanes (with the register's
 * read side effects), writes change only the enabled lanes. An unaligned
 * access that crosses a dword is split as the host bridge would. */
static int decoding(struct e1k_dev *d, unsigned bit, uint32_t off, const char *what)
{
    if (pci_cmd(d) & bit)
        return 1;
    e1k_anomaly(d, E1K_ANOM_PCI, off, pci_cmd(d),
                "%s access at 0x%05x while PCI Command.%s is clear: not claimed", what, off,
                bit == PCI_CMD_MEM ? "Memory Space" : "I/O Space");
    return 0;
}

uint32_t e1k_mmio_read(struct e1k_dev *d, uint32_t off, unsigned size)
{
    if (!decoding(d, PCI_CMD_MEM, off, "memory"))
        return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (check_access(d, off, size, E1K_MMIO_SIZE, "memory") < 0)
        return 0;
    unsigned first = 4 - (off & 3);
    if (size <= first)
        return mmio_read_dword(d, off, size);
    uint32_t lo = mmio_read_dword(d, off, first);
    uint32_t hi = mmio_read_dword(d, off + first, size - first);
    return lo | hi << (8 * first);
}

void e1k_mmio_write(struct e1k_dev *d, uint32_t off, uint32_t val, unsigned size)
{
    if (!decoding(d, PCI_CMD_MEM, off, "memory"))
        return;
    if (check_access(d, off, size, E1K_MMIO_SIZE, "memory") < 0)
        return;
    unsigned first = 4 - (off & 3);
    if (size <= first) {
        mmio_write_dword(d, off, val, size);
        return;
    }
    mmio_write_dword(d, off, val, first);
    mmio_write_dword(d, off + first, val >> (8 * first), size - first);
}

/* I/O BAR (SDM 4.1.1: 8 bytes; 13.2.2): IOADDR at 0 selects a register by
 * its memory offset, IODATA at 4 reads or writes it. IOADDR takes dword
 * writes only and its bits 31:20 are hard-wired 0 (13.2.2.1); IODATA must be
 * written as a dword when it reaches registers, smaller writes are ignored
 * (13.2.2.2). Reserved I/O offsets read all ones, writes are discarded
 * (13.2.2.3). Targets 20000h-7FFFFh are undefined and the flash range
 * 80000h-FFFFFh has no flash behind it: both read all ones here. */
#define IOADDR_MASK 0x000FFFFFu

uint32_t e1k_io_read(struct e1k_dev *d, uint32_t off, unsigned size)
{
    uint32_t ones = size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    if (!decoding(d, PCI_CMD_IO, off, "I/O"))
        return ones;
    if (check_access(d, off, size, E1K_IO_SIZE, "I/O") < 0)
        return ones;
    if (off + size <= 4) /* IOADDR: reads of any size return its lanes */
        return (d->ioaddr & lane_mask(size, (off & 3) * 8)) >> ((off & 3) * 8);
    if (off < 4) {
        e1k_anomaly(d, E1K_ANOM_UNALIGNED, off, size, "I/O read straddles IOADDR and IODATA");
        return ones;
    }
    uint32_t target = (d->ioaddr & ~3u) + (off & 3);
    if (target >= E1K_MMIO_SIZE) {
        e1k_anomaly(d, E1K_ANOM_UNKNOWN_REG, d->ioaddr, 0,
                    "IODATA read with IOADDR 0x%05x outside the register space", d->ioaddr);
        return ones;
    }
    return e1k_mmio_read(d, target, size);
}

void e1k_io_write(struct e1k_dev *d, uint32_t off, uint32_t val, unsigned size)
{
    if (!decoding(d, PCI_CMD_IO, off, "I/O"))
        return;
    if (check_access(d, off, size, E1K_IO_SIZE, "I/O") < 0)
        return;
    if (size != 4 || (off != 0 && off != 4)) {
        e1k_anomaly(d, E1K_ANOM_BAD_WIDTH, off, val,
                    "%u-byte I/O write at offset %u ignored (IOADDR/IODATA take dwords)", size,
                    off);
        return;
    }
    if (off == 0) {
        d->ioaddr = val & IOADDR_MASK;
        return;
    }
    if (d->ioaddr >= E1K_MMIO_SIZE) {
        e1k_anomaly(d, E1K_ANOM_UNKNOWN_REG, d->ioaddr, val,
                    "IODATA write with IOADDR 0x%05x outside the register space", d->ioaddr);
        return;
    }
    e1k_mmio_write(d, d->ioaddr & ~3u, val, 4);
}
