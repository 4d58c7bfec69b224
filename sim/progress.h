/* Progress display for long runs and sweeps: one line on stderr, redrawn in
 * place at most every PROGRESS_INTERVAL_MS of host time. Silent unless
 * stderr is a terminal (and not --quiet). The host's monotonic clock is used
 * here and only here: for the display, never for anything that is recorded. */
#ifndef E1K_PROGRESS_H
#define E1K_PROGRESS_H

#include <stdint.h>

#define PROGRESS_INTERVAL_MS 250

struct progress {
    int enabled;
    int drawn;              /* a line is on the screen */
    uint64_t start_ns;      /* host monotonic clock at progress_init */
    uint64_t last_ns;       /* last redraw */
    int cols;               /* terminal width */
    uint64_t sim0_ps, host0_ns; /* progress_run_hook: where the measured period began */
};

/* Host monotonic time in nanoseconds (display only). */
uint64_t progress_clock_ns(void);
/* Enabled when !quiet and stderr is a terminal. */
void progress_init(struct progress *p, int quiet);
/* 1 when a redraw is due (enabled and PROGRESS_INTERVAL_MS since the last);
 * cheap enough to call every simulated millisecond. */
int progress_due(struct progress *p);
/* Replace the line with printf-formatted text (cut to the terminal width). */
void progress_draw(struct progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Erase the line (before other output and at the end). */
void progress_clear(struct progress *p);
/* Seconds of host time since progress_init. */
double progress_elapsed(const struct progress *p);
/* "1.5 s", "2 min 05 s", "1 h 02 min" into buf. */
const char *progress_fmt_secs(double s, char *buf, unsigned n);

/* A ready-made run_opts.progress hook for a single run; ctx is a struct
 * progress. Shows simulated time against the end of the measured period,
 * frames, simulation speed and the remaining host time. */
void progress_run_hook(void *ctx, uint64_t now_ps, uint64_t end_ps, uint64_t frames);

#endif
