/* Replay of a register-access trace against the 82540EM model. */
#ifndef E1K_REPLAY_H
#define E1K_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include "trace.h"

struct rec;

struct replay_opts {
    int timing; /* -1: from the trace (default preset if absent); 0 functional; 1 default */
    struct rec *rec;   /* optional recorder */
    FILE *report;      /* mismatch lines go here (NULL: silent) */
    int verbose;
};

struct replay_mismatch {
    unsigned line;
    size_t section; /* index into sections */
    char reg[24];
    enum trace_space space;
    int is_irq;
    uint32_t offset, expected, got, mask;
    const char *div_id; /* intended divergence, or NULL */
    int unverifiable;   /* depends on guest memory a register-only trace lacks */
};

struct replay_section {
    char *name;
    size_t checks, failures; /* failures: unexplained mismatches */
};

struct replay_div_count {
    const char *id;
    const char *reg;
    size_t n;
};

struct replay_result {
    size_t accesses, reads_checked, mismatches, intended, unverifiable, unexplained;
    struct replay_div_count *divs; /* intended divergences by id and register */
    size_t ndivs;
    uint64_t anomalies;
    uint64_t sim_time_ps;
    int from_qemu;
    struct replay_mismatch *mm;
    size_t nmm;
    struct replay_section *sections;
    size_t nsections;
};

int replay_run(const struct trace *t, const struct replay_opts *o, struct replay_result *r,
               char *err, size_t errlen);
void replay_result_free(struct replay_result *r);
/* Format "FILE:LINE: REG: expected 0x.. got 0x.. (differs in bits a,b)". */
void replay_format_mismatch(const struct trace *t, const struct replay_mismatch *m, char *buf,
                            size_t n);
int replay_write_junit(const char *path, const struct trace *t, const struct replay_result *r,
                       char *err, size_t errlen);

#endif
