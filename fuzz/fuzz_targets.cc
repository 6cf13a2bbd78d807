#include "fuzz_targets.h"

#include <cstdio>
#include <cstdlib>

#include "absl/strings/match.h"
#include "cli/json_input.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "salestrack/event_error.h"
#include "salestrack/v1/log_service.pb.h"
#include "salestrack/validation.h"

namespace salestrack::fuzz {
namespace {

// A fixed clock, so an input behaves the same on every run: 2027-01-15T08:00:00Z.
const absl::Time kNow = absl::FromUnixSeconds(1800000000);

[[noreturn]] void Broken(const char* property, const std::string& detail) {
  std::fprintf(stderr, "fuzz property broken: %s\n%s\n", property, detail.c_str());
  std::abort();
}

#define FUZZ_CHECK(cond, detail)        \
  do {                                  \
    if (!(cond)) Broken(#cond, detail); \
  } while (0)

bool Same(const v1::Event& a, const v1::Event& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// A valid event must come back from JSON (export, then import) and from its bytes (the log) as the
// same event, and stay valid.
void CheckRoundTrips(const v1::Event& event) {
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  std::string json;
  FUZZ_CHECK(google::protobuf::util::MessageToJsonString(event, &json, print).ok(),
             event.DebugString());
  v1::Event from_json;
  absl::Status parsed = cli::ParseEventLine(json, /*records=*/false, kNow, &from_json);
  FUZZ_CHECK(parsed.ok(), json + "\n" + std::string(parsed.message()));
  FUZZ_CHECK(Same(event, from_json), json);

  std::string bytes = event.SerializeAsString();
  v1::Event from_bytes;
  FUZZ_CHECK(from_bytes.ParseFromString(bytes), event.DebugString());
  FUZZ_CHECK(Same(event, from_bytes), event.DebugString());
}

// protobuf logs every string field with invalid UTF-8 it refuses to parse: noise at fuzzing speed.
[[maybe_unused]] const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

}  // namespace

void EventDecoder(const uint8_t* data, size_t size) {
  v1::AppendRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return;
  ValidationOptions options;
  options.max_batch_events = 16;  // Small, so the limit is reached by fuzzed inputs.
  const absl::Status batch = ValidateBatch(request.events(), kNow, options);
  int first_bad = -1;
  for (int i = 0; i < request.events_size(); ++i) {
    std::optional<FieldProblem> p = ValidateEvent(request.events(i), kNow, options);
    if (p) {
      FUZZ_CHECK(!p->reason.empty(), request.events(i).DebugString());
      if (first_bad < 0) first_bad = i;
    } else {
      CheckRoundTrips(request.events(i));
    }
  }
  const bool too_many = request.events_size() > static_cast<int>(options.max_batch_events);
  const bool expect_ok = request.events_size() > 0 && !too_many && first_bad < 0;
  FUZZ_CHECK(batch.ok() == expect_ok, batch.ToString());
  if (batch.ok()) return;
  // Too many events: RESOURCE_EXHAUSTED with the split as its hint; anything else is the events'.
  if (too_many) {
    FUZZ_CHECK(batch.code() == absl::StatusCode::kResourceExhausted, batch.ToString());
    FUZZ_CHECK(MaxBatchEventsHint(batch) == options.max_batch_events, batch.ToString());
  } else {
    FUZZ_CHECK(batch.code() == absl::StatusCode::kInvalidArgument, batch.ToString());
    FUZZ_CHECK(!MaxBatchEventsHint(batch).has_value(), batch.ToString());
  }
  std::optional<EventErrorLocation> where = GetEventErrorLocation(batch);
  FUZZ_CHECK(where.has_value(), batch.ToString());
  if (request.events_size() > 0 && !too_many) {
    FUZZ_CHECK(where->event_index == first_bad, batch.ToString());
    FUZZ_CHECK(absl::StartsWith(batch.message(), "events["), batch.ToString());
  }
}

void CliJson(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (bool records : {false, true}) {
    v1::Event event;
    absl::Status s = cli::ParseEventLine(text, records, kNow, &event);
    if (!s.ok()) {
      FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument, s.ToString());
      FUZZ_CHECK(!s.message().empty(), text);
      continue;
    }
    FUZZ_CHECK(!ValidateEvent(event, kNow, ValidationOptions()).has_value(), text);
    CheckRoundTrips(event);
  }
}

const std::vector<Target>& Targets() {
  static const auto* targets =
      new std::vector<Target>{{"event_decoder", &EventDecoder}, {"cli_json", &CliJson}};
  return *targets;
}

}  // namespace salestrack::fuzz
