/* SQLite results recorder. The only module that includes <sqlite3.h>.
 * Owns the schema (versioned with PRAGMA user_version), prepared statements
 * and batched transactions. Every function returns 0 or -1 with a message
 * naming the database file in the error buffer given to rec_open. */
#ifndef E1K_RECORDER_H
#define E1K_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#define REC_SCHEMA_VERSION 1

struct rec;

const char *rec_lib_version(void);

int rec_open(const char *path, struct rec **out, char *err, size_t errlen);
/* Commit what is pending and close; returns -1 if the final commit failed. */
int rec_close(struct rec *r);
const char *rec_error(const struct rec *r);

/* A run starts 'incomplete' and becomes 'complete' (or 'failed') at its end. */
int rec_run_begin(struct rec *r, const char *kind, const char *scenario, uint64_t seed,
                  const char *params, int64_t *run_id);
int rec_run_end(struct rec *r, int64_t run_id, const char *status, uint64_t sim_time_ps,
                uint64_t anomalies);

struct rec_access {
    unsigned line;
    uint64_t time_ps;
    const char *space; /* mem, io, cfg, irq */
    int is_write;
    unsigned width;
    uint32_t offset;
    const char *reg;
    uint32_t value;
    int has_expect;
    uint32_t expected, mask;
    int ok;
    const char *verdict; /* NULL, "unexplained", or "intended:<id>" */
};
int rec_access(struct rec *r, int64_t run_id, const struct rec_access *a);
int rec_anomaly(struct rec *r, int64_t run_id, uint64_t time_ps, const char *kind, uint32_t offset,
                uint64_t value, const char *msg);

#endif
