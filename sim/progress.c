#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

uint64_t progress_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void progress_init(struct progress *p, int quiet)
{
    memset(p, 0, sizeof(*p));
    p->enabled = !quiet && isatty(STDERR_FILENO);
    if (!p->enabled)
        return;
    struct winsize ws;
    p->cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
    p->start_ns = progress_clock_ns();
}

int progress_due(struct progress *p)
{
    if (!p->enabled)
        return 0;
    uint64_t now = progress_clock_ns();
    if (p->drawn && now - p->last_ns < PROGRESS_INTERVAL_MS * 1000000ull)
        return 0;
    p->last_ns = now;
    return 1;
}

void progress_draw(struct progress *p, const char *fmt, ...)
{
    if (!p->enabled)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    /* one line, never wrapping: the carriage return must reach its start */
    size_t max = p->cols > 1 ? (size_t)p->cols - 1 : 79;
    if (max < sizeof(line))
        line[max] = 0;
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    p->drawn = 1;
}

void progress_clear(struct progress *p)
{
    if (!p->enabled || !p->drawn)
        return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = 0;
}

double progress_elapsed(const struct progress *p)
{
    return p->enabled ? (double)(progress_clock_ns() - p->start_ns) / 1e9 : 0;
}

const char *progress_fmt_secs(double s, char *buf, unsigned n)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(buf, n, "%.1f s", s);
    else if (s < 3600)
        snprintf(buf, n, "%u min %02u s", (unsigned)(s / 60), (unsigned)s % 60);
    else
        snprintf(buf, n, "%u h %02u min", (unsigned)(s / 3600), (unsigned)(s / 60) % 60);
    return buf;
}

void progress_run_hook(void *ctx, uint64_t now_ps, uint64_t end_ps, uint64_t frames)
{
    struct progress *p = ctx;
    if (!progress_due(p))
        return;
    if (end_ps == UINT64_MAX) {
        progress_draw(p, "run: sim %.3f s, waiting for the link", (double)now_ps / 1e12);
        return;
    }
    uint64_t host = progress_clock_ns();
    if (!p->host0_ns) {
        p->host0_ns = host;
        p->sim0_ps = now_ps;
    }
    double dt = (double)(host - p->host0_ns) / 1e9;
    double rate = dt > 0 ? (double)(now_ps - p->sim0_ps) / 1e9 / dt : 0; /* sim ms per s */
    char eta[32] = "?";
    if (end_ps <= now_ps)
        snprintf(eta, sizeof(eta), "draining");
    else if (rate > 0)
        progress_fmt_secs((double)(end_ps - now_ps) / 1e9 / rate, eta, sizeof(eta));
    progress_draw(p, "run: sim %.3f of %.3f s, ETA %s, %.1f sim ms/s, %llu frames",
                  (double)now_ps / 1e12, (double)end_ps / 1e12, eta, rate,
                  (unsigned long long)frames);
}
