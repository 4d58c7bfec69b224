/* The 88E1011-compatible PHY model: defaults, masks, control semantics,
 * auto-negotiation, latching and clear-on-read status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "phy.h"

#define ALL_SPEEDS (E1K_PHY_SPEED_10 | E1K_PHY_SPEED_100 | E1K_PHY_SPEED_1000)

struct regdef {
    unsigned reg;
    uint16_t def;
    uint16_t wmask;
};

/* Implemented registers: power-on value and writable bits. */
static const struct regdef known[] = {
    { 0, 0x1140, 0xFFC0 },  { 1, 0x7949, 0x0000 },  { 2, 0x0141, 0x0000 },
    { 3, 0x0C20, 0x0000 },  { 4, 0x01E1, 0xADE0 },  { 5, 0x0000, 0x0000 },
    { 6, 0x0004, 0x0000 },  { 7, 0x2001, 0xB7FF },  { 8, 0x0000, 0x0000 },
    { 9, 0x0E00, 0xFF00 },  { 10, 0x0000, 0x0000 }, { 15, 0x3000, 0x0000 },
    { 16, 0x0360, 0xFFFF }, { 17, 0x0000, 0x0000 }, { 18, 0x0000, 0xFFFF },
    { 19, 0x0000, 0x0000 }, { 20, 0x0D60, 0xFFFF }, { 21, 0x0000, 0x0000 },
    { 26, 0x000C, 0xFFFF }, { 29, 0x0000, 0xFFFF }, { 30, 0x0000, 0xFFFF },
};
#define NKNOWN (sizeof(known) / sizeof(known[0]))

static uint16_t rd(struct e1k_phy *p, unsigned reg)
{
    uint16_t v = 0xDEAD;
    assert_int_equal(e1k_phy_read(p, reg, &v), 0);
    return v;
}

/* Power on with a partner and let auto-negotiation finish. */
static void up(struct e1k_phy *p, unsigned partner)
{
    e1k_phy_power_on(p, 1, partner);
    assert_true(e1k_phy_autoneg_pending(p));
    assert_int_equal(e1k_phy_autoneg_done(p), 1);
}

static void test_phy_defaults(void **state)
{
    (void)state;
    struct e1k_phy p;
    e1k_phy_power_on(&p, 0, 0);
    for (size_t i = 0; i < NKNOWN; i++) {
        uint16_t v = 0xDEAD;
        assert_int_equal(e1k_phy_read(&p, known[i].reg, &v), 0);
        /* register 29 is write-only: reads give 0 */
        if (v != known[i].def)
            fail_msg("register %u: 0x%04x, want 0x%04x", known[i].reg, v, known[i].def);
    }
    assert_int_equal(p.link, 0);
    assert_false(e1k_phy_autoneg_pending(&p)); /* no cable */
    assert_false(e1k_phy_loopback(&p));
}

static void test_phy_unknown_register(void **state)
{
    (void)state;
    struct e1k_phy p;
    e1k_phy_power_on(&p, 0, 0);
    for (unsigned reg = 0; reg < 40; reg++) {
        int implemented = 0;
        for (size_t i = 0; i < NKNOWN; i++)
            implemented |= known[i].reg == reg;
        if (implemented)
            continue;
        uint16_t v = 0xDEAD;
        assert_int_equal(e1k_phy_read(&p, reg, &v), -1);
        assert_int_equal(v, 0);
        assert_int_equal(e1k_phy_write(&p, reg, 0xFFFF), E1K_PHY_ACT_BADREG);
    }
    assert_int_equal(p.anomalies, 40 - NKNOWN);
}

/* Every register but PCTRL: all-ones then all-zeros, read back. */
static void test_phy_writable_bits(void **state)
{
    (void)state;
    struct e1k_phy p;
    e1k_phy_power_on(&p, 0, 0);
    for (size_t i = 0; i < NKNOWN; i++) {
        unsigned reg = known[i].reg;
        if (reg == E1K_PHY_CTRL)
            continue;
        uint16_t w = known[i].wmask, d = known[i].def;
        int wo = reg == E1K_PHY_PAGE_SELECT;
        assert_int_equal(e1k_phy_write(&p, reg, 0xFFFF), 0);
        assert_int_equal(rd(&p, reg), wo ? 0 : (uint16_t)((d & ~w) | w));
        if (wo)
            assert_int_equal(p.r[reg], 0xFFFF);
        assert_int_equal(e1k_phy_write(&p, reg, 0x0000), 0);
        assert_int_equal(rd(&p, reg), wo ? 0 : (uint16_t)(d & ~w));
        if (wo)
            assert_int_equal(p.r[reg], 0x0000);
    }
    assert_int_equal(p.anomalies, 0);
}

static void test_phy_ctrl_writable_bits(void **state)
{
    (void)state;
    struct e1k_phy p;
    e1k_phy_power_on(&p, 0, 0);
    /* loopback, speed LSB, ANE, power-down, isolate, duplex, collision
     * test, speed MSB: all stick */
    unsigned f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x7DC0);
    assert_true(f & E1K_PHY_ACT_LOOPBACK);
    assert_int_equal(rd(&p, E1K_PHY_CTRL), 0x7DC0);
    /* reserved 5:0 read 0; reset and restart self-clear */
    f = e1k_phy_write(&p, E1K_PHY_CTRL, 0xFFFF);
    assert_true(f & E1K_PHY_ACT_RESET);
    assert_int_equal(rd(&p, E1K_PHY_CTRL), 0x7DC0);
    f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x0000);
    assert_true(f & E1K_PHY_ACT_LOOPBACK);
    assert_int_equal(rd(&p, E1K_PHY_CTRL), 0x0000);
}

static void test_phy_reset(void **state)
{
    (void)state;
    struct e1k_phy p;
    up(&p, ALL_SPEEDS);
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_AUTONEG_ADV, 0x0061), 0);
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_SPEC_CTRL, 0x0868), 0);

    /* software reset: self-clearing, link dropped and renegotiated, the
     * configuration kept (SDM 11.1.3) */
    unsigned f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x1140 | E1K_PCTRL_RESET);
    assert_int_equal(f, E1K_PHY_ACT_RESET | E1K_PHY_ACT_LINK | E1K_PHY_ACT_AUTONEG);
    assert_int_equal(rd(&p, E1K_PHY_CTRL), 0x1140);
    assert_int_equal(p.link, 0);
    assert_int_equal(rd(&p, E1K_PHY_AUTONEG_ADV), 0x0061);
    assert_int_equal(rd(&p, E1K_PHY_SPEC_CTRL), 0x0868);
    assert_int_equal(rd(&p, E1K_PHY_SPEC_STATUS), 0);
    assert_int_equal(rd(&p, E1K_PHY_LP_ABILITY), 0);
    assert_int_equal(e1k_phy_autoneg_done(&p), 1);
    assert_int_equal(p.speed, 1000); /* 1000FD still advertised in GCON */

    /* hardware reset (CTRL.PHY_RST): every register back to its default */
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_INT_ENABLE, 0x0C00), 0);
    f = e1k_phy_reset(&p);
    assert_int_equal(f, E1K_PHY_ACT_LINK | E1K_PHY_ACT_AUTONEG);
    for (size_t i = 0; i < NKNOWN; i++)
        assert_int_equal(rd(&p, known[i].reg), known[i].def);
    assert_int_equal(p.link, 0);
    assert_true(e1k_phy_autoneg_pending(&p));
    assert_int_equal(p.cable, 1);
    assert_int_equal(p.partner_speeds, ALL_SPEEDS);

    /* without a cable no auto-negotiation starts */
    e1k_phy_set_cable(&p, 0);
    assert_int_equal(e1k_phy_reset(&p), 0);
    assert_false(e1k_phy_autoneg_pending(&p));
}

static void test_phy_restart_autoneg(void **state)
{
    (void)state;
    struct e1k_phy p;
    e1k_phy_power_on(&p, 1, ALL_SPEEDS);
    unsigned f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x1140 | E1K_PCTRL_RESTART_AN);
    assert_int_equal(f, E1K_PHY_ACT_AUTONEG);
    assert_int_equal(rd(&p, E1K_PHY_CTRL), 0x1140); /* self-cleared */
    assert_int_equal(e1k_phy_autoneg_done(&p), 1);
    assert_int_equal(p.link, 1);

    /* restarting drops the established link */
    f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x1140 | E1K_PCTRL_RESTART_AN);
    assert_int_equal(f, E1K_PHY_ACT_AUTONEG | E1K_PHY_ACT_LINK);
    assert_int_equal(p.link, 0);
    assert_int_equal(rd(&p, E1K_PHY_STATUS) & E1K_PSTATUS_AN_DONE, 0);

    /* a plain write without restart does not renegotiate */
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_CTRL, 0x1140), 0);
    /* the pending negotiation completes once; a stale timer finds nothing */
    assert_int_equal(e1k_phy_autoneg_done(&p), 1);
    assert_int_equal(e1k_phy_autoneg_done(&p), 0);

    /* no cable: restart asks for nothing */
    e1k_phy_set_cable(&p, 0);
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_CTRL, 0x1140 | E1K_PCTRL_RESTART_AN), 0);
}

static void test_phy_autoneg_resolution(void **state)
{
    (void)state;
    struct e1k_phy p;

    /* all speeds: 1000 FD */
    up(&p, ALL_SPEEDS);
    assert_int_equal(p.speed, 1000);
    assert_int_equal(p.full_duplex, 1);
    assert_int_equal(rd(&p, E1K_PHY_SPEC_STATUS), 0xAC00); /* 1000, FD, resolved, link */
    assert_int_equal(rd(&p, E1K_PHY_LP_ABILITY), 0xC141);  /* NP, ACK, 100FD, 10FD, 802.3 */
    assert_int_equal(rd(&p, E1K_PHY_1000T_STATUS), 0x7800); /* master, rx OK x2, LP 1000FD */
    assert_int_equal(rd(&p, E1K_PHY_AUTONEG_EXP), 0x000F);
    assert_int_equal(rd(&p, E1K_PHY_STATUS), 0x796D);

    /* 100 and 10: 100 FD */
    up(&p, E1K_PHY_SPEED_10 | E1K_PHY_SPEED_100);
    assert_int_equal(p.speed, 100);
    assert_int_equal(rd(&p, E1K_PHY_SPEC_STATUS), 0x6C00);
    assert_int_equal(rd(&p, E1K_PHY_LP_ABILITY), 0x4141);
    assert_int_equal(rd(&p, E1K_PHY_1000T_STATUS), 0x0000);

    /* 10 only */
    up(&p, E1K_PHY_SPEED_10);
    assert_int_equal(p.speed, 10);
    assert_int_equal(rd(&p, E1K_PHY_SPEC_STATUS), 0x2C00);

    /* 1000 only, but we stop advertising 1000: no common speed */
    e1k_phy_power_on(&p, 1, E1K_PHY_SPEED_1000);
    e1k_phy_write(&p, E1K_PHY_1000T_CTRL, 0x0C00);
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_CTRL, 0x1340), E1K_PHY_ACT_AUTONEG);
    assert_int_equal(e1k_phy_autoneg_done(&p), 0);
    assert_int_equal(p.link, 0);
    assert_int_equal(rd(&p, E1K_PHY_SPEC_STATUS), 0);
    assert_int_equal(rd(&p, E1K_PHY_STATUS) & E1K_PSTATUS_AN_DONE, 0);
    assert_int_equal(rd(&p, E1K_PHY_1000T_STATUS), 0x0800); /* the partner's page arrived */

    /* we advertise 10 only, the partner 100/1000: none in common */
    e1k_phy_power_on(&p, 1, E1K_PHY_SPEED_100 | E1K_PHY_SPEED_1000);
    e1k_phy_write(&p, E1K_PHY_AUTONEG_ADV, 0x0041);
    e1k_phy_write(&p, E1K_PHY_1000T_CTRL, 0x0C00);
    e1k_phy_write(&p, E1K_PHY_CTRL, 0x1340);
    assert_int_equal(e1k_phy_autoneg_done(&p), 0);

    /* we advertise 10/100, partner has everything: 100 */
    e1k_phy_power_on(&p, 1, ALL_SPEEDS);
    e1k_phy_write(&p, E1K_PHY_1000T_CTRL, 0x0C00);
    e1k_phy_write(&p, E1K_PHY_CTRL, 0x1340);
    assert_int_equal(e1k_phy_autoneg_done(&p), 1);
    assert_int_equal(p.speed, 100);

    /* a partner with no abilities at all */
    e1k_phy_power_on(&p, 1, 0);
    assert_int_equal(e1k_phy_autoneg_done(&p), 0);
    assert_int_equal(rd(&p, E1K_PHY_LP_ABILITY), 0);
}

static void test_phy_latching_link_status(void **state)
{
    (void)state;
    struct e1k_phy p;
    up(&p, ALL_SPEEDS);
    assert_int_equal(rd(&p, E1K_PHY_STATUS), 0x796D);
    assert_int_equal(rd(&p, E1K_PHY_STATUS), 0x796D);

    /* link fails and comes back before software looks: reads 0 once */
    assert_int_equal(e1k_phy_set_cable(&p, 0), E1K_PHY_ACT_LINK);
    assert_int_equal(e1k_phy_set_cable(&p, 1), E1K_PHY_ACT_AUTONEG);
    assert_int_equal(e1k_phy_autoneg_done(&p), 1);
    assert_int_equal(rd(&p, E1K_PHY_STATUS), 0x7969); /* latched low, AN complete */
    assert_int_equal(rd(&p, E1K_PHY_STATUS), 0x796D);

    /* read while down, then the link comes up: 1 at once */
    e1k_phy_set_cable(&p, 0);
    assert_int_equal(rd(&p, E1K_PHY_STATUS), 0x7949);
    assert_int_equal(rd(&p, E1K_PHY_STATUS), 0x7949);
    e1k_phy_set_cable(&p, 1);
    e1k_phy_autoneg_done(&p);
    assert_int_equal(rd(&p, E1K_PHY_STATUS), 0x796D);
}

static void test_phy_clear_on_read(void **state)
{
    (void)state;
    struct e1k_phy p;
    up(&p, ALL_SPEEDS);
    /* interrupt status: link, AN done, page received, speed and duplex
     * changed (from the power-on state) */
    assert_int_equal(rd(&p, E1K_PHY_INT_STATUS), 0x7C00);
    assert_int_equal(rd(&p, E1K_PHY_INT_STATUS), 0);
    e1k_phy_set_cable(&p, 0);
    assert_int_equal(rd(&p, E1K_PHY_INT_STATUS), E1K_PINT_LINK_CHG);
    assert_int_equal(rd(&p, E1K_PHY_INT_STATUS), 0);
    /* same speed again: no speed/duplex change */
    e1k_phy_set_cable(&p, 1);
    e1k_phy_autoneg_done(&p);
    assert_int_equal(rd(&p, E1K_PHY_INT_STATUS), 0x1C00);

    /* page received in the expansion register clears on read */
    assert_int_equal(rd(&p, E1K_PHY_AUTONEG_EXP), 0x000F);
    assert_int_equal(rd(&p, E1K_PHY_AUTONEG_EXP), 0x000D);

    /* receive error counter: counts, saturates, clears on read */
    for (int i = 0; i < 3; i++)
        e1k_phy_rx_error(&p);
    assert_int_equal(rd(&p, E1K_PHY_RX_ERR_CNT), 3);
    assert_int_equal(rd(&p, E1K_PHY_RX_ERR_CNT), 0);
    for (int i = 0; i < 70000; i++)
        e1k_phy_rx_error(&p);
    assert_int_equal(rd(&p, E1K_PHY_RX_ERR_CNT), 0xFFFF);
    assert_int_equal(rd(&p, E1K_PHY_RX_ERR_CNT), 0);

    /* writes to read-only status registers are ignored */
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_SPEC_STATUS, 0), 0);
    assert_int_equal(rd(&p, E1K_PHY_SPEC_STATUS), 0xAC00);
}

static void test_phy_forced_speed(void **state)
{
    (void)state;
    struct e1k_phy p;
    e1k_phy_power_on(&p, 1, E1K_PHY_SPEED_10 | E1K_PHY_SPEED_100);

    /* speed bits alone take no effect (SDM 11.1.3) */
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_CTRL, 0x2100), 0);
    assert_true(e1k_phy_autoneg_pending(&p));
    /* with reset: forced 100 FD, link at once */
    unsigned f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x2100 | E1K_PCTRL_RESET);
    assert_int_equal(f, E1K_PHY_ACT_RESET | E1K_PHY_ACT_LINK);
    assert_int_equal(p.link, 1);
    assert_int_equal(p.speed, 100);
    assert_int_equal(p.full_duplex, 1);
    assert_false(e1k_phy_autoneg_pending(&p));
    assert_int_equal(rd(&p, E1K_PHY_SPEC_STATUS), 0x6C00);
    /* not negotiated: AN complete stays 0 */
    assert_int_equal(rd(&p, E1K_PHY_STATUS) & E1K_PSTATUS_AN_DONE, 0);

    /* the SDM's example: 8000h forces 10 half duplex */
    f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x8000);
    assert_int_equal(f, E1K_PHY_ACT_RESET | E1K_PHY_ACT_LINK);
    assert_int_equal(p.speed, 10);
    assert_int_equal(p.full_duplex, 0);
    assert_int_equal(rd(&p, E1K_PHY_SPEC_STATUS), 0x0C00);

    /* forced 1000 through restart: the partner lacks it, no link */
    f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x0140 | E1K_PCTRL_RESTART_AN);
    assert_int_equal(f, E1K_PHY_ACT_LINK);
    assert_int_equal(p.link, 0);

    /* cable cycle in forced mode: the link returns without negotiation */
    e1k_phy_write(&p, E1K_PHY_CTRL, 0x2100 | E1K_PCTRL_RESET);
    assert_int_equal(e1k_phy_set_cable(&p, 0), E1K_PHY_ACT_LINK);
    assert_int_equal(e1k_phy_set_cable(&p, 1), E1K_PHY_ACT_LINK);
    assert_int_equal(p.link, 1);
    assert_int_equal(p.speed, 100);

    /* reserved speed 11b: no link, counted */
    f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x2140 | E1K_PCTRL_RESET);
    assert_int_equal(f, E1K_PHY_ACT_RESET | E1K_PHY_ACT_LINK);
    assert_int_equal(p.link, 0);
    assert_int_equal(p.anomalies, 1);

    /* back to auto-negotiation with reset + ANE */
    f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x1140 | E1K_PCTRL_RESET);
    assert_int_equal(f, E1K_PHY_ACT_RESET | E1K_PHY_ACT_AUTONEG);
    assert_int_equal(e1k_phy_autoneg_done(&p), 1);
    assert_int_equal(p.speed, 100);
}

static void test_phy_cable(void **state)
{
    (void)state;
    struct e1k_phy p;
    e1k_phy_power_on(&p, 0, ALL_SPEEDS);
    assert_int_equal(e1k_phy_set_cable(&p, 0), 0);
    assert_int_equal(e1k_phy_set_cable(&p, 1), E1K_PHY_ACT_AUTONEG);
    /* plugging again while negotiating restarts it */
    assert_int_equal(e1k_phy_set_cable(&p, 1), E1K_PHY_ACT_AUTONEG);
    assert_int_equal(e1k_phy_autoneg_done(&p), 1);
    assert_int_equal(e1k_phy_set_cable(&p, 1), 0); /* already up */
    assert_int_equal(e1k_phy_set_cable(&p, 0), E1K_PHY_ACT_LINK);
    assert_int_equal(p.link, 0);
    assert_int_equal(rd(&p, E1K_PHY_SPEC_STATUS), 0);

    /* the timer firing after the cable went away finds nothing to do */
    e1k_phy_set_cable(&p, 1);
    e1k_phy_set_cable(&p, 0);
    assert_int_equal(e1k_phy_autoneg_done(&p), 0);
    assert_int_equal(p.link, 0);
}

static void test_phy_power_down(void **state)
{
    (void)state;
    struct e1k_phy p;
    up(&p, ALL_SPEEDS);
    unsigned f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x1140 | E1K_PCTRL_PDOWN);
    assert_int_equal(f, E1K_PHY_ACT_LINK);
    assert_int_equal(p.link, 0);
    assert_int_equal(e1k_phy_set_cable(&p, 1), 0);
    assert_int_equal(e1k_phy_autoneg_done(&p), 0);
    /* leaving power-down negotiates again (SDM 11.1.1) */
    f = e1k_phy_write(&p, E1K_PHY_CTRL, 0x1140);
    assert_int_equal(f, E1K_PHY_ACT_AUTONEG);
    assert_int_equal(e1k_phy_autoneg_done(&p), 1);
    assert_int_equal(p.link, 1);

    /* a negotiation cut short by power-down does not complete */
    e1k_phy_write(&p, E1K_PHY_CTRL, 0x1340);
    e1k_phy_write(&p, E1K_PHY_CTRL, 0x1940);
    assert_int_equal(e1k_phy_autoneg_done(&p), 0);
}

static void test_phy_loopback(void **state)
{
    (void)state;
    struct e1k_phy p;
    e1k_phy_power_on(&p, 0, 0);
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_CTRL, 0x4140), E1K_PHY_ACT_LOOPBACK);
    assert_true(e1k_phy_loopback(&p));
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_CTRL, 0x4140), 0);
    assert_int_equal(e1k_phy_write(&p, E1K_PHY_CTRL, 0x1140), E1K_PHY_ACT_LOOPBACK);
    assert_false(e1k_phy_loopback(&p));
    e1k_phy_write(&p, E1K_PHY_CTRL, 0x4140);
    assert_int_equal(e1k_phy_reset(&p), E1K_PHY_ACT_LOOPBACK);
    assert_false(e1k_phy_loopback(&p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phy_defaults),
        cmocka_unit_test(test_phy_unknown_register),
        cmocka_unit_test(test_phy_writable_bits),
        cmocka_unit_test(test_phy_ctrl_writable_bits),
        cmocka_unit_test(test_phy_reset),
        cmocka_unit_test(test_phy_restart_autoneg),
        cmocka_unit_test(test_phy_autoneg_resolution),
        cmocka_unit_test(test_phy_latching_link_status),
        cmocka_unit_test(test_phy_clear_on_read),
        cmocka_unit_test(test_phy_forced_speed),
        cmocka_unit_test(test_phy_cable),
        cmocka_unit_test(test_phy_power_down),
        cmocka_unit_test(test_phy_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
