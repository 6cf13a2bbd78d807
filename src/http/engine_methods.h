// The v1 API over HTTP: one MethodTable line per method, each an adapter over the engine
// (engine/engine.h), which decides access, scope, validation and idempotency for every front door.
//
// Append runs the gRPC front door's way: the request's wire size is charged to the key's and the
// daemon's append budgets (append_budget.h) until it is answered, then it goes through the key's
// AppendAdmission to the writer, and the call waits for the commit. AppendStream is refused
// (UNIMPLEMENTED, naming Append): a browser's fetch cannot stream a request body over HTTP/1.1.
// SubscribeLeaderboard and ReadEvents are server streams (streams.h).
#ifndef SALESTRACK_HTTP_ENGINE_METHODS_H_
#define SALESTRACK_HTTP_ENGINE_METHODS_H_

#include <atomic>
#include <functional>

#include "absl/time/time.h"
#include "engine/engine.h"
#include "http/board_fanout.h"
#include "http/method_table.h"
#include "salestrack/v1/kpi_service.pb.h"

namespace salestrack::http {

struct EngineMethodsOptions {
  // AdminService.GetStats: the daemon's metrics, which the engine does not hold (null: the method
  // answers UNIMPLEMENTED).
  std::function<v1::GetStatsResponse()> stats;
  // Told of every append answered (the daemon's append metrics); may be empty.
  std::function<void(size_t events, const absl::StatusOr<store::AppendResult>& result)>
      append_answered;
  // How often an idle stream sends a heartbeat.
  absl::Duration heartbeat = absl::Seconds(15);
  // Set when the daemon shuts down: live streams end (UNAVAILABLE, naming where to resume).
  const std::atomic<bool>* stopping = nullptr;
  // Writes the board streams whose sockets it can reach (null: each by its request thread).
  BoardFanout* fanout = nullptr;
};

// Fills `table` with every method of the v1 services.
void AddEngineMethods(engine::Engine* engine, const EngineMethodsOptions& options,
                      MethodTable* table);

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_ENGINE_METHODS_H_
