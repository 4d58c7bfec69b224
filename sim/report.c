/* e1ksim report: runs table + gnuplot SVG plots in one HTML file.
 *
 * Determinism: every number comes from the database in a fixed order (runs
 * in the order asked for, rows ORDER BY'd), is printed with fixed formats in
 * the C locale, and gnuplot's SVG terminal writes the same bytes for the same
 * script and data. Nothing time- or host-dependent (temporary paths, the
 * date) reaches the HTML: data files are named by position and every plot
 * series gets an explicit title. */
#include "report.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "recorder.h"
#include "sbuf.h"
#include "scenario.h"
#include "vec.h"

/* ---- HTML and gnuplot text ---------------------------------------------- */

static void sb_html(struct sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': sb_puts(b, "&amp;"); break;
        case '<': sb_puts(b, "&lt;"); break;
        case '>': sb_puts(b, "&gt;"); break;
        case '"': sb_puts(b, "&quot;"); break;
        case '\'': sb_puts(b, "&#39;"); break;
        default: sb_put(b, s, 1); break;
        }
    }
}

/* A gnuplot single-quoted string: only '' needs escaping; control
 * characters would break the script line. */
static void sb_gpstr(struct sbuf *b, const char *s)
{
    sb_puts(b, "'");
    for (; *s; s++) {
        if (*s == '\'')
            sb_puts(b, "''");
        else if ((unsigned char)*s < 0x20)
            sb_puts(b, " ");
        else
            sb_put(b, s, 1);
    }
    sb_puts(b, "'");
}

/* A double-quoted string column in a gnuplot data file (no escapes exist). */
static void sb_gpdata(struct sbuf *b, const char *s)
{
    sb_puts(b, "\"");
    for (; *s; s++)
        sb_put(b, *s == '"' ? "'" : (unsigned char)*s < 0x20 ? " " : s, 1);
    sb_puts(b, "\"");
}

/* ---- runs ---------------------------------------------------------------- */

enum ctr {
    C_RX_OFF,
    C_RX_DEL,
    C_RX_DROP,
    C_TX_OFF,
    C_TX_SENT,
    C_TX_DROP,
    C_IRQ,
    C_IRQ_S,
    C_EXITS,
    C_CPU,
    C_MEAS,
    C_START,
    NCTR
};
static const char *const ctr_names[NCTR] = {
    "rx_offered", "rx_delivered", "rx_dropped",       "tx_offered",    "tx_sent",  "tx_dropped",
    "interrupts", "interrupts_per_s", "exits_per_frame", "cpu_busy", "measured_ps",
    "traffic_start_ps",
};

struct kv {
    char *key, *val;
};

struct run {
    int64_t id;
    char *kind, *scenario, *status, *seed, *anomalies;
    struct kv *params;
    size_t nparams;
    double ctr[NCTR];
    unsigned has; /* bit per enum ctr */
    char *label;  /* "#id key=value ..." (the varying parameters) */
    int lt;       /* gnuplot linetype: the run's colour in every plot */
    /* latency of the run's main direction (rx, else tx) */
    int lat_dir;  /* -1: none */
    int lat_hist; /* from histogram buckets (upper bounds), not per-frame rows */
    uint64_t lat_n;
    double p50, p99, p999, pmax; /* ns */
    /* interrupts inside the measurement window */
    int win;
    int64_t win_start, win_len; /* ps */
    uint64_t win_irqs, win_frames;
};

static int has(const struct run *r, enum ctr c) { return (r->has >> c) & 1; }
static double frames(const struct run *r)
{
    return (has(r, C_RX_DEL) ? r->ctr[C_RX_DEL] : 0) + (has(r, C_TX_SENT) ? r->ctr[C_TX_SENT] : 0);
}
static int traffic(const struct run *r)
{
    return (has(r, C_RX_DEL) || has(r, C_TX_SENT)) && frames(r) > 0;
}

struct rep {
    const struct report_opts *o;
    struct rec *db;
    char *err;
    size_t errlen;
    void (*warn)(const char *);
    struct run *runs;
    size_t nruns;
    char **vary; /* keys whose values differ across the runs, sorted */
    char **vshort;
    size_t nvary;
    char **shared; /* keys equal in every run */
    size_t nshared;
    char dir[256]; /* temporary directory */
    int have_dir;
    int64_t bin_ps; /* interrupt-rate bin */
};

static char *xstrdup(const char *s) { return strdup(s ? s : ""); }

static int fail(struct rep *R, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct rep *R, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(R->err, R->errlen, fmt, ap);
    va_end(ap);
    return code;
}

static int query(struct rep *R, const char *sql,
                 int (*row)(void *, int, const char *const *, const char *const *), void *ctx)
{
    int rc = rec_query(R->db, sql, row, ctx);
    if (rc == -1)
        return REPORT_EINPUT; /* rec_error already in R->err */
    if (rc)
        return fail(R, REPORT_EFAIL, "%s: out of memory", R->o->db);
    return 0;
}

struct runlist {
    struct run *v;
    size_t n, cap;
};

static int row_run(void *ctx, int nc, const char *const *v, const char *const *names)
{
    struct runlist *l = ctx;
    if (vec_reserve(&l->v, &l->cap, l->n, sizeof(*l->v), 16))
        return 1;
    struct run *r = &l->v[l->n++];
    memset(r, 0, sizeof(*r));
    r->id = strtoll(v[0], NULL, 10);
    r->kind = xstrdup(v[1]);
    r->scenario = xstrdup(v[2]);
    /* seeds are uint64 stored in SQLite's int64: from 2^63 up they read back negative */
    char seed[32];
    snprintf(seed, sizeof(seed), "%llu", (unsigned long long)strtoll(v[3] ? v[3] : "0", NULL, 10));
    r->seed = xstrdup(seed);
    r->status = xstrdup(v[4]);
    r->anomalies = xstrdup(v[5]);
    r->lat_dir = -1;
    return !r->kind || !r->scenario || !r->seed || !r->status || !r->anomalies;
}

static void run_free(struct run *r)
{
    free(r->kind);
    free(r->scenario);
    free(r->seed);
    free(r->status);
    free(r->anomalies);
    free(r->label);
    for (size_t i = 0; i < r->nparams; i++) {
        free(r->params[i].key);
        free(r->params[i].val);
    }
    free(r->params);
}

static int load_runs(struct rep *R)
{
    struct runlist all = { 0 };
    int rc = query(R,
                   "SELECT id, kind, scenario, seed, status, anomalies FROM runs ORDER BY id",
                   row_run, &all);
    if (rc) {
        for (size_t i = 0; i < all.n; i++)
            run_free(&all.v[i]);
        free(all.v);
        return rc;
    }
    const struct report_opts *o = R->o;
    if (!o->runs) {
        size_t k = 0;
        for (size_t i = 0; i < all.n; i++) {
            if (!strcmp(all.v[i].kind, "run"))
                all.v[k++] = all.v[i];
            else
                run_free(&all.v[i]);
        }
        R->runs = all.v;
        R->nruns = k;
        return 0;
    }
    R->runs = calloc(o->nruns ? o->nruns : 1, sizeof(*R->runs));
    if (!R->runs)
        rc = fail(R, REPORT_EFAIL, "out of memory");
    for (size_t j = 0; !rc && j < o->nruns; j++) {
        size_t i = 0;
        while (i < all.n && all.v[i].id != o->runs[j])
            i++;
        if (i == all.n) {
            rc = fail(R, REPORT_EINPUT, "%s: no run %lld", o->db, (long long)o->runs[j]);
            break;
        }
        int dup = 0;
        for (size_t k = 0; k < R->nruns; k++)
            dup |= R->runs[k].id == o->runs[j];
        if (dup)
            continue;
        R->runs[R->nruns++] = all.v[i];
        all.v[i].kind = NULL; /* moved */
    }
    for (size_t i = 0; i < all.n; i++)
        if (all.v[i].kind)
            run_free(&all.v[i]);
    free(all.v);
    return rc;
}

struct kvlist {
    struct kv *v;
    size_t n, cap;
};

static int row_kv(void *ctx, int nc, const char *const *v, const char *const *names)
{
    struct kvlist *l = ctx;
    if (vec_reserve(&l->v, &l->cap, l->n, sizeof(*l->v), 64))
        return 1;
    l->v[l->n].key = xstrdup(v[0]);
    l->v[l->n].val = xstrdup(v[1] ? v[1] : "null");
    l->n++;
    return 0;
}

static int row_ctr(void *ctx, int nc, const char *const *v, const char *const *names)
{
    struct run *r = ctx;
    for (int c = 0; c < NCTR; c++)
        if (v[0] && v[1] && !strcmp(v[0], ctr_names[c])) {
            r->ctr[c] = strtod(v[1], NULL);
            r->has |= 1u << c;
        }
    return 0;
}

static int load_details(struct rep *R, struct run *r)
{
    char sql[512];
    struct kvlist l = { 0 };
    snprintf(sql, sizeof(sql),
             "SELECT key, CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'"
             " WHEN 'null' THEN 'null' ELSE value END FROM json_each((SELECT params FROM runs"
             " WHERE id=%lld AND json_valid(params))) ORDER BY key",
             (long long)r->id);
    int rc = query(R, sql, row_kv, &l);
    r->params = l.v;
    r->nparams = l.n;
    if (rc)
        return rc;
    snprintf(sql, sizeof(sql), "SELECT name, value FROM counters WHERE run_id=%lld ORDER BY name",
             (long long)r->id);
    return query(R, sql, row_ctr, r);
}

static const char *param(const struct run *r, const char *key)
{
    for (size_t i = 0; i < r->nparams; i++)
        if (!strcmp(r->params[i].key, key))
            return r->params[i].val;
    return NULL;
}

/* Keys whose differences say nothing about the results. */
static int ignored_key(const char *k)
{
    return !strcmp(k, "seed") || !strcmp(k, "name") || !strcmp(k, "record.db") ||
           !strcmp(k, "record.pcap_rx") || !strcmp(k, "record.pcap_tx");
}

/* A duration key is one the scenario loader accepts "1ms" for and stores as
 * 10^9 ps; asking it keeps the key table in one place (sim/scenario.c). */
static int duration_key(const char *key)
{
    struct scenario *s = malloc(sizeof(*s));
    char a[200], err[256], *json = malloc(16384);
    int yes = 0;
    if (s && json && strlen(key) < 150) {
        scen_defaults(s);
        snprintf(a, sizeof(a), "%s=1ms", key);
        if (!scen_set(s, a, err, sizeof(err)) && scen_to_json(s, json, 16384) > 0) {
            snprintf(a, sizeof(a), "\"%s\":1000000000", key);
            char *p = strstr(json, a);
            yes = p && (p[strlen(a)] == ',' || p[strlen(a)] == '}');
        }
    }
    free(s);
    free(json);
    return yes;
}

/* A parameter value for people: durations (stored in ps) with a unit. */
static void fmt_value(char *out, size_t n, const char *key, const char *val, int dur)
{
    char *end;
    unsigned long long v = strtoull(val, &end, 10);
    if (!dur || !val[0] || *end || val[0] == '-') {
        snprintf(out, n, "%s", val);
        return;
    }
    static const struct {
        unsigned long long div;
        const char *unit;
    } u[] = { { 1000000000000ull, "s" }, { 1000000000ull, "ms" }, { 1000000ull, "us" },
              { 1000ull, "ns" } };
    if (v == 0) {
        snprintf(out, n, "0");
        return;
    }
    for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++)
        if (v % u[i].div == 0) {
            snprintf(out, n, "%llu%s", v / u[i].div, u[i].unit);
            return;
        }
    snprintf(out, n, "%llups", v);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int find_keys(struct rep *R)
{
    size_t n = 0;
    for (size_t i = 0; i < R->nruns; i++)
        n += R->runs[i].nparams;
    char **keys = calloc(n ? n : 1, sizeof(*keys));
    if (!keys)
        return fail(R, REPORT_EFAIL, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < R->nruns; i++)
        for (size_t j = 0; j < R->runs[i].nparams; j++)
            keys[k++] = R->runs[i].params[j].key;
    qsort(keys, k, sizeof(*keys), cmp_str);
    R->vary = calloc(k ? k : 1, sizeof(char *));
    R->vshort = calloc(k ? k : 1, sizeof(char *));
    R->shared = calloc(k ? k : 1, sizeof(char *));
    if (!R->vary || !R->vshort || !R->shared) {
        free(keys);
        return fail(R, REPORT_EFAIL, "out of memory");
    }
    for (size_t i = 0; i < k; i++) {
        if (i && !strcmp(keys[i], keys[i - 1]))
            continue;
        const char *first = param(&R->runs[0], keys[i]);
        int varies = 0;
        for (size_t j = 1; j < R->nruns && !varies; j++) {
            const char *v = param(&R->runs[j], keys[i]);
            varies = !first || !v || strcmp(first, v);
        }
        if (!varies)
            R->shared[R->nshared++] = keys[i];
        else if (!ignored_key(keys[i]))
            R->vary[R->nvary++] = keys[i];
    }
    free(keys);
    /* Short names for plot labels: the shortest dotted suffix that is unique
     * among the varying keys ("itr" for driver.itr). */
    for (size_t i = 0; i < R->nvary; i++) {
        const char *s = R->vary[i] + strlen(R->vary[i]);
        for (;;) {
            while (s > R->vary[i] && s[-1] != '.')
                s--;
            int clash = 0;
            for (size_t j = 0; j < R->nvary; j++) {
                if (j == i)
                    continue;
                size_t ls = strlen(s), lj = strlen(R->vary[j]);
                clash |= lj >= ls && !strcmp(R->vary[j] + lj - ls, s) &&
                         (lj == ls || R->vary[j][lj - ls - 1] == '.');
            }
            if (!clash || s == R->vary[i])
                break;
            s--; /* step over the dot to take one more component */
        }
        R->vshort[i] = (char *)s;
    }
    return 0;
}

#define LABEL_MAX 40

static int make_labels(struct rep *R)
{
    int *dur = calloc(R->nvary ? R->nvary : 1, sizeof(int));
    if (!dur)
        return fail(R, REPORT_EFAIL, "out of memory");
    for (size_t i = 0; i < R->nvary; i++)
        dur[i] = duration_key(R->vary[i]);
    for (size_t i = 0; i < R->nruns; i++) {
        struct run *r = &R->runs[i];
        struct sbuf b = { 0 };
        sb_printf(&b, "#%lld", (long long)r->id);
        for (size_t j = 0; j < R->nvary; j++) {
            const char *v = param(r, R->vary[j]);
            char f[160];
            fmt_value(f, sizeof(f), R->vary[j], v ? v : "-", dur[j]);
            /* plot labels stay short; the table has every value */
            if (b.n + strlen(R->vshort[j]) + strlen(f) + 2 > LABEL_MAX) {
                sb_puts(&b, " …");
                break;
            }
            sb_printf(&b, " %s=%s", R->vshort[j], f);
        }
        if (b.oom) {
            free(b.p);
            free(dur);
            return fail(R, REPORT_EFAIL, "out of memory");
        }
        r->label = b.p;
        r->lt = (int)(i % 10) + 1;
    }
    free(dur);
    return 0;
}

/* ---- data files ---------------------------------------------------------- */

static int write_file(struct rep *R, const char *name, const struct sbuf *b)
{
    char path[320];
    snprintf(path, sizeof(path), "%s/%s", R->dir, name);
    if (b->oom)
        return fail(R, REPORT_EFAIL, "out of memory");
    FILE *f = fopen(path, "w");
    if (!f)
        return fail(R, REPORT_EFAIL, "%s: %s", path, strerror(errno));
    size_t w = b->n ? fwrite(b->p, 1, b->n, f) : 0;
    int bad = w != b->n || ferror(f);
    if (fclose(f) || bad)
        return fail(R, REPORT_EFAIL, "%s: write failed", path);
    return 0;
}

struct dvec {
    double *v;
    size_t n, cap;
};

static int row_double(void *ctx, int nc, const char *const *v, const char *const *names)
{
    struct dvec *d = ctx;
    if (vec_reserve(&d->v, &d->cap, d->n, sizeof(*d->v), 1024))
        return 1;
    d->v[d->n++] = v[0] ? strtod(v[0], NULL) : 0;
    return 0;
}

struct dircount {
    uint64_t pkt[2], hist[2];
    int which; /* 0 packets, 1 histograms */
};

static int row_dircount(void *ctx, int nc, const char *const *v, const char *const *names)
{
    struct dircount *d = ctx;
    if (!v[0] || !v[1])
        return 0;
    int dir = !strcmp(v[0], "tx");
    uint64_t n = strtoull(v[1], NULL, 10);
    if (d->which)
        d->hist[dir] = n;
    else
        d->pkt[dir] = n;
    return 0;
}

/* Rank (1-based) of the q-quantile among n: the same definition as the
 * run_percentiles view, ceil(n * num / den). */
static uint64_t qrank(uint64_t n, uint64_t num, uint64_t den) { return (n * num + den - 1) / den; }

static double xlog_safe(double us) { return us > 0.001 ? us : 0.001; }

/* Per-frame latencies: percentiles, and the CDF/tail data files. Large runs
 * are thinned to ~1000 evenly spaced ranks plus log-spaced tail ranks, which
 * keeps every visible feature of both views. */
static int latency_packets(struct rep *R, struct run *r, size_t idx, const char *dir)
{
    char sql[256];
    struct dvec d = { 0 };
    snprintf(sql, sizeof(sql),
             "SELECT latency_ns FROM packet_latency WHERE run_id=%lld AND dir='%s'"
             " ORDER BY latency_ns",
             (long long)r->id, dir);
    int rc = query(R, sql, row_double, &d);
    if (rc || !d.n) {
        free(d.v);
        return rc;
    }
    uint64_t n = d.n;
    r->lat_n = n;
    r->p50 = d.v[qrank(n, 50, 100) - 1];
    r->p99 = d.v[qrank(n, 99, 100) - 1];
    r->p999 = d.v[qrank(n, 999, 1000) - 1];
    r->pmax = d.v[n - 1];
    unsigned char *pick = calloc(n + 1, 1);
    if (!pick) {
        free(d.v);
        return fail(R, REPORT_EFAIL, "out of memory");
    }
    if (n <= 2000) {
        memset(pick, 1, n + 1);
    } else {
        for (uint64_t k = 1; k <= 1000; k++)
            pick[qrank(n, k, 1000)] = 1;
        for (int e = 0; e <= 40 * 12; e++) { /* 40 steps per decade from the top */
            double back = pow(10.0, e / 40.0);
            if (back >= (double)n)
                break;
            pick[n - (uint64_t)back] = 1;
        }
        pick[1] = pick[n] = 1;
    }
    struct sbuf cdf = { 0 }, ccdf = { 0 };
    for (uint64_t k = 1; k <= n; k++) {
        if (!pick[k])
            continue;
        double x = xlog_safe(d.v[k - 1] / 1000.0);
        sb_printf(&cdf, "%.6g %.6g\n", x, (double)k / (double)n);
        sb_printf(&ccdf, "%.6g %.6g\n", x, (double)(n - k + 1) / (double)n);
    }
    free(pick);
    free(d.v);
    char name[64];
    snprintf(name, sizeof(name), "cdf_%zu.dat", idx);
    rc = write_file(R, name, &cdf);
    snprintf(name, sizeof(name), "ccdf_%zu.dat", idx);
    if (!rc)
        rc = write_file(R, name, &ccdf);
    free(cdf.p);
    free(ccdf.p);
    return rc;
}

struct hvec {
    struct {
        double lo, hi, count;
    } *v;
    size_t n, cap;
};

static int row_hist(void *ctx, int nc, const char *const *v, const char *const *names)
{
    struct hvec *h = ctx;
    if (!v[0] || !v[1] || !v[2])
        return 0;
    if (vec_reserve(&h->v, &h->cap, h->n, sizeof(*h->v), 64))
        return 1;
    h->v[h->n].lo = strtod(v[0], NULL);
    h->v[h->n].hi = strtod(v[1], NULL);
    h->v[h->n].count = strtod(v[2], NULL);
    /* the open-ended last bucket (hi stored as UINT64_MAX reads back < 0) */
    if (h->v[h->n].hi <= h->v[h->n].lo)
        h->v[h->n].hi = h->v[h->n].lo;
    h->n++;
    return 0;
}

/* Summary-level runs: percentiles are the upper bounds of the buckets that
 * hold those ranks; the CDF is drawn through the bucket edges. */
static int latency_hist(struct rep *R, struct run *r, size_t idx, const char *dir)
{
    char sql[256];
    struct hvec h = { 0 };
    snprintf(sql, sizeof(sql),
             "SELECT lo_ns, hi_ns, count FROM histograms WHERE run_id=%lld AND dir='%s'"
             " AND count > 0 ORDER BY lo_ns",
             (long long)r->id, dir);
    int rc = query(R, sql, row_hist, &h);
    double total = 0;
    for (size_t i = 0; i < h.n; i++)
        total += h.v[i].count;
    if (rc || total <= 0) {
        free(h.v);
        return rc;
    }
    uint64_t n = (uint64_t)total;
    r->lat_n = n;
    r->lat_hist = 1;
    uint64_t want[3] = { qrank(n, 50, 100), qrank(n, 99, 100), qrank(n, 999, 1000) };
    double *out[3] = { &r->p50, &r->p99, &r->p999 };
    struct sbuf cdf = { 0 }, ccdf = { 0 };
    double cum = 0;
    for (size_t i = 0; i < h.n; i++) {
        double before = cum;
        cum += h.v[i].count;
        for (int q = 0; q < 3; q++)
            if (before < (double)want[q] && cum >= (double)want[q])
                *out[q] = h.v[i].hi;
        double lo = xlog_safe(h.v[i].lo / 1000.0), hi = xlog_safe(h.v[i].hi / 1000.0);
        if (i == 0)
            sb_printf(&cdf, "%.6g 0\n", lo);
        sb_printf(&cdf, "%.6g %.6g\n", hi, cum / total);
        sb_printf(&ccdf, "%.6g %.6g\n", lo, (total - before) / total);
    }
    r->pmax = h.v[h.n - 1].hi;
    free(h.v);
    char name[64];
    snprintf(name, sizeof(name), "cdf_%zu.dat", idx);
    rc = write_file(R, name, &cdf);
    snprintf(name, sizeof(name), "ccdf_%zu.dat", idx);
    if (!rc)
        rc = write_file(R, name, &ccdf);
    free(cdf.p);
    free(ccdf.p);
    return rc;
}

static int load_latency(struct rep *R, struct run *r, size_t idx)
{
    char sql[256];
    struct dircount dc = { 0 };
    snprintf(sql, sizeof(sql),
             "SELECT dir, COUNT(*) FROM packet_latency WHERE run_id=%lld GROUP BY dir",
             (long long)r->id);
    int rc = query(R, sql, row_dircount, &dc);
    dc.which = 1;
    snprintf(sql, sizeof(sql),
             "SELECT dir, SUM(count) FROM histograms WHERE run_id=%lld GROUP BY dir",
             (long long)r->id);
    if (!rc)
        rc = query(R, sql, row_dircount, &dc);
    if (rc)
        return rc;
    int dir = dc.pkt[0] || dc.hist[0] ? 0 : dc.pkt[1] || dc.hist[1] ? 1 : -1;
    if (dir < 0)
        return 0;
    const char *ds = dir ? "tx" : "rx";
    rc = dc.pkt[dir] ? latency_packets(R, r, idx, ds) : latency_hist(R, r, idx, ds);
    if (!rc && r->lat_n)
        r->lat_dir = dir;
    return rc;
}

struct bins {
    uint64_t *count;
    size_t n;
    uint64_t frames_sum, irqs;
    struct sbuf *fpi; /* frames-per-interrupt rows: value count */
};

static int row_bin(void *ctx, int nc, const char *const *v, const char *const *names)
{
    struct bins *b = ctx;
    if (!v[0] || !v[1])
        return 0;
    long long i = strtoll(v[0], NULL, 10);
    if (i >= 0 && (size_t)i < b->n)
        b->count[i] = strtoull(v[1], NULL, 10);
    return 0;
}

struct fpirows {
    uint64_t *val, *cnt;
    size_t n, cap;
};

static int row_fpi(void *ctx, int nc, const char *const *v, const char *const *names)
{
    struct fpirows *f = ctx;
    if (!v[0] || !v[1])
        return 0;
    size_t cap_cnt = f->cap; /* the two columns grow together */
    if (vec_reserve(&f->cnt, &cap_cnt, f->n, sizeof(*f->cnt), 64) ||
        vec_reserve(&f->val, &f->cap, f->n, sizeof(*f->val), 64))
        return 1;
    f->val[f->n] = strtoull(v[0], NULL, 10);
    f->cnt[f->n] = strtoull(v[1], NULL, 10);
    f->n++;
    return 0;
}

/* Interrupts in the measurement window [traffic start, + measured): the
 * rate over time in bins, and the distribution of frames per interrupt. */
static int load_interrupts(struct rep *R, struct run *r, size_t idx, int64_t bin_ps)
{
    if (!has(r, C_START) || !has(r, C_MEAS) || r->ctr[C_MEAS] <= 0 || !traffic(r))
        return 0;
    r->win = 1;
    r->win_start = llround(r->ctr[C_START]);
    r->win_len = llround(r->ctr[C_MEAS]);
    char sql[512];
    struct fpirows f = { 0 };
    snprintf(sql, sizeof(sql),
             "SELECT rx_frames + tx_frames AS f, COUNT(*) FROM interrupts WHERE run_id=%lld"
             " AND t_ps >= %lld AND t_ps < %lld GROUP BY f ORDER BY f",
             (long long)r->id, (long long)r->win_start, (long long)(r->win_start + r->win_len));
    int rc = query(R, sql, row_fpi, &f);
    struct sbuf fb = { 0 };
    uint64_t total = 0;
    for (size_t i = 0; !rc && i < f.n; i++) {
        total += f.cnt[i];
        r->win_frames += f.val[i] * f.cnt[i];
    }
    r->win_irqs = total;
    if (!rc && total) {
        uint64_t cum = 0;
        sb_printf(&fb, "%llu 0\n", (unsigned long long)f.val[0]);
        for (size_t i = 0; i < f.n; i++) {
            cum += f.cnt[i];
            sb_printf(&fb, "%llu %.6g\n", (unsigned long long)f.val[i],
                      (double)cum / (double)total);
        }
        sb_printf(&fb, "%llu 1\n", (unsigned long long)f.val[f.n - 1] + 1);
        char name[64];
        snprintf(name, sizeof(name), "fpi_%zu.dat", idx);
        rc = write_file(R, name, &fb);
    }
    free(fb.p);
    free(f.val);
    free(f.cnt);
    if (rc)
        return rc;

    struct bins b = { 0 };
    b.n = (size_t)((r->win_len + bin_ps - 1) / bin_ps);
    b.count = calloc(b.n ? b.n : 1, sizeof(*b.count));
    if (!b.count)
        return fail(R, REPORT_EFAIL, "out of memory");
    snprintf(sql, sizeof(sql),
             "SELECT (t_ps - %lld) / %lld AS b, COUNT(*) FROM interrupts WHERE run_id=%lld"
             " AND t_ps >= %lld AND t_ps < %lld GROUP BY b ORDER BY b",
             (long long)r->win_start, (long long)bin_ps, (long long)r->id,
             (long long)r->win_start, (long long)(r->win_start + r->win_len));
    rc = query(R, sql, row_bin, &b);
    struct sbuf ib = { 0 };
    for (size_t i = 0; !rc && i < b.n; i++) {
        int64_t t0 = (int64_t)i * bin_ps;
        int64_t w = r->win_len - t0 < bin_ps ? r->win_len - t0 : bin_ps;
        double rate = (double)b.count[i] * 1e12 / (double)w;
        sb_printf(&ib, "%.6g %.6g\n", (double)t0 / 1e9, rate);
        if (i + 1 == b.n)
            sb_printf(&ib, "%.6g %.6g\n", (double)(t0 + w) / 1e9, rate);
    }
    free(b.count);
    if (!rc) {
        char name[64];
        snprintf(name, sizeof(name), "irq_%zu.dat", idx);
        rc = write_file(R, name, &ib);
    }
    free(ib.p);
    return rc;
}

/* 1, 2 or 5 times a power of ten, at least x. */
static int64_t nice_ps(double x)
{
    double p = 1;
    while (p * 10 <= x)
        p *= 10;
    double m = x / p;
    return (int64_t)(p * (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10));
}

/* ---- gnuplot ------------------------------------------------------------- */

static int find_gnuplot(char *out, size_t n)
{
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        if (len && len < n - 10) {
            snprintf(out, n, "%.*s/gnuplot", (int)len, path);
            struct stat st;
            if (!stat(out, &st) && S_ISREG(st.st_mode) && !access(out, X_OK))
                return 0;
        }
        path += len;
        if (*path == ':')
            path++;
    }
    return -1;
}

static int run_gnuplot(struct rep *R, const char *gp)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return fail(R, REPORT_EFAIL, "cannot start gnuplot: %s", strerror(errno));
    if (pid == 0) {
        int nul = open("/dev/null", O_RDWR);
        if (chdir(R->dir) || nul < 0)
            _exit(126);
        int e = open("gnuplot.err", O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (e < 0)
            _exit(126);
        dup2(nul, 0);
        dup2(nul, 1);
        dup2(e, 2);
        /* no user init file (~/.gnuplot), no locale-dependent output */
        setenv("HOME", R->dir, 1);
        setenv("LC_ALL", "C", 1);
        unsetenv("DISPLAY");
        unsetenv("GNUPLOT_LIB");
        execl(gp, "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return fail(R, REPORT_EFAIL, "waiting for gnuplot: %s", strerror(errno));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    char path[320], line[256] = "", buf[256];
    snprintf(path, sizeof(path), "%s/gnuplot.err", R->dir);
    FILE *f = fopen(path, "r");
    while (f && fgets(buf, sizeof(buf), f)) { /* the last non-blank line says what failed */
        buf[strcspn(buf, "\n")] = 0;
        if (strspn(buf, " \t^") < strlen(buf))
            snprintf(line, sizeof(line), "%s", buf);
    }
    if (f)
        fclose(f);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        return fail(R, REPORT_EINPUT, "cannot run %s", gp);
    return fail(R, REPORT_EFAIL, "gnuplot failed%s%s", line[0] ? ": " : "", line);
}

enum { P_LATENCY, P_IRQRATE, P_FPI, P_TRADEOFF, P_EXITS, NPLOTS };
static const struct {
    const char *id, *file, *title;
} plots[NPLOTS] = {
    { "latency", "latency.svg", "Latency distribution" },
    { "irqrate", "irqrate.svg", "Interrupts per second over time" },
    { "fpi", "fpi.svg", "Frames per interrupt" },
    { "tradeoff", "tradeoff.svg", "Latency against interrupt rate" },
    { "exits", "exits.svg", "VM exits per frame" },
};

static void gp_terminal(struct sbuf *s, const char *file, int w, int h)
{
    sb_printf(s,
              "reset\nset terminal svg size %d,%d noenhanced background '#ffffff' "
              "font 'sans,11' linewidth 1\nset output '%s'\n"
              "set grid lc rgb '#dddddd'\nset border lc rgb '#444444'\n",
              w, h, file);
}

#define KEY_MAX 20

static const char *sep(int first) { return first ? "" : ", \\\n  "; }

static void gp_key(struct sbuf *s, size_t nseries, const char *where)
{
    if (nseries > KEY_MAX)
        sb_puts(s, "set key off\n");
    else
        sb_printf(s, "set key %s spacing 1.1 font 'sans,10' noautotitle\n", where);
}

/* Decide the log scale of an axis: only when every value is positive and
 * they span at least a decade. */
static int want_log(const double *v, size_t n)
{
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] > 0))
            return 0;
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    return n && hi >= 10 * lo;
}

struct point {
    size_t run;
    double x, y;
    int front;
};

static int cmp_point(const void *a, const void *b)
{
    const struct point *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return p->run < q->run ? -1 : p->run > q->run;
}

/* Builds the script for the plots that have data; sets have[] per plot. */
static int build_script(struct rep *R, struct sbuf *s, int have[NPLOTS])
{
    size_t n = R->nruns;
    sb_puts(s, "set encoding utf8\n");
    static const char *const pal[10] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                         "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22" };
    for (int i = 0; i < 10; i++)
        sb_printf(s, "set linetype %d lc rgb '%s' lw 2 pt 7\n", i + 1, pal[i]);
    sb_puts(s, "set linetype cycle 10\n");

    /* 1. latency CDF and tail */
    size_t nl = 0;
    for (size_t i = 0; i < n; i++)
        nl += R->runs[i].lat_dir >= 0;
    if (nl) {
        have[P_LATENCY] = 1;
        gp_terminal(s, plots[P_LATENCY].file, 1200, 460);
        sb_puts(s, "set multiplot layout 1,2\nset logscale x\n"
                   "set xlabel 'latency (µs, log scale)'\n"
                   "set ylabel 'fraction of frames ≤ x'\nset yrange [0:1.02]\n"
                   "set title 'CDF'\n");
        gp_key(s, nl, "bottom right");
        for (int pass = 0; pass < 2; pass++) {
            if (pass) {
                sb_puts(s, "set logscale y\nset yrange [*:1.5]\nset format y '%g'\n"
                           "set ylabel 'fraction of frames ≥ x (log scale)'\n"
                           "set title 'tail: 1 - CDF'\n");
                gp_key(s, nl, "bottom left");
            }
            sb_puts(s, "plot ");
            int first = 1;
            for (size_t i = 0; i < n; i++) {
                const struct run *r = &R->runs[i];
                if (r->lat_dir < 0)
                    continue;
                sb_printf(s, "%s'%s_%zu.dat' using 1:2 with %s lt %d title ", sep(first),
                          pass ? "ccdf" : "cdf", i, r->lat_hist ? "lines dt 2" : "lines", r->lt);
                char t[512];
                snprintf(t, sizeof(t), "%s%s%s", r->label, r->lat_dir ? " (tx)" : "",
                         r->lat_hist ? " (histogram)" : "");
                sb_gpstr(s, t);
                first = 0;
            }
            sb_puts(s, "\n");
        }
        sb_puts(s, "unset multiplot\n");
    }

    /* 2. interrupts per second over time */
    size_t ni = 0;
    for (size_t i = 0; i < n; i++)
        ni += R->runs[i].win;
    if (ni) {
        have[P_IRQRATE] = 1;
        gp_terminal(s, plots[P_IRQRATE].file, 1200, 420);
        double bin_ms = (double)R->bin_ps / 1e9;
        sb_printf(s,
                  "set xlabel 'time since traffic start (ms)'\n"
                  "set ylabel 'interrupts per second (%g ms bins)'\nset yrange [0:*]\n"
                  "set xrange [0:*]\n",
                  bin_ms);
        gp_key(s, ni, "outside right top");
        sb_puts(s, "plot ");
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            const struct run *r = &R->runs[i];
            if (!r->win)
                continue;
            sb_printf(s, "%s'irq_%zu.dat' using 1:2 with steps lt %d title ", sep(first), i,
                      r->lt);
            sb_gpstr(s, r->label);
            first = 0;
        }
        sb_puts(s, "\n");
    }

    /* 3. frames per interrupt */
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        nf += R->runs[i].win && R->runs[i].win_irqs;
    if (nf) {
        have[P_FPI] = 1;
        gp_terminal(s, plots[P_FPI].file, 1200, 420);
        sb_puts(s, "set xlabel 'frames per interrupt'\nset ylabel 'fraction of interrupts ≤ x'\n"
                   "set yrange [0:1.02]\nset xrange [0:*]\n");
        gp_key(s, nf, "outside right top");
        sb_puts(s, "plot ");
        int first = 1;
        for (size_t i = 0; i < n; i++) {
            const struct run *r = &R->runs[i];
            if (!r->win || !r->win_irqs)
                continue;
            sb_printf(s, "%s'fpi_%zu.dat' using 1:2 with steps lt %d title ", sep(first), i,
                      r->lt);
            char t[512];
            snprintf(t, sizeof(t), "%s (mean %.2f)", r->label,
                     (double)r->win_frames / (double)r->win_irqs);
            sb_gpstr(s, t);
            first = 0;
        }
        sb_puts(s, "\n");
    }

    /* 4. latency against interrupt rate, Pareto front on (interrupts/s, p99) */
    struct point *pt = calloc(n ? n : 1, sizeof(*pt));
    if (!pt)
        return fail(R, REPORT_EFAIL, "out of memory");
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        const struct run *r = &R->runs[i];
        if (r->lat_dir >= 0 && has(r, C_IRQ_S) && traffic(r))
            pt[np++] = (struct point){ i, r->ctr[C_IRQ_S], r->p99 / 1000.0, 0 };
    }
    if (np) {
        have[P_TRADEOFF] = 1;
        for (size_t i = 0; i < np; i++) {
            int dominated = 0;
            for (size_t j = 0; j < np && !dominated; j++)
                dominated = pt[j].x <= pt[i].x && pt[j].y <= pt[i].y &&
                            (pt[j].x < pt[i].x || pt[j].y < pt[i].y);
            pt[i].front = !dominated;
        }
        struct sbuf d = { 0 }, fr = { 0 };
        double *xs = malloc(np * sizeof(double)), *ys = malloc(2 * np * sizeof(double));
        if (!xs || !ys) {
            free(xs);
            free(ys);
            free(pt);
            return fail(R, REPORT_EFAIL, "out of memory");
        }
        for (size_t i = 0; i < np; i++) {
            const struct run *r = &R->runs[pt[i].run];
            sb_printf(&d, "%.6g %.6g %.6g %d ", pt[i].x, pt[i].y, r->p50 / 1000.0, r->lt);
            sb_gpdata(&d, r->label);
            sb_puts(&d, "\n");
            xs[i] = pt[i].x;
            ys[2 * i] = pt[i].y;
            ys[2 * i + 1] = r->p50 / 1000.0;
        }
        int logx = want_log(xs, np), logy = want_log(ys, 2 * np);
        free(xs);
        free(ys);
        qsort(pt, np, sizeof(*pt), cmp_point);
        for (size_t i = 0; i < np; i++)
            if (pt[i].front)
                sb_printf(&fr, "%.6g %.6g\n", pt[i].x, pt[i].y);
        int rc = write_file(R, "tradeoff.dat", &d);
        if (!rc)
            rc = write_file(R, "front.dat", &fr);
        free(d.p);
        free(fr.p);
        if (rc) {
            free(pt);
            return rc;
        }
        gp_terminal(s, plots[P_TRADEOFF].file, 1200, 520);
        sb_printf(s,
                  "set xlabel 'interrupts per second%s'\nset ylabel 'latency (µs%s)'\n"
                  "%s%s"
                  "set autoscale xfix\nset autoscale yfix\n"
                  "set offsets graph 0.06, graph 0.22, graph 0.12, graph 0.1\n"
                  "set key outside right top spacing 1.1 font 'sans,10' noautotitle\n"
                  "plot 'front.dat' using 1:2 with lines dt 2 lw 1.5 lc rgb '#555555' "
                  "title 'Pareto front (p99)', \\\n"
                  "  'front.dat' using 1:2 with points pt 6 ps 2.4 lw 1.5 lc rgb '#555555' "
                  "title 'not dominated', \\\n"
                  "  'tradeoff.dat' using 1:2:4 with points pt 7 ps 1.3 lc variable "
                  "title 'p99', \\\n"
                  "  'tradeoff.dat' using 1:3:4 with points pt 6 ps 1.1 lc variable "
                  "title 'p50', \\\n"
                  "  'tradeoff.dat' using 1:2:5 with labels left offset char 1.2,0.7 "
                  "font 'sans,9' notitle\n",
                  logx ? ", log scale" : "", logy ? ", log scale" : "",
                  logx ? "set logscale x\n" : "", logy ? "set logscale y\n" : "");
    }
    free(pt);

    /* 5. VM exits per frame */
    struct sbuf e = { 0 };
    size_t ne = 0, longest = 0;
    for (size_t i = 0; i < n; i++) {
        const struct run *r = &R->runs[i];
        if (!has(r, C_EXITS) || !traffic(r))
            continue;
        sb_printf(&e, "%zu %.6g %d ", ne++, r->ctr[C_EXITS], r->lt);
        sb_gpdata(&e, r->label);
        sb_puts(&e, "\n");
        longest = strlen(r->label) > longest ? strlen(r->label) : longest;
    }
    if (ne) {
        have[P_EXITS] = 1;
        int rc = write_file(R, "exits.dat", &e);
        free(e.p);
        if (rc)
            return rc;
        gp_terminal(s, plots[P_EXITS].file, 1200, ne > 6 || longest > 20 ? 520 : 460);
        sb_printf(s,
                  "set style fill solid 0.85 border -1\nset boxwidth 0.6\n"
                  "set ylabel 'VM exits per frame'\nset yrange [0:*]\n"
                  "set offsets 0, 0, graph 0.1, 0\n"
                  "set xrange [-0.6:%zu.6]\nset grid noxtics\nset xtics nomirror %s\n"
                  "plot 'exits.dat' using 1:2:3:xtic(4) with boxes lc variable notitle, \\\n"
                  "  'exits.dat' using 1:2:(sprintf('%%.2f', $2)) with labels offset 0,0.8 "
                  "font 'sans,10' notitle\n",
                  ne - 1,
                  ne > 6 || longest > 20 ? "rotate by -20 left font 'sans,9'" : "font 'sans,10'");
    } else {
        free(e.p);
    }
    sb_puts(s, "unset output\n");
    return s->oom ? fail(R, REPORT_EFAIL, "out of memory") : 0;
}

/* Copies gnuplot's SVG into the page: from <svg on (no XML prolog), with
 * every id prefixed so that the inline SVGs cannot collide. */
static int embed_svg(struct rep *R, struct sbuf *h, int p)
{
    char path[320];
    snprintf(path, sizeof(path), "%s/%s", R->dir, plots[p].file);
    FILE *f = fopen(path, "r");
    if (!f)
        return fail(R, REPORT_EFAIL, "gnuplot wrote no %s", plots[p].file);
    struct sbuf in = { 0 };
    char buf[8192];
    size_t m;
    while ((m = fread(buf, 1, sizeof(buf), f)) > 0)
        sb_put(&in, buf, m);
    fclose(f);
    const char *s = in.p ? strstr(in.p, "<svg") : NULL;
    if (!s) {
        free(in.p);
        return fail(R, REPORT_EFAIL, "gnuplot wrote no SVG in %s", plots[p].file);
    }
    static const char *const pats[] = { "id='", "id=\"", "href='#", "href=\"#", "url(#" };
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "%s-", plots[p].id);
    sb_puts(h, "<svg class=\"plot\"");
    s += 4;
    while (*s) {
        size_t k;
        for (k = 0; k < sizeof(pats) / sizeof(pats[0]); k++)
            if (!strncmp(s, pats[k], strlen(pats[k])))
                break;
        if (k < sizeof(pats) / sizeof(pats[0])) {
            sb_puts(h, pats[k]);
            sb_puts(h, prefix);
            s += strlen(pats[k]);
        } else if (!strncmp(s, "<title>Gnuplot</title>", 22)) {
            sb_puts(h, "<title>");
            sb_html(h, plots[p].title);
            sb_puts(h, "</title>");
            s += 22;
        } else {
            size_t run = strcspn(s, "i<hu");
            if (!run)
                run = 1;
            sb_put(h, s, run);
            s += run;
        }
    }
    free(in.p);
    return 0;
}

/* ---- HTML ---------------------------------------------------------------- */

static const char css[] =
    "body{font-family:sans-serif;color:#222;margin:24px auto;max-width:1240px;padding:0 12px}"
    "h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:28px 0 6px}"
    ".meta,figcaption,.note{color:#555;font-size:13px}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;font-size:12px}"
    "th,td{border:1px solid #ccc;padding:2px 5px;text-align:right;white-space:nowrap}"
    "th{background:#f2f2f2}th.l,td.l{text-align:left}th.p{background:#e8eef6}"
    "tr:nth-child(even) td{background:#fafafa}"
    "figure{margin:8px 0 0}svg.plot{display:block;max-width:100%;height:auto}"
    ".nodata{border:1px dashed #aaa;color:#777;padding:40px;text-align:center}"
    "details{font-size:13px;margin-top:10px}details code{font-size:12px}";

static void td_num(struct sbuf *h, int ok, const char *fmt, double v)
{
    if (!ok) {
        sb_puts(h, "<td>—</td>");
        return;
    }
    sb_puts(h, "<td>");
    sb_printf(h, fmt, v);
    sb_puts(h, "</td>");
}

static void html_table(struct rep *R, struct sbuf *h)
{
    int tx = 0;
    for (size_t i = 0; i < R->nruns; i++)
        tx |= has(&R->runs[i], C_TX_OFF) && R->runs[i].ctr[C_TX_OFF] > 0;
    int *dur = calloc(R->nvary ? R->nvary : 1, sizeof(int));
    for (size_t j = 0; dur && j < R->nvary; j++)
        dur[j] = duration_key(R->vary[j]);
    sb_puts(h, "<div class=\"scroll\"><table id=\"runs\">\n<thead><tr><th>run</th>"
               "<th class=\"l\">scenario</th><th>seed</th><th class=\"l\">status</th>");
    for (size_t j = 0; j < R->nvary; j++) {
        sb_puts(h, "<th class=\"l p\">");
        sb_html(h, R->vary[j]);
        sb_puts(h, "</th>");
    }
    sb_puts(h, "<th>rx frames</th>");
    if (tx)
        sb_puts(h, "<th>tx frames</th>");
    sb_puts(h, "<th>drops</th><th>interrupts/s</th><th>frames/interrupt</th>"
               "<th>p50 µs</th><th>p99 µs</th><th>p99.9 µs</th><th>max µs</th>"
               "<th>VM exits/frame</th><th>CPU busy</th><th>anomalies</th></tr></thead>\n"
               "<tbody>\n");
    int any_hist = 0, any_tx_lat = 0;
    for (size_t i = 0; i < R->nruns; i++) {
        const struct run *r = &R->runs[i];
        sb_printf(h, "<tr id=\"run-%lld\"><td>%lld</td><td class=\"l\" title=\"", (long long)r->id,
                  (long long)r->id);
        sb_html(h, r->scenario);
        sb_puts(h, "\">");
        const char *name = param(r, "name");
        sb_html(h, name ? name : r->scenario);
        sb_puts(h, "</td><td>");
        sb_html(h, r->seed);
        sb_puts(h, "</td><td class=\"l\">");
        sb_html(h, r->status);
        if (strcmp(r->kind, "run")) {
            sb_puts(h, " (");
            sb_html(h, r->kind);
            sb_puts(h, ")");
        }
        sb_puts(h, "</td>");
        for (size_t j = 0; j < R->nvary; j++) {
            const char *v = param(r, R->vary[j]);
            char f[160];
            fmt_value(f, sizeof(f), R->vary[j], v ? v : "—", dur ? dur[j] : 0);
            sb_puts(h, "<td class=\"l\">");
            sb_html(h, f);
            sb_puts(h, "</td>");
        }
        if (has(r, C_RX_DEL)) {
            sb_printf(h, "<td>%.0f", r->ctr[C_RX_DEL]);
            if (has(r, C_RX_OFF) && r->ctr[C_RX_OFF] != r->ctr[C_RX_DEL])
                sb_printf(h, " / %.0f", r->ctr[C_RX_OFF]);
            sb_puts(h, "</td>");
        } else {
            sb_puts(h, "<td>—</td>");
        }
        if (tx)
            td_num(h, has(r, C_TX_SENT), "%.0f", r->ctr[C_TX_SENT]);
        td_num(h, has(r, C_RX_DROP) || has(r, C_TX_DROP), "%.0f",
               (has(r, C_RX_DROP) ? r->ctr[C_RX_DROP] : 0) +
                   (has(r, C_TX_DROP) ? r->ctr[C_TX_DROP] : 0));
        int t = traffic(r);
        td_num(h, t && has(r, C_IRQ_S), "%.0f", r->ctr[C_IRQ_S]);
        td_num(h, r->win && r->win_irqs, "%.2f",
               r->win_irqs ? (double)r->win_frames / (double)r->win_irqs : 0);
        if (r->lat_dir >= 0) {
            const char *pre = r->lat_hist ? "≤ " : "";
            const char *suf = r->lat_dir ? " tx" : "";
            any_hist |= r->lat_hist;
            any_tx_lat |= r->lat_dir;
            double v[4] = { r->p50, r->p99, r->p999, r->pmax };
            for (int k = 0; k < 4; k++)
                sb_printf(h, "<td>%s%.2f%s</td>", pre, v[k] / 1000.0, suf);
        } else {
            sb_puts(h, "<td>—</td><td>—</td><td>—</td><td>—</td>");
        }
        td_num(h, t && has(r, C_EXITS), "%.2f", r->ctr[C_EXITS]);
        td_num(h, t && has(r, C_CPU), "%.1f%%", 100.0 * r->ctr[C_CPU]);
        sb_puts(h, "<td>");
        sb_html(h, r->anomalies);
        sb_puts(h, "</td></tr>\n");
    }
    sb_puts(h, "</tbody></table></div>\n<p class=\"note\">Latency: from the frame's offer to the "
               "link (rx: its pcap timestamp or generator time) or its hand-over to the driver "
               "(tx) until delivered to the stack "
               "(rx) or cleaned (tx); percentiles as in the <code>run_percentiles</code> view. "
               "Interrupts/s and frames/interrupt count the measurement window after link-up "
               "(<code>interrupt_rate</code> view); — marks runs without traffic.");
    if (any_hist)
        sb_puts(h, " ≤: run recorded at summary level, percentiles are the upper bounds of "
                   "histogram buckets.");
    if (any_tx_lat)
        sb_puts(h, " tx: the run had no received frames; transmit latency shown.");
    sb_puts(h, "</p>\n");
    if (R->nshared) {
        sb_printf(h, "<details><summary>Parameters shared by all %zu runs</summary><p>",
                  R->nruns);
        for (size_t j = 0; j < R->nshared; j++) {
            const char *v = param(&R->runs[0], R->shared[j]);
            char f[300];
            fmt_value(f, sizeof(f), R->shared[j], v ? v : "", duration_key(R->shared[j]));
            sb_puts(h, j ? ", <code>" : "<code>");
            sb_html(h, R->shared[j]);
            sb_puts(h, "=");
            sb_html(h, f);
            sb_puts(h, "</code>");
        }
        sb_puts(h, "</p></details>\n");
    }
    free(dur);
}

static const char *const captions[NPLOTS] = {
    "Per-run latency: left the cumulative distribution, right the tail (fraction of frames "
    "at least as slow, log scale). From per-frame records (<code>packet_latency</code>) where "
    "the run has them, else from its histogram buckets.",
    "Interrupts asserted per second in fixed bins from the start of traffic "
    "(<code>interrupts.t_ps</code>, measurement window only).",
    "Distribution of frames handled per interrupt (<code>interrupts.rx_frames + tx_frames</code>"
    " in the measurement window); the key gives each run's mean.",
    "Each run's interrupt rate against its p99 (filled) and p50 (open) latency. Circled runs "
    "are on the Pareto front: no other run has both a lower interrupt rate and a lower p99.",
    "Trapped MMIO accesses (VM exits) per frame, from the <code>exits_per_frame</code> "
    "counter.",
};

static int build_html(struct rep *R, struct sbuf *h, const int have[NPLOTS])
{
    const char *dbname = strrchr(R->o->db, '/') ? strrchr(R->o->db, '/') + 1 : R->o->db;
    struct sbuf title = { 0 };
    if (R->o->title)
        sb_puts(&title, R->o->title);
    else
        sb_printf(&title, "e1ksim report: %s", dbname);
    sb_puts(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"generator\" content=\"e1ksim report\">\n<title>");
    sb_html(h, title.p ? title.p : "");
    sb_printf(h, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1 id=\"title\">", css);
    sb_html(h, title.p ? title.p : "");
    free(title.p);
    sb_printf(h, "</h1>\n<p class=\"meta\">%zu run%s from <code>", R->nruns,
              R->nruns == 1 ? "" : "s");
    sb_html(h, dbname);
    sb_puts(h, "</code>");
    if (R->nvary) {
        sb_puts(h, "; varying: ");
        for (size_t j = 0; j < R->nvary; j++) {
            sb_puts(h, j ? ", <code>" : "<code>");
            sb_html(h, R->vary[j]);
            sb_puts(h, "</code>");
        }
    }
    sb_puts(h, ".</p>\n<h2>Runs</h2>\n");
    if (R->nruns)
        html_table(R, h);
    else
        sb_puts(h, "<div class=\"nodata\" id=\"runs\">No runs to report: the database holds no "
                   "scenario runs (record some with <code>e1ksim run SCENARIO --db "
                   "FILE</code>).</div>\n");
    for (int p = 0; p < NPLOTS; p++) {
        sb_printf(h, "<h2>%d. ", p + 1);
        sb_html(h, plots[p].title);
        sb_printf(h, "</h2>\n<figure id=\"plot-%s\">\n", plots[p].id);
        if (have[p]) {
            int rc = embed_svg(R, h, p);
            if (rc)
                return rc;
        } else {
            sb_puts(h, "<div class=\"nodata\">no data: none of the runs has ");
            sb_puts(h, p == P_LATENCY    ? "latency records"
                       : p == P_TRADEOFF ? "both latency records and interrupts"
                       : p == P_EXITS    ? "frames"
                                         : "traffic with interrupts");
            sb_puts(h, "</div>");
        }
        sb_printf(h, "\n<figcaption>%s", captions[p]);
        if (have[p] && p <= P_FPI && R->nruns > KEY_MAX)
            sb_printf(h, " More than %d runs: no key; run ids are in plots 4 and 5.", KEY_MAX);
        sb_puts(h, "</figcaption>\n</figure>\n");
    }
    sb_puts(h, "</body>\n</html>\n");
    return h->oom ? fail(R, REPORT_EFAIL, "out of memory") : 0;
}

static void rm_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int write_output(struct rep *R, const struct sbuf *h)
{
    const char *out = R->o->out;
    int to_stdout = !strcmp(out, "-");
    FILE *f = to_stdout ? stdout : fopen(out, "w");
    if (!f)
        return fail(R, REPORT_EINPUT, "%s: cannot write: %s", out, strerror(errno));
    size_t w = fwrite(h->p, 1, h->n, f);
    int bad = w != h->n || ferror(f);
    if (to_stdout ? fflush(f) : fclose(f))
        bad = 1;
    return bad ? fail(R, REPORT_EFAIL, "%s: write failed", out) : 0;
}

int report_write(const struct report_opts *o, char *err, size_t errlen,
                 void (*warn)(const char *msg))
{
    struct rep R = { .o = o, .err = err, .errlen = errlen, .warn = warn };
    char gp[4096];
    struct sbuf script = { 0 }, html = { 0 };
    int have[NPLOTS] = { 0 };
    struct stat sd, so;
    if (strcmp(o->out, "-") && !stat(o->db, &sd) && !stat(o->out, &so) && sd.st_dev == so.st_dev &&
        sd.st_ino == so.st_ino)
        return fail(&R, REPORT_EINPUT, "%s: the output would overwrite the database", o->out);
    if (rec_open_readonly(o->db, &R.db, err, errlen))
        return REPORT_EINPUT;
    int rc = 0;
    if (find_gnuplot(gp, sizeof(gp))) {
        rc = fail(&R, REPORT_EINPUT,
                  "gnuplot not found in PATH: install it (Debian: apt-get install gnuplot-nox, "
                  "or tools/setup.sh)");
        goto out;
    }
    if ((rc = load_runs(&R)))
        goto out;
    for (size_t i = 0; !rc && i < R.nruns; i++)
        rc = load_details(&R, &R.runs[i]);
    if (!rc && R.nruns)
        rc = find_keys(&R);
    if (!rc)
        rc = make_labels(&R);
    if (rc)
        goto out;

    const char *tmp = getenv("TMPDIR");
    snprintf(R.dir, sizeof(R.dir), "%s/e1ksim-report-XXXXXX",
             tmp && tmp[0] && strlen(tmp) < 200 ? tmp : "/tmp");
    if (!mkdtemp(R.dir)) {
        rc = fail(&R, REPORT_EFAIL, "cannot make a temporary directory: %s", strerror(errno));
        goto out;
    }
    R.have_dir = 1;

    /* Interrupt-rate bins: 1 ms, coarser to keep at most ~200 bins over the
     * longest window, finer (~20 bins) for windows under 10 ms. */
    double longest = 0;
    for (size_t i = 0; i < R.nruns; i++)
        if (has(&R.runs[i], C_MEAS) && R.runs[i].ctr[C_MEAS] > longest)
            longest = R.runs[i].ctr[C_MEAS];
    int64_t bin_ps = 1000000000;
    if (longest > 0 && longest < 1e10)
        bin_ps = nice_ps(longest / 20);
    else if (longest / 200 > 1e9)
        bin_ps = nice_ps(longest / 200);
    if (bin_ps < 1000000)
        bin_ps = 1000000;
    R.bin_ps = bin_ps;

    for (size_t i = 0; !rc && i < R.nruns; i++) {
        rc = load_latency(&R, &R.runs[i], i);
        if (!rc)
            rc = load_interrupts(&R, &R.runs[i], i, bin_ps);
    }
    if (!rc)
        rc = build_script(&R, &script, have);
    int any = 0;
    for (int p = 0; p < NPLOTS; p++)
        any |= have[p];
    if (!rc && any) {
        rc = write_file(&R, "plots.gp", &script);
        if (!rc)
            rc = run_gnuplot(&R, gp);
    }
    if (!rc && !any && warn) {
        char msg[600];
        snprintf(msg, sizeof(msg), "%s: %s; the report has no plots", o->db,
                 R.nruns ? "no run has traffic" : "no runs to report");
        warn(msg);
    }
    if (!rc)
        rc = build_html(&R, &html, have);
    if (!rc)
        rc = write_output(&R, &html);
out:
    if (R.have_dir)
        rm_dir(R.dir);
    for (size_t i = 0; i < R.nruns; i++)
        run_free(&R.runs[i]);
    free(R.runs);
    free(R.vary);
    free(R.vshort);
    free(R.shared);
    free(script.p);
    free(html.p);
    rec_close(R.db);
    return rc;
}
