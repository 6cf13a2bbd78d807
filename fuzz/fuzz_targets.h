// salestrack's fuzz targets' entry functions, one per target. The libFuzzer mains in this directory
// (built by tools/fuzz.sh with clang and sanitizers) call them, and so does
// tests/fuzz_replay_test.cc, which replays every input under fuzz/corpus/<target>/ and
// fuzz/regressions/<target>/ in the normal (gcc) test suite. Each returns normally or aborts with a
// message naming the broken property.
//
//   event_decoder  bytes -> AppendRequest (the daemon's wire decoding) -> ValidateBatch /
//   ValidateEvent cli_json       one line of text -> ParseEventLine (salestrack append / import)
#ifndef SALESTRACK_FUZZ_FUZZ_TARGETS_H_
#define SALESTRACK_FUZZ_FUZZ_TARGETS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace salestrack::fuzz {

// Properties: ValidateBatch refuses exactly when the batch is empty, too large or has an event that
// ValidateEvent refuses, and then names that event and field; an accepted event survives the
// export/import path (JSON and back) and the log's encoding (bytes and back) unchanged and still
// valid.
void EventDecoder(const uint8_t* data, size_t size);

// Properties: for both plain Event lines and export (EventRecord) lines, an accepted line is a
// valid event that prints back to a line that parses to the same event; a refused line says why.
void CliJson(const uint8_t* data, size_t size);

struct Target {
  std::string name;  // The directory name under fuzz/corpus and fuzz/regressions.
  void (*run)(const uint8_t* data, size_t size);
};
const std::vector<Target>& Targets();

}  // namespace salestrack::fuzz

#endif  // SALESTRACK_FUZZ_FUZZ_TARGETS_H_
