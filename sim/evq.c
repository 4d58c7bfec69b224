#include "evq.h"

#include <stdlib.h>

/* One heap slot: the full ordering key inline, so sifting compares without
 * touching the events themselves. k2 packs priority (high 8 bits) and the
 * scheduling sequence number (low 56 bits). */
struct slot {
    simtime_t time;
    uint64_t k2;
    struct evq_event *ev;
};

struct evq {
    struct slot *heap;
    size_t n, cap;
    simtime_t now;
    uint64_t seq;
    uint64_t dispatched;
    int stop;
    int depth; /* run_* calls in progress (a handler may run time forward) */
};

#define SEQ_MASK ((UINT64_C(1) << 56) - 1)

static inline int slot_less(const struct slot *a, const struct slot *b)
{
    return a->time < b->time || (a->time == b->time && a->k2 < b->k2);
}

struct evq *evq_new(void)
{
    struct evq *q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->cap = 64;
    q->heap = malloc(q->cap * sizeof(*q->heap));
    if (!q->heap) {
        free(q);
        return NULL;
    }
    return q;
}

void evq_free(struct evq *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n; i++)
        q->heap[i].ev->heap_idx = 0;
    free(q->heap);
    free(q);
}

simtime_t evq_now(const struct evq *q) { return q->now; }
size_t evq_size(const struct evq *q) { return q->n; }
uint64_t evq_dispatched(const struct evq *q) { return q->dispatched; }
void evq_stop(struct evq *q) { q->stop = 1; }
int evq_stopped(const struct evq *q) { return q->stop; }

simtime_t evq_next_time(const struct evq *q)
{
    return q->n ? q->heap[0].time : SIMT_NEVER;
}

simtime_t evq_event_time(const struct evq *q, const struct evq_event *ev)
{
    return ev->heap_idx ? q->heap[ev->heap_idx - 1].time : SIMT_NEVER;
}

static inline void place(struct evq *q, size_t i, struct slot s)
{
    q->heap[i] = s;
    s.ev->heap_idx = (uint32_t)(i + 1);
}

static void sift_up(struct evq *q, size_t i, struct slot s)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!slot_less(&s, &q->heap[p]))
            break;
        place(q, i, q->heap[p]);
        i = p;
    }
    place(q, i, s);
}

static void sift_down(struct evq *q, size_t i, struct slot s)
{
    size_t n = q->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && slot_less(&q->heap[c + 1], &q->heap[c]))
            c++;
        if (!slot_less(&q->heap[c], &s))
            break;
        place(q, i, q->heap[c]);
        i = c;
    }
    place(q, i, s);
}

/* Remove the slot at index i, keeping the heap ordered. */
static void heap_remove(struct evq *q, size_t i)
{
    struct evq_event *ev = q->heap[i].ev;
    q->n--;
    if (i != q->n) {
        struct slot last = q->heap[q->n];
        if (i > 0 && slot_less(&last, &q->heap[(i - 1) / 2]))
            sift_up(q, i, last);
        else
            sift_down(q, i, last);
    }
    ev->heap_idx = 0;
}

void evq_cancel(struct evq *q, struct evq_event *ev)
{
    if (ev->heap_idx)
        heap_remove(q, ev->heap_idx - 1);
}

int evq_schedule(struct evq *q, struct evq_event *ev, simtime_t when, uint8_t prio)
{
    if (!ev || !ev->fn)
        return EVQ_EINVAL;
    if (when < q->now)
        return EVQ_EPAST;
    if (!ev->heap_idx && q->n == q->cap) {
        if (q->cap >= UINT32_MAX / 2)
            return EVQ_ENOMEM;
        size_t ncap = q->cap * 2;
        struct slot *nh = realloc(q->heap, ncap * sizeof(*nh));
        if (!nh)
            return EVQ_ENOMEM;
        q->heap = nh;
        q->cap = ncap;
    }
    ev->prio = prio;
    struct slot s = { when, ((uint64_t)prio << 56) | (q->seq++ & SEQ_MASK), ev };
    if (ev->heap_idx) {
        /* Re-arm in place: a new key, then restore order in either direction. */
        size_t i = ev->heap_idx - 1;
        if (i > 0 && slot_less(&s, &q->heap[(i - 1) / 2]))
            sift_up(q, i, s);
        else
            sift_down(q, i, s);
    } else {
        sift_up(q, q->n++, s);
    }
    return EVQ_OK;
}

int evq_schedule_in(struct evq *q, struct evq_event *ev, simtime_t delay, uint8_t prio)
{
    return evq_schedule(q, ev, simt_add(q->now, delay), prio);
}

static inline void dispatch_top(struct evq *q)
{
    struct slot top = q->heap[0];
    q->n--;
    if (q->n)
        sift_down(q, 0, q->heap[q->n]);
    top.ev->heap_idx = 0;
    q->now = top.time;
    q->dispatched++;
    top.ev->fn(q, top.ev, top.ev->arg);
}

int evq_step(struct evq *q)
{
    if (!q->n)
        return 0;
    dispatch_top(q);
    return 1;
}

/* A handler may itself call evq_run_until to let time pass while it waits
 * (the simulated driver's udelay/msleep during probe): the nested call runs
 * the events due meanwhile. A stop request survives nesting: only the
 * outermost call clears it on entry. */
uint64_t evq_run_until(struct evq *q, simtime_t until)
{
    uint64_t k = 0;
    if (q->depth++ == 0)
        q->stop = 0;
    while (q->n && q->heap[0].time <= until && !q->stop) {
        dispatch_top(q);
        k++;
    }
    if (!q->stop && until > q->now)
        q->now = until;
    q->depth--;
    return k;
}

uint64_t evq_run_until_idle(struct evq *q)
{
    uint64_t k = 0;
    if (q->depth++ == 0)
        q->stop = 0;
    while (q->n && !q->stop) {
        dispatch_top(q);
        k++;
    }
    q->depth--;
    return k;
}

int evq_depth(const struct evq *q) { return q->depth; }
