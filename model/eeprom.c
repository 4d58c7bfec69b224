/* The 82540EM's 93C46 Microwire EEPROM: the default image and the serial
 * protocol software drives through EECD (SDM 5.3, 5.6, 13.4.3). */
#include "eeprom.h"

#include <string.h>

/* Interface states. */
enum {
    EE_IDLE,  /* CS low, or CS high and waiting for the start bit */
    EE_CMD,   /* shifting in the 2-bit opcode and 6-bit address */
    EE_READ,  /* shifting data out on DO */
    EE_WDATA, /* shifting in the 16 data bits of WRITE or WRAL */
    EE_DONE,  /* instruction complete; waiting for CS to fall */
};

/* Opcodes (the two bits after the start bit), 93C46 x16 organisation. */
enum {
    OP_EXT = 0,   /* 00: EWEN/EWDS/ERAL/WRAL, chosen by address bits 5:4 */
    OP_WRITE = 1, /* 01 */
    OP_READ = 2,  /* 10 */
    OP_ERASE = 3, /* 11 */
};

/* The 00-group selector, address bits 5:4. */
enum { EXT_EWDS = 0, EXT_WRAL = 1, EXT_ERAL = 2, EXT_EWEN = 3 };

/* Programming instructions waiting for CS to fall. */
enum { ARM_NONE, ARM_WRITE, ARM_ERASE, ARM_ERAL, ARM_WRAL };

static void interface_reset(struct e1k_eeprom *e)
{
    e->cs = e->sk = e->di = 0;
    e->dout = 1;
    e->write_enabled = 0; /* the 93C46 powers up write-disabled */
    e->state = EE_IDLE;
    e->shift = 0;
    e->nbits = 0;
    e->opcode = 0;
    e->addr = 0;
    e->out = 0;
    e->outbits = 0;
    e->armed = ARM_NONE;
    e->wdata = 0;
    e->anomalies = 0;
}

void e1k_eeprom_build(struct e1k_eeprom *e, const uint8_t mac[6], uint16_t vendor_id,
                      uint16_t device_id, uint16_t subsys_vendor_id, uint16_t subsys_id)
{
    uint16_t *w = e->w;

    /* Words the 82540EP/EM leaves to OEMs or does not use read as the
     * erased pattern unless set below. */
    for (unsigned i = 0; i < E1K_EEPROM_WORDS; i++)
        w[i] = 0xFFFF;

    /* 00h-02h: Ethernet address, first byte on the wire in the low byte of
     * word 0 (SDM 5.6, table 5-2: IA(2,1), IA(4,3), IA(6,5)). */
    for (unsigned i = 0; i < 3; i++)
        w[E1K_EE_MAC0 + i] = (uint16_t)(mac[2 * i] | (mac[2 * i + 1] << 8));

    /* 03h: software compatibility. Image value 0000h: a client add-in card,
     * no LOM/server/OEM/SMBus/bridge bits (bit 5 must be 0 on the 82540EM). */
    w[E1K_EE_COMPAT] = 0x0000;
    /* 04h: SerDes configuration, not applicable to the 82540EM: FFFFh tells
     * software to leave PHY register 26 alone. */
    w[E1K_EE_SERDES_CFG] = 0xFFFF;
    /* 05h-07h: image version (82541/82547 only) and compatibility; 0000h. */
    w[E1K_EE_IMAGE_VER] = 0x0000;
    w[E1K_EE_COMPAT1] = 0x0000;
    w[E1K_EE_COMPAT2] = 0x0000;
    /* 08h-09h: PBA number, four bytes of digits (the dash and the first
     * suffix digit are not stored); software must not rely on it. The value
     * of the image QEMU carries (PBA 300010-000). */
    w[E1K_EE_PBA0] = 0x3000;
    w[E1K_EE_PBA1] = 0x1000;

    /* 0Ah: Initialization Control Word 1 = 640Ah:
     *   15:14 signature 01b (image valid)
     *   13    BAR32 = 1: 32-bit memory BAR, set by default on the 82540EP/EM
     *   12    IPS0 = 0, 11 FRCSPD = 0, 9 LRST = 0 (auto-negotiate at power-up),
     *   10    FD = 1, 8 IPS1 = 0, 4 ILOS = 0 (reserved for copper)
     *   3     PM = 1: full power management (the SDM default)
     *   2     PME clock = 0
     *   1     load subsystem IDs = 1 (the SDM default): words 0Bh/0Ch
     *   0     load vendor/device IDs = 0 (the SDM default for the 82540EM:
     *         the device keeps its own 8086h/100Eh; words 0Dh/0Eh informative)
     * The SDM table gives 4408h as image value; QEMU's dump has 6403h. We keep
     * the bits the SDM's bit descriptions call default for the 82540EM. */
    w[E1K_EE_INIT1] = E1K_EE_INIT1_SIG_VALID | E1K_EE_INIT1_BAR32 | E1K_EE_INIT1_FD |
                      E1K_EE_INIT1_PM | E1K_EE_INIT1_LOAD_SUBSYS;
    w[E1K_EE_SUBSYS_ID] = subsys_id;
    w[E1K_EE_SUBSYS_VID] = subsys_vendor_id;
    w[E1K_EE_DEV_ID] = device_id;
    w[E1K_EE_VID] = vendor_id;
    /* 0Fh: Initialization Control Word 2, image value 3040h for the
     * 82540EP/EM: PAUSE (bit 12) and ASM_DIR (bit 13) advertised, and bit 6
     * of the extended software-defined-pin direction field 7:4 (Linux's
     * EEPROM_WORD0F_SWPDIO_EXT) set. */
    w[E1K_EE_INIT2] = 0x3040;

    /* 10h, 11h, 13h-1Fh: reserved for OEM use on the 82540EM (left erased).
     * 12h: common power, reported for PM Data_Select 8 on multi-function
     * parts; undefined (0) for a single function (SDM 12.5.5). */
    w[E1K_EE_COMMON_POWER] = 0x0000;

    /* 20h: software-defined pins control: all SDPs inputs, no pin-driven
     * power features. We found no image value for the 82540EM; QEMU's 1008h
     * comes from a different board's dump. */
    w[E1K_EE_SDP_CTRL] = 0x0000;
    /* 21h: circuit control, image value 7061h for the 82540EP/EM. */
    w[E1K_EE_CIRCUIT_CTRL] = 0x7061;
    /* 22h: power, image value 280Ch: D0 4.0 W, D3 1.2 W (SDM 6.3.3.6). */
    w[E1K_EE_POWER] = 0x280C;
    /* 23h: management control and 24h: init control 3 / SMBus slave address:
     * 00C8h each, as VirtualBox's SDM-derived image. */
    w[E1K_EE_MGMT_CTRL] = 0x00C8;
    w[E1K_EE_INIT3] = 0x00C8;
    /* 25h-2Eh: IPv4 and IPv6 addresses for manageability: none. */
    for (unsigned i = E1K_EE_IPV4; i < E1K_EE_LED; i++)
        w[i] = 0x0000;
    /* 2Fh: LEDCTL default, image value 0602h. */
    w[E1K_EE_LED] = 0x0602;
    /* 30h-3Eh: boot agent (PXE) words (SDM 5.6.30 onwards): no boot agent
     * on this board, so they stay erased (FFFFh). */

    e1k_eeprom_fix_checksum(e);
    interface_reset(e);
}

void e1k_eeprom_load(struct e1k_eeprom *e, const uint16_t img[E1K_EEPROM_WORDS])
{
    memcpy(e->w, img, sizeof(e->w));
    interface_reset(e);
}

uint16_t e1k_eeprom_sum(const struct e1k_eeprom *e)
{
    uint16_t s = 0;
    for (unsigned i = 0; i < E1K_EEPROM_WORDS; i++)
        s = (uint16_t)(s + e->w[i]);
    return s;
}

void e1k_eeprom_fix_checksum(struct e1k_eeprom *e)
{
    /* SDM 5.6.35: 16-bit sum of words 00h-3Fh, carries dropped, is BABAh. */
    uint16_t s = 0;
    for (unsigned i = 0; i < E1K_EE_CHECKSUM; i++)
        s = (uint16_t)(s + e->w[i]);
    e->w[E1K_EE_CHECKSUM] = (uint16_t)(E1K_EEPROM_SUM - s);
}

uint16_t e1k_eeprom_read(const struct e1k_eeprom *e, unsigned addr)
{
    return e->w[addr & (E1K_EEPROM_WORDS - 1)];
}

/* Back to waiting for a start bit; DO undriven. */
static void to_idle(struct e1k_eeprom *e)
{
    e->state = EE_IDLE;
    e->shift = 0;
    e->nbits = 0;
    e->outbits = 0;
    e->armed = ARM_NONE;
    e->dout = 1;
}

/* The instruction's opcode and address are in: act on it. */
static void decode(struct e1k_eeprom *e)
{
    e->opcode = (uint8_t)((e->shift >> 6) & 3);
    e->addr = (uint8_t)(e->shift & 0x3F);
    e->shift = 0;
    e->nbits = 0;
    switch (e->opcode) {
    case OP_READ:
        /* The 93C46 drives a dummy 0 right after the last address bit, then
         * D15..D0 on the following rising edges. */
        e->state = EE_READ;
        e->out = e->w[e->addr];
        e->outbits = 16;
        e->dout = 0;
        break;
    case OP_WRITE:
        e->state = EE_WDATA;
        break;
    case OP_ERASE:
        e->state = EE_DONE;
        e->armed = ARM_ERASE;
        break;
    default: /* OP_EXT */
        switch (e->addr >> 4) {
        case EXT_EWEN:
            e->write_enabled = 1;
            e->state = EE_DONE;
            break;
        case EXT_EWDS:
            e->write_enabled = 0;
            e->state = EE_DONE;
            break;
        case EXT_ERAL:
            e->state = EE_DONE;
            e->armed = ARM_ERAL;
            break;
        default: /* EXT_WRAL */
            e->state = EE_WDATA;
            break;
        }
        break;
    }
}

/* One SK rising edge with CS high. */
static void clock_edge(struct e1k_eeprom *e, unsigned di)
{
    switch (e->state) {
    case EE_IDLE:
        /* Leading zeros before the start bit are allowed (93C46). */
        if (di) {
            e->state = EE_CMD;
            e->shift = 0;
            e->nbits = 0;
        }
        break;
    case EE_CMD:
        e->shift = (e->shift << 1) | di;
        if (++e->nbits == 8)
            decode(e);
        break;
    case EE_READ:
        /* Sequential read: after D0 of one word comes D15 of the next, the
         * address wrapping from 3Fh to 00h (93C46). */
        if (e->outbits == 0) {
            e->addr = (uint8_t)((e->addr + 1) & (E1K_EEPROM_WORDS - 1));
            e->out = e->w[e->addr];
            e->outbits = 16;
        }
        e->dout = (uint8_t)((e->out >> 15) & 1);
        e->out = (uint16_t)(e->out << 1);
        e->outbits--;
        break;
    case EE_WDATA:
        e->shift = (e->shift << 1) | di;
        if (++e->nbits == 16) {
            e->wdata = (uint16_t)e->shift;
            e->armed = e->opcode == OP_WRITE ? ARM_WRITE : ARM_WRAL;
            e->state = EE_DONE;
        }
        break;
    default: /* EE_DONE: clocks after a complete instruction mean nothing */
        e->anomalies++;
        break;
    }
}

/* CS fell: run a complete programming instruction, drop an incomplete one. */
static void cs_fall(struct e1k_eeprom *e)
{
    if (e->state == EE_DONE && e->armed != ARM_NONE) {
        if (!e->write_enabled) {
            e->anomalies++; /* programming while write-disabled: ignored */
        } else {
            switch (e->armed) {
            case ARM_WRITE:
                e->w[e->addr] = e->wdata;
                break;
            case ARM_ERASE:
                e->w[e->addr] = 0xFFFF;
                break;
            case ARM_ERAL:
                for (unsigned i = 0; i < E1K_EEPROM_WORDS; i++)
                    e->w[i] = 0xFFFF;
                break;
            default: /* ARM_WRAL */
                for (unsigned i = 0; i < E1K_EEPROM_WORDS; i++)
                    e->w[i] = e->wdata;
                break;
            }
        }
    } else if (e->state == EE_CMD || e->state == EE_WDATA) {
        e->anomalies++; /* CS dropped in the middle of an instruction */
    }
    to_idle(e);
}

void e1k_eeprom_pins(struct e1k_eeprom *e, int cs, int sk, int di)
{
    unsigned ncs = cs != 0, nsk = sk != 0, ndi = di != 0;
    int rising = nsk && !e->sk;

    if (e->cs && !ncs)
        cs_fall(e);
    else if (!e->cs && ncs)
        to_idle(e); /* a fresh selection starts from the start bit */
    e->cs = (uint8_t)ncs;
    e->sk = (uint8_t)nsk;
    e->di = (uint8_t)ndi;
    if (ncs && rising)
        clock_edge(e, ndi);
}

int e1k_eeprom_do(const struct e1k_eeprom *e)
{
    return e->cs ? e->dout : 1;
}
