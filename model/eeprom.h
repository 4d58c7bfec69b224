/* The 82540EM's serial EEPROM: a 64-word (1 Kbit) 93C46-compatible Microwire
 * part (SDM 5.1, 5.3). The device reads it through EERD and at reset
 * (auto-load); software bit-bangs it through EECD (SDM 13.4.3). */
#ifndef E1K_EEPROM_H
#define E1K_EEPROM_H

#include <stdint.h>

#define E1K_EEPROM_WORDS 64
#define E1K_EEPROM_SUM 0xBABA /* words 0x00..0x3F sum to this (SDM 5.6.35) */

/* Word addresses (SDM table 5-2, "EEPROM address map", 82540EP/EM column). */
enum {
    E1K_EE_MAC0 = 0x00, E1K_EE_MAC1 = 0x01, E1K_EE_MAC2 = 0x02, /* IA(2,1) IA(4,3) IA(6,5) */
    E1K_EE_COMPAT = 0x03,      /* software compatibility word (SW) */
    E1K_EE_SERDES_CFG = 0x04,  /* SerDes config; not applicable to the 82540EM */
    E1K_EE_IMAGE_VER = 0x05,   /* image version; 82541xx/82547 only */
    E1K_EE_COMPAT1 = 0x06, E1K_EE_COMPAT2 = 0x07, /* compatibility (SW) */
    E1K_EE_PBA0 = 0x08, E1K_EE_PBA1 = 0x09, /* printed board assembly number (SW) */
    E1K_EE_INIT1 = 0x0A,       /* Initialization Control Word 1 (HW) */
    E1K_EE_SUBSYS_ID = 0x0B, E1K_EE_SUBSYS_VID = 0x0C,
    E1K_EE_DEV_ID = 0x0D, E1K_EE_VID = 0x0E,
    E1K_EE_INIT2 = 0x0F,       /* Initialization Control Word 2 (HW) */
    E1K_EE_COMMON_POWER = 0x12,/* PM Data for Data_Select 8 (multi-function only) */
    E1K_EE_SDP_CTRL = 0x20,    /* Software Defined Pins Control (HW) */
    E1K_EE_CIRCUIT_CTRL = 0x21,/* Circuit Control (HW) */
    E1K_EE_POWER = 0x22,       /* D0 power (15:8), D3 power (7:0), 0.1 W units (HW) */
    E1K_EE_MGMT_CTRL = 0x23,   /* Management Control (HW) */
    E1K_EE_INIT3 = 0x24,       /* Init Control 3 (15:8), SMBus slave address (7:0) */
    E1K_EE_IPV4 = 0x25,        /* 2 words: IPv4 address for manageability */
    E1K_EE_IPV6 = 0x27,        /* 8 words: IPv6 address for manageability */
    E1K_EE_LED = 0x2F,         /* LEDCTL default (HW) */
    E1K_EE_PXE_FIRST = 0x30, E1K_EE_PXE_LAST = 0x3E, /* boot agent (PXE) words */
    E1K_EE_CHECKSUM = 0x3F,
};

/* Initialization Control Word 1 bits (SDM 5.6, word 0Ah). */
#define E1K_EE_INIT1_LOAD_IDS 0x0001   /* load vendor/device IDs from words 0Dh/0Eh */
#define E1K_EE_INIT1_LOAD_SUBSYS 0x0002/* load subsystem IDs from words 0Bh/0Ch */
#define E1K_EE_INIT1_PME_CLK 0x0004    /* PCICLK required for PME# */
#define E1K_EE_INIT1_PM 0x0008         /* full power management support */
#define E1K_EE_INIT1_ILOS 0x0010       /* invert loss-of-signal (reserved for copper) */
#define E1K_EE_INIT1_IPS1 0x0100       /* invert power state output bit 1 */
#define E1K_EE_INIT1_LRST 0x0200       /* -> CTRL.LRST: no auto-negotiation at power-up */
#define E1K_EE_INIT1_FD 0x0400         /* -> CTRL.FD */
#define E1K_EE_INIT1_FRCSPD 0x0800     /* -> CTRL.FRCSPD */
#define E1K_EE_INIT1_IPS0 0x1000       /* invert power state output bit 0 */
#define E1K_EE_INIT1_BAR32 0x2000      /* 32-bit memory BAR only */
#define E1K_EE_INIT1_SIG_MASK 0xC000
#define E1K_EE_INIT1_SIG_VALID 0x4000  /* signature 01b: the image is valid */

/* Initialization Control Word 2 bits (SDM 5.6, word 0Fh; Linux names). */
#define E1K_EE_INIT2_PAUSE 0x1000      /* PAUSE capability */
#define E1K_EE_INIT2_ASM_DIR 0x2000    /* asymmetric PAUSE direction */

struct e1k_eeprom {
    uint16_t w[E1K_EEPROM_WORDS];
    /* Microwire interface state (see eeprom.c). */
    uint8_t cs, sk, di, dout; /* pin levels as last driven / the DO pin */
    uint8_t write_enabled; /* EWEN seen since power-on / EWDS */
    uint8_t state;   /* enum in eeprom.c */
    uint32_t shift;  /* bits shifted in */
    uint8_t nbits;   /* how many */
    uint8_t opcode;  /* 2-bit opcode of the instruction in progress */
    uint8_t addr;    /* its 6-bit address (READ: the word being shifted out) */
    uint16_t out;    /* data being shifted out */
    uint8_t outbits; /* bits of `out` still to shift */
    uint8_t armed;   /* programming instruction complete, runs when CS falls */
    uint16_t wdata;  /* its data word (WRITE, WRAL) */
    uint64_t anomalies; /* protocol misuse seen */
};

/* Build the default image: MAC, IDs, the 82540EM's init control words, and a
 * checksum word making the sum 0xBABA. Interface state idle. */
void e1k_eeprom_build(struct e1k_eeprom *e, const uint8_t mac[6], uint16_t vendor_id,
                      uint16_t device_id, uint16_t subsys_vendor_id, uint16_t subsys_id);
/* Load a given image verbatim (no checksum fix: a bad one is the user's test).
 * The interface returns to its power-on state (idle, write-disabled). */
void e1k_eeprom_load(struct e1k_eeprom *e, const uint16_t img[E1K_EEPROM_WORDS]);
/* Sum of all 64 words, mod 2^16. */
uint16_t e1k_eeprom_sum(const struct e1k_eeprom *e);
/* Rewrite word 0x3F so that the sum is 0xBABA. */
void e1k_eeprom_fix_checksum(struct e1k_eeprom *e);
/* Word read as EERD / auto-load does it; addresses >= 64 wrap (the 93C46 has
 * 6 address bits, so only the low 6 bits of the address are used). */
uint16_t e1k_eeprom_read(const struct e1k_eeprom *e, unsigned addr);
/* Drive the Microwire pins from an EECD write: chip select, clock, data in.
 * Acts on SK rising edges while CS is high; CS low resets the interface.
 * Programming instructions (WRITE, ERASE, ERAL, WRAL) run when CS falls after
 * a complete instruction, as on the 93C46, and take no time. */
void e1k_eeprom_pins(struct e1k_eeprom *e, int cs, int sk, int di);
/* The DO pin as EECD.DO reads it: the READ data bits while reading, else 1
 * (an undriven DO reads high, which is also READY after programming). */
int e1k_eeprom_do(const struct e1k_eeprom *e);

#endif
