#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evq.h"
#include "rng.h"

/* A dispatch log shared by the handlers below. */
struct log {
    int ids[64];
    simtime_t times[64];
    int n;
};

struct tev {
    struct evq_event ev;
    int id;
    struct log *log;
};

static void log_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct tev *t = arg;
    t->log->ids[t->log->n] = t->id;
    t->log->times[t->log->n] = evq_now(q);
    t->log->n++;
}

static void tev_init(struct tev *t, int id, struct log *log)
{
    evq_event_init(&t->ev, log_fn, t);
    t->id = id;
    t->log = log;
}

static void test_evq_equal_time_in_schedule_order(void **state)
{
    struct evq *q = evq_new();
    struct log log = { 0 };
    struct tev t[10];
    for (int i = 0; i < 10; i++) {
        tev_init(&t[i], i, &log);
        assert_int_equal(evq_schedule(q, &t[i].ev, 1000, EVQ_PRIO_DEFAULT), 0);
    }
    assert_int_equal(evq_run_until_idle(q), 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(log.ids[i], i);
    assert_int_equal(evq_now(q), 1000);
    evq_free(q);
}

static void test_evq_time_then_priority(void **state)
{
    struct evq *q = evq_new();
    struct log log = { 0 };
    struct tev a, b, c, d;
    tev_init(&a, 1, &log);
    tev_init(&b, 2, &log);
    tev_init(&c, 3, &log);
    tev_init(&d, 4, &log);
    evq_schedule(q, &a.ev, 500, EVQ_PRIO_LOW);
    evq_schedule(q, &b.ev, 500, EVQ_PRIO_HIGH);
    evq_schedule(q, &c.ev, 100, EVQ_PRIO_LOW);
    evq_schedule(q, &d.ev, 500, EVQ_PRIO_DEFAULT);
    evq_run_until_idle(q);
    int want[] = { 3, 2, 4, 1 };
    assert_int_equal(log.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(log.ids[i], want[i]);
    evq_free(q);
}

static void test_evq_cancel(void **state)
{
    struct evq *q = evq_new();
    struct log log = { 0 };
    struct tev t[5];
    for (int i = 0; i < 5; i++) {
        tev_init(&t[i], i, &log);
        evq_schedule(q, &t[i].ev, 100 * (simtime_t)(i + 1), 0);
    }
    evq_cancel(q, &t[2].ev);
    evq_cancel(q, &t[2].ev); /* twice is harmless */
    evq_cancel(q, &t[0].ev);
    assert_false(evq_pending(&t[2].ev));
    assert_int_equal(evq_size(q), 3);
    evq_run_until_idle(q);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.ids[0], 1);
    assert_int_equal(log.ids[1], 3);
    assert_int_equal(log.ids[2], 4);
    evq_free(q);
}

static void test_evq_rearm(void **state)
{
    struct evq *q = evq_new();
    struct log log = { 0 };
    struct tev a, b;
    tev_init(&a, 1, &log);
    tev_init(&b, 2, &log);
    evq_schedule(q, &a.ev, 100, 0);
    evq_schedule(q, &b.ev, 200, 0);
    /* Re-arm a later, then earlier again: one pending instance, no leak. */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(evq_schedule(q, &a.ev, 300 + (simtime_t)i, 0), 0);
    assert_int_equal(evq_size(q), 2);
    assert_int_equal(evq_event_time(q, &a.ev), 1299);
    evq_schedule(q, &a.ev, 50, 0);
    evq_run_until_idle(q);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.ids[0], 1);
    assert_int_equal(log.times[0], 50);
    assert_int_equal(log.ids[1], 2);
    /* Re-arming at the same time moves it behind others scheduled since. */
    log.n = 0;
    evq_schedule(q, &a.ev, 400, 0);
    evq_schedule(q, &b.ev, 400, 0);
    evq_schedule(q, &a.ev, 400, 0);
    evq_run_until_idle(q);
    assert_int_equal(log.ids[0], 2);
    assert_int_equal(log.ids[1], 1);
    evq_free(q);
}

static void test_evq_past_rejected(void **state)
{
    struct evq *q = evq_new();
    struct log log = { 0 };
    struct tev a, b;
    tev_init(&a, 1, &log);
    tev_init(&b, 2, &log);
    evq_run_until(q, 1000);
    assert_int_equal(evq_now(q), 1000);
    assert_int_equal(evq_schedule(q, &a.ev, 999, 0), EVQ_EPAST);
    assert_false(evq_pending(&a.ev));
    assert_int_equal(evq_schedule(q, &a.ev, 1000, 0), EVQ_OK);
    /* A rejected re-arm leaves the pending event where it was. */
    assert_int_equal(evq_schedule(q, &a.ev, 5, 0), EVQ_EPAST);
    assert_int_equal(evq_event_time(q, &a.ev), 1000);
    assert_int_equal(evq_schedule(q, NULL, 2000, 0), EVQ_EINVAL);
    assert_int_equal(evq_schedule_in(q, &b.ev, SIMT_NEVER, 0), EVQ_OK);
    assert_int_equal(evq_event_time(q, &b.ev), SIMT_NEVER);
    evq_free(q);
}

struct stopper {
    struct evq_event ev;
    int count;
};

static void stop_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct stopper *s = arg;
    if (++s->count == 3)
        evq_stop(q);
    evq_schedule_in(q, ev, 10, 0);
}

static void test_evq_run_until_and_stop(void **state)
{
    struct evq *q = evq_new();
    struct stopper s = { .count = 0 };
    evq_event_init(&s.ev, stop_fn, &s);
    evq_schedule(q, &s.ev, 0, 0);
    /* Stops after the third handler (t=20) although more are due. */
    assert_int_equal(evq_run_until(q, 1000), 3);
    assert_int_equal(evq_now(q), 20);
    assert_true(evq_stopped(q));
    /* Continue: run_until dispatches t=30..100 and leaves the clock at 105. */
    assert_int_equal(evq_run_until(q, 105), 8);
    assert_int_equal(evq_now(q), 105);
    assert_int_equal(evq_next_time(q), 110);
    evq_cancel(q, &s.ev);
    assert_int_equal(evq_run_until_idle(q), 0);
    evq_free(q);
}

/* Randomised property test: a million schedule / cancel / re-arm / dispatch
 * operations on the heap, checked at every dispatch against a reference that
 * finds the minimum key by linear scan. */
#define NREF 200
struct refev {
    struct evq_event ev;
    int pending;
    simtime_t time;
    uint8_t prio;
    uint64_t seq;
    int fired;
};
static struct refev refs[NREF];
static int last_fired;

static void ref_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct refev *r = arg;
    last_fired = (int)(r - refs);
    r->fired++;
}

static void test_evq_property_million_ops(void **state)
{
    struct evq *q = evq_new();
    struct rng rg;
    rng_seed(&rg, 42);
    uint64_t seq = 0;
    memset(refs, 0, sizeof(refs));
    for (int i = 0; i < NREF; i++)
        evq_event_init(&refs[i].ev, ref_fn, &refs[i]);
    long ops = 0, dispatched = 0;
    for (ops = 0; ops < 1000000; ops++) {
        uint64_t op = rng_below(&rg, 10);
        int i = (int)rng_below(&rg, NREF);
        simtime_t now = evq_now(q);
        if (op < 5) { /* schedule or re-arm, sometimes at exactly now */
            simtime_t when = now + (rng_below(&rg, 4) ? rng_below(&rg, 1000) : 0);
            uint8_t prio = (uint8_t)rng_below(&rg, 3);
            assert_int_equal(evq_schedule(q, &refs[i].ev, when, prio), 0);
            refs[i].pending = 1;
            refs[i].time = when;
            refs[i].prio = prio;
            refs[i].seq = seq++;
        } else if (op < 6) { /* cancel */
            evq_cancel(q, &refs[i].ev);
            refs[i].pending = 0;
        } else if (op < 7 && now > 0) { /* past: must be rejected, no change */
            assert_int_equal(evq_schedule(q, &refs[i].ev, now - 1, 0), EVQ_EPAST);
        } else { /* dispatch one */
            int best = -1;
            for (int j = 0; j < NREF; j++) {
                if (!refs[j].pending)
                    continue;
                if (best < 0 || refs[j].time < refs[best].time ||
                    (refs[j].time == refs[best].time &&
                     (refs[j].prio < refs[best].prio ||
                      (refs[j].prio == refs[best].prio && refs[j].seq < refs[best].seq))))
                    best = j;
            }
            last_fired = -1;
            int ran = evq_step(q);
            assert_int_equal(ran, best >= 0);
            if (best >= 0) {
                assert_int_equal(last_fired, best);
                assert_int_equal(evq_now(q), refs[best].time);
                refs[best].pending = 0;
                dispatched++;
            }
        }
        if ((ops & 1023) == 0) {
            size_t n = 0;
            for (int j = 0; j < NREF; j++)
                n += refs[j].pending;
            assert_int_equal(evq_size(q), n);
        }
    }
    assert_true(dispatched > 100000);
    evq_free(q);
}

/* Determinism: a self-scheduling random workload run twice with the same
 * seed produces the same dispatch log; another seed a different one. */
struct dwork {
    struct evq_event ev[32];
    struct rng rg;
    uint64_t hash;
    uint64_t count;
};

static void dwork_fn(struct evq *q, struct evq_event *ev, void *arg)
{
    struct dwork *w = arg;
    uint64_t id = (uint64_t)(ev - w->ev);
    w->hash = (w->hash ^ (evq_now(q) * 31 + id)) * UINT64_C(0x100000001b3);
    w->count++;
    if (w->count < 200000) {
        struct evq_event *next = &w->ev[rng_below(&w->rg, 32)];
        evq_schedule_in(q, next, rng_below(&w->rg, 3) * 1000, (uint8_t)rng_below(&w->rg, 4));
        evq_schedule_in(q, ev, rng_below(&w->rg, 5000), 0);
    }
}

static uint64_t dwork_run(uint64_t seed)
{
    struct evq *q = evq_new();
    struct dwork *w = calloc(1, sizeof(*w));
    rng_seed(&w->rg, seed);
    w->hash = UINT64_C(0xcbf29ce484222325);
    for (int i = 0; i < 32; i++) {
        evq_event_init(&w->ev[i], dwork_fn, w);
        evq_schedule(q, &w->ev[i], 0, 0);
    }
    evq_run_until_idle(q);
    uint64_t h = w->hash ^ w->count;
    free(w);
    evq_free(q);
    return h;
}

static void test_evq_determinism(void **state)
{
    uint64_t a = dwork_run(7), b = dwork_run(7), c = dwork_run(8);
    assert_true(a == b);
    assert_true(a != c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_evq_equal_time_in_schedule_order),
        cmocka_unit_test(test_evq_time_then_priority),
        cmocka_unit_test(test_evq_cancel),
        cmocka_unit_test(test_evq_rearm),
        cmocka_unit_test(test_evq_past_rejected),
        cmocka_unit_test(test_evq_run_until_and_stop),
        cmocka_unit_test(test_evq_property_million_ops),
        cmocka_unit_test(test_evq_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
