/* The 82540EM's integrated PHY (88E1011-compatible): register defaults and
 * masks, control-register semantics, link and auto-negotiation state.
 * Behaviour: SDM chapter 11 (PHY functionality), IEEE 802.3 clause 22/28/40
 * for the standard registers. */
#include "phy.h"

#include <string.h>

/* Per-register description: power-on value, bits software can write. */
struct phy_reg_desc {
    uint16_t def;
    uint16_t wmask;
    uint8_t flags;
};

enum { R_IMPL = 1, R_WO = 2 };

/* Registers 0-15 follow IEEE 802.3 clause 22 (and 40 for 9, 10, 15);
 * 16-30 are the 88E1011's. Defaults and masks as the SDM's PHY register
 * tables give them; where the SDM was not at hand the value is the 88E1011's
 * and the note says so. */
static const struct phy_reg_desc regs[E1K_PHY_NREGS] = {
    /* PCTRL: auto-negotiation on, full duplex, speed bits 10b (1000);
     * bits 5:0 reserved. Reset (15) and restart (9) self-clear. */
    [0] = { 0x1140, 0xFFC0, R_IMPL },
    /* PSTATUS: 100BASE-TX FD/HD, 10BASE-T FD/HD, extended status, preamble
     * suppression, AN ability, extended capability; link (2) and AN
     * complete (5) follow the link. Read-only. */
    [1] = { 0x7949, 0x0000, R_IMPL },
    [2] = { 0x0141, 0x0000, R_IMPL },
    /* Model 000010b (88E1011) revision 0000b: QEMU, VirtualBox and Linux
     * (M88E1011_I_PHY_ID 0x01410C20) agree for the 82540EM. */
    [3] = { 0x0C20, 0x0000, R_IMPL },
    /* PANA: 100 FD/HD, 10 FD/HD, selector 00001b (802.3). Writable: next
     * page (15), remote fault (13), ASM_DIR (11), PAUSE (10), 8:5. Bits 14
     * and 12 (reserved), 9 (100BASE-T4, not supported) and the selector are
     * read-only. */
    [4] = { 0x01E1, 0xADE0, R_IMPL },
    [5] = { 0x0000, 0x0000, R_IMPL },
    /* PAER: local device next-page able (2): 1000BASE-T needs next pages
     * (802.3 40.5.1.2). Page received (1) clears on read. */
    [6] = { 0x0004, 0x0000, R_IMPL },
    /* PNTX: message page, null message code 001h. Bit 14 reserved, toggle
     * (11) read-only. */
    [7] = { 0x2001, 0xB7FF, R_IMPL },
    [8] = { 0x0000, 0x0000, R_IMPL },
    /* GCON: advertise 1000BASE-T FD (9), not HD (8); port type multi-port
     * (10) and master preference value (11); automatic master/slave
     * resolution (12 clear). Bits 7:0 reserved. QEMU has 0E00h; VirtualBox
     * has 1E00h (manual master), which would keep two such PHYs from
     * linking back to back, so we take 0E00h. */
    [9] = { 0x0E00, 0xFF00, R_IMPL },
    /* GSTATUS: read-only; master/slave fault (15) and idle error count
     * (7:0) clear on read. */
    [10] = { 0x0000, 0x0000, R_IMPL },
    /* EPSTATUS: 1000BASE-T FD and HD capable. */
    [15] = { 0x3000, 0x0000, R_IMPL },
    /* PSCON: energy detect+ (9:8 = 11b, the link-down behaviour SDM 11.4.1
     * describes) and automatic MDI/MDI-X (6:5 = 11b, the default per SDM
     * 11.2); value as QEMU's. All bits configuration, R/W. */
    [16] = { 0x0360, 0xFFFF, R_IMPL },
    [17] = { 0x0000, 0x0000, R_IMPL },
    [18] = { 0x0000, 0xFFFF, R_IMPL },
    /* PINTS: every bit latched high, cleared on read. */
    [19] = { 0x0000, 0x0000, R_IMPL },
    /* EPSCON1: master downshift 11b, slave downshift 01b, TX_CLK 2.5 MHz
     * (QEMU and VirtualBox agree). */
    [20] = { 0x0D60, 0xFFFF, R_IMPL },
    /* PREC: receive errors, saturating, cleared on read. */
    [21] = { 0x0000, 0x0000, R_IMPL },
    /* EPSCON2: VirtualBox's SDM-derived default. */
    [26] = { 0x000C, 0xFFFF, R_IMPL },
    /* R30PS is write-only (reads give 0); R30AW is a plain window here: the
     * paged registers behind it are not modelled. */
    [29] = { 0x0000, 0xFFFF, R_IMPL | R_WO },
    [30] = { 0x0000, 0xFFFF, R_IMPL },
};

/* The PCTRL bits that only take effect on a reset, a restart of
 * auto-negotiation, leaving power-down or the link going down (SDM 11.1.3). */
#define CTRL_UPDATE_BITS (E1K_PCTRL_ANE | E1K_PCTRL_SPEED_MSB | E1K_PCTRL_SPEED_LSB | \
                          E1K_PCTRL_DUPLEX)

/* Bits of other registers this file touches. */
#define ANA_10FD 0x0040
#define ANA_100FD 0x0100
#define ANA_SELECTOR 0x0001
#define LPA_ACK 0x4000
#define LPA_NP 0x8000
#define ANE_LP_AN_ABLE 0x0001
#define ANE_PAGE_RX 0x0002
#define ANE_LP_NP_ABLE 0x0008
#define GCON_1000FD 0x0200
#define GCON_PORT_MULTI 0x0400
#define GCON_MS_VALUE 0x0800
#define GCON_MS_MANUAL 0x1000
#define GSTAT_LP_1000FD 0x0800
#define GSTAT_REMOTE_RX_OK 0x1000
#define GSTAT_LOCAL_RX_OK 0x2000
#define GSTAT_MS_MASTER 0x4000
#define GSTAT_CLEAR_ON_READ 0x80FF

static void set_defaults(struct e1k_phy *p)
{
    for (unsigned i = 0; i < E1K_PHY_NREGS; i++)
        p->r[i] = regs[i].def;
    p->ctrl_eff = p->r[E1K_PHY_CTRL] & CTRL_UPDATE_BITS;
    p->link = 0;
    p->speed = 0;
    p->full_duplex = 0;
    p->an_pending = 0;
    p->an_adv = 0;
    p->ll_fail = 0;
}

/* PSTATUS.LINK reads 0 until read once after a failure (802.3 22.2.4.2.13). */
static void sync_link_bit(struct e1k_phy *p)
{
    if (p->link && !p->ll_fail)
        p->r[E1K_PHY_STATUS] |= E1K_PSTATUS_LINK;
    else
        p->r[E1K_PHY_STATUS] &= (uint16_t)~E1K_PSTATUS_LINK;
}

static void latch_ctrl(struct e1k_phy *p)
{
    p->ctrl_eff = p->r[E1K_PHY_CTRL] & CTRL_UPDATE_BITS;
}

static unsigned adv_speeds(const struct e1k_phy *p)
{
    unsigned m = 0;
    if (p->r[E1K_PHY_AUTONEG_ADV] & ANA_10FD)
        m |= E1K_PHY_SPEED_10;
    if (p->r[E1K_PHY_AUTONEG_ADV] & ANA_100FD)
        m |= E1K_PHY_SPEED_100;
    if (p->r[E1K_PHY_1000T_CTRL] & GCON_1000FD)
        m |= E1K_PHY_SPEED_1000;
    return m;
}

static unsigned link_down(struct e1k_phy *p)
{
    if (!p->link)
        return 0;
    p->link = 0;
    p->ll_fail = 1;
    p->r[E1K_PHY_STATUS] &= (uint16_t)~E1K_PSTATUS_AN_DONE;
    sync_link_bit(p);
    p->r[E1K_PHY_SPEC_STATUS] = 0;
    p->r[E1K_PHY_1000T_STATUS] &= (uint16_t)~(GSTAT_LOCAL_RX_OK | GSTAT_REMOTE_RX_OK);
    p->r[E1K_PHY_INT_STATUS] |= E1K_PINT_LINK_CHG;
    return E1K_PHY_ACT_LINK;
}

static unsigned link_up(struct e1k_phy *p, unsigned speed, int fd, int negotiated)
{
    uint16_t ints = E1K_PINT_LINK_CHG;
    if (p->speed != speed)
        ints |= E1K_PINT_SPEED_CHG;
    if (p->full_duplex != (fd != 0))
        ints |= E1K_PINT_DUPLEX_CHG;
    if (negotiated)
        ints |= E1K_PINT_AN_DONE;
    p->link = 1;
    p->speed = (uint16_t)speed;
    p->full_duplex = fd != 0;
    uint16_t ss = E1K_PSSTAT_RESOLVED | E1K_PSSTAT_LINK;
    if (speed == 1000)
        ss |= E1K_PSSTAT_SPEED_1000;
    else if (speed == 100)
        ss |= E1K_PSSTAT_SPEED_100;
    if (fd)
        ss |= E1K_PSSTAT_DUPLEX;
    p->r[E1K_PHY_SPEC_STATUS] = ss;
    if (negotiated)
        p->r[E1K_PHY_STATUS] |= E1K_PSTATUS_AN_DONE;
    sync_link_bit(p);
    if (speed == 1000) {
        /* The partner is modelled as a single-port device: we become master
         * when manually configured so, or by multi-port preference. */
        uint16_t g = p->r[E1K_PHY_1000T_CTRL];
        int master = (g & GCON_MS_MANUAL) ? (g & GCON_MS_VALUE) != 0 : (g & GCON_PORT_MULTI) != 0;
        p->r[E1K_PHY_1000T_STATUS] |= GSTAT_LOCAL_RX_OK | GSTAT_REMOTE_RX_OK;
        if (master)
            p->r[E1K_PHY_1000T_STATUS] |= GSTAT_MS_MASTER;
        else
            p->r[E1K_PHY_1000T_STATUS] &= (uint16_t)~GSTAT_MS_MASTER;
    }
    p->r[E1K_PHY_INT_STATUS] |= ints;
    return E1K_PHY_ACT_LINK;
}

static unsigned forced_speed(uint16_t ctrl)
{
    switch (ctrl & (E1K_PCTRL_SPEED_MSB | E1K_PCTRL_SPEED_LSB)) {
    case 0:
        return 10;
    case E1K_PCTRL_SPEED_LSB:
        return 100;
    case E1K_PCTRL_SPEED_MSB:
        return 1000;
    default:
        return 0; /* 11b is reserved */
    }
}

static unsigned speed_bit(unsigned speed)
{
    return speed == 1000 ? E1K_PHY_SPEED_1000 : speed == 100 ? E1K_PHY_SPEED_100 : E1K_PHY_SPEED_10;
}

/* (Re)establish the link with the configuration in effect: drop it, forget
 * the partner's pages, then negotiate or force (SDM 11.1.1, 11.6.2). */
static unsigned start_link(struct e1k_phy *p)
{
    unsigned f = link_down(p);
    p->an_pending = 0;
    p->r[E1K_PHY_STATUS] &= (uint16_t)~E1K_PSTATUS_AN_DONE;
    p->r[E1K_PHY_LP_ABILITY] = 0;
    p->r[E1K_PHY_AUTONEG_EXP] = regs[E1K_PHY_AUTONEG_EXP].def;
    p->r[E1K_PHY_LP_NEXT_PAGE] = 0;
    p->r[E1K_PHY_1000T_STATUS] = 0;
    if (!p->cable || (p->r[E1K_PHY_CTRL] & E1K_PCTRL_PDOWN))
        return f;
    if (p->ctrl_eff & E1K_PCTRL_ANE) {
        p->an_pending = 1;
        p->an_adv = (uint8_t)adv_speeds(p);
        return f | E1K_PHY_ACT_AUTONEG;
    }
    /* Forced: the link comes up at once if the partner can run that speed
     * (it detects ours in parallel, 802.3 28.2.3.1). */
    unsigned speed = forced_speed(p->ctrl_eff);
    if (!speed) {
        p->anomalies++;
        return f;
    }
    if (p->partner_speeds & speed_bit(speed))
        f |= link_up(p, speed, (p->ctrl_eff & E1K_PCTRL_DUPLEX) != 0, 0);
    return f;
}

void e1k_phy_power_on(struct e1k_phy *p, int cable, unsigned partner_speeds)
{
    memset(p, 0, sizeof(*p));
    set_defaults(p);
    p->cable = cable != 0;
    p->partner_speeds = (uint8_t)(partner_speeds & 7u);
    /* Power-up starts auto-negotiation by itself (SDM 11.1.1). */
    start_link(p);
}

unsigned e1k_phy_reset(struct e1k_phy *p)
{
    unsigned f = p->link ? E1K_PHY_ACT_LINK : 0;
    if (p->r[E1K_PHY_CTRL] & E1K_PCTRL_LOOPBACK)
        f |= E1K_PHY_ACT_LOOPBACK;
    set_defaults(p);
    /* A hardware reset (CTRL.PHY_RST) also starts auto-negotiation
     * (SDM 11.1.1). */
    return f | start_link(p);
}

/* PCTRL.RESET: the 88E1011's software reset. Configuration registers keep
 * their values and the PCTRL update bits take effect (SDM 11.1.3: "to
 * disable Auto-Negotiation and force 10BASE-T half-duplex mode, the PHY
 * Control Register should be written with 8000h"); status starts afresh. */
static unsigned soft_reset(struct e1k_phy *p)
{
    latch_ctrl(p);
    p->ll_fail = 0;
    return E1K_PHY_ACT_RESET | start_link(p);
}

static unsigned write_ctrl(struct e1k_phy *p, uint16_t val)
{
    uint16_t old = p->r[E1K_PHY_CTRL];
    uint16_t v = (uint16_t)((old & ~regs[0].wmask) | (val & regs[0].wmask));
    v &= (uint16_t)~(E1K_PCTRL_RESET | E1K_PCTRL_RESTART_AN); /* self-clearing */
    p->r[E1K_PHY_CTRL] = v;
    unsigned f = 0;
    if ((old ^ v) & E1K_PCTRL_LOOPBACK)
        f |= E1K_PHY_ACT_LOOPBACK;
    if (val & E1K_PCTRL_RESET)
        return f | soft_reset(p);
    if ((old & E1K_PCTRL_PDOWN) && !(v & E1K_PCTRL_PDOWN)) {
        /* Leaving IEEE power-down applies the update bits and negotiates
         * again (SDM 11.1.1, 11.1.3). */
        latch_ctrl(p);
        return f | start_link(p);
    }
    if (!(old & E1K_PCTRL_PDOWN) && (v & E1K_PCTRL_PDOWN)) {
        p->an_pending = 0;
        return f | link_down(p);
    }
    if ((val & E1K_PCTRL_RESTART_AN) && !(v & E1K_PCTRL_PDOWN)) {
        /* With ANE written 0 in the same write this is how software forces
         * speed and duplex (SDM 11.1.3). */
        latch_ctrl(p);
        return f | start_link(p);
    }
    return f;
}

int e1k_phy_read(struct e1k_phy *p, unsigned reg, uint16_t *val)
{
    *val = 0;
    if (reg >= E1K_PHY_NREGS || !(regs[reg].flags & R_IMPL))
        return -1;
    if (regs[reg].flags & R_WO)
        return 0;
    switch (reg) {
    case E1K_PHY_STATUS:
        sync_link_bit(p);
        *val = p->r[reg];
        p->ll_fail = 0; /* the latched low has been seen */
        sync_link_bit(p);
        break;
    case E1K_PHY_AUTONEG_EXP:
        *val = p->r[reg];
        p->r[reg] &= (uint16_t)~ANE_PAGE_RX;
        break;
    case E1K_PHY_1000T_STATUS:
        *val = p->r[reg];
        p->r[reg] &= (uint16_t)~GSTAT_CLEAR_ON_READ;
        break;
    case E1K_PHY_INT_STATUS:
    case E1K_PHY_RX_ERR_CNT:
        *val = p->r[reg];
        p->r[reg] = 0;
        break;
    default:
        *val = p->r[reg];
        break;
    }
    return 0;
}

unsigned e1k_phy_write(struct e1k_phy *p, unsigned reg, uint16_t val)
{
    if (reg >= E1K_PHY_NREGS || !(regs[reg].flags & R_IMPL)) {
        p->anomalies++;
        return E1K_PHY_ACT_BADREG;
    }
    if (reg == E1K_PHY_CTRL)
        return write_ctrl(p, val);
    p->r[reg] = (uint16_t)((p->r[reg] & ~regs[reg].wmask) | (val & regs[reg].wmask));
    return 0;
}

unsigned e1k_phy_set_cable(struct e1k_phy *p, int connected)
{
    if (!connected) {
        p->cable = 0;
        p->an_pending = 0;
        unsigned f = link_down(p);
        if (f)
            latch_ctrl(p); /* the link going down applies update bits (SDM 11.1.3) */
        return f;
    }
    p->cable = 1;
    if (p->link || (p->r[E1K_PHY_CTRL] & E1K_PCTRL_PDOWN))
        return 0;
    return start_link(p);
}

int e1k_phy_autoneg_done(struct e1k_phy *p)
{
    if (!p->an_pending)
        return 0;
    p->an_pending = 0;
    if (!p->cable || (p->r[E1K_PHY_CTRL] & E1K_PCTRL_PDOWN) || !(p->ctrl_eff & E1K_PCTRL_ANE))
        return 0;
    unsigned ps = p->partner_speeds & 7u;
    if (!ps)
        return 0; /* no link pulses, nothing received */
    /* The partner's base page: its speeds (full duplex), selector 802.3,
     * acknowledge; next page when it offers 1000BASE-T (802.3 40.5.1.2). */
    uint16_t lpa = ANA_SELECTOR | LPA_ACK;
    if (ps & E1K_PHY_SPEED_10)
        lpa |= ANA_10FD;
    if (ps & E1K_PHY_SPEED_100)
        lpa |= ANA_100FD;
    if (ps & E1K_PHY_SPEED_1000)
        lpa |= LPA_NP;
    p->r[E1K_PHY_LP_ABILITY] = lpa;
    p->r[E1K_PHY_AUTONEG_EXP] |= ANE_LP_AN_ABLE | ANE_PAGE_RX;
    if (ps & E1K_PHY_SPEED_1000) {
        p->r[E1K_PHY_AUTONEG_EXP] |= ANE_LP_NP_ABLE;
        p->r[E1K_PHY_1000T_STATUS] |= GSTAT_LP_1000FD;
    }
    p->r[E1K_PHY_INT_STATUS] |= E1K_PINT_PAGE_RX;
    /* Highest common denominator (802.3 28B.3), full duplex only here. */
    unsigned common = p->an_adv & ps;
    if (!common)
        return 0; /* no common mode: the link stays down, AN not complete */
    unsigned speed = (common & E1K_PHY_SPEED_1000) ? 1000 : (common & E1K_PHY_SPEED_100) ? 100 : 10;
    link_up(p, speed, 1, 1);
    return 1;
}

int e1k_phy_autoneg_pending(const struct e1k_phy *p)
{
    return p->an_pending;
}

void e1k_phy_rx_error(struct e1k_phy *p)
{
    if (p->r[E1K_PHY_RX_ERR_CNT] != 0xFFFF)
        p->r[E1K_PHY_RX_ERR_CNT]++;
}

int e1k_phy_loopback(const struct e1k_phy *p)
{
    return (p->r[E1K_PHY_CTRL] & E1K_PCTRL_LOOPBACK) != 0;
}
