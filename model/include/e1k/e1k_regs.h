/* Register offsets and table indices, generated from the one register table
 * (e1k_regs.def). E1K_REG_<NAME> is the memory-BAR offset of element 0;
 * E1K_RI_<NAME> the entry's index in the table. */
#ifndef E1K_REGS_H
#define E1K_REGS_H

#define E1K_REG(n, o, c, s, a, r, w, d, x) E1K_REG_##n = (o),
enum e1k_reg_offset {
#include "e1k_regs.def"
};
#undef E1K_REG

#define E1K_REG(n, o, c, s, a, r, w, d, x) E1K_RI_##n,
enum e1k_reg_index {
#include "e1k_regs.def"
    E1K_RI_COUNT
};
#undef E1K_REG

#endif
