// libFuzzer target: the daemon's decoding and validation of an append request (fuzz_targets.h).
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  salestrack::fuzz::EventDecoder(data, size);
  return 0;
}
