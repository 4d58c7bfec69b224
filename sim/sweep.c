#include "sweep.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "progress.h"
#include "recorder.h"
#include "rng.h"
#include "run.h"
#include "sbuf.h"
#include "vec.h"

#define MAX_JOBS 10000000u
#define CHILD_REPORT_NS 100000000ull /* a worker reports its progress at most every 100 ms */

/* ---- the plan ---- */

int sweep_init(struct sweep *sw, const char *scenario, const char **sets, unsigned nsets,
               char *err, size_t errlen)
{
    memset(sw, 0, sizeof(*sw));
    sw->repeat = 1;
    sw->sets = sets;
    sw->nsets = nsets;
    char *abs = realpath(scenario, NULL);
    if (!abs) {
        snprintf(err, errlen, "%s: file: cannot open: %s", scenario, strerror(errno));
        return -1;
    }
    if (strlen(abs) >= sizeof(sw->scen_path) || strlen(abs) >= SCEN_STR) {
        snprintf(err, errlen, "%s: path too long", abs);
        free(abs);
        return -1;
    }
    snprintf(sw->scen_path, sizeof(sw->scen_path), "%s", abs);
    free(abs);
    scen_defaults(&sw->base);
    if (scen_load(sw->scen_path, &sw->base, err, errlen))
        return -1;
    for (unsigned i = 0; i < nsets; i++)
        if (scen_set(&sw->base, sets[i], err, errlen))
            return -1;
    sw->base_seed = sw->base.seed;
    return 0;
}

static int bad_char(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            return 1;
    return 0;
}

int sweep_add_grid(struct sweep *sw, const char *spec, char *err, size_t errlen)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        snprintf(err, errlen, "--grid %s: expected KEY=V1,V2,...", spec);
        return -1;
    }
    if (bad_char(spec)) {
        snprintf(err, errlen, "--grid %s: control characters in a value", spec);
        return -1;
    }
    size_t kl = (size_t)(eq - spec);
    if (kl == 4 && !strncmp(spec, "seed", 4)) {
        snprintf(err, errlen, "--grid seed: seeds are derived per point; use --repeat (and "
                              "--seed for the base seed)");
        return -1;
    }
    for (unsigned i = 0; i < sw->naxes; i++)
        if (strlen(sw->axes[i].key) == kl && !strncmp(sw->axes[i].key, spec, kl)) {
            snprintf(err, errlen, "--grid %s: key given twice", sw->axes[i].key);
            return -1;
        }
    struct sweep_axis *na = realloc(sw->axes, (sw->naxes + 1) * sizeof(*na));
    if (!na) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sw->axes = na;
    struct sweep_axis *ax = &sw->axes[sw->naxes];
    memset(ax, 0, sizeof(*ax));
    ax->key = strndup(spec, kl);
    if (!ax->key) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sw->naxes++; /* owned from here on: sweep_free releases it */
    const char *p = eq + 1;
    size_t vlen = strlen(p);
    struct scenario *scratch = malloc(sizeof(*scratch));
    char *v = malloc(kl + vlen + 2);
    if (!scratch || !v) {
        free(scratch);
        free(v);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = -1;
    for (;;) {
        /* value up to an unescaped comma; "\," is a comma, "\\" a backslash */
        size_t n = 0;
        memcpy(v, spec, kl + 1);
        n = kl + 1;
        while (*p && *p != ',') {
            if (*p == '\\' && (p[1] == ',' || p[1] == '\\'))
                p++;
            v[n++] = *p++;
        }
        v[n] = 0;
        for (unsigned i = 0; i < ax->nvals; i++)
            if (!strcmp(ax->vals[i], v)) {
                snprintf(err, errlen, "--grid %s: value '%s' given twice", ax->key, v + kl + 1);
                goto out;
            }
        *scratch = sw->base;
        char serr[512];
        if (scen_set(scratch, v, serr, sizeof(serr))) {
            /* scen_set names the option --set; this value came from --grid */
            snprintf(err, errlen, "--grid: %s", strncmp(serr, "--set: ", 7) ? serr : serr + 7);
            goto out;
        }
        char **nv = realloc(ax->vals, (ax->nvals + 1) * sizeof(*nv));
        if (!nv || !(nv[ax->nvals] = strdup(v))) {
            if (nv)
                ax->vals = nv;
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        ax->vals = nv;
        ax->nvals++;
        if (!*p)
            break;
        p++;
    }
    rc = 0;
out:
    free(scratch);
    free(v);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

uint64_t sweep_point_seed(uint64_t base, const char *const *assign, unsigned n, unsigned repeat)
{
    const char *sorted[n ? n : 1];
    for (unsigned i = 0; i < n; i++)
        sorted[i] = assign[i];
    qsort(sorted, n, sizeof(sorted[0]), cmp_str);
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (unsigned i = 0; i < n; i++) {
        for (const char *p = sorted[i]; *p; p++)
            h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
        h = (h ^ '\n') * 0x100000001b3ull;
    }
    uint64_t st = base ^ h ^ repeat;
    return rng_splitmix64(&st);
}

void sweep_point_assign(const struct sweep *sw, uint64_t point, const char **assign)
{
    for (unsigned i = sw->naxes; i-- > 0;) {
        const struct sweep_axis *ax = &sw->axes[i];
        assign[i] = ax->vals[point % ax->nvals];
        point /= ax->nvals;
    }
}

int sweep_job_scenario(const struct sweep *sw, const struct sweep_job *j, struct scenario *s,
                       char *err, size_t errlen)
{
    const char *assign[sw->naxes ? sw->naxes : 1];
    sweep_point_assign(sw, j->point, assign);
    *s = sw->base;
    for (unsigned i = 0; i < sw->naxes; i++)
        if (scen_set(s, assign[i], err, errlen))
            return -1;
    char seed[40];
    snprintf(seed, sizeof(seed), "seed=%llu", (unsigned long long)j->seed);
    return scen_set(s, seed, err, errlen);
}

static const struct sweep_job *cmp_jobs_base;

static int cmp_job_idx(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    int c = strcmp(cmp_jobs_base[x].key, cmp_jobs_base[y].key);
    return c ? c : (x > y) - (x < y);
}

int sweep_plan(struct sweep *sw, char *err, size_t errlen)
{
    uint64_t npoints = 1;
    for (unsigned i = 0; i < sw->naxes; i++) {
        npoints *= sw->axes[i].nvals;
        if (npoints > MAX_JOBS)
            break;
    }
    if (npoints * sw->repeat > MAX_JOBS) {
        snprintf(err, errlen, "more than %u runs in the sweep", MAX_JOBS);
        return -1;
    }
    const char *assign[sw->naxes ? sw->naxes : 1];
    sw->njobs = (size_t)(npoints * sw->repeat);
    sw->jobs = calloc(sw->njobs, sizeof(*sw->jobs));
    struct scenario *s = malloc(sizeof(*s));
    size_t *idx = malloc(sw->njobs * sizeof(*idx));
    int rc = -1;
    if (!sw->jobs || !s || !idx) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    size_t k = 0;
    for (uint64_t p = 0; p < npoints; p++) {
        sweep_point_assign(sw, p, assign);
        for (unsigned r = 0; r < sw->repeat; r++, k++) {
            struct sweep_job *j = &sw->jobs[k];
            j->point = p;
            j->repeat = r;
            j->seed = sweep_point_seed(sw->base_seed, assign, sw->naxes, r);
            if (sweep_job_scenario(sw, j, s, err, errlen))
                goto out;
            run_identity(s, j->key);
            idx[k] = k;
        }
    }
    /* Two jobs with one identity (a hash collision) would be one run. */
    cmp_jobs_base = sw->jobs;
    qsort(idx, sw->njobs, sizeof(*idx), cmp_job_idx);
    for (size_t i = 1; i < sw->njobs; i++)
        if (!strcmp(sw->jobs[idx[i]].key, sw->jobs[idx[i - 1]].key) && !sw->jobs[idx[i]].done) {
            sw->jobs[idx[i]].done = 1;
            sw->ndone++;
        }
    rc = 0;
out:
    free(s);
    free(idx);
    return rc;
}

struct keyset {
    char (*k)[17];
    size_t n, cap;
};

static int collect_key(void *ctx, int ncol, const char *const *vals, const char *const *names)
{
    struct keyset *ks = ctx;
    if (ncol < 1 || !vals[0] || strlen(vals[0]) != 16)
        return 0;
    if (vec_reserve(&ks->k, &ks->cap, ks->n, sizeof(*ks->k), 256))
        return 1;
    memcpy(ks->k[ks->n++], vals[0], 17);
    return 0;
}

static int cmp_key(const void *a, const void *b) { return strcmp(a, b); }

int sweep_mark_done(struct sweep *sw, struct rec *r, char *err, size_t errlen)
{
    struct keyset ks = { 0 };
    int rc = rec_query(r,
                       "SELECT run_key FROM runs WHERE status = 'complete' AND run_key IS NOT NULL",
                       collect_key, &ks);
    if (rc) {
        snprintf(err, errlen, "%s", rc < 0 ? rec_error(r) : "out of memory");
        free(ks.k);
        return -1;
    }
    if (ks.n)
        qsort(ks.k, ks.n, sizeof(*ks.k), cmp_key);
    for (size_t i = 0; i < sw->njobs; i++)
        if (!sw->jobs[i].done && ks.n &&
            bsearch(sw->jobs[i].key, ks.k, ks.n, sizeof(*ks.k), cmp_key)) {
            sw->jobs[i].done = 1;
            sw->ndone++;
        }
    free(ks.k);
    return 0;
}

/* ---- scale-out: the job list ---- */

static void shell_quote(FILE *f, const char *s)
{
    int safe = *s != 0;
    for (const char *p = s; *p && safe; p++)
        safe = isalnum((unsigned char)*p) || strchr("_-./=:,+@%", *p);
    if (safe) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s; s++)
        if (*s == '\'')
            fputs("'\\''", f);
        else
            fputc(*s, f);
    fputc('\'', f);
}

void sweep_emit_jobs(const struct sweep *sw, FILE *out, const char *exe, const char *jobdir)
{
    const char *assign[sw->naxes ? sw->naxes : 1];
    for (size_t i = 0; i < sw->njobs; i++) {
        const struct sweep_job *j = &sw->jobs[i];
        if (j->done)
            continue;
        shell_quote(out, exe);
        fputs(" run ", out);
        shell_quote(out, sw->scen_path);
        fputs(" --db ", out);
        char db[PATH_MAX + 32];
        snprintf(db, sizeof(db), "%s/%s.db", jobdir, j->key);
        shell_quote(out, db);
        for (unsigned k = 0; k < sw->nsets; k++) {
            fputs(" --set ", out);
            shell_quote(out, sw->sets[k]);
        }
        sweep_point_assign(sw, j->point, assign);
        for (unsigned k = 0; k < sw->naxes; k++) {
            fputs(" --set ", out);
            shell_quote(out, assign[k]);
        }
        fprintf(out, " --seed %llu --quiet\n", (unsigned long long)j->seed);
    }
}

void sweep_free(struct sweep *sw)
{
    for (unsigned i = 0; i < sw->naxes; i++) {
        for (unsigned k = 0; k < sw->axes[i].nvals; k++)
            free(sw->axes[i].vals[k]);
        free(sw->axes[i].vals);
        free(sw->axes[i].key);
    }
    free(sw->axes);
    free(sw->jobs);
    memset(sw, 0, sizeof(*sw));
}

/* ---- merge ---- */

/* A run's identity in SQL: its run key, or for runs without one (replays)
 * everything that determines them. */
#define KEXPR(t)                                                                                  \
    "COALESCE(" t ".run_key, 'x' || " t ".kind || char(31) || " t ".scenario || char(31) || " t  \
    ".seed || char(31) || " t ".params || char(31) || " t ".version)"

struct names {
    char **v;
    size_t n;
    int oom;
};

static int collect_name(void *ctx, int ncol, const char *const *vals, const char *const *names)
{
    struct names *nm = ctx;
    if (ncol < 1 || !vals[0])
        return 0;
    char **nv = realloc(nm->v, (nm->n + 1) * sizeof(*nv));
    if (!nv || !(nv[nm->n] = strdup(vals[0]))) {
        if (nv)
            nm->v = nv;
        nm->oom = 1;
        return 1;
    }
    nm->v = nv;
    nm->n++;
    return 0;
}

static void names_free(struct names *nm)
{
    for (size_t i = 0; i < nm->n; i++)
        free(nm->v[i]);
    free(nm->v);
    memset(nm, 0, sizeof(*nm));
}

static int get_u64(void *ctx, int ncol, const char *const *vals, const char *const *names)
{
    *(uint64_t *)ctx = ncol > 0 && vals[0] ? strtoull(vals[0], NULL, 10) : 0;
    return 0;
}

/* INSERT INTO main.T (cols) SELECT remapped run id, the rest FROM e1k_src.T. */
static int copy_table(struct rec *out, struct sbuf *sql, const char *table, const char *idcol,
                      const char *joincol)
{
    struct names cols = { 0 };
    sb_reset(sql);
    sb_printf(sql, "SELECT name FROM pragma_table_info('%s', 'main') ORDER BY cid", table);
    int rc = sql->oom ? -1 : rec_query(out, sql->p, collect_name, &cols);
    if (rc || cols.oom || !cols.n) {
        names_free(&cols);
        return -1;
    }
    sb_reset(sql);
    sb_printf(sql, "INSERT INTO main.\"%s\" (", table);
    for (size_t i = 0; i < cols.n; i++)
        sb_printf(sql, "%s\"%s\"", i ? "," : "", cols.v[i]);
    sb_printf(sql, ") SELECT ");
    for (size_t i = 0; i < cols.n; i++) {
        if (!strcmp(cols.v[i], idcol))
            sb_printf(sql, "%sm.new_id", i ? "," : "");
        else
            sb_printf(sql, "%ss.\"%s\"", i ? "," : "", cols.v[i]);
    }
    sb_printf(sql,
              " FROM e1k_src.\"%s\" s JOIN temp.e1k_merge_map m ON s.\"%s\" = m.old_id"
              " ORDER BY m.new_id",
              table, joincol);
    names_free(&cols);
    return sql->oom ? -1 : rec_exec(out, sql->p);
}

int sweep_merge_file(struct rec *out, const char *out_path, const char *in,
                     struct merge_stats *ms, char *err, size_t errlen)
{
    memset(ms, 0, sizeof(*ms));
    struct stat si, so;
    if (stat(in, &si)) {
        snprintf(err, errlen, "%s: %s", in, strerror(errno));
        return -2;
    }
    if (!S_ISREG(si.st_mode)) {
        snprintf(err, errlen, "%s: not a file", in);
        return -2;
    }
    if (!stat(out_path, &so) && so.st_dev == si.st_dev && so.st_ino == si.st_ino) {
        snprintf(err, errlen, "%s: is the output file", in);
        return -2;
    }
    struct sbuf sql = { 0 };
    struct names tables = { 0 };
    int rc = -1, attached = 0, in_tx = 0;
    /* the recorder opens with URIs allowed: a relative "file:x" is a path here */
    sb_printf(&sql, "ATTACH DATABASE '%s", strncmp(in, "file:", 5) ? "" : "./");
    for (const char *p = in; *p; p++)
        sb_printf(&sql, "%s", *p == '\'' ? "''" : (char[2]){ *p, 0 });
    sb_printf(&sql, "' AS e1k_src");
    if (sql.oom || rec_exec(out, sql.p))
        goto sqlerr;
    attached = 1;
    uint64_t uv = 0, has_runs = 0;
    if (rec_query(out, "PRAGMA e1k_src.user_version", get_u64, &uv) ||
        rec_query(out,
                  "SELECT count(*) FROM e1k_src.sqlite_schema WHERE type = 'table' AND "
                  "name = 'runs'",
                  get_u64, &has_runs))
        goto sqlerr;
    if (uv != REC_SCHEMA_VERSION || !has_runs) {
        snprintf(err, errlen, "%s: not an e1ksim results file of schema version %d", in,
                 REC_SCHEMA_VERSION);
        rc = -2;
        goto out;
    }
    /* Every table with a run_id column follows its run. */
    if (rec_query(out,
                  "SELECT m.name FROM main.sqlite_schema m WHERE m.type = 'table' AND"
                  " m.name <> 'runs' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name, 'main')"
                  " p WHERE p.name = 'run_id') ORDER BY m.name",
                  collect_name, &tables) ||
        tables.oom)
        goto sqlerr;
    if (rec_exec(out, "BEGIN IMMEDIATE"))
        goto sqlerr;
    in_tx = 1;
    uint64_t total = 0;
    /* One candidate per identity in the input: its complete run if any. */
    if (rec_exec(out,
                 "DROP TABLE IF EXISTS temp.e1k_merge_pick;"
                 "DROP TABLE IF EXISTS temp.e1k_merge_doomed;"
                 "DROP TABLE IF EXISTS temp.e1k_merge_map;"
                 "CREATE TEMP TABLE e1k_merge_pick AS SELECT id AS old_id, k, status FROM ("
                 " SELECT r.id, " KEXPR("r") " AS k, r.status, ROW_NUMBER() OVER ("
                 "  PARTITION BY " KEXPR("r") " ORDER BY r.status = 'complete' DESC, r.id) AS rn"
                 " FROM e1k_src.runs r) WHERE rn = 1;"
                 /* a complete run in the output is never replaced */
                 "DELETE FROM temp.e1k_merge_pick WHERE k IN"
                 " (SELECT " KEXPR("r") " FROM main.runs r WHERE r.status = 'complete');"
                 /* an unfinished run replaces nothing */
                 "DELETE FROM temp.e1k_merge_pick WHERE status <> 'complete' AND k IN"
                 " (SELECT " KEXPR("r") " FROM main.runs r);"
                 /* what is left replaces the output's unfinished runs of its identity */
                 "CREATE TEMP TABLE e1k_merge_doomed AS SELECT r.id FROM main.runs r WHERE "
                 KEXPR("r") " IN (SELECT k FROM temp.e1k_merge_pick);") ||
        rec_query(out, "SELECT count(*) FROM e1k_src.runs", get_u64, &total) ||
        rec_query(out, "SELECT count(*) FROM temp.e1k_merge_pick", get_u64, &ms->added) ||
        rec_query(out, "SELECT count(*) FROM temp.e1k_merge_doomed", get_u64, &ms->replaced))
        goto sqlerr;
    ms->skipped = total - ms->added;
    for (size_t i = 0; i < tables.n; i++) {
        sb_reset(&sql);
        sb_printf(&sql,
                  "DELETE FROM main.\"%s\" WHERE run_id IN (SELECT id FROM temp.e1k_merge_doomed)",
                  tables.v[i]);
        if (sql.oom || rec_exec(out, sql.p))
            goto sqlerr;
    }
    if (rec_exec(out,
                 "DELETE FROM main.runs WHERE id IN (SELECT id FROM temp.e1k_merge_doomed);"
                 "CREATE TEMP TABLE e1k_merge_map AS SELECT old_id,"
                 " (SELECT COALESCE(MAX(id), 0) FROM main.runs) +"
                 " ROW_NUMBER() OVER (ORDER BY old_id) AS new_id FROM temp.e1k_merge_pick;") ||
        copy_table(out, &sql, "runs", "id", "id"))
        goto sqlerr;
    for (size_t i = 0; i < tables.n; i++)
        if (copy_table(out, &sql, tables.v[i], "run_id", "run_id"))
            goto sqlerr;
    if (rec_exec(out, "DROP TABLE temp.e1k_merge_pick; DROP TABLE temp.e1k_merge_doomed;"
                      " DROP TABLE temp.e1k_merge_map; COMMIT"))
        goto sqlerr;
    in_tx = 0;
    rc = 0;
    goto out;
sqlerr:
    snprintf(err, errlen, "%s", sql.oom || tables.oom ? "out of memory" : rec_error(out));
    rc = -1;
out:
    if (in_tx)
        rec_exec(out, "ROLLBACK");
    if (attached)
        rec_exec(out, "DETACH DATABASE e1k_src");
    names_free(&tables);
    free(sql.p);
    return rc;
}

/* ---- the local pool of worker processes ---- */

struct pmsg {
    uint32_t slot, done;
    uint64_t now, end, frames;
};

struct child_ctx {
    int fd;
    uint32_t slot;
    uint64_t last_ns;
};

static void child_progress(void *ctx, uint64_t now, uint64_t end, uint64_t frames)
{
    struct child_ctx *c = ctx;
    uint64_t t = progress_clock_ns();
    if (t - c->last_ns < CHILD_REPORT_NS)
        return;
    c->last_ns = t;
    struct pmsg m = { c->slot, 0, now, end, frames };
    if (write(c->fd, &m, sizeof(m)) < 0) {
        /* a full pipe loses a progress update, nothing else */
    }
}

static void on_sigchld(int sig) { (void)sig; }

/* The worker: one run into its own file, then _exit (the parent owns every
 * resource; nothing of it is touched or freed here). */
static void child_main(const struct sweep *sw, const struct sweep_job *j, const char *dbpath,
                       int fd, uint32_t slot, int report, volatile sig_atomic_t *stop)
{
    signal(SIGCHLD, SIG_DFL);
    struct scenario *s = malloc(sizeof(*s));
    char err[512];
    struct run_result res;
    memset(&res, 0, sizeof(res));
    int code = 2;
    if (!s) {
        fprintf(stderr, "e1ksim sweep: out of memory\n");
    } else if (sweep_job_scenario(sw, j, s, err, sizeof(err))) {
        fprintf(stderr, "e1ksim sweep: run %s: %s\n", j->key, err);
    } else {
        struct child_ctx cc = { fd, slot, 0 };
        struct run_opts ro = { .db = dbpath, .quiet = 1, .stop = stop };
        if (report) {
            ro.progress = child_progress;
            ro.progress_ctx = &cc;
        }
        if (run_scenario(s, &ro, &res, err, sizeof(err)))
            fprintf(stderr, "e1ksim sweep: run %s (seed %llu): %s\n", j->key,
                    (unsigned long long)j->seed, err);
        else
            code = res.complete ? 0 : 1;
    }
    struct pmsg m = { slot, 1, res.sim_time_ps, res.sim_time_ps,
                      res.rx_delivered + res.tx_sent };
    if (write(fd, &m, sizeof(m)) < 0) {
        /* the parent also notices the exit without it */
    }
    _exit(code);
}

struct slot {
    pid_t pid;
    size_t job;
    struct pmsg last;
};

static void job_db_path(char *buf, size_t n, const char *dir, const struct sweep_job *j)
{
    snprintf(buf, n, "%s/%s.db", dir, j->key);
}

static void unlink_db(const char *path)
{
    char aux[PATH_MAX + 16];
    unlink(path);
    snprintf(aux, sizeof(aux), "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof(aux), "%s-shm", path);
    unlink(aux);
    snprintf(aux, sizeof(aux), "%s-journal", path);
    unlink(aux);
}

int sweep_run_local(struct sweep *sw, struct rec *out, const char *db, unsigned workers,
                    int quiet, volatile sig_atomic_t *stop, struct sweep_stats *st, char *err,
                    size_t errlen)
{
    memset(st, 0, sizeof(*st));
    size_t todo = sw->njobs - sw->ndone;
    if (!todo)
        return 0;
    if (!workers)
        workers = 1;
    if (workers > todo)
        workers = (unsigned)todo;
    char tmpdir[PATH_MAX];
    if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s.sweep-XXXXXX", db) >= sizeof(tmpdir) - 24) {
        snprintf(err, errlen, "%s: path too long", db);
        return -1;
    }
    if (!mkdtemp(tmpdir)) {
        snprintf(err, errlen, "%s: cannot create a directory: %s", tmpdir, strerror(errno));
        return -1;
    }
    int pfd[2];
    if (pipe(pfd)) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        rmdir(tmpdir);
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(pfd[i], F_SETFL, fcntl(pfd[i], F_GETFL) | O_NONBLOCK);
        fcntl(pfd[i], F_SETFD, FD_CLOEXEC);
    }
    struct sigaction sa, old_chld;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigchld; /* wakes poll() when a worker ends */
    sigaction(SIGCHLD, &sa, &old_chld);

    struct progress pg;
    progress_init(&pg, quiet);
    struct slot *slots = calloc(workers, sizeof(*slots));
    if (!slots) {
        snprintf(err, errlen, "out of memory");
        close(pfd[0]);
        close(pfd[1]);
        rmdir(tmpdir);
        sigaction(SIGCHLD, &old_chld, NULL);
        return -1;
    }
    size_t next = 0;
    unsigned running = 0;
    int fatal = 0, forwarded = 0;
    uint64_t frames_done = 0, sim_done = 0;
    char dbpath[PATH_MAX + 32];
    while (running || (next < sw->njobs && !*stop && !fatal)) {
        /* start workers on free slots */
        while (running < workers && !*stop && !fatal) {
            while (next < sw->njobs && sw->jobs[next].done)
                next++;
            if (next == sw->njobs)
                break;
            unsigned k = 0;
            while (slots[k].pid)
                k++;
            struct sweep_job *j = &sw->jobs[next];
            job_db_path(dbpath, sizeof(dbpath), tmpdir, j);
            unlink_db(dbpath);
            fflush(stdout);
            fflush(stderr);
            pid_t pid = fork();
            if (pid < 0) {
                snprintf(err, errlen, "fork: %s", strerror(errno));
                fatal = 1;
                break;
            }
            if (pid == 0) {
                close(pfd[0]);
                child_main(sw, j, dbpath, pfd[1], k, pg.enabled, stop);
            }
            memset(&slots[k], 0, sizeof(slots[k]));
            slots[k].pid = pid;
            slots[k].job = next++;
            running++;
        }
        if (*stop && !forwarded) {
            for (unsigned k = 0; k < workers; k++)
                if (slots[k].pid)
                    kill(slots[k].pid, SIGTERM);
            forwarded = 1;
        }
        if (!running)
            break;
        struct pollfd pf = { pfd[0], POLLIN, 0 };
        poll(&pf, 1, 100);
        struct pmsg m;
        while (read(pfd[0], &m, sizeof(m)) == (ssize_t)sizeof(m))
            if (m.slot < workers && slots[m.slot].pid)
                slots[m.slot].last = m;
        /* reap finished workers, merge their files */
        for (unsigned k = 0; k < workers; k++) {
            if (!slots[k].pid)
                continue;
            int status;
            pid_t r = waitpid(slots[k].pid, &status, WNOHANG);
            if (r == 0 || (r < 0 && errno == EINTR))
                continue;
            struct sweep_job *j = &sw->jobs[slots[k].job];
            slots[k].pid = 0;
            running--;
            st->ran++;
            int ok = r > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (r > 0 && WIFSIGNALED(status))
                fprintf(stderr, "e1ksim sweep: run %s (seed %llu) killed by signal %d\n", j->key,
                        (unsigned long long)j->seed, WTERMSIG(status));
            frames_done += slots[k].last.frames;
            sim_done += slots[k].last.now;
            job_db_path(dbpath, sizeof(dbpath), tmpdir, j);
            struct merge_stats ms;
            char merr[512];
            int mrc = access(dbpath, F_OK) ? -2
                                           : sweep_merge_file(out, db, dbpath, &ms, merr,
                                                              sizeof(merr));
            if (mrc == -1) {
                /* keep the file for a manual 'e1ksim merge' */
                snprintf(err, errlen, "%s (unmerged results left in %s)", merr, tmpdir);
                fatal = 1;
                *stop = 1;
            } else {
                unlink_db(dbpath);
            }
            if (ok && mrc == 0) {
                st->complete++;
                j->done = 1;
            } else if (!*stop || !WIFEXITED(status) || WEXITSTATUS(status) != 1) {
                st->failed++; /* an interrupted run is not a failure */
            }
        }
        if (progress_due(&pg)) {
            double frac = (double)(st->complete + st->failed);
            uint64_t frames = frames_done, sim = sim_done;
            for (unsigned k = 0; k < workers; k++)
                if (slots[k].pid) {
                    const struct pmsg *l = &slots[k].last;
                    frames += l->frames;
                    sim += l->now;
                    if (l->end && l->end != UINT64_MAX && l->now < l->end)
                        frac += (double)l->now / (double)l->end;
                }
            double el = progress_elapsed(&pg);
            double rate = el > 0 ? frac / el : 0;
            char eta[32] = "?";
            if (rate > 0)
                progress_fmt_secs(((double)todo - frac) / rate, eta, sizeof(eta));
            progress_draw(&pg, "sweep: %zu/%zu runs, ETA %s%s, %u running, %.1f runs/s, "
                               "sim %.3f s, %llu frames",
                          st->complete + st->failed, todo, eta, *stop ? " (stopping)" : "",
                          running, rate, (double)sim / 1e12, (unsigned long long)frames);
        }
    }
    progress_clear(&pg);
    if (*stop && !fatal)
        for (size_t i = 0; i < sw->njobs && !st->interrupted; i++)
            st->interrupted = !sw->jobs[i].done;
    free(slots);
    close(pfd[0]);
    close(pfd[1]);
    sigaction(SIGCHLD, &old_chld, NULL);
    if (!fatal)
        rmdir(tmpdir);
    return fatal ? -1 : 0;
}
