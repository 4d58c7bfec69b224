/* Parameter sweeps: the Cartesian product of --grid axes (x --repeat), each
 * run with a seed derived from the base seed and the point, identified by
 * its run key (run_identity) so that a sweep can be resumed, spread over
 * processes or machines, and its per-job result files merged without
 * duplicating or losing a run. See docs/sweeps.md. */
#ifndef E1K_SWEEP_H
#define E1K_SWEEP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

struct rec;

struct sweep_axis {
    char *key;
    char **vals;            /* unescaped values, in the order given */
    unsigned nvals;
};

struct sweep_job {
    uint64_t point;         /* index into the product, first axis slowest */
    unsigned repeat;
    uint64_t seed;
    char key[17];           /* run_identity of the resolved scenario */
    int done;               /* already complete in the results file (or a duplicate) */
};

struct sweep {
    char scen_path[4096];   /* absolute path of the scenario file */
    struct scenario base;   /* the file + --set, before the grid */
    const char **sets;      /* --set assignments, in order */
    unsigned nsets;
    struct sweep_axis *axes;
    unsigned naxes;
    unsigned repeat;
    uint64_t base_seed;
    struct sweep_job *jobs;
    size_t njobs, ndone;
};

/* Load the scenario (made absolute) and apply the --set assignments.
 * `sets` must outlive the sweep. 0, or -1 with a message. */
int sweep_init(struct sweep *sw, const char *scenario, const char **sets, unsigned nsets,
               char *err, size_t errlen);
/* Add an axis from "KEY=V1,V2,..." (a comma inside a value is written \,). */
int sweep_add_grid(struct sweep *sw, const char *spec, char *err, size_t errlen);
/* The seed of a point: splitmix64(base ^ FNV-1a(sorted "key=value\n"...) ^ repeat). */
uint64_t sweep_point_seed(uint64_t base, const char *const *assign, unsigned n, unsigned repeat);
/* Enumerate the jobs (points x repeats) with their seeds and run keys. */
int sweep_plan(struct sweep *sw, char *err, size_t errlen);
/* The "key=value" assignments of a point (n = naxes; pointers into the axes). */
void sweep_point_assign(const struct sweep *sw, uint64_t point, const char **assign);
/* The scenario of a job: the base with the point's assignments and its seed. */
int sweep_job_scenario(const struct sweep *sw, const struct sweep_job *j, struct scenario *s,
                       char *err, size_t errlen);
/* Mark jobs whose run key is complete in `r` as done (ndone counts them). */
int sweep_mark_done(struct sweep *sw, struct rec *r, char *err, size_t errlen);
/* One shell command line per job not done: `EXE run SCENARIO --db JOBDIR/KEY.db
 * --set ... --seed S --quiet`. */
void sweep_emit_jobs(const struct sweep *sw, FILE *out, const char *exe, const char *jobdir);

struct sweep_stats {
    size_t ran, complete, failed;
    int interrupted;
};
/* Run the jobs not done in up to `workers` forked processes, each writing
 * its own temporary file next to `db`, merged into `out` (the open `db`) as
 * each job ends. `stop` (set by a signal handler) stops the sweep: running
 * jobs are told to stop, what they recorded is merged as incomplete. */
int sweep_run_local(struct sweep *sw, struct rec *out, const char *db, unsigned workers,
                    int quiet, volatile sig_atomic_t *stop, struct sweep_stats *st, char *err,
                    size_t errlen);
void sweep_free(struct sweep *sw);

/* Merge the results file `in` into `out` (opened from out_path) in one
 * transaction: runs are matched by run key; a complete run in `out` is never
 * replaced, an incomplete or failed one is replaced by a complete one, and
 * child rows follow their run with its id remapped. 0, -1 on an SQL error,
 * -2 when `in` is missing or not an e1ksim results file. */
struct merge_stats {
    uint64_t added, replaced, skipped;
};
int sweep_merge_file(struct rec *out, const char *out_path, const char *in,
                     struct merge_stats *ms, char *err, size_t errlen);

#endif
