/* e1ksim sweep: run the Cartesian product of parameter grids. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "progress.h"
#include "recorder.h"
#include "sweep.h"

#define MAX_ARGS 256

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

void help_sweep(void)
{
    printf("usage: e1ksim sweep SCENARIO --grid KEY=V1,V2,... [--grid ...] --db OUT.db\n"
           "                   [--repeat N] [--jobs N] [--set KEY=VALUE]... [--seed N] [--quiet]\n"
           "       e1ksim sweep SCENARIO --grid ... --emit-jobs [--db OUT.db] [--job-dir DIR]\n\n"
           "Runs the scenario at every point of the Cartesian product of the grids, each\n"
           "point --repeat times, in --jobs worker processes, and leaves every run in\n"
           "OUT.db. A run's seed is derived from the base seed (the scenario's, or --seed)\n"
           "and the point: splitmix64(base ^ FNV-1a(sorted KEY=VALUE) ^ repeat index).\n"
           "Points whose run (same run key: scenario name, parameters, seed, version) is\n"
           "already complete in OUT.db are skipped, so a stopped sweep is resumed by\n"
           "running it again.\n\n"
           "  --grid K=V,...  an axis: a scenario key and its values (a comma inside a\n"
           "                  value is written \\,); give --grid once per axis\n"
           "  --repeat N      runs per point, each with its own seed (default 1)\n"
           "  --jobs N        worker processes (default: the number of CPUs)\n"
           "  --db FILE       results file (created if missing)\n"
           "  --set K=V       override a scenario key for every run\n"
           "  --seed N        base seed (default: the scenario's seed)\n"
           "  --emit-jobs     print one 'e1ksim run ... --db DIR/<runkey>.db' command per run\n"
           "                  still to do, for GNU parallel or a Slurm array\n"
           "                  (tools/sweep.sbatch); merge the files with 'e1ksim merge'\n"
           "  --job-dir DIR   where emitted jobs write (default: OUT.db.jobs; created)\n"
           "  --quiet         print nothing but errors (and no progress)\n\n"
           "Progress (runs done, frames, rate, ETA) is shown on stderr when it is a\n"
           "terminal. SIGINT/SIGTERM stop the workers at their next event boundary; what\n"
           "they recorded is kept as incomplete runs, which the next sweep replaces.\n"
           "See docs/sweeps.md.\n"
           "Exit status: 0 every run complete, 1 a run failed or the sweep was stopped,\n"
           "2 bad input.\n");
}

static int self_exe(char *buf, size_t n)
{
    ssize_t l = readlink("/proc/self/exe", buf, n - 1);
    if (l <= 0)
        return -1;
    buf[l] = 0;
    return 0;
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        { "grid", required_argument, 0, 'g' },  { "repeat", required_argument, 0, 'r' },
        { "jobs", required_argument, 0, 'j' },  { "db", required_argument, 0, 'd' },
        { "set", required_argument, 0, 's' },   { "seed", required_argument, 0, 'S' },
        { "quiet", no_argument, 0, 'q' },       { "emit-jobs", no_argument, 0, 'e' },
        { "job-dir", required_argument, 0, 'J' }, { 0, 0, 0, 0 },
    };
    const char *grids[MAX_ARGS], *sets[MAX_ARGS + 1];
    unsigned ngrids = 0, nsets = 0;
    const char *db = NULL, *jobdir = NULL;
    unsigned long repeat = 1, jobs = 0;
    int quiet = 0, emit = 0, c;
    char seedset[64] = "";
    char *end;
    while ((c = cli_getopt("sweep", argc, argv, "", opts)) != -1) {
        switch (c) {
        case 'g':
            if (ngrids == MAX_ARGS)
                return cli_usage_error("sweep", "too many --grid options");
            grids[ngrids++] = optarg;
            break;
        case 's':
            if (nsets == MAX_ARGS)
                return cli_usage_error("sweep", "too many --set options");
            sets[nsets++] = optarg;
            break;
        case 'r':
            errno = 0;
            repeat = strtoul(optarg, &end, 10);
            if (errno || *end || !*optarg || repeat < 1 || repeat > 1000000)
                return cli_usage_error("sweep", "--repeat: '%s' is not 1..1000000", optarg);
            break;
        case 'j':
            errno = 0;
            jobs = strtoul(optarg, &end, 10);
            if (errno || *end || !*optarg || jobs < 1 || jobs > 4096)
                return cli_usage_error("sweep", "--jobs: '%s' is not 1..4096", optarg);
            break;
        case 'S': snprintf(seedset, sizeof(seedset), "seed=%s", optarg); break;
        case 'd': db = optarg; break;
        case 'q': quiet = 1; break;
        case 'e': emit = 1; break;
        case 'J': jobdir = optarg; break;
        default: return CLI_USAGE;
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("sweep", optind >= argc ? "needs a scenario file"
                                                       : "takes one scenario file");
    if (!db && !(emit && jobdir))
        return cli_usage_error("sweep", emit ? "--emit-jobs needs --db or --job-dir"
                                             : "needs --db OUT.db");
    if (seedset[0])
        sets[nsets++] = seedset; /* the base seed, after every --set like 'run --seed' */
    if (!jobs) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = n > 0 ? (unsigned long)n : 1;
    }

    struct sweep sw;
    char err[PATH_MAX + 1024];
    int rc = CLI_USAGE;
    if (sweep_init(&sw, argv[optind], sets, nsets, err, sizeof(err)))
        goto out_err;
    sw.repeat = (unsigned)repeat;
    for (unsigned i = 0; i < ngrids; i++)
        if (sweep_add_grid(&sw, grids[i], err, sizeof(err)))
            goto out_err;
    if (sweep_plan(&sw, err, sizeof(err)))
        goto out_err;

    if (emit) {
        char exe[PATH_MAX], dir[PATH_MAX];
        if (self_exe(exe, sizeof(exe))) {
            snprintf(err, sizeof(err), "/proc/self/exe: %s", strerror(errno));
            rc = CLI_FAIL;
            goto out_err;
        }
        if (db && !access(db, F_OK)) {
            struct rec *r;
            if (rec_open_readonly(db, &r, err, sizeof(err)))
                goto out_err;
            int mrc = sweep_mark_done(&sw, r, err, sizeof(err));
            rec_close(r);
            if (mrc)
                goto out_err;
        }
        if (!jobdir) {
            snprintf(dir, sizeof(dir), "%s.jobs", db);
            jobdir = dir;
        }
        if (mkdir(jobdir, 0777) && errno != EEXIST) {
            snprintf(err, sizeof(err), "%s: cannot create: %s", jobdir, strerror(errno));
            goto out_err;
        }
        char *absdir = realpath(jobdir, NULL);
        if (!absdir) {
            snprintf(err, sizeof(err), "%s: %s", jobdir, strerror(errno));
            goto out_err;
        }
        sweep_emit_jobs(&sw, stdout, exe, absdir);
        free(absdir);
        if (fflush(stdout) || ferror(stdout)) {
            snprintf(err, sizeof(err), "cannot write the job list");
            rc = CLI_FAIL;
            goto out_err;
        }
        sweep_free(&sw);
        return CLI_OK;
    }

    struct rec *out;
    if (rec_open(db, &out, err, sizeof(err)))
        goto out_err;
    if (sweep_mark_done(&sw, out, err, sizeof(err))) {
        rec_close(out);
        rc = CLI_FAIL;
        goto out_err;
    }
    struct sigaction sa, oint, oterm;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &oint);
    sigaction(SIGTERM, &sa, &oterm);
    uint64_t t0 = progress_clock_ns(); /* for the summary line only */
    struct sweep_stats st;
    int lrc = sweep_run_local(&sw, out, db, (unsigned)jobs, quiet, &stop_requested, &st, err,
                              sizeof(err));
    double secs = (double)(progress_clock_ns() - t0) / 1e9;
    sigaction(SIGINT, &oint, NULL);
    sigaction(SIGTERM, &oterm, NULL);
    if (rec_close(out) && !lrc) {
        snprintf(err, sizeof(err), "%s: cannot commit the results", db);
        lrc = -1;
    }
    if (lrc) {
        rc = CLI_FAIL;
        goto out_err;
    }
    if (!quiet) {
        uint64_t points = sw.njobs / sw.repeat;
        printf("sweep: %llu point%s x %u repeat%s = %zu run%s: %zu already complete, %zu run "
               "(%zu complete, %zu failed)%s in %.1f s; results: %s\n",
               (unsigned long long)points, points == 1 ? "" : "s", sw.repeat,
               sw.repeat == 1 ? "" : "s", sw.njobs, sw.njobs == 1 ? "" : "s", sw.ndone, st.ran,
               st.complete, st.failed,
               st.interrupted ? ", STOPPED" : "", secs, db);
    }
    rc = st.failed || st.interrupted ? CLI_FAIL : CLI_OK;
    if (st.interrupted && quiet)
        fprintf(stderr, "e1ksim sweep: stopped; run it again to resume\n");
    sweep_free(&sw);
    return rc;
out_err:
    fprintf(stderr, "e1ksim sweep: %s\n", err);
    sweep_free(&sw);
    return rc;
}
