// The server streams over HTTP, one request thread each (civetweb's thread per connection): a
// board subscription (SubscribeLeaderboard; written by the BoardFanout's thread when it can reach
// the socket) and a log read (ReadEvents), written to a StreamWriter (Connect envelopes or
// Server-Sent Events, http_server.cc).
//
// Each loops until its stream ends and returns how: OK (a read reached its end), the engine's
// refusal or UNAVAILABLE when the daemon shuts down (the engine closes the streams; `stopping`
// ends them too), CANCELLED when the client is gone (a write or a heartbeat failed). An idle
// stream sends a heartbeat every `heartbeat`, so a dead peer frees its thread within about that
// time.
#ifndef SALESTRACK_HTTP_STREAMS_H_
#define SALESTRACK_HTTP_STREAMS_H_

#include <atomic>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "http/board_fanout.h"
#include "http/method_table.h"

namespace salestrack::http {

// `fanout` (may be null) writes the stream when it can reach the connection's socket; the calling
// thread then only waits for the end.
absl::Status StreamBoard(engine::Engine* engine, const Principal& who,
                         const v1::SubscribeLeaderboardRequest& request, StreamWriter* writer,
                         absl::Duration heartbeat, const std::atomic<bool>* stopping,
                         BoardFanout* fanout);

absl::Status StreamEvents(engine::Engine* engine, const Principal& who,
                          const v1::ReadEventsRequest& request, StreamWriter* writer,
                          absl::Duration heartbeat, const std::atomic<bool>* stopping);

}  // namespace salestrack::http

#endif  // SALESTRACK_HTTP_STREAMS_H_
