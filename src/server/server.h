// Server: a running salestrackd: the engine (engine/engine.h: the data directory, the single
// writer, the views and boards, access) behind the gRPC services (LogService, KpiService,
// AdminService, LeaderboardService, grpc.health.v1.Health, server reflection v1 and v1alpha) on one
// listening port, the HTTP/JSON front door (http/http_server.h) on another when configured, and
// the Prometheus metrics.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Server> server, Server::Start(options, RealClock::Get()));
//   ...                        // serve until told to stop
//   server->Shutdown();        // graceful: see below
#ifndef SALESTRACK_SERVER_SERVER_H_
#define SALESTRACK_SERVER_SERVER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "grpcpp/grpcpp.h"
#include "http/http_server.h"
#include "notify/notifier.h"
#include "salestrack/clock.h"
#include "server/config.h"
#include "server/kpi_service.h"
#include "server/leaderboard_service.h"
#include "server/log_service.h"
#include "server/metrics.h"
#include "server/stall_watch.h"

namespace salestrack::server {

class Server {
 public:
  // Opens the data directory and starts serving. Fails with a clear message if the directory is of
  // another format, or the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                       const Clock* clock);
  ~Server();  // Shutdown()s.

  // The bound port (useful with listen address "127.0.0.1:0").
  int port() const { return port_; }
  // The Prometheus endpoint's bound port; 0 without one.
  int metrics_port() const { return metrics_port_; }
  // The HTTP front door's bound port; 0 without one (http_listen_address unset).
  int http_port() const { return http_server_ == nullptr ? 0 : http_server_->port(); }
  // The live leaderboards (for stats and tests).
  const engine::BoardHub& boards() const { return engine_->boards(); }

  // Graceful shutdown: reports NOT_SERVING, ends live ReadEvents and SubscribeLeaderboard streams
  // with UNAVAILABLE (they carry where to resume from), stops accepting calls, lets in-flight
  // appends commit (up to `grace`, then cancels what is left), stops the writer and closes RocksDB.
  // Idempotent.
  void Shutdown(absl::Duration grace = absl::Seconds(10));

 private:
  Server() = default;

  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<prometheus::Exposer> metrics_endpoint_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<notify::Notifier> notifier_;  // Null without notify_rules.
  std::unique_ptr<StallWatch> stall_watch_;
  std::unique_ptr<LogServiceImpl> log_service_;
  std::unique_ptr<LeaderboardServiceImpl> leaderboard_service_;
  std::unique_ptr<KpiServiceImpl> kpi_service_;
  std::unique_ptr<AdminServiceImpl> admin_service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  std::unique_ptr<http::HttpServer> http_server_;
  int port_ = 0;
  int metrics_port_ = 0;
  bool shut_down_ = false;
};

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_SERVER_H_
