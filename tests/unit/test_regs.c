/* Table-driven tests over the whole register file, and the interrupt,
 * I/O-window, byte-access, PCI-config and reset semantics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "e1k/e1k.h"
#include "e1k/e1k_bits.h"
#include "e1k/e1k_regs.h"
#include "harness.h"
#include "rng.h"

/* Registers whose value or writes have side effects beyond the table's
 * default behaviour; tested one by one below. */
static int has_hook(const struct e1k_reg_info *e)
{
    static const char *const hooked[] = { "CTRL", "STATUS", "EECD", "EERD", "CTRL_EXT", "MDIC",
                                          "ICR", "ICS", "IMS", "IMC", "RDTR", NULL };
    for (int i = 0; hooked[i]; i++)
        if (!strcmp(e->name, hooked[i]))
            return 1;
    return 0;
}

static void test_regs_table_sane(void **state)
{
    size_t n = e1k_reg_count();
    assert_true(n > 100);
    uint32_t prev_end = 0;
    for (size_t i = 0; i < n; i++) {
        const struct e1k_reg_info *e = e1k_reg_at(i);
        assert_non_null(e->name);
        assert_true(e->offset % 4 == 0);
        assert_true(e->count >= 1);
        if (e->count > 1)
            assert_true(e->stride >= 4 && e->stride % 4 == 0);
        assert_true(e->offset + (uint32_t)(e->count - 1) * e->stride < E1K_MMIO_SIZE);
        /* sorted by offset; arrays with stride 8 may interleave (RAL/RAH) */
        if (e->stride == 4 || e->count == 1)
            assert_true(i == 0 || e->offset >= prev_end || e1k_reg_at(i - 1)->stride == 8);
        prev_end = e->offset + (uint32_t)(e->count - 1) * e->stride + 4;
        /* every element decodes back to this entry */
        for (unsigned k = 0; k < e->count; k++) {
            unsigned idx;
            const struct e1k_reg_info *f = e1k_reg_lookup(e->offset + k * e->stride, &idx);
            assert_ptr_equal(f, e);
            assert_int_equal(idx, k);
        }
        /* names round-trip */
        uint32_t off;
        char buf[32];
        e1k_reg_name(e->offset + (uint32_t)(e->count - 1) * e->stride, buf, sizeof(buf));
        assert_int_equal(e1k_reg_parse(buf, &off), 0);
        assert_int_equal(off, e->offset + (uint32_t)(e->count - 1) * e->stride);
        /* read-only kinds have no writable bits */
        if ((e->access == E1K_ACC_RO || e->access == E1K_ACC_RC) && !has_hook(e))
            assert_int_equal(e->wmask, 0);
    }
    uint32_t off;
    assert_int_equal(e1k_reg_parse("ral[3]", &off), 0);
    assert_int_equal(off, 0x5418);
    assert_int_equal(e1k_reg_parse("RAH3", &off), 0);
    assert_int_equal(off, 0x541C);
    assert_int_equal(e1k_reg_parse("MTA[0x7f]", &off), 0);
    assert_int_equal(off, 0x53FC);
    assert_int_equal(e1k_reg_parse("MTA[128]", &off), -1);
    assert_int_equal(e1k_reg_parse("NOPE", &off), -1);
    assert_null(e1k_reg_lookup(0x00004, NULL)); /* reserved hole after CTRL */
}

static void test_regs_reset_values(void **state)
{
    struct th *h = th_new(1);
    for (size_t i = 0; i < e1k_reg_count(); i++) {
        const struct e1k_reg_info *e = e1k_reg_at(i);
        for (unsigned k = 0; k < e->count; k++) {
            uint32_t off = e->offset + k * e->stride;
            if (has_hook(e) || off == E1K_REG_RAL || off == E1K_REG_RAH)
                continue;
            if (e1k_reg_peek(h->d, off) != e->reset)
                fail_msg("%s[%u] resets to 0x%08x, table says 0x%08x", e->name, k,
                         e1k_reg_peek(h->d, off), e->reset);
        }
    }
    /* RAL0/RAH0 hold the EEPROM's MAC with Address Valid (SDM 5.6.1). */
    assert_int_equal(th_rd(h, E1K_REG_RAL), 0x12005452);
    assert_int_equal(th_rd(h, E1K_REG_RAH), 0x80005634);
    th_free(h);
}

static void test_regs_writable_masks(void **state)
{
    struct th *h = th_new(1);
    for (size_t i = 0; i < e1k_reg_count(); i++) {
        const struct e1k_reg_info *e = e1k_reg_at(i);
        if (has_hook(e) || e->access != E1K_ACC_RW)
            continue;
        unsigned ks[2] = { 0, e->count - 1u };
        for (int j = 0; j < 2; j++) {
            uint32_t off = e->offset + ks[j] * e->stride;
            uint32_t before = e1k_reg_peek(h->d, off);
            th_wr(h, off, 0xFFFFFFFF);
            uint32_t got = th_rd(h, off);
            if (got != ((before & ~e->wmask) | e->wmask))
                fail_msg("%s: all-ones write reads 0x%08x, mask 0x%08x", e->name, got, e->wmask);
            th_wr(h, off, 0);
            got = th_rd(h, off);
            if (got != (before & ~e->wmask))
                fail_msg("%s: zero write reads 0x%08x", e->name, got);
        }
    }
    th_free(h);
}

static void test_regs_read_only_and_clear_on_read(void **state)
{
    struct th *h = th_new(1);
    for (size_t i = 0; i < e1k_reg_count(); i++) {
        const struct e1k_reg_info *e = e1k_reg_at(i);
        if (has_hook(e))
            continue;
        uint32_t off = e->offset;
        uint64_t ro0 = e1k_anomaly_count(h->d, E1K_ANOM_RO_WRITE);
        switch (e->access) {
        case E1K_ACC_RO:
            e1k_reg_poke(h->d, off, 0x5A5A1234);
            th_wr(h, off, 0xFFFFFFFF);
            assert_int_equal(th_rd(h, off), 0x5A5A1234);
            assert_int_equal(e1k_anomaly_count(h->d, E1K_ANOM_RO_WRITE), ro0 + 1);
            break;
        case E1K_ACC_RC:
            e1k_reg_poke(h->d, off, 77);
            th_wr(h, off, 5); /* ignored */
            assert_int_equal(th_rd(h, off), 77);
            assert_int_equal(th_rd(h, off), 0);
            break;
        case E1K_ACC_WO:
            assert_int_equal(th_rd(h, off), 0);
            break;
        case E1K_ACC_RW1C:
            e1k_reg_poke(h->d, off, e->wmask);
            th_wr(h, off, e->wmask & 0x0000FFFF);
            assert_int_equal(th_rd(h, off), e->wmask & 0xFFFF0000);
            break;
        default:
            break;
        }
    }
    th_free(h);
}

static void test_regs_interrupt_semantics(void **state)
{
    struct th *h = th_new(1);
    th_wr(h, E1K_REG_IMC, 0xFFFFFFFF);
    (void)th_rd(h, E1K_REG_ICR);
    assert_int_equal(h->irq, 0);
    /* ICS sets causes; masked causes do not raise the line. */
    th_wr(h, E1K_REG_ICS, E1K_ICR_RXT0 | E1K_ICR_TXDW);
    assert_int_equal(e1k_reg_peek(h->d, E1K_REG_ICR), E1K_ICR_RXT0 | E1K_ICR_TXDW);
    assert_int_equal(h->irq, 0);
    /* IMS unmasks one: line up. IMS reads the mask; ICS and IMC read 0. */
    th_wr(h, E1K_REG_IMS, E1K_ICR_RXT0);
    assert_int_equal(h->irq, 1);
    assert_int_equal(th_rd(h, E1K_REG_IMS), E1K_ICR_RXT0);
    assert_int_equal(th_rd(h, E1K_REG_IMC), 0);
    assert_int_equal(th_rd(h, E1K_REG_ICS), 0);
    /* IMC masks it again: line down, causes still pending. */
    th_wr(h, E1K_REG_IMC, E1K_ICR_RXT0);
    assert_int_equal(h->irq, 0);
    assert_int_equal(th_rd(h, E1K_REG_IMS), 0);
    th_wr(h, E1K_REG_IMS, E1K_ICR_RXT0 | E1K_ICR_LSC);
    assert_int_equal(h->irq, 1);
    /* Writing 1 to ICR clears that cause. */
    th_wr(h, E1K_REG_ICR, E1K_ICR_RXT0);
    assert_int_equal(h->irq, 0);
    assert_int_equal(e1k_reg_peek(h->d, E1K_REG_ICR), E1K_ICR_TXDW);
    /* Reading ICR returns and clears everything. */
    th_wr(h, E1K_REG_ICS, E1K_ICR_LSC);
    assert_int_equal(h->irq, 1);
    uint32_t icr = th_rd(h, E1K_REG_ICR);
    assert_int_equal(icr & (E1K_ICR_LSC | E1K_ICR_TXDW), E1K_ICR_LSC | E1K_ICR_TXDW);
    assert_int_equal(h->irq, 0);
    assert_int_equal(th_rd(h, E1K_REG_ICR), 0);
    /* Every cause bit the SDM defines for the 82540EM can be set by ICS;
     * RXSEQ and RXCFG are SerDes-only and reserved here (SDM 13.4.17). */
    uint32_t all = E1K_ICR_TXDW | E1K_ICR_TXQE | E1K_ICR_LSC | E1K_ICR_RXDMT0 |
                   E1K_ICR_RXO | E1K_ICR_RXT0 | E1K_ICR_MDAC | E1K_ICR_GPI0 | E1K_ICR_GPI1 |
                   E1K_ICR_GPI_SDP6 | E1K_ICR_GPI_SDP7 | E1K_ICR_TXD_LOW | E1K_ICR_SRPD;
    th_wr(h, E1K_REG_ICS, all);
    assert_int_equal(th_rd(h, E1K_REG_ICR), all);
    th_wr(h, E1K_REG_ICS, E1K_ICR_RXSEQ | E1K_ICR_RXCFG | 0x80000000u);
    assert_int_equal(th_rd(h, E1K_REG_ICR), 0);
    th_free(h);
}

static void test_regs_io_window(void **state)
{
    struct th *h = th_new(1);
    /* IOADDR selects, IODATA accesses. */
    e1k_io_write(h->d, 0, E1K_REG_RCTL, 4);
    assert_int_equal(e1k_io_read(h->d, 0, 4), E1K_REG_RCTL);
    e1k_io_write(h->d, 4, E1K_RCTL_EN | E1K_RCTL_BAM, 4);
    assert_int_equal(th_rd(h, E1K_REG_RCTL), E1K_RCTL_EN | E1K_RCTL_BAM);
    assert_int_equal(e1k_io_read(h->d, 4, 4), E1K_RCTL_EN | E1K_RCTL_BAM);
    /* The Linux driver resets the 82540 through the window. */
    e1k_io_write(h->d, 0, E1K_REG_CTRL, 4);
    e1k_io_write(h->d, 4, E1K_CTRL_RST, 4);
    assert_int_equal(th_rd(h, E1K_REG_RCTL), 0);
    assert_int_equal(th_rd(h, E1K_REG_CTRL) & E1K_CTRL_RST, 0);
    /* Beyond the 8-byte BAR: refused and counted, never a crash. */
    uint64_t a0 = e1k_anomaly_total(h->d);
    assert_int_equal(e1k_io_read(h->d, 8, 4), 0xFFFFFFFF);
    e1k_io_write(h->d, 0x40, 1, 4);
    assert_true(e1k_anomaly_total(h->d) >= a0 + 2);
    th_free(h);
}

static void test_regs_byte_and_word_access(void **state)
{
    struct th *h = th_new(1);
    uint32_t ral1 = E1K_REG_RAL + 8;
    th_wr(h, ral1, 0x11223344);
    uint64_t w0 = e1k_anomaly_count(h->d, E1K_ANOM_BAD_WIDTH);
    assert_int_equal(e1k_mmio_read(h->d, ral1, 1), 0x44);
    assert_int_equal(e1k_anomaly_count(h->d, E1K_ANOM_BAD_WIDTH), w0 + 1);
    /* the packet buffer memory takes any width */
    e1k_mmio_write(h->d, E1K_REG_PBM + 5, 0xAB, 1);
    assert_int_equal(e1k_mmio_read(h->d, E1K_REG_PBM + 4, 4), 0xAB00);
    assert_int_equal(e1k_anomaly_count(h->d, E1K_ANOM_BAD_WIDTH), w0 + 1);
    assert_int_equal(e1k_mmio_read(h->d, ral1 + 1, 1), 0x33);
    assert_int_equal(e1k_mmio_read(h->d, ral1 + 2, 2), 0x1122);
    e1k_mmio_write(h->d, ral1 + 2, 0xBEEF, 2);
    assert_int_equal(th_rd(h, ral1), 0xBEEF3344);
    e1k_mmio_write(h->d, ral1 + 1, 0x00, 1);
    assert_int_equal(th_rd(h, ral1), 0xBEEF0044);
    /* A 16-bit write to a masked register changes only its lanes' writable bits. */
    e1k_mmio_write(h->d, E1K_REG_RDLEN, 0xFFFF, 2);
    assert_int_equal(th_rd(h, E1K_REG_RDLEN), 0x0000FF80);
    /* Unaligned and odd-width accesses are recorded, never crash. */
    uint64_t a0 = e1k_anomaly_count(h->d, E1K_ANOM_UNALIGNED);
    (void)e1k_mmio_read(h->d, ral1 + 3, 2);
    assert_int_equal(e1k_anomaly_count(h->d, E1K_ANOM_UNALIGNED), a0 + 1);
    (void)e1k_mmio_read(h->d, 0x1FFFF, 4);
    (void)e1k_mmio_read(h->d, 0x0, 3);
    e1k_mmio_write(h->d, 0xFFFFFFF0u, 1, 4);
    /* Unknown offsets read 0. */
    assert_int_equal(th_rd(h, 0x00004), 0);
    assert_true(e1k_anomaly_count(h->d, E1K_ANOM_UNKNOWN_REG) >= 1);
    th_free(h);
}

static void test_regs_pci_config(void **state)
{
    struct th *h = th_new(1);
    struct e1k_dev *d = h->d;
    assert_int_equal(e1k_pci_read(d, 0x00, 2), 0x8086);
    assert_int_equal(e1k_pci_read(d, 0x02, 2), 0x100E);
    assert_int_equal(e1k_pci_read(d, 0x08, 4) >> 8, 0x020000);
    assert_int_equal(e1k_pci_read(d, 0x2C, 2), 0x8086);
    assert_int_equal(e1k_pci_read(d, 0x2E, 2), 0x001E);
    assert_int_equal(e1k_pci_read(d, 0x3D, 1), 1);
    assert_int_equal(e1k_pci_read(d, 0x06, 2) & 0x10, 0x10); /* capability list */
    uint8_t cap = (uint8_t)e1k_pci_read(d, 0x34, 1);
    assert_int_equal(e1k_pci_read(d, cap, 1), 0x01); /* power management */
    /* BAR sizing: write all ones, read the size mask. */
    e1k_pci_write(d, 0x10, 0xFFFFFFFF, 4);
    assert_int_equal(e1k_pci_read(d, 0x10, 4), 0xFFFE0000);
    e1k_pci_write(d, 0x10, 0xFEBC0000, 4);
    assert_int_equal(e1k_pci_read(d, 0x10, 4), 0xFEBC0000);
    e1k_pci_write(d, 0x18, 0xFFFFFFFF, 4);
    assert_int_equal(e1k_pci_read(d, 0x18, 4), 0xFFFFFFF9);
    e1k_pci_write(d, 0x14, 0xFFFFFFFF, 4); /* no flash: BAR1 is not decoded (reads back 0) */
    assert_int_equal(e1k_pci_read(d, 0x14, 4), 0);
    /* Command register: only the implemented bits stick. */
    e1k_pci_write(d, 0x04, 0xFFFF, 2);
    assert_int_equal(e1k_pci_read(d, 0x04, 2), 0x0157);
    /* Vendor ID is read-only. */
    e1k_pci_write(d, 0x00, 0x1234, 2);
    assert_int_equal(e1k_pci_read(d, 0x00, 2), 0x8086);
    /* CTRL.RST leaves configuration space alone. */
    th_wr(h, E1K_REG_CTRL, E1K_CTRL_RST);
    assert_int_equal(e1k_pci_read(d, 0x10, 4), 0xFEBC0000);
    assert_int_equal(e1k_pci_read(d, 0x04, 2), 0x0157);
    th_free(h);
}

static void test_regs_software_reset(void **state)
{
    struct th *h = th_new(1);
    th_wr(h, E1K_REG_RCTL, E1K_RCTL_EN | E1K_RCTL_UPE);
    th_wr(h, E1K_REG_TDLEN, 4096);
    th_wr(h, E1K_REG_IMS, 0xFF);
    th_wr(h, E1K_REG_RAL, 0);
    th_wr(h, E1K_REG_RAH, 0);
    th_wr(h, E1K_REG_MTA + 4 * 5, 0xFFFF);
    th_wr(h, E1K_REG_CTRL, E1K_CTRL_SLU | E1K_CTRL_RST);
    assert_int_equal(th_rd(h, E1K_REG_RCTL), 0);
    assert_int_equal(th_rd(h, E1K_REG_TDLEN), 0);
    assert_int_equal(th_rd(h, E1K_REG_IMS), 0);
    assert_int_equal(th_rd(h, E1K_REG_CTRL) & (E1K_CTRL_RST | E1K_CTRL_SLU), 0);
    /* the EEPROM's MAC is loaded again */
    assert_int_equal(th_rd(h, E1K_REG_RAL), 0x12005452);
    assert_int_equal(th_rd(h, E1K_REG_RAH), 0x80005634);
    th_free(h);
}

static void test_regs_link_and_lsc(void **state)
{
    /* Default timing: the link comes up only after auto-negotiation, and
     * the MAC sees it only with CTRL.SLU (SDM 8.6.2.1). */
    struct th *h = th_new(0);
    th_wr(h, E1K_REG_IMS, E1K_ICR_LSC);
    th_wr(h, E1K_REG_CTRL, th_rd(h, E1K_REG_CTRL) | E1K_CTRL_SLU);
    assert_int_equal(th_rd(h, E1K_REG_STATUS) & E1K_STATUS_LU, 0);
    th_run(h, 1000000000000ull); /* 1 s */
    assert_int_equal(th_rd(h, E1K_REG_STATUS) & E1K_STATUS_LU, 0);
    assert_int_equal(h->irq, 0);
    th_run(h, 1500000000000ull);
    assert_int_equal(th_rd(h, E1K_REG_STATUS) & E1K_STATUS_LU, E1K_STATUS_LU);
    assert_int_equal(th_rd(h, E1K_REG_STATUS) & E1K_STATUS_SPEED_MASK, E1K_STATUS_SPEED_1000);
    assert_int_equal(h->irq, 1);
    assert_int_equal(th_rd(h, E1K_REG_ICR) & E1K_ICR_LSC, E1K_ICR_LSC);
    /* Cable out: link down at once, LSC again. */
    e1k_set_cable(h->d, 0);
    assert_int_equal(th_rd(h, E1K_REG_STATUS) & E1K_STATUS_LU, 0);
    assert_int_equal(h->irq, 1);
    th_free(h);
}

/* EERD reads of all 64 words agree with a Microwire bit-bang read through
 * EECD (with EE_REQ/EE_GNT), and the words sum to 0xBABA (SDM 5.6.35). */
static void eecd_set(struct th *h, uint32_t v) { th_wr(h, E1K_REG_EECD, v); }

static uint16_t bitbang_read(struct th *h, unsigned addr)
{
    uint32_t base = E1K_EECD_REQ;
    eecd_set(h, base);
    assert_true(th_rd(h, E1K_REG_EECD) & E1K_EECD_GNT);
    eecd_set(h, base | E1K_EECD_CS);
    /* start bit 1, opcode 10 (READ), 6 address bits, MSB first */
    uint32_t bits = (1u << 8) | (2u << 6) | (addr & 0x3f);
    for (int i = 8; i >= 0; i--) {
        uint32_t di = (bits >> i) & 1 ? E1K_EECD_DI : 0;
        eecd_set(h, base | E1K_EECD_CS | di);
        eecd_set(h, base | E1K_EECD_CS | di | E1K_EECD_SK);
        eecd_set(h, base | E1K_EECD_CS | di);
    }
    uint16_t w = 0;
    for (int i = 0; i < 16; i++) {
        eecd_set(h, base | E1K_EECD_CS | E1K_EECD_SK);
        eecd_set(h, base | E1K_EECD_CS);
        w = (uint16_t)(w << 1 | ((th_rd(h, E1K_REG_EECD) & E1K_EECD_DO) ? 1 : 0));
    }
    eecd_set(h, base);
    eecd_set(h, 0); /* release the grant */
    assert_false(th_rd(h, E1K_REG_EECD) & E1K_EECD_GNT);
    return w;
}

static void test_regs_eeprom_eerd_and_bitbang(void **state)
{
    struct th *h = th_new(0);
    uint16_t sum = 0;
    for (unsigned a = 0; a < 64; a++) {
        th_wr(h, E1K_REG_EERD, (a << E1K_EERD_ADDR_SHIFT) | E1K_EERD_START);
        assert_false(th_rd(h, E1K_REG_EERD) & E1K_EERD_DONE);
        th_run(h, 30 * 1000000ull);
        uint32_t v = th_rd(h, E1K_REG_EERD);
        assert_true(v & E1K_EERD_DONE);
        assert_int_equal((v & E1K_EERD_ADDR_MASK) >> E1K_EERD_ADDR_SHIFT, a);
        uint16_t w = (uint16_t)(v >> E1K_EERD_DATA_SHIFT);
        assert_int_equal(w, e1k_eeprom_words(h->d)[a]);
        assert_int_equal(bitbang_read(h, a), w);
        sum = (uint16_t)(sum + w);
    }
    assert_int_equal(sum, 0xBABA);
    /* Pins without the grant are ignored and recorded. */
    uint64_t a0 = e1k_anomaly_count(h->d, E1K_ANOM_EEPROM);
    eecd_set(h, E1K_EECD_CS | E1K_EECD_SK);
    assert_int_equal(e1k_anomaly_count(h->d, E1K_ANOM_EEPROM), a0 + 1);
    th_free(h);
}

/* PCI Command gates DMA: with Bus Master clear the transmit engine cannot
 * fetch its descriptor (recorded), with it set the same ring works. */
static void test_regs_bus_master_gates_dma(void **state)
{
    struct th *h = th_new(1);
    th_wr(h, E1K_REG_CTRL, th_rd(h, E1K_REG_CTRL) | E1K_CTRL_SLU);
    th_settle(h);
    e1k_pci_write(h->d, 0x04, 0x0003, 2); /* memory decoding, no mastering */
    th_wr(h, E1K_REG_TDBAL, 0x10000);
    th_wr(h, E1K_REG_TDLEN, 128);
    th_wr(h, E1K_REG_TCTL, E1K_TCTL_EN | E1K_TCTL_PSP);
    uint64_t a0 = e1k_anomaly_count(h->d, E1K_ANOM_DMA);
    th_wr(h, E1K_REG_TDT, 1);
    th_settle(h);
    assert_true(e1k_anomaly_count(h->d, E1K_ANOM_DMA) > a0);
    assert_int_equal(gmem_counters(h->mem)->transactions[E1K_DMA_DESC_FETCH], 0);
    th_free(h);
}

static void test_regs_random_storm(void **state)
{
    /* A hostile guest: random offsets, widths and values on every path,
     * with CTRL.RST, EECD and MDIC storms, and time passing. Must neither
     * crash nor hang; anomalies are counted. */
    struct th *h = th_new(0);
    struct rng r;
    rng_seed(&r, 2026);
    static const uint32_t hot[] = { E1K_REG_CTRL, E1K_REG_EECD, E1K_REG_EERD, E1K_REG_MDIC,
                                    E1K_REG_ICR, E1K_REG_ICS, E1K_REG_IMS, E1K_REG_IMC,
                                    E1K_REG_CTRL_EXT, E1K_REG_RDTR, E1K_REG_STATUS };
    static const unsigned widths[] = { 1, 2, 4, 3, 0, 8 };
    for (int i = 0; i < 400000; i++) {
        uint64_t k = rng_below(&r, 100);
        uint32_t v = (uint32_t)rng_next(&r);
        unsigned w = widths[rng_below(&r, 6)];
        uint32_t off;
        if (k < 40)
            off = hot[rng_below(&r, sizeof(hot) / sizeof(hot[0]))] + (uint32_t)rng_below(&r, 4);
        else
            off = (uint32_t)rng_below(&r, E1K_MMIO_SIZE + 64);
        if (off == E1K_REG_CTRL && (v & E1K_CTRL_RST) && rng_below(&r, 10))
            v &= ~E1K_CTRL_RST;
        if (k < 70)
            e1k_mmio_write(h->d, off, v, w);
        else if (k < 85)
            (void)e1k_mmio_read(h->d, off, w);
        else if (k < 90)
            e1k_io_write(h->d, (uint32_t)rng_below(&r, 12), v, w);
        else if (k < 93)
            (void)e1k_io_read(h->d, (uint32_t)rng_below(&r, 12), w);
        else if (k < 96)
            e1k_pci_write(h->d, (uint32_t)rng_below(&r, 300), v, w);
        else if (k < 98)
            (void)e1k_pci_read(h->d, (uint32_t)rng_below(&r, 300), w);
        else if (k < 99)
            th_run(h, rng_below(&r, 50000000));
        else
            e1k_set_cable(h->d, (int)(v & 1));
    }
    assert_true(e1k_anomaly_total(h->d) > 1000);
    th_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regs_table_sane),
        cmocka_unit_test(test_regs_reset_values),
        cmocka_unit_test(test_regs_writable_masks),
        cmocka_unit_test(test_regs_read_only_and_clear_on_read),
        cmocka_unit_test(test_regs_interrupt_semantics),
        cmocka_unit_test(test_regs_io_window),
        cmocka_unit_test(test_regs_byte_and_word_access),
        cmocka_unit_test(test_regs_pci_config),
        cmocka_unit_test(test_regs_software_reset),
        cmocka_unit_test(test_regs_link_and_lsc),
        cmocka_unit_test(test_regs_eeprom_eerd_and_bitbang),
        cmocka_unit_test(test_regs_bus_master_gates_dma),
        cmocka_unit_test(test_regs_random_storm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
