/* Deterministic discrete-event queue.
 *
 * Events are keyed by (time, priority, sequence). `sequence` is taken from a
 * counter when an event is scheduled, so events with equal time and priority
 * run in the order they were scheduled, and a run is reproducible bit for bit.
 *
 * Events are intrusive: the caller owns a `struct evq_event` (usually embedded
 * in a component) and may schedule, cancel and re-arm it any number of times
 * without allocation. A binary min-heap in an array holds the pending ones.
 */
#ifndef E1K_EVQ_H
#define E1K_EVQ_H

#include <stddef.h>
#include <stdint.h>

#include "simtime.h"

struct evq;
struct evq_event;

typedef void (*evq_fn)(struct evq *q, struct evq_event *ev, void *arg);

struct evq_event {
    evq_fn fn;
    void *arg;
    uint32_t heap_idx; /* index in the heap + 1; 0 when not pending */
    uint8_t prio;
};

/* Lower priority values run first among events at the same time. */
enum {
    EVQ_PRIO_HIGH = 0,
    EVQ_PRIO_DEVICE = 64,
    EVQ_PRIO_DEFAULT = 128,
    EVQ_PRIO_GUEST = 192,
    EVQ_PRIO_LOW = 255,
};

enum evq_err {
    EVQ_OK = 0,
    EVQ_EPAST = -1,    /* scheduling before the current time */
    EVQ_ENOMEM = -2,
    EVQ_EINVAL = -3,
};

struct evq *evq_new(void);
void evq_free(struct evq *q);

static inline void evq_event_init(struct evq_event *ev, evq_fn fn, void *arg)
{
    ev->fn = fn;
    ev->arg = arg;
    ev->heap_idx = 0;
    ev->prio = EVQ_PRIO_DEFAULT;
}

simtime_t evq_now(const struct evq *q);

/* Schedule `ev` at absolute time `when` with priority `prio`. An event that is
 * already pending is re-armed (moved). Returns EVQ_EPAST when `when` is before
 * the current time: nothing is changed then. */
int evq_schedule(struct evq *q, struct evq_event *ev, simtime_t when, uint8_t prio);
/* Schedule `delay` picoseconds from now (saturating). */
int evq_schedule_in(struct evq *q, struct evq_event *ev, simtime_t delay, uint8_t prio);
/* Cancel a pending event; harmless when it is not pending. */
void evq_cancel(struct evq *q, struct evq_event *ev);

static inline int evq_pending(const struct evq_event *ev) { return ev->heap_idx != 0; }
/* Time of a pending event, SIMT_NEVER when not pending. */
simtime_t evq_event_time(const struct evq *q, const struct evq_event *ev);

size_t evq_size(const struct evq *q);
/* Time of the earliest pending event, SIMT_NEVER when empty. */
simtime_t evq_next_time(const struct evq *q);

/* Dispatch events with time <= `until` in key order, then advance the clock
 * to `until` (unless stopped first). Returns the number dispatched. */
uint64_t evq_run_until(struct evq *q, simtime_t until);
/* Dispatch until no event is pending (or stopped). */
uint64_t evq_run_until_idle(struct evq *q);
/* Dispatch exactly one event if any; returns 1 when one ran. */
int evq_step(struct evq *q);
/* From a handler: make the current run_* call return after this handler. */
void evq_stop(struct evq *q);
int evq_stopped(const struct evq *q);
/* How many run_* calls are in progress (1 inside a handler, 2+ when a
 * handler is itself letting time pass). */
int evq_depth(const struct evq *q);

/* Total events dispatched since creation. */
uint64_t evq_dispatched(const struct evq *q);

#endif
