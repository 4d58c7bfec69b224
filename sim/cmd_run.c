/* e1ksim run: run a scenario and record it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progress.h"
#include "run.h"
#include "scenario.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

void help_run(void)
{
    printf("usage: e1ksim run SCENARIO [--db FILE] [--set KEY=VALUE]... [--seed N]\n"
           "                 [--strict] [--quiet]\n"
           "       e1ksim run --list-keys [--markdown]\n\n"
           "Runs a scenario (YAML, see docs/scenario.md): the 82540EM model with the\n"
           "simulated Linux e1000 (or poll-mode) driver, traffic from a generator or a\n"
           "pcap, in simulated time. Appends a run to the SQLite results file and prints\n"
           "a summary: frames, drops, interrupts/s, latency percentiles, VM exits per\n"
           "frame.\n\n"
           "  --db FILE      results file (default: the scenario's record.db, results.db)\n"
           "  --set K=V      override a scenario key, e.g. --set driver.itr=3\n"
           "  --seed N       same as --set seed=N\n"
           "  --strict       anomalies (nonsense the guest programmed) fail the run\n"
           "  --quiet        print nothing but errors\n"
           "  --list-keys    print every scenario key with its default and unit\n\n"
           "SIGINT/SIGTERM stop the run at the next event boundary; what was recorded is\n"
           "committed and the run is marked incomplete.\n"
           "Exit status: 0 ok, 1 failed (--strict with anomalies, interrupted, or an error while\n"
           "running such as a full disk), 2 bad input.\n");
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, 0, 'd' },    { "set", required_argument, 0, 's' },
        { "seed", required_argument, 0, 'S' },  { "strict", no_argument, 0, 'x' },
        { "quiet", no_argument, 0, 'q' },       { "list-keys", no_argument, 0, 'k' },
        { "markdown", no_argument, 0, 'm' },    { 0, 0, 0, 0 },
    };
    const char *db = NULL;
    const char *sets[256];
    int nsets = 0, strict = 0, quiet = 0, list = 0, md = 0, c;
    char seedset[64] = "";
    while ((c = cli_getopt("run", argc, argv, "", opts)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 's':
            if (nsets == 256)
                return cli_usage_error("run", "too many --set options");
            sets[nsets++] = optarg;
            break;
        case 'S': snprintf(seedset, sizeof(seedset), "seed=%s", optarg); break;
        case 'x': strict = 1; break;
        case 'q': quiet = 1; break;
        case 'k': list = 1; break;
        case 'm': md = 1; break;
        default: return CLI_USAGE;
        }
    }
    if (list) {
        scen_print_keys(md);
        return CLI_OK;
    }
    if (optind != argc - 1)
        return cli_usage_error("run", optind >= argc ? "needs a scenario file"
                                                     : "takes one scenario file");
    struct scenario s;
    char err[512];
    scen_defaults(&s);
    if (scen_load(argv[optind], &s, err, sizeof(err))) {
        fprintf(stderr, "e1ksim run: %s\n", err);
        return CLI_USAGE;
    }
    for (int i = 0; i < nsets; i++)
        if (scen_set(&s, sets[i], err, sizeof(err))) {
            fprintf(stderr, "e1ksim run: %s\n", err);
            return CLI_USAGE;
        }
    if (seedset[0] && scen_set(&s, seedset, err, sizeof(err))) {
        fprintf(stderr, "e1ksim run: %s\n", err);
        return CLI_USAGE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct run_opts ro = { .db = db, .quiet = quiet, .strict = strict, .stop = &stop_requested };
    struct progress pg;
    progress_init(&pg, quiet);
    ro.progress = progress_run_hook;
    ro.progress_ctx = &pg;
    struct run_result r;
    int rrc = run_scenario(&s, &ro, &r, err, sizeof(err));
    progress_clear(&pg);
    if (rrc) {
        fprintf(stderr, "e1ksim run: %s\n", err);
        /* bad input (scenario, pcap, database) is 2; a run that failed
         * while running (disk full, a bad pcap record mid-way) is 1 */
        return r.started ? CLI_FAIL : CLI_USAGE;
    }
    const char *where = db ? db : s.record.db;
    if (!quiet) {
        printf("%s: %s, seed %llu, %.3f s measured after link-up at %.3f s%s\n", s.name,
               s.path, (unsigned long long)s.seed, (double)r.measured_ps / 1e12,
               (double)r.traffic_start_ps / 1e12, r.complete ? "" : " (INTERRUPTED)");
        printf("  rx: %llu offered, %llu delivered, %llu dropped, %llu filtered\n",
               (unsigned long long)r.rx_offered, (unsigned long long)r.rx_delivered,
               (unsigned long long)r.rx_dropped, (unsigned long long)r.rx_filtered);
        printf("  tx: %llu offered, %llu on the wire, %llu dropped by the stack queue\n",
               (unsigned long long)r.tx_offered, (unsigned long long)r.tx_sent,
               (unsigned long long)r.tx_dropped);
        printf("  interrupts: %llu (%.0f/s, %.3f per frame); VM exits per frame %.2f; "
               "guest CPU busy %.1f%%\n",
               (unsigned long long)r.interrupts, r.irq_per_s, r.irq_per_frame,
               r.exits_per_frame, 100.0 * r.cpu_busy);
        if (r.lat_frames)
            printf("  rx latency (us): p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  "
                   "(%llu frames)\n",
                   r.lat_ns[0] / 1000, r.lat_ns[1] / 1000, r.lat_ns[2] / 1000,
                   r.lat_ns[3] / 1000, r.lat_ns[4] / 1000, (unsigned long long)r.lat_frames);
        printf("  anomalies: %llu\n", (unsigned long long)r.anomalies);
        if (where && where[0])
            printf("results: %s (run %lld; sqlite3 %s 'select * from run_percentiles')\n", where,
                   (long long)r.run_id, where);
    }
    if (!r.complete)
        return CLI_FAIL;
    if (strict && r.anomalies) {
        fprintf(stderr, "e1ksim run: %llu anomalies recorded (--strict)\n",
                (unsigned long long)r.anomalies);
        return CLI_FAIL;
    }
    return CLI_OK;
}
