// Shared by the operations tests (backup, export/import, auth, limits): a realistic history and a
// fingerprint of every figure the daemon serves for it.
#ifndef SALESTRACK_TESTS_OPS_FIXTURE_H_
#define SALESTRACK_TESTS_OPS_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "salestrack/v1/events.pb.h"
#include "salestrack/v1/log_service.grpc.pb.h"

namespace salestrack::testing {

// An org (company > team-east, team-west; six reps) and then `activity` events in October and
// November 2026: visits and calls with follow-ups, opportunities through stages to won or lost,
// contracts with installments, payments, feedback and a few voids. Every event is valid, and the
// whole history is accepted when appended in order. Deterministic. Activity step i is at minute
// 53 * i after October 1st, so at most kMaxOpsActivity steps stay before 2026-11-20: the daemon
// refuses events in its future, and these tests run on the real clock.
inline constexpr int kMaxOpsActivity = 1350;
std::vector<v1::Event> OpsHistory(int activity);

// The reps, units and periods OpsHistory's figures are asked for.
inline const std::vector<std::string> kOpsReps = {"rep-0", "rep-1", "rep-2",
                                                  "rep-3", "rep-4", "rep-5"};
inline const std::vector<std::string> kOpsUnits = {"company", "team-east", "team-west"};

// Appends `events` in order in batches of `batch`; fails the test on any error.
void AppendAll(v1::LogService::Stub& stub, const std::vector<v1::Event>& events, int batch = 100);

// Every figure the daemon serves for OpsHistory's reps and units: GetKpis for each subject and for
// November 2026 (month), 2026-Q4 and the ISO week of 2026-11-09, GetFunnel for the month and
// ListFollowUps for Oct-Dec, as text. The wall-clock fields (as_of) are cleared, so two daemons
// with the same log give the same string. The seq each answer reflects is kept.
std::string Figures(const std::shared_ptr<grpc::Channel>& channel);

}  // namespace salestrack::testing

#endif  // SALESTRACK_TESTS_OPS_FIXTURE_H_
