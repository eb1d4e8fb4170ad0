#include "common/cpu_affinity.h"

#include <sched.h>

#include <algorithm>

namespace auralink {

bool PinToCurrentCore() {
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  CPU_SET(std::max(0, sched_getcpu()), &cpus);
  return sched_setaffinity(0, sizeof(cpus), &cpus) == 0;
}

}  // namespace auralink
