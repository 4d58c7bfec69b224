/* Bit definitions of the 82540EM's registers (SDM chapter 13), named
 * E1K_<REGISTER>_<FIELD>. Offsets come from the register table (e1k_regs.h). */
#ifndef E1K_BITS_H
#define E1K_BITS_H

/* CTRL (SDM 13.4.1) */
#define E1K_CTRL_FD (1u << 0)
#define E1K_CTRL_LRST (1u << 3) /* reserved on the 82540EM: reads 0 */
#define E1K_CTRL_ASDE (1u << 5)
#define E1K_CTRL_SLU (1u << 6)
#define E1K_CTRL_ILOS (1u << 7)
#define E1K_CTRL_SPEED_MASK (3u << 8)
#define E1K_CTRL_SPEED_10 (0u << 8)
#define E1K_CTRL_SPEED_100 (1u << 8)
#define E1K_CTRL_SPEED_1000 (2u << 8)
#define E1K_CTRL_FRCSPD (1u << 11)
#define E1K_CTRL_FRCDPLX (1u << 12)
#define E1K_CTRL_SDP0_DATA (1u << 18)
#define E1K_CTRL_SDP1_DATA (1u << 19)
#define E1K_CTRL_ADVD3WUC (1u << 20)
#define E1K_CTRL_EN_PHY_PWR_MGMT (1u << 21)
#define E1K_CTRL_SDP0_IODIR (1u << 22)
#define E1K_CTRL_SDP1_IODIR (1u << 23)
#define E1K_CTRL_RST (1u << 26)
#define E1K_CTRL_RFCE (1u << 27)
#define E1K_CTRL_TFCE (1u << 28)
#define E1K_CTRL_VME (1u << 30)
#define E1K_CTRL_PHY_RST (1u << 31)

/* STATUS (SDM 13.4.2) */
#define E1K_STATUS_FD (1u << 0)
#define E1K_STATUS_LU (1u << 1)
#define E1K_STATUS_FUNC_SHIFT 2
#define E1K_STATUS_TXOFF (1u << 4)
#define E1K_STATUS_TBIMODE (1u << 5)
#define E1K_STATUS_SPEED_SHIFT 6
#define E1K_STATUS_SPEED_MASK (3u << 6)
#define E1K_STATUS_SPEED_10 (0u << 6)
#define E1K_STATUS_SPEED_100 (1u << 6)
#define E1K_STATUS_SPEED_1000 (2u << 6)
#define E1K_STATUS_ASDV_SHIFT 8
#define E1K_STATUS_ASDV_MASK (3u << 8)
#define E1K_STATUS_PCI66 (1u << 11)
#define E1K_STATUS_BUS64 (1u << 12)
#define E1K_STATUS_PCIX_MODE (1u << 13)

/* EECD (SDM 13.4.3) */
#define E1K_EECD_SK (1u << 0)
#define E1K_EECD_CS (1u << 1)
#define E1K_EECD_DI (1u << 2)
#define E1K_EECD_DO (1u << 3)
#define E1K_EECD_FWE_MASK (3u << 4)
#define E1K_EECD_REQ (1u << 6)
#define E1K_EECD_GNT (1u << 7)
#define E1K_EECD_PRES (1u << 8)
#define E1K_EECD_SIZE (1u << 9)

/* EERD (SDM 13.4.4; 82540EM layout) */
#define E1K_EERD_START (1u << 0)
#define E1K_EERD_DONE (1u << 4)
#define E1K_EERD_ADDR_SHIFT 8
#define E1K_EERD_ADDR_MASK (0xffu << 8)
#define E1K_EERD_DATA_SHIFT 16

/* CTRL_EXT (SDM 13.4.6) */
#define E1K_CTRL_EXT_EE_RST (1u << 13)
#define E1K_CTRL_EXT_ASDCHK (1u << 12)

/* MDIC (SDM 13.4.7) */
#define E1K_MDIC_DATA_MASK 0xffffu
#define E1K_MDIC_REG_SHIFT 16
#define E1K_MDIC_REG_MASK (0x1fu << 16)
#define E1K_MDIC_PHY_SHIFT 21
#define E1K_MDIC_PHY_MASK (0x1fu << 21)
#define E1K_MDIC_OP_SHIFT 26
#define E1K_MDIC_OP_MASK (3u << 26)
#define E1K_MDIC_OP_WRITE (1u << 26)
#define E1K_MDIC_OP_READ (2u << 26)
#define E1K_MDIC_READY (1u << 28)
#define E1K_MDIC_INT_EN (1u << 29)
#define E1K_MDIC_ERROR (1u << 30)

/* Interrupt causes: ICR/ICS/IMS/IMC (SDM 13.4.17-13.4.21) */
#define E1K_ICR_TXDW (1u << 0)
#define E1K_ICR_TXQE (1u << 1)
#define E1K_ICR_LSC (1u << 2)
#define E1K_ICR_RXSEQ (1u << 3)
#define E1K_ICR_RXDMT0 (1u << 4)
#define E1K_ICR_RXO (1u << 6)
#define E1K_ICR_RXT0 (1u << 7)
#define E1K_ICR_MDAC (1u << 9)
#define E1K_ICR_RXCFG (1u << 10)
/* General-purpose interrupts GPI_EN0..3 (bits 11-14); on the 82540EM only
 * SDP6 and SDP7 exist (bits 13, 14). */
#define E1K_ICR_GPI0 (1u << 11)
#define E1K_ICR_GPI1 (1u << 12)
#define E1K_ICR_GPI_SDP6 (1u << 13)
#define E1K_ICR_GPI_SDP7 (1u << 14)
#define E1K_ICR_TXD_LOW (1u << 15)
#define E1K_ICR_SRPD (1u << 16)
#define E1K_ICR_INT_ASSERTED (1u << 31)

/* RCTL (SDM 13.4.22) */
#define E1K_RCTL_RST (1u << 0)
#define E1K_RCTL_EN (1u << 1)
#define E1K_RCTL_SBP (1u << 2)
#define E1K_RCTL_UPE (1u << 3)
#define E1K_RCTL_MPE (1u << 4)
#define E1K_RCTL_LPE (1u << 5)
#define E1K_RCTL_LBM_MASK (3u << 6)
#define E1K_RCTL_LBM_MAC (1u << 6)
#define E1K_RCTL_RDMTS_SHIFT 8
#define E1K_RCTL_RDMTS_MASK (3u << 8)
#define E1K_RCTL_MO_SHIFT 12
#define E1K_RCTL_MO_MASK (3u << 12)
#define E1K_RCTL_BAM (1u << 15)
#define E1K_RCTL_BSIZE_SHIFT 16
#define E1K_RCTL_BSIZE_MASK (3u << 16)
#define E1K_RCTL_VFE (1u << 18)
#define E1K_RCTL_CFIEN (1u << 19)
#define E1K_RCTL_CFI (1u << 20)
#define E1K_RCTL_DPF (1u << 22)
#define E1K_RCTL_PMCF (1u << 23)
#define E1K_RCTL_BSEX (1u << 25)
#define E1K_RCTL_SECRC (1u << 26)

/* TCTL (SDM 13.4.33) */
#define E1K_TCTL_RST (1u << 0)
#define E1K_TCTL_EN (1u << 1)
#define E1K_TCTL_PSP (1u << 3)
#define E1K_TCTL_CT_SHIFT 4
#define E1K_TCTL_CT_MASK (0xffu << 4)
#define E1K_TCTL_COLD_SHIFT 12
#define E1K_TCTL_COLD_MASK (0x3ffu << 12)
#define E1K_TCTL_SWXOFF (1u << 22)
#define E1K_TCTL_RTLC (1u << 24)

/* RDTR (SDM 13.4.30) */
#define E1K_RDTR_FPD (1u << 31)

/* RAH (SDM 13.5.3) */
#define E1K_RAH_AV (1u << 31)
#define E1K_RAH_AS_SHIFT 16
#define E1K_RAH_AS_MASK (3u << 16)

/* PBA (SDM 13.4.14): receive allocation in KB in bits 15:0 */
#define E1K_PBA_RXA_MASK 0xffffu

#endif
