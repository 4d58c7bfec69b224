/* Run benchmark (not a test): on the same pcap of N 64-byte frames (60 +
 * FCS), measures in one go
 *   (a) the floor: reading the pcap with libpcap and copying every frame,
 *   (b) a full run at line rate (1.488 Mpps offered at 1 Gb/s) with the
 *       Linux-like driver and `summary` recording,
 *   (c) the same with `packets` recording,
 *   (d) inserting as many rows of the packets table's shape into SQLite with
 *       nothing else,
 * and prints frames/s for each, the ratios b/a and c/d, the real-time factor
 * of (b), and the peak RSS of (b) and (c). Each measurement runs in its own
 * child process so that its peak RSS is its own.
 *
 * usage: bench_run [FRAMES] [--keep DIR]     (default 2000000, files in /tmp;
 *        with --keep, the pcap and databases stay in DIR)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pcapio.h"
#include "recorder.h"
#include "run.h"
#include "scenario.h"

static double host_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int make_pcap(const char *path, uint64_t frames)
{
    char err[256];
    struct pcapout *o;
    if (pcapout_open(path, &o, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    uint8_t f[60] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00, 0x45 };
    for (uint64_t k = 0; k < frames; k++) {
        memcpy(f + 50, &k, 8);
        pcapout_write(o, f, sizeof(f), k * 672000ull); /* 672 ns apart: line rate */
    }
    return pcapout_close(o, err, sizeof(err));
}

/* (a): read and copy. */
static double bench_floor(const char *path, uint64_t *frames)
{
    char err[256];
    struct pcapin *in;
    if (pcapin_open(path, &in, err, sizeof(err)))
        return -1;
    static uint8_t buf[65536];
    const uint8_t *d;
    uint32_t cap, len;
    uint64_t ns, n = 0, sink = 0;
    double t0 = host_seconds();
    while (pcapin_next(in, &d, &cap, &len, &ns, err, sizeof(err)) == 1) {
        memcpy(buf, d, cap);
        sink += buf[cap - 1];
        n++;
    }
    double dt = host_seconds() - t0;
    pcapin_close(in);
    *frames = n + (sink & 0);
    return dt;
}

/* (b), (c): a run at line rate. */
static double bench_run(const char *pcap, const char *db, int packets, uint64_t frames,
                        uint64_t *delivered, double *sim_s)
{
    struct scenario s;
    scen_defaults(&s);
    char err[512];
    snprintf(s.name, sizeof(s.name), "bench");
    s.traffic.rx.source = SCEN_SRC_PCAP;
    snprintf(s.traffic.rx.pcap, sizeof(s.traffic.rx.pcap), "%s", pcap);
    s.traffic.rx.pcap_timing = SCEN_PT_LINE;
    s.duration_ps = (frames * 672000ull) + 1000000000ull;
    s.record.level = packets ? SCEN_LEVEL_PACKETS : SCEN_LEVEL_SUMMARY;
    snprintf(s.record.db, sizeof(s.record.db), "%s", db);
    struct run_opts o = { .quiet = 1 };
    struct run_result r;
    double t0 = host_seconds();
    if (run_scenario(&s, &o, &r, err, sizeof(err))) {
        fprintf(stderr, "bench run: %s\n", err);
        return -1;
    }
    double dt = host_seconds() - t0;
    *delivered = r.rx_delivered + r.rx_dropped;
    *sim_s = (double)r.measured_ps / 1e12;
    return dt;
}

/* (d): the same rows into SQLite, nothing else. */
static double bench_sqlite(const char *db, uint64_t frames)
{
    char err[256];
    struct rec *r;
    if (rec_open(db, &r, err, sizeof(err)))
        return -1;
    int64_t run;
    rec_run_begin(r, "bench", "rows", 0, "{}", &run);
    double t0 = host_seconds();
    for (uint64_t k = 0; k < frames; k++) {
        struct rec_packet p = { .dir = 0, .id = k, .len = 60, .t_offer = k * 672000,
                                .t_mac = k * 672000 + 600000, .t_dma = k * 672000 + 2000000,
                                .t_wb = k * 672000 + 2100000, .t_irq = k * 672000 + 2200000,
                                .t_handler = k * 672000 + 4000000,
                                .t_done = k * 672000 + 5000000, .t_queued = REC_NONE,
                                .t_doorbell = REC_NONE, .t_fetch = REC_NONE, .t_wire = REC_NONE };
        if (rec_packet(r, run, &p)) {
            fprintf(stderr, "%s\n", rec_error(r));
            return -1;
        }
    }
    rec_run_end(r, run, "complete", 0, 0);
    int rc = rec_close(r);
    double dt = host_seconds() - t0;
    return rc ? -1 : dt;
}

struct result {
    double seconds;
    uint64_t frames;
    double sim_s;
    long rss_kb;
};

/* Run one measurement in a child; its figures come back through a pipe. */
static int measure(int which, const char *pcap, const char *dir, uint64_t n, struct result *out)
{
    int fd[2];
    if (pipe(fd))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        struct result r = { 0 };
        char db[200];
        snprintf(db, sizeof(db), "%.180s/bench-%d.db", dir, which);
        unlink(db);
        if (which == 0)
            r.seconds = bench_floor(pcap, &r.frames);
        else if (which == 1 || which == 2)
            r.seconds = bench_run(pcap, db, which == 2, n, &r.frames, &r.sim_s);
        else {
            r.seconds = bench_sqlite(db, n);
            r.frames = n;
        }
        if (write(fd[1], &r, sizeof(r)) != sizeof(r))
            _exit(1);
        _exit(r.seconds < 0);
    }
    close(fd[1]);
    struct rusage ru;
    int st;
    if (wait4(pid, &st, 0, &ru) < 0 || read(fd[0], out, sizeof(*out)) != sizeof(*out)) {
        close(fd[0]);
        return -1;
    }
    close(fd[0]);
    out->rss_kb = ru.ru_maxrss;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    uint64_t n = 2000000;
    const char *dir = "/tmp";
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--keep") && i + 1 < argc)
            dir = argv[++i], keep = 1;
        else
            n = strtoull(argv[i], NULL, 10);
    }
    char pcap[200];
    snprintf(pcap, sizeof(pcap), "%.150s/bench-%llu.pcap", dir, (unsigned long long)n);
    printf("run benchmark: %llu frames of 64 bytes, pcap %s\n", (unsigned long long)n, pcap);
    if (make_pcap(pcap, n))
        return 1;
    static const char *const names[] = { "(a) pcap read + copy (floor)",
                                         "(b) full run, summary recording",
                                         "(c) full run, packets recording",
                                         "(d) SQLite rows alone" };
    struct result r[4];
    for (int w = 0; w < 4; w++) {
        if (measure(w, pcap, dir, n, &r[w])) {
            fprintf(stderr, "measurement %s failed\n", names[w]);
            return 1;
        }
        printf("  %-34s %10.0f frames/s  (%.2f s, peak RSS %ld KiB)\n", names[w],
               (double)r[w].frames / r[w].seconds, r[w].seconds, r[w].rss_kb);
    }
    double fa = (double)r[0].frames / r[0].seconds, fb = (double)r[1].frames / r[1].seconds;
    double fc = (double)r[2].frames / r[2].seconds, fd = (double)r[3].frames / r[3].seconds;
    printf("  b/a = %.3f (target >= 0.25: at most 4x slower than the floor)\n", fb / fa);
    printf("  c/d = %.3f (target >= 0.60)\n", fc / fd);
    printf("  real-time factor of (b): %.2fx (%.3f s simulated in %.2f s; target >= 2)\n",
           r[1].sim_s / r[1].seconds, r[1].sim_s, r[1].seconds);
    printf("  peak RSS: (b) %ld KiB, (c) %ld KiB (target < 65536 KiB at 10M frames)\n",
           r[1].rss_kb, r[2].rss_kb);
    if (!keep)
        unlink(pcap);
    return 0;
}
