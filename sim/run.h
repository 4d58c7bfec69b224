/* A scenario run: the 82540EM model, the simulated guest driver over guest
 * memory, traffic through the link, everything recorded. */
#ifndef E1K_RUN_H
#define E1K_RUN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

struct run_opts {
    const char *db;                  /* NULL: the scenario's record.db */
    int quiet;
    int strict;                      /* anomalies fail the run */
    volatile sig_atomic_t *stop;     /* set asynchronously to stop at the next boundary */
    FILE *out;                       /* summary (NULL: none) */
    /* Called after every simulated millisecond (NULL: none) with the simulated
     * time, the end of the measured period (UINT64_MAX until the link is up)
     * and the frames delivered + sent so far: for progress display only. */
    void (*progress)(void *ctx, uint64_t now_ps, uint64_t end_ps, uint64_t frames);
    void *progress_ctx;
};

struct run_result {
    int64_t run_id;
    int complete;                    /* ran to the end (not interrupted) */
    int started;                     /* simulated time passed (an error then is no bad input) */
    int bad_input;                   /* the error was in an input file (a pcap record) */
    uint64_t sim_time_ps, traffic_start_ps, measured_ps;
    uint64_t rx_offered, rx_delivered, rx_dropped, rx_filtered;
    uint64_t tx_offered, tx_sent, tx_dropped;
    uint64_t interrupts;
    uint64_t mmio_accesses;
    uint64_t anomalies;
    double irq_per_s, irq_per_frame, exits_per_frame, cpu_busy;
    double lat_ns[6];                /* rx: p50 p90 p99 p99.9 max min */
    uint64_t lat_frames;
};

/* 0 ok (complete or stopped on request), -1 on error (message in err). */
int run_scenario(const struct scenario *s, const struct run_opts *o, struct run_result *res,
                 char *err, size_t errlen);

/* The run's identity exactly as run_scenario stores it in runs.run_key
 * (FNV-1a of name, resolved parameters, version and seed): 16 hex digits. */
void run_identity(const struct scenario *s, char key[17]);

#endif
