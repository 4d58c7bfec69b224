/* SQLite results recorder. The only module that includes <sqlite3.h>.
 * Owns the schema (versioned with PRAGMA user_version), prepared statements
 * and batched transactions. Every function returns 0 or -1 with a message
 * naming the database file in the error buffer given to rec_open. */
#ifndef E1K_RECORDER_H
#define E1K_RECORDER_H

#include <stddef.h>
#include <stdint.h>

#define REC_SCHEMA_VERSION 3

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

/* Per-frame stage times in picoseconds; REC_NONE where a stage did not
 * happen. Receive: mac = last bit at the MAC, dma = data in guest memory,
 * wb = descriptor written back, irq = interrupt asserted after that,
 * handler = the handler (ISR/NAPI poll/PMD loop) that took it started,
 * done = delivered to the stack. Transmit: queued = descriptor written by
 * the driver, doorbell = TDT write, fetch = descriptor fetched, wire_first /
 * wire = first / last bit on the wire, wb = written back, done = cleaned by the driver. */
#define REC_NONE UINT64_MAX
struct rec_packet {
    int dir; /* 0 rx, 1 tx */
    uint64_t id;
    uint32_t len;
    int dropped;
    uint64_t t_offer;   /* rx: offered to the link (pcap timestamp, generator time;
                         * a burst faster than the wire waits for it); tx: handed
                         * to the driver */
    uint64_t t_mac, t_dma, t_wb, t_irq, t_handler, t_done;       /* rx */
    uint64_t t_queued, t_doorbell, t_fetch, t_wire_first, t_wire; /* tx (+ t_wb, t_done) */
};
int rec_packet(struct rec *r, int64_t run_id, const struct rec_packet *p);
int rec_interrupt(struct rec *r, int64_t run_id, uint64_t seq, uint64_t t_assert, uint32_t causes,
                  uint64_t rx_frames, uint64_t tx_frames);
/* Latency histogram bucket (summary level): frames whose latency fell in
 * [lo_ns, hi_ns). */
int rec_histogram(struct rec *r, int64_t run_id, int dir, uint64_t lo_ns, uint64_t hi_ns,
                  uint64_t count);
int rec_counter(struct rec *r, int64_t run_id, const char *name, double value);
/* Plain SQL for the modules that analyse or merge results (sweep, merge,
 * report): they speak SQL through the recorder, never to SQLite directly.
 * rec_exec runs statements; rec_query calls `row` for each result row with
 * the columns as text (NULL for SQL NULL); a non-zero return from `row`
 * stops the query and is returned. -1 on an SQL error (rec_error). */
int rec_exec(struct rec *r, const char *sql);
int rec_query(struct rec *r, const char *sql,
              int (*row)(void *ctx, int ncol, const char *const *vals, const char *const *names),
              void *ctx);
/* Open read-only (for reports): fails if the file is missing or not ours. */
int rec_open_readonly(const char *path, struct rec **out, char *err, size_t errlen);

/* Record the run's identity hash (scenario, parameters, seed, version). */
int rec_run_key(struct rec *r, int64_t run_id, const char *key);

#endif
