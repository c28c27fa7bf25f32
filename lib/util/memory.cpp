#include "util/memory.hpp"

#include <malloc.h>

namespace cpshare::memory {

void bound_heap_retention() {
  // Setting either threshold turns off glibc's dynamic adjustment of both.
  ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(kDirectMapBytes));
  ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(2 * kDirectMapBytes));
}

void release_freed() { ::malloc_trim(0); }

}  // namespace cpshare::memory
