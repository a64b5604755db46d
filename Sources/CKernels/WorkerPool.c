// A small pool of persistent helper threads for the single-image forward (issue 16): the UI asks for one
// reconstruction per mouse motion, ~0.5 ms of work cut into a handful of parts per layer, seven layers in a
// row. Waking a thread per part (DispatchQueue.concurrentPerform) costs tens of microseconds each time; here
// the helpers stay alive, spin for `spin_ns` after each job (the next layer's job follows within microseconds)
// and only then sleep on a condition variable.
//
// Items are handed out one at a time from one atomic word (generation | item count | next item), so a helper
// that wakes late (asleep, or descheduled because training holds the other core) simply takes fewer items and
// the caller does the rest: the job never waits for a helper that has not started. A helper owns an item only
// through a compare-and-swap on the word of that generation, so a late helper can never take an item of the
// next job by mistake, and the job's function and context cannot change while it runs an item (the caller
// waits for every item of a generation to be done before it publishes the next).
#include "CKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_PAUSE() _mm_pause()
#else
#define CK_PAUSE() ((void)0)
#endif

// word = generation << 32 | items << 16 | next
#define CK_GEN(w) ((uint32_t)((w) >> 32))
#define CK_ITEMS(w) ((int)(((w) >> 16) & 0xffff))
#define CK_NEXT(w) ((int)((w) & 0xffff))

struct ck_pool {
    int helpers;
    long spin_ns;
    pthread_t *threads;
    _Atomic uint64_t word;
    _Atomic int done;
    _Atomic int sleepers;
    _Atomic int stop;
    /// 1 while a caller is inside ck_pool_run: a second caller at the same time runs its items alone.
    _Atomic int busy;
    ck_pool_task task;  // written by the caller before the word is published, read after a helper owns an item
    void *context;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    /// Items each thread ran (index 0: the caller), for tests and the benchmark.
    _Atomic long *ran;
};

typedef struct {
    ck_pool *pool;
    int index;
} ck_helper_start;

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

/// Takes and runs items of the generation in `w` until none is left.
static void run_items(ck_pool *pool, uint64_t w, int worker) {
    const uint32_t gen = CK_GEN(w);
    while (CK_GEN(w) == gen && CK_NEXT(w) < CK_ITEMS(w)) {
        if (atomic_compare_exchange_weak_explicit(&pool->word, &w, w + 1, memory_order_acq_rel, memory_order_acquire)) {
            pool->task(pool->context, CK_NEXT(w), worker);
            atomic_fetch_add_explicit(&pool->ran[worker], 1, memory_order_relaxed);
            atomic_fetch_add_explicit(&pool->done, 1, memory_order_release);
            w = atomic_load_explicit(&pool->word, memory_order_acquire);
        }
        // on failure w holds the current word
    }
}

static void *helper_main(void *argument) {
    ck_helper_start start = *(ck_helper_start *)argument;
    free(argument);
    ck_pool *pool = start.pool;
    uint32_t seen = CK_GEN(atomic_load(&pool->word));
    for (;;) {
        uint64_t w = atomic_load_explicit(&pool->word, memory_order_acquire);
        if (CK_GEN(w) == seen && pool->spin_ns > 0) {
            const long until = now_ns() + pool->spin_ns;
            for (int i = 1; CK_GEN(w) == seen && !atomic_load_explicit(&pool->stop, memory_order_relaxed); i++) {
                CK_PAUSE();
                w = atomic_load_explicit(&pool->word, memory_order_acquire);
                if ((i & 63) == 0 && now_ns() > until) break;
            }
        }
        if (CK_GEN(w) == seen) {
            pthread_mutex_lock(&pool->lock);
            atomic_fetch_add(&pool->sleepers, 1);  // seq_cst, paired with the caller's store of the word
            while (CK_GEN(w = atomic_load(&pool->word)) == seen && !atomic_load(&pool->stop))
                pthread_cond_wait(&pool->wake, &pool->lock);
            atomic_fetch_sub(&pool->sleepers, 1);
            pthread_mutex_unlock(&pool->lock);
        }
        if (atomic_load(&pool->stop)) return NULL;
        seen = CK_GEN(w);
        run_items(pool, w, start.index);
    }
}

ck_pool *ck_pool_create(int helpers, long spin_ns) {
    if (helpers < 0 || helpers > 64) return NULL;
    ck_pool *pool = calloc(1, sizeof(ck_pool));
    if (!pool) return NULL;
    pool->helpers = helpers;
    pool->spin_ns = spin_ns < 0 ? 0 : spin_ns;
    pool->ran = calloc((size_t)helpers + 1, sizeof(_Atomic long));
    pool->threads = calloc((size_t)(helpers > 0 ? helpers : 1), sizeof(pthread_t));
    atomic_init(&pool->word, 0);
    atomic_init(&pool->done, 0);
    atomic_init(&pool->sleepers, 0);
    atomic_init(&pool->stop, 0);
    atomic_init(&pool->busy, 0);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    if (!pool->ran || !pool->threads) {
        free(pool->ran);
        free(pool->threads);
        free(pool);
        return NULL;
    }
    for (int h = 0; h < helpers; h++) {
        ck_helper_start *start = malloc(sizeof(ck_helper_start));
        if (start) *start = (ck_helper_start){pool, h + 1};
        if (!start || pthread_create(&pool->threads[h], NULL, helper_main, start) != 0) {
            free(start);
            pool->helpers = h;  // the ones started are stopped and joined
            ck_pool_destroy(pool);
            return NULL;
        }
    }
    return pool;
}

void ck_pool_destroy(ck_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    atomic_store(&pool->stop, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (int h = 0; h < pool->helpers; h++) pthread_join(pool->threads[h], NULL);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->wake);
    free(pool->threads);
    free(pool->ran);
    free(pool);
}

int ck_pool_helpers(const ck_pool *pool) { return pool->helpers; }

long ck_pool_items_ran(ck_pool *pool, int worker) {
    return worker < 0 || worker > pool->helpers ? 0 : atomic_load(&pool->ran[worker]);
}

void ck_pool_run(ck_pool *pool, int items, ck_pool_task task, void *context) {
    if (items <= 0) return;
    if (pool->helpers == 0 || items == 1 || items > 0xffff || atomic_exchange(&pool->busy, 1)) {
        for (int i = 0; i < items; i++) task(context, i, 0);
        atomic_fetch_add_explicit(&pool->ran[0], items, memory_order_relaxed);
        return;
    }
    pool->task = task;
    pool->context = context;
    atomic_store_explicit(&pool->done, 0, memory_order_relaxed);
    const uint64_t old = atomic_load_explicit(&pool->word, memory_order_relaxed);
    const uint64_t w = ((uint64_t)(CK_GEN(old) + 1) << 32) | ((uint64_t)items << 16);
    atomic_store(&pool->word, w);  // seq_cst: publishes task, context and done = 0
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->lock);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->lock);
    }
    run_items(pool, w, 0);
    // Every item is taken; wait for the ones a helper still runs (at most one per helper). A helper that is
    // still running after ~2,000 pauses (tens of microseconds) was likely preempted on a busy machine: yield
    // the core rather than spin through the scheduler's slice, in case that helper waits for this very core.
    for (int i = 0; atomic_load_explicit(&pool->done, memory_order_acquire) < items; i++) {
        if (i < 2000) CK_PAUSE();
        else sched_yield();
    }
    atomic_store(&pool->busy, 0);
}
