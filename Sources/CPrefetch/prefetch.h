// A software prefetch, which Swift has no spelling for: a hint that starts a cache-line load and retires at once,
// so that a look-up's cache misses can overlap other work instead of stalling it.
#ifndef DNSIGHT_PREFETCH_H
#define DNSIGHT_PREFETCH_H

static inline __attribute__((always_inline)) void dnsight_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

// The same for an object of `bytes` bytes that may straddle two cache lines (an array element whose stride does not
// divide 64, or whose array storage is not 64-byte aligned): both lines start loading.
static inline __attribute__((always_inline)) void dnsight_prefetch_span(const void *address, unsigned long bytes) {
    __builtin_prefetch(address, 0, 3);
    __builtin_prefetch((const char *)address + bytes - 1, 0, 3);
}

#endif
