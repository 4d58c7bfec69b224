#include "recorder.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

#define BATCH 4096

struct rec {
    sqlite3 *db;
    char *path;
    char *err;
    size_t errlen;
    sqlite3_stmt *ins_access, *ins_anom, *ins_pkt, *ins_irq, *ins_hist, *ins_ctr;
    int in_tx;
    unsigned pending;
    int64_t seq;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS runs ("
    " id INTEGER PRIMARY KEY,"
    " kind TEXT NOT NULL,"          /* replay, run */
    " scenario TEXT NOT NULL,"      /* scenario or trace path */
    " seed INTEGER NOT NULL,"
    " params TEXT NOT NULL,"        /* the full resolved parameter set */
    " version TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('incomplete','complete','failed')),"
    " sim_time_ps INTEGER NOT NULL DEFAULT 0,"
    " anomalies INTEGER NOT NULL DEFAULT 0,"
    " run_key TEXT);"
    "CREATE TABLE IF NOT EXISTS packets ("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " dir TEXT NOT NULL CHECK (dir IN ('rx','tx')),"
    " pkt_id INTEGER NOT NULL,"
    " len INTEGER NOT NULL,"
    " dropped INTEGER NOT NULL,"
    " t_offer_ps INTEGER, t_mac_ps INTEGER, t_dma_ps INTEGER, t_wb_ps INTEGER,"
    " t_irq_ps INTEGER, t_handler_ps INTEGER, t_done_ps INTEGER,"
    " t_queued_ps INTEGER, t_doorbell_ps INTEGER, t_fetch_ps INTEGER,"
    " t_wire_first_ps INTEGER, t_wire_ps INTEGER,"
    " PRIMARY KEY (run_id, dir, pkt_id)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS interrupts ("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " seq INTEGER NOT NULL,"
    " t_ps INTEGER NOT NULL,"
    " causes INTEGER NOT NULL,"
    " rx_frames INTEGER NOT NULL,"
    " tx_frames INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS histograms ("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " dir TEXT NOT NULL,"
    " lo_ns INTEGER NOT NULL,"
    " hi_ns INTEGER NOT NULL,"
    " count INTEGER NOT NULL,"
    " PRIMARY KEY (run_id, dir, lo_ns)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS counters ("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " name TEXT NOT NULL,"
    " value REAL NOT NULL,"
    " PRIMARY KEY (run_id, name)) WITHOUT ROWID;"
    "CREATE VIEW IF NOT EXISTS packet_latency AS"
    " SELECT run_id, dir, pkt_id, (t_done_ps - t_offer_ps) / 1000.0 AS latency_ns"
    " FROM packets WHERE dropped = 0 AND t_done_ps IS NOT NULL AND t_offer_ps IS NOT NULL;"
    "CREATE VIEW IF NOT EXISTS run_percentiles AS"
    " WITH l AS (SELECT run_id, dir, latency_ns,"
    "   ROW_NUMBER() OVER (PARTITION BY run_id, dir ORDER BY latency_ns) AS rn,"
    "   COUNT(*) OVER (PARTITION BY run_id, dir) AS n FROM packet_latency)"
    " SELECT run_id, dir, n AS frames,"
    "   MIN(latency_ns) AS min_ns,"
    "   MAX(CASE WHEN rn <= (n * 50 + 99) / 100 THEN latency_ns END) AS p50_ns,"
    "   MAX(CASE WHEN rn <= (n * 90 + 99) / 100 THEN latency_ns END) AS p90_ns,"
    "   MAX(CASE WHEN rn <= (n * 99 + 99) / 100 THEN latency_ns END) AS p99_ns,"
    "   MAX(CASE WHEN rn <= (n * 999 + 999) / 1000 THEN latency_ns END) AS p999_ns,"
    "   MAX(latency_ns) AS max_ns"
    " FROM l GROUP BY run_id, dir;"
    "CREATE VIEW IF NOT EXISTS interrupt_rate AS"
    " SELECT i.run_id, COUNT(*) AS interrupts,"
    "   COUNT(*) * 1e12 / MAX(m.value, 1) AS per_second,"
    "   AVG(i.rx_frames + i.tx_frames) AS frames_per_interrupt"
    " FROM interrupts i"
    " JOIN counters s ON s.run_id = i.run_id AND s.name = 'traffic_start_ps'"
    " JOIN counters m ON m.run_id = i.run_id AND m.name = 'measured_ps'"
    " WHERE i.t_ps >= s.value AND i.t_ps < s.value + m.value GROUP BY i.run_id;"
    "CREATE TABLE IF NOT EXISTS reg_accesses ("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " seq INTEGER NOT NULL,"
    " line INTEGER,"
    " time_ps INTEGER NOT NULL,"
    " space TEXT NOT NULL,"
    " op TEXT NOT NULL,"
    " width INTEGER NOT NULL,"
    " offset INTEGER NOT NULL,"
    " reg TEXT,"
    " value INTEGER NOT NULL,"
    " expected INTEGER,"
    " mask INTEGER,"
    " ok INTEGER,"
    " verdict TEXT,"
    " PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS anomalies ("
    " run_id INTEGER NOT NULL REFERENCES runs(id),"
    " seq INTEGER NOT NULL,"
    " time_ps INTEGER NOT NULL,"
    " kind TEXT NOT NULL,"
    " offset INTEGER,"
    " value INTEGER,"
    " msg TEXT,"
    " PRIMARY KEY (run_id, seq)) WITHOUT ROWID;"
    "CREATE VIEW IF NOT EXISTS mismatches AS"
    " SELECT run_id, line, reg, space, op, printf('0x%08x', expected) AS expected,"
    " printf('0x%08x', value) AS got, printf('0x%08x', ((expected | value) - (expected & value)) & mask) AS bits,"
    " verdict FROM reg_accesses WHERE ok = 0;";

const char *rec_lib_version(void) { return sqlite3_libversion(); }

static int dberr(struct rec *r, const char *what)
{
    if (r->err && r->errlen)
        snprintf(r->err, r->errlen, "%s: %s: %s", r->path, what, sqlite3_errmsg(r->db));
    return -1;
}

static int exec(struct rec *r, const char *sql, const char *what)
{
    if (sqlite3_exec(r->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return dberr(r, what);
    return 0;
}

const char *rec_error(const struct rec *r) { return r->err; }

static struct rec *rec_alloc(const char *path, char *err, size_t errlen)
{
    struct rec *r = calloc(1, sizeof(*r));
    if (!r || !(r->path = strdup(path))) {
        free(r);
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    r->err = err;
    r->errlen = errlen;
    return r;
}

/* PRAGMA user_version, or -1 when the file is not a database. */
static int user_version(struct rec *r)
{
    int uv = -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        uv = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return uv;
}

int rec_open(const char *path, struct rec **out, char *err, size_t errlen)
{
    struct rec *r = rec_alloc(path, err, errlen);
    if (!r)
        return -1;
    /* URIs are accepted (e.g. file:results.db?mode=ro), so users and tests
     * can open a database read-only: the first write then fails clearly. */
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI,
                        NULL) != SQLITE_OK) {
        dberr(r, "cannot open database");
        goto fail;
    }
    /* Two writers at once wait for each other (WAL + busy timeout). */
    sqlite3_busy_timeout(r->db, 30000);
    /* E1KSIM_DB_MAX_PAGES caps the file (a full disk, for tests). */
    const char *maxp = getenv("E1KSIM_DB_MAX_PAGES");
    if (maxp && *maxp) {
        char q[64];
        snprintf(q, sizeof(q), "PRAGMA max_page_count=%ld", strtol(maxp, NULL, 10));
        sqlite3_exec(r->db, q, NULL, NULL, NULL);
    }
    int uv = user_version(r);
    if (uv < 0) {
        dberr(r, "not a database");
        goto fail;
    }
    if (uv != 0 && uv != REC_SCHEMA_VERSION) {
        snprintf(err, errlen, "%s: schema version %d, this e1ksim writes version %d", path, uv,
                 REC_SCHEMA_VERSION);
        goto fail;
    }
    if (exec(r, "PRAGMA journal_mode=WAL", "cannot set WAL") ||
        exec(r, "BEGIN IMMEDIATE", "cannot start a transaction") ||
        exec(r, schema, "cannot create the schema") ||
        exec(r, "PRAGMA user_version=3", "cannot set the schema version") ||
        exec(r, "COMMIT", "cannot commit the schema"))
        goto fail;
    if (sqlite3_prepare_v2(r->db,
                           "INSERT INTO reg_accesses VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1,
                           &r->ins_access, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, "INSERT INTO anomalies VALUES (?,?,?,?,?,?,?)", -1,
                           &r->ins_anom, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db,
                           "INSERT INTO packets VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1,
                           &r->ins_pkt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, "INSERT INTO interrupts VALUES (?,?,?,?,?,?)", -1, &r->ins_irq,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, "INSERT INTO histograms VALUES (?,?,?,?,?)", -1, &r->ins_hist,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db, "INSERT OR REPLACE INTO counters VALUES (?,?,?)", -1,
                           &r->ins_ctr, NULL) != SQLITE_OK) {
        dberr(r, "cannot prepare statements");
        goto fail;
    }
    *out = r;
    return 0;
fail:
    sqlite3_finalize(r->ins_access);
    sqlite3_finalize(r->ins_anom);
    sqlite3_finalize(r->ins_pkt);
    sqlite3_finalize(r->ins_irq);
    sqlite3_finalize(r->ins_hist);
    sqlite3_finalize(r->ins_ctr);
    sqlite3_close(r->db);
    free(r->path);
    free(r);
    return -1;
}

static int flush(struct rec *r)
{
    if (!r->in_tx)
        return 0;
    r->in_tx = 0;
    r->pending = 0;
    /* A failed write (disk full, I/O error) may have rolled the batch back
     * already: then there is nothing to commit, and the first error stands. */
    if (sqlite3_get_autocommit(r->db))
        return 0;
    return exec(r, "COMMIT", "cannot commit");
}

static int ensure_tx(struct rec *r)
{
    if (r->in_tx && r->pending >= BATCH && flush(r))
        return -1;
    if (!r->in_tx) {
        if (exec(r, "BEGIN IMMEDIATE", "cannot start a transaction"))
            return -1;
        r->in_tx = 1;
    }
    r->pending++;
    return 0;
}

int rec_close(struct rec *r)
{
    if (!r)
        return 0;
    int rc = flush(r);
    sqlite3_finalize(r->ins_access);
    sqlite3_finalize(r->ins_anom);
    sqlite3_finalize(r->ins_pkt);
    sqlite3_finalize(r->ins_irq);
    sqlite3_finalize(r->ins_hist);
    sqlite3_finalize(r->ins_ctr);
    if (sqlite3_close(r->db) != SQLITE_OK && !rc)
        rc = dberr(r, "cannot close");
    free(r->path);
    free(r);
    return rc;
}

int rec_run_begin(struct rec *r, const char *kind, const char *scenario, uint64_t seed,
                  const char *params, int64_t *run_id)
{
    if (flush(r))
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db,
                           "INSERT INTO runs (kind, scenario, seed, params, version, status)"
                           " VALUES (?,?,?,?,?,'incomplete')",
                           -1, &st, NULL) != SQLITE_OK)
        return dberr(r, "cannot prepare the run");
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, scenario, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)seed);
    sqlite3_bind_text(st, 4, params, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, E1KSIM_VERSION, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dberr(r, "cannot record the run");
    *run_id = sqlite3_last_insert_rowid(r->db);
    r->seq = 0;
    return 0;
}

int rec_run_end(struct rec *r, int64_t run_id, const char *status, uint64_t sim_time_ps,
                uint64_t anomalies)
{
    if (flush(r))
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db,
                           "UPDATE runs SET status=?, sim_time_ps=?, anomalies=? WHERE id=?", -1,
                           &st, NULL) != SQLITE_OK)
        return dberr(r, "cannot prepare the run's end");
    sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)sim_time_ps);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)anomalies);
    sqlite3_bind_int64(st, 4, run_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return dberr(r, "cannot finish the run");
    return 0;
}

static int step_reset(struct rec *r, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : dberr(r, what);
}

int rec_access(struct rec *r, int64_t run_id, const struct rec_access *a)
{
    if (ensure_tx(r))
        return -1;
    sqlite3_stmt *st = r->ins_access;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, r->seq++);
    if (a->line)
        sqlite3_bind_int(st, 3, (int)a->line);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)a->time_ps);
    sqlite3_bind_text(st, 5, a->space, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, a->is_write ? "w" : "r", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, (int)a->width);
    sqlite3_bind_int64(st, 8, a->offset);
    if (a->reg)
        sqlite3_bind_text(st, 9, a->reg, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 10, a->value);
    if (a->has_expect) {
        sqlite3_bind_int64(st, 11, a->expected);
        sqlite3_bind_int64(st, 12, a->mask);
        sqlite3_bind_int(st, 13, a->ok);
    }
    if (a->verdict)
        sqlite3_bind_text(st, 14, a->verdict, -1, SQLITE_TRANSIENT);
    return step_reset(r, st, "cannot record an access");
}

int rec_anomaly(struct rec *r, int64_t run_id, uint64_t time_ps, const char *kind, uint32_t offset,
                uint64_t value, const char *msg)
{
    if (ensure_tx(r))
        return -1;
    sqlite3_stmt *st = r->ins_anom;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, r->seq++);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)time_ps);
    sqlite3_bind_text(st, 4, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, offset);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)value);
    sqlite3_bind_text(st, 7, msg, -1, SQLITE_TRANSIENT);
    return step_reset(r, st, "cannot record an anomaly");
}

static void bind_t(sqlite3_stmt *st, int i, uint64_t t)
{
    if (t != REC_NONE)
        sqlite3_bind_int64(st, i, (sqlite3_int64)t);
}

int rec_packet(struct rec *r, int64_t run_id, const struct rec_packet *p)
{
    if (ensure_tx(r))
        return -1;
    sqlite3_stmt *st = r->ins_pkt;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, p->dir ? "tx" : "rx", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)p->id);
    sqlite3_bind_int(st, 4, (int)p->len);
    sqlite3_bind_int(st, 5, p->dropped);
    bind_t(st, 6, p->t_offer);
    bind_t(st, 7, p->t_mac);
    bind_t(st, 8, p->t_dma);
    bind_t(st, 9, p->t_wb);
    bind_t(st, 10, p->t_irq);
    bind_t(st, 11, p->t_handler);
    bind_t(st, 12, p->t_done);
    bind_t(st, 13, p->t_queued);
    bind_t(st, 14, p->t_doorbell);
    bind_t(st, 15, p->t_fetch);
    bind_t(st, 16, p->t_wire_first);
    bind_t(st, 17, p->t_wire);
    return step_reset(r, st, "cannot record a packet");
}

int rec_interrupt(struct rec *r, int64_t run_id, uint64_t seq, uint64_t t_assert, uint32_t causes,
                  uint64_t rx_frames, uint64_t tx_frames)
{
    if (ensure_tx(r))
        return -1;
    sqlite3_stmt *st = r->ins_irq;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)t_assert);
    sqlite3_bind_int64(st, 4, causes);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)rx_frames);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)tx_frames);
    return step_reset(r, st, "cannot record an interrupt");
}

int rec_histogram(struct rec *r, int64_t run_id, int dir, uint64_t lo_ns, uint64_t hi_ns,
                  uint64_t count)
{
    if (ensure_tx(r))
        return -1;
    sqlite3_stmt *st = r->ins_hist;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, dir ? "tx" : "rx", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)lo_ns);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)hi_ns);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)count);
    return step_reset(r, st, "cannot record a histogram bucket");
}

int rec_counter(struct rec *r, int64_t run_id, const char *name, double value)
{
    if (ensure_tx(r))
        return -1;
    sqlite3_stmt *st = r->ins_ctr;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 3, value);
    return step_reset(r, st, "cannot record a counter");
}

int rec_run_key(struct rec *r, int64_t run_id, const char *key)
{
    if (flush(r))
        return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(r->db, "UPDATE runs SET run_key=? WHERE id=?", -1, &st, NULL) !=
        SQLITE_OK)
        return dberr(r, "cannot prepare the run key");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, run_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : dberr(r, "cannot record the run key");
}

int rec_exec(struct rec *r, const char *sql)
{
    if (flush(r))
        return -1;
    return exec(r, sql, "SQL failed");
}

struct qctx {
    int (*row)(void *, int, const char *const *, const char *const *);
    void *ctx;
    int rc;
};

static int q_cb(void *p, int n, char **vals, char **names)
{
    struct qctx *q = p;
    q->rc = q->row(q->ctx, n, (const char *const *)vals, (const char *const *)names);
    return q->rc;
}

int rec_query(struct rec *r, const char *sql,
              int (*row)(void *ctx, int ncol, const char *const *vals, const char *const *names),
              void *ctx)
{
    if (flush(r))
        return -1;
    struct qctx q = { row, ctx, 0 };
    int rc = sqlite3_exec(r->db, sql, q_cb, &q, NULL);
    if (rc == SQLITE_ABORT && q.rc)
        return q.rc;
    return rc == SQLITE_OK ? 0 : dberr(r, "query failed");
}

int rec_open_readonly(const char *path, struct rec **out, char *err, size_t errlen)
{
    struct rec *r = rec_alloc(path, err, errlen);
    if (!r)
        return -1;
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        user_version(r) != REC_SCHEMA_VERSION) {
        if (user_version(r) < 0)
            dberr(r, "cannot open database");
        else
            snprintf(err, errlen, "%s: not an e1ksim results file of schema version %d", path,
                     REC_SCHEMA_VERSION);
        sqlite3_close(r->db);
        free(r->path);
        free(r);
        return -1;
    }
    sqlite3_busy_timeout(r->db, 30000);
    *out = r;
    return 0;
}
