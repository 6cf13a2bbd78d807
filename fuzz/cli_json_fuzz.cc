// libFuzzer target: one JSON line of `salestrack append` / `import` (fuzz_targets.h).
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  salestrack::fuzz::CliJson(data, size);
  return 0;
}
