// A software prefetch, which Swift has no spelling for: a hint that starts a cache-line load and retires at once,
// so that a look-up's cache misses can overlap other work instead of stalling it.
#ifndef DNSIGHT_PREFETCH_H
#define DNSIGHT_PREFETCH_H

static inline __attribute__((always_inline)) void dnsight_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
