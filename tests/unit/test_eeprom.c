/* The 93C46 Microwire EEPROM model: default image and the bit-banged
 * protocol, driven the way the Linux e1000 driver drives EECD. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eeprom.h"

static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void build(struct e1k_eeprom *e)
{
    e1k_eeprom_build(e, mac, 0x8086, 0x100E, 0x8086, 0x001E);
}

/* ---- a driver-style bit-banger on the pins ---- */

static void ee_select(struct e1k_eeprom *e) { e1k_eeprom_pins(e, 1, 0, 0); }
static void ee_deselect(struct e1k_eeprom *e) { e1k_eeprom_pins(e, 0, 0, 0); }

/* MSB first: set DI, raise SK, lower SK. */
static void shift_out(struct e1k_eeprom *e, uint32_t bits, int count)
{
    for (int i = count - 1; i >= 0; i--) {
        int di = (bits >> i) & 1;
        e1k_eeprom_pins(e, 1, 0, di);
        e1k_eeprom_pins(e, 1, 1, di);
        e1k_eeprom_pins(e, 1, 0, di);
    }
}

/* Raise SK, sample DO, lower SK; DI held low. */
static uint16_t shift_in(struct e1k_eeprom *e, int count)
{
    uint16_t v = 0;
    for (int i = 0; i < count; i++) {
        e1k_eeprom_pins(e, 1, 1, 0);
        v = (uint16_t)((v << 1) | (e1k_eeprom_do(e) ? 1 : 0));
        e1k_eeprom_pins(e, 1, 0, 0);
    }
    return v;
}

/* start bit + 2-bit opcode, then 6 address bits */
static void send_cmd(struct e1k_eeprom *e, unsigned op, unsigned addr)
{
    shift_out(e, 4u | op, 3);
    shift_out(e, addr, 6);
}

static uint16_t mw_read(struct e1k_eeprom *e, unsigned addr)
{
    ee_select(e);
    send_cmd(e, 2, addr);
    uint16_t v = shift_in(e, 16);
    ee_deselect(e);
    return v;
}

static void mw_ext(struct e1k_eeprom *e, unsigned sel)
{
    ee_select(e);
    send_cmd(e, 0, sel << 4);
    ee_deselect(e);
}

static void mw_ewen(struct e1k_eeprom *e) { mw_ext(e, 3); }
static void mw_ewds(struct e1k_eeprom *e) { mw_ext(e, 0); }

static void mw_write(struct e1k_eeprom *e, unsigned addr, uint16_t data)
{
    ee_select(e);
    send_cmd(e, 1, addr);
    shift_out(e, data, 16);
    ee_deselect(e);
}

/* After a programming cycle the part shows READY on DO once selected. */
static int ready_after_select(struct e1k_eeprom *e)
{
    ee_select(e);
    int r = e1k_eeprom_do(e);
    ee_deselect(e);
    return r;
}

/* ---- tests ---- */

static void test_eeprom_checksum(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    assert_int_equal(e1k_eeprom_sum(&e), 0xBABA);
    e.w[0x10] ^= 0x1234;
    assert_int_not_equal(e1k_eeprom_sum(&e), 0xBABA);
    e1k_eeprom_fix_checksum(&e);
    assert_int_equal(e1k_eeprom_sum(&e), 0xBABA);

    /* load keeps a bad image as it is */
    uint16_t img[E1K_EEPROM_WORDS];
    for (unsigned i = 0; i < E1K_EEPROM_WORDS; i++)
        img[i] = (uint16_t)i;
    e1k_eeprom_load(&e, img);
    assert_int_equal(e1k_eeprom_sum(&e), (63 * 64 / 2) & 0xFFFF);
    assert_memory_equal(e.w, img, sizeof(img));
}

static void test_eeprom_default_image(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    uint16_t want[E1K_EEPROM_WORDS];
    for (unsigned i = 0; i < E1K_EEPROM_WORDS; i++)
        want[i] = 0xFFFF;
    want[0x00] = 0x5452;
    want[0x01] = 0x1200;
    want[0x02] = 0x5634;
    want[0x03] = 0x0000;
    want[0x04] = 0xFFFF;
    want[0x05] = 0x0000;
    want[0x06] = 0x0000;
    want[0x07] = 0x0000;
    want[0x08] = 0x3000;
    want[0x09] = 0x1000;
    want[0x0A] = 0x640A;
    want[0x0B] = 0x001E;
    want[0x0C] = 0x8086;
    want[0x0D] = 0x100E;
    want[0x0E] = 0x8086;
    want[0x0F] = 0x3040;
    want[0x12] = 0x0000;
    want[0x20] = 0x0000;
    want[0x21] = 0x7061;
    want[0x22] = 0x280C;
    want[0x23] = 0x00C8;
    want[0x24] = 0x00C8;
    for (unsigned i = 0x25; i <= 0x2E; i++)
        want[i] = 0x0000;
    want[0x2F] = 0x0602;
    uint16_t s = 0;
    for (unsigned i = 0; i < 0x3F; i++)
        s = (uint16_t)(s + want[i]);
    want[0x3F] = (uint16_t)(0xBABA - s);
    for (unsigned i = 0; i < E1K_EEPROM_WORDS; i++) {
        if (e.w[i] != want[i])
            fail_msg("word 0x%02x: 0x%04x, want 0x%04x", i, e.w[i], want[i]);
    }
    /* the signature marks the image valid */
    assert_int_equal(e.w[E1K_EE_INIT1] & E1K_EE_INIT1_SIG_MASK, E1K_EE_INIT1_SIG_VALID);
    /* interface idle, write-disabled, DO undriven (high) */
    assert_int_equal(e.write_enabled, 0);
    assert_int_equal(e1k_eeprom_do(&e), 1);
    assert_int_equal(e.anomalies, 0);
}

static void test_eeprom_read_wraps_address(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    for (unsigned a = 0; a < 256; a++)
        assert_int_equal(e1k_eeprom_read(&e, a), e.w[a & 63]);
}

static void test_eeprom_microwire_read_all(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    for (unsigned a = 0; a < E1K_EEPROM_WORDS; a++)
        assert_int_equal(mw_read(&e, a), e.w[a]);
    assert_int_equal(e.anomalies, 0);
    /* the words read back make a valid image */
    uint16_t s = 0;
    for (unsigned a = 0; a < E1K_EEPROM_WORDS; a++)
        s = (uint16_t)(s + mw_read(&e, a));
    assert_int_equal(s, 0xBABA);
}

static void test_eeprom_read_dummy_bit(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    e.w[5] = 0xFFFF;
    ee_select(&e);
    assert_int_equal(e1k_eeprom_do(&e), 1);
    send_cmd(&e, 2, 5);
    /* the 93C46 drives a 0 after the last address bit */
    assert_int_equal(e1k_eeprom_do(&e), 0);
    assert_int_equal(shift_in(&e, 16), 0xFFFF);
    ee_deselect(&e);
    assert_int_equal(e1k_eeprom_do(&e), 1);
}

static void test_eeprom_leading_zeros(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    ee_select(&e);
    shift_out(&e, 0, 5); /* zeros before the start bit are ignored */
    send_cmd(&e, 2, 0x0D);
    assert_int_equal(shift_in(&e, 16), 0x100E);
    ee_deselect(&e);
    assert_int_equal(e.anomalies, 0);
}

static void test_eeprom_sequential_read(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    ee_select(&e);
    send_cmd(&e, 2, 0x3E);
    assert_int_equal(shift_in(&e, 16), e.w[0x3E]);
    assert_int_equal(shift_in(&e, 16), e.w[0x3F]);
    assert_int_equal(shift_in(&e, 16), e.w[0x00]); /* wraps */
    assert_int_equal(shift_in(&e, 16), e.w[0x01]);
    ee_deselect(&e);
    /* the whole array in one READ */
    ee_select(&e);
    send_cmd(&e, 2, 0);
    for (unsigned a = 0; a < E1K_EEPROM_WORDS; a++)
        assert_int_equal(shift_in(&e, 16), e.w[a]);
    ee_deselect(&e);
    assert_int_equal(e.anomalies, 0);
}

static void test_eeprom_write_needs_ewen(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    uint16_t orig = e.w[0x10];

    mw_write(&e, 0x10, 0xA5C3); /* write-disabled at power-on */
    assert_int_equal(e.w[0x10], orig);
    assert_int_equal(mw_read(&e, 0x10), orig);
    assert_int_equal(e.anomalies, 1);

    mw_ewen(&e);
    assert_int_equal(e.write_enabled, 1);
    mw_write(&e, 0x10, 0xA5C3);
    assert_int_equal(ready_after_select(&e), 1); /* instantaneous: READY */
    assert_int_equal(mw_read(&e, 0x10), 0xA5C3);
    mw_write(&e, 0x3F, 0x0001);
    assert_int_equal(mw_read(&e, 0x3F), 0x0001);

    mw_ewds(&e);
    assert_int_equal(e.write_enabled, 0);
    mw_write(&e, 0x10, 0x1111);
    assert_int_equal(mw_read(&e, 0x10), 0xA5C3);
    assert_int_equal(e.anomalies, 2);
}

static void test_eeprom_erase(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);

    /* ERASE without EWEN: ignored */
    ee_select(&e);
    send_cmd(&e, 3, 0x0B);
    ee_deselect(&e);
    assert_int_equal(e.w[0x0B], 0x001E);

    mw_ewen(&e);
    ee_select(&e);
    send_cmd(&e, 3, 0x0B);
    ee_deselect(&e);
    assert_int_equal(mw_read(&e, 0x0B), 0xFFFF);
    assert_int_equal(mw_read(&e, 0x0C), 0x8086); /* neighbours untouched */

    /* WRAL: every word */
    ee_select(&e);
    send_cmd(&e, 0, 1u << 4);
    shift_out(&e, 0x1234, 16);
    ee_deselect(&e);
    for (unsigned a = 0; a < E1K_EEPROM_WORDS; a++)
        assert_int_equal(e.w[a], 0x1234);

    /* ERAL: every word to FFFFh */
    mw_ext(&e, 2);
    for (unsigned a = 0; a < E1K_EEPROM_WORDS; a++)
        assert_int_equal(mw_read(&e, a), 0xFFFF);
    assert_int_equal(e.anomalies, 1); /* the disabled ERASE */
}

static void test_eeprom_cs_low_mid_command(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    mw_ewen(&e);

    /* CS drops in the middle of the address */
    ee_select(&e);
    shift_out(&e, 5, 3);
    shift_out(&e, 1, 3);
    ee_deselect(&e);
    assert_int_equal(e.anomalies, 1);
    assert_int_equal(mw_read(&e, 0x0E), 0x8086);

    /* CS drops after 8 of the 16 data bits: nothing is written */
    ee_select(&e);
    send_cmd(&e, 1, 0x0E);
    shift_out(&e, 0x12, 8);
    ee_deselect(&e);
    assert_int_equal(e.anomalies, 2);
    assert_int_equal(e.w[0x0E], 0x8086);

    /* CS drops in the middle of a READ: fine, and the next READ is clean */
    ee_select(&e);
    send_cmd(&e, 2, 0x0D);
    assert_int_equal(shift_in(&e, 4), 0x1);
    ee_deselect(&e);
    assert_int_equal(mw_read(&e, 0x0D), 0x100E);
    assert_int_equal(e.anomalies, 2);

    /* clocks with CS low do nothing */
    e1k_eeprom_pins(&e, 0, 1, 1);
    e1k_eeprom_pins(&e, 0, 0, 1);
    assert_int_equal(mw_read(&e, 0x0D), 0x100E);
    assert_int_equal(e.anomalies, 2);
}

static void test_eeprom_extra_clocks(void **state)
{
    (void)state;
    struct e1k_eeprom e;
    build(&e);
    /* clocks after a complete EWEN count as misuse but do no harm */
    ee_select(&e);
    send_cmd(&e, 0, 3u << 4);
    shift_out(&e, 0, 2);
    ee_deselect(&e);
    assert_int_equal(e.write_enabled, 1);
    assert_int_equal(e.anomalies, 2);
    /* and a WRITE with trailing clocks still writes when CS falls */
    ee_select(&e);
    send_cmd(&e, 1, 0x20);
    shift_out(&e, 0xBEEF, 16);
    shift_out(&e, 1, 1);
    ee_deselect(&e);
    assert_int_equal(e.w[0x20], 0xBEEF);
    assert_int_equal(e.anomalies, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eeprom_checksum),
        cmocka_unit_test(test_eeprom_default_image),
        cmocka_unit_test(test_eeprom_read_wraps_address),
        cmocka_unit_test(test_eeprom_microwire_read_all),
        cmocka_unit_test(test_eeprom_read_dummy_bit),
        cmocka_unit_test(test_eeprom_leading_zeros),
        cmocka_unit_test(test_eeprom_sequential_read),
        cmocka_unit_test(test_eeprom_write_needs_ewen),
        cmocka_unit_test(test_eeprom_erase),
        cmocka_unit_test(test_eeprom_cs_low_mid_command),
        cmocka_unit_test(test_eeprom_extra_clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
