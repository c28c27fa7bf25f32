// The daemon's heap gives back what a refused request used (issue 9, R-SEC-1).
// glibc keeps freed memory in its arenas for reuse: an 8 MiB body and the JSON
// tree parsed from it, freed, stayed in the daemon's RSS (335 MB → 1.08 GB after
// one request of unknown keys, and there it stayed).
#pragma once

#include <cstddef>

namespace cpshare::memory {

// Once, at daemon start: blocks of kDirectMapBytes or more (request bodies,
// responses) are mapped on their own and unmapped when freed. This fixes
// glibc's mmap threshold, which otherwise rises to the largest block freed
// (up to 32 MiB), after which such blocks stay in the heap.
inline constexpr std::size_t kDirectMapBytes = 256 * 1024;
void bound_heap_retention();

// Give the free pages of every arena back to the system (malloc_trim). Costs a
// walk of the heap: call it after work whose size was set by a client (a
// large request body), not after every request.
void release_freed();

}  // namespace cpshare::memory
