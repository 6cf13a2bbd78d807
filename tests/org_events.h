// Org event builders and a checked append, shared by the end-to-end tests of boards and time.
#ifndef SALESTRACK_TESTS_ORG_EVENTS_H_
#define SALESTRACK_TESTS_ORG_EVENTS_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "salestrack/proto_time.h"
#include "salestrack/v1/log_service.grpc.pb.h"

namespace salestrack::testing {

inline absl::Time Utc(int y, int m, int d, int hh = 0, int mm = 0, int ss = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone());
}

// An event with only its id and occurred_at (2026-01-01T00:00Z) set.
inline v1::Event Org(const std::string& id, absl::Time at = Utc(2026, 1, 1)) {
  v1::Event e;
  e.set_event_id(id);
  *e.mutable_occurred_at() = ToProto(at);
  return e;
}

inline v1::Event UnitDef(const std::string& id, const std::string& parent,
                         absl::Time at = Utc(2026, 1, 1)) {
  v1::Event e = Org("unit-" + id, at);
  e.mutable_unit_defined()->set_unit_id(id);
  e.mutable_unit_defined()->set_name(id);
  e.mutable_unit_defined()->set_parent_unit_id(parent);
  return e;
}

inline v1::Event RepDef(const std::string& event_id, const std::string& id, const std::string& unit,
                        bool active, absl::Time at = Utc(2026, 1, 1)) {
  v1::Event e = Org(event_id, at);
  auto* r = e.mutable_rep_defined();
  r->set_rep_id(id);
  r->set_name(id);
  r->set_unit_id(unit);
  r->set_active(active);
  return e;
}

// Appends one batch and fails the test unless it is accepted; the batch's last seq.
inline uint64_t AppendOk(v1::LogService::Stub& stub, const std::vector<v1::Event>& events) {
  v1::AppendRequest request;
  for (const v1::Event& e : events) *request.add_events() = e;
  v1::AppendResponse response;
  grpc::ClientContext context;
  grpc::Status s = stub.Append(&context, request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message() << "\n" << request.DebugString();
  return response.seqs().empty() ? 0 : *response.seqs().rbegin();
}

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_ORG_EVENTS_H_
