/* The 82540EM's integrated 10/100/1000 copper PHY, register-compatible with
 * the Marvell 88E1011 (SDM chapter 13, the PHY register tables that follow
 * MDIC, 13.4.7; chapter 11 for behaviour), reached through MDIC at PHY
 * address 1. The PHY only holds state; the device model owns the timers
 * (auto-negotiation, reset) and acts on the flags these functions return. */
#ifndef E1K_PHY_H
#define E1K_PHY_H

#include <stdint.h>

#define E1K_PHY_ADDR 1
#define E1K_PHY_NREGS 32

/* Register numbers (SDM chapter 13 PHY registers; Linux e1000_hw.h names).
 * The 82540EP/EM's PHY implements 0-10, 15-21, 26, 29 and 30; any other
 * number reads 0 and e1k_phy_read returns -1. */
enum {
    E1K_PHY_CTRL = 0,        /* PCTRL: control */
    E1K_PHY_STATUS = 1,      /* PSTATUS */
    E1K_PHY_ID1 = 2,         /* PHY identifier: 0x0141 (Marvell OUI bits 3:18) */
    E1K_PHY_ID2 = 3,         /* 0x0C20: model 000010b (88E1011), revision 0 */
    E1K_PHY_AUTONEG_ADV = 4, /* PANA */
    E1K_PHY_LP_ABILITY = 5,  /* PLPA */
    E1K_PHY_AUTONEG_EXP = 6, /* PAER */
    E1K_PHY_NEXT_PAGE = 7,   /* PNTX */
    E1K_PHY_LP_NEXT_PAGE = 8,/* PLPRN */
    E1K_PHY_1000T_CTRL = 9,  /* GCON */
    E1K_PHY_1000T_STATUS = 10, /* GSTATUS */
    E1K_PHY_EXT_STATUS = 15, /* EPSTATUS */
    E1K_PHY_SPEC_CTRL = 16,  /* PSCON */
    E1K_PHY_SPEC_STATUS = 17,/* PSSTAT */
    E1K_PHY_INT_ENABLE = 18, /* PINTE */
    E1K_PHY_INT_STATUS = 19, /* PINTS */
    E1K_PHY_EXT_CTRL = 20,   /* EPSCON1 */
    E1K_PHY_RX_ERR_CNT = 21, /* PREC */
    E1K_PHY_LED_CTRL = 24,   /* 88E1011 LED control: outside the SDM's PHY map, so reads 0 and counts an anomaly */
    E1K_PHY_EXT_CTRL2 = 26,  /* EPSCON2 */
    E1K_PHY_EXT_STATUS2 = 27,/* 88E1011 extended status: likewise outside the SDM's PHY map */
    E1K_PHY_PAGE_SELECT = 29,/* R30PS: register 30 page select (write-only) */
    E1K_PHY_PAGE_DATA = 30,  /* R30AW: register 30 access window */
};

/* PCTRL bits (IEEE 802.3 clause 22 register 0). */
#define E1K_PCTRL_RESET 0x8000      /* self-clearing */
#define E1K_PCTRL_LOOPBACK 0x4000
#define E1K_PCTRL_SPEED_LSB 0x2000  /* with SPEED_MSB: 00=10 01=100 10=1000 */
#define E1K_PCTRL_ANE 0x1000
#define E1K_PCTRL_PDOWN 0x0800
#define E1K_PCTRL_ISOLATE 0x0400
#define E1K_PCTRL_RESTART_AN 0x0200 /* self-clearing */
#define E1K_PCTRL_DUPLEX 0x0100
#define E1K_PCTRL_COLTEST 0x0080
#define E1K_PCTRL_SPEED_MSB 0x0040

/* PSTATUS bits. */
#define E1K_PSTATUS_LINK 0x0004     /* latching low */
#define E1K_PSTATUS_AN_DONE 0x0020

/* PSSTAT bits (88E1011 register 17). */
#define E1K_PSSTAT_SPEED_MASK 0xC000
#define E1K_PSSTAT_SPEED_1000 0x8000
#define E1K_PSSTAT_SPEED_100 0x4000
#define E1K_PSSTAT_DUPLEX 0x2000
#define E1K_PSSTAT_RESOLVED 0x0800
#define E1K_PSSTAT_LINK 0x0400      /* real time */

/* PINTE / PINTS bits (88E1011 registers 18/19). */
#define E1K_PINT_AN_ERROR 0x8000
#define E1K_PINT_SPEED_CHG 0x4000
#define E1K_PINT_DUPLEX_CHG 0x2000
#define E1K_PINT_PAGE_RX 0x1000
#define E1K_PINT_AN_DONE 0x0800
#define E1K_PINT_LINK_CHG 0x0400

/* Link partner speeds for partner_speeds (all full duplex). */
#define E1K_PHY_SPEED_10 1u
#define E1K_PHY_SPEED_100 2u
#define E1K_PHY_SPEED_1000 4u

/* Flags returned by e1k_phy_write / e1k_phy_set_cable / e1k_phy_reset. */
enum {
    E1K_PHY_ACT_AUTONEG = 1u << 0,  /* (re)start auto-negotiation: arm its timer */
    E1K_PHY_ACT_LINK = 1u << 1,     /* link state changed now (e.g. went down) */
    E1K_PHY_ACT_RESET = 1u << 2,    /* PCTRL.RESET: the PHY did a software reset
                                       (already done; do not call e1k_phy_reset) */
    E1K_PHY_ACT_LOOPBACK = 1u << 3, /* loopback bit changed */
    E1K_PHY_ACT_BADREG = 1u << 4,   /* write to a register the PHY lacks (ignored) */
};

struct e1k_phy {
    uint16_t r[E1K_PHY_NREGS];
    uint8_t cable;          /* a partner is connected */
    uint8_t partner_speeds; /* 1=10 2=100 4=1000 full duplex */
    uint8_t link;           /* link established */
    uint16_t speed;         /* 10/100/1000 when link (last link's otherwise) */
    uint8_t full_duplex;
    /* Internal state (see phy.c). */
    uint16_t ctrl_eff;      /* PCTRL speed/duplex/ANE bits in effect (SDM 11.1.3) */
    uint8_t an_pending;     /* auto-negotiation running, waiting for its timer */
    uint8_t an_adv;         /* speeds advertised when it started (E1K_PHY_SPEED_*) */
    uint8_t ll_fail;        /* link failed since PSTATUS was last read */
    uint64_t anomalies;     /* writes outside the SDM's PHY map, reserved speed */
};

/* Hardware (power-on) reset: every register to its default. Auto-negotiation
 * starts when a cable is there (e1k_phy_autoneg_pending tells). */
void e1k_phy_power_on(struct e1k_phy *p, int cable, unsigned partner_speeds);
/* PHY hardware reset (CTRL.PHY_RST): every register to its default, the link
 * drops; the cable and partner stay. Returns LINK if the link was up,
 * LOOPBACK if loopback was on, AUTONEG if a cable is there. PCTRL.RESET is a
 * software reset, handled by e1k_phy_write, which keeps configuration. */
unsigned e1k_phy_reset(struct e1k_phy *p);
/* Read a register as MDIC does; clear-on-read registers clear. 0 on success,
 * -1 for a register the PHY does not implement (value 0 then). */
int e1k_phy_read(struct e1k_phy *p, unsigned reg, uint16_t *val);
/* Write a register; read-only bits ignored, self-clearing bits handled.
 * Returns action flags (E1K_PHY_ACT_*). */
unsigned e1k_phy_write(struct e1k_phy *p, unsigned reg, uint16_t val);
/* Cable plugged/unplugged. Plugging (or calling again while the link is
 * down) starts auto-negotiation (AUTONEG) or brings a forced link up (LINK);
 * unplugging drops the link (LINK). */
unsigned e1k_phy_set_cable(struct e1k_phy *p, int connected);
/* Auto-negotiation finished (the model's timer fired): resolve the highest
 * common full-duplex speed against the partner, set the link and status
 * registers. Returns 1 when this brought the link up; 0 when negotiation was
 * no longer running (reset, power-down, cable gone) or found no common speed. */
int e1k_phy_autoneg_done(struct e1k_phy *p);
/* Auto-negotiation is running (started and not yet done or cancelled). */
int e1k_phy_autoneg_pending(const struct e1k_phy *p);
/* The PHY saw a receive error: the receive error counter (register 21)
 * counts it, stopping at 0xFFFF. */
void e1k_phy_rx_error(struct e1k_phy *p);
/* PHY loopback (PCTRL bit 14) is on. */
int e1k_phy_loopback(const struct e1k_phy *p);

#endif
