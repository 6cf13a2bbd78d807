#include "server/server.h"

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "prometheus/exposer.h"
#include "salestrack/status_macros.h"
#include "server/reflection_v1.h"
#include "spdlog/spdlog.h"

namespace salestrack::server {

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                      const Clock* clock) {
  std::unique_ptr<Server> server(new Server());
  server->metrics_ = std::make_unique<Metrics>();
  ASSIGN_OR_RETURN(server->engine_, engine::Engine::Open(EngineOptionsOf(options), clock,
                                                         {.sequencer = server->metrics_.get(),
                                                          .reads = server->metrics_.get()}));
  if (!server->engine_->auth_enabled()) {
    spdlog::warn(
        "event=auth_off listen={} msg=\"!!! AUTHENTICATION IS OFF (--insecure_no_auth): "
        "anyone who can reach the port may read and write everything as admin. For "
        "development only. !!!\"",
        options.listen_address);
  }
  server->stall_watch_ = std::make_unique<StallWatch>(options.stalled_stream_timeout);
  server->log_service_ = std::make_unique<LogServiceImpl>(
      server->engine_.get(), server->metrics_.get(), server->stall_watch_.get(),
      LogServiceOptions{.max_stream_in_flight = options.max_stream_in_flight,
                        .max_stream_bytes = options.max_stream_bytes});

  grpc::EnableDefaultHealthCheckService(true);
  // Reflection: gRPC's v1alpha service and ours for v1 (reflection_v1.h). Both describe services
  // from the generated descriptor pool; health.proto is compiled into salestrack_proto so that
  // grpc.health.v1.Health is in it, and this reference keeps its object file in the link.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> credentials,
                   MakeServerCredentials(options));
  grpc::ServerBuilder builder;
  // gRPC sets SO_REUSEPORT by default, so a second daemon on a busy port would start and take half
  // the calls into another data directory. Without it the bind fails and the start stops.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetOption(std::make_unique<ReflectionV1Option>());
  builder.AddListeningPort(options.listen_address, credentials, &server->port_);
  server->kpi_service_ =
      std::make_unique<KpiServiceImpl>(server->engine_.get(), server->metrics_.get());
  server->admin_service_ =
      std::make_unique<AdminServiceImpl>(server->engine_.get(), server->metrics_.get());
  server->leaderboard_service_ = std::make_unique<LeaderboardServiceImpl>(
      server->engine_.get(), server->metrics_.get(), server->stall_watch_.get());
  for (grpc::Service* service : std::initializer_list<grpc::Service*>{
           server->leaderboard_service_.get(), server->log_service_.get(),
           server->kpi_service_.get(), server->admin_service_.get()}) {
    // Every method parses its own requests (raw_call.h); one left to gRPC's typed handlers would
    // answer bad bytes with UNIMPLEMENTED.
    if (service->has_synchronous_methods() || service->has_async_methods() ||
        service->has_generic_methods()) {
      return absl::InternalError("a service has a method not served raw (raw_call.h)");
    }
    builder.RegisterService(service);
  }
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_request_bytes));
  // gRPC's own buffers for requests not yet read. With BDP probing gRPC grows a stream's
  // flow-control window to what the link carries (tens of MiB on a fast one), and buffers that much
  // for a client whatever the daemon reads; fixed windows bound it per stream.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES,
                             static_cast<int>(options.stream_window_bytes));
  if (options.grpc_memory_bytes > 0) {
    // And in total: past it gRPC shrinks windows, then refuses work (see config.proto).
    grpc::ResourceQuota quota("salestrackd");
    quota.Resize(options.grpc_memory_bytes);
    builder.SetResourceQuota(quota);
  }
  server->grpc_server_ = builder.BuildAndStart();
  if (!server->grpc_server_ || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen_address,
                     ": the address is in use (another salestrackd?) or is not a local address"));
  }
  server->metrics_->SetSources({.store = &server->engine_->store(),
                                .sequencer = &server->engine_->sequencer(),
                                .boards = &server->engine_->boards(),
                                .log_followers = &server->engine_->log_followers()});
  if (!options.metrics_listen_address.empty()) {
    absl::StatusOr<std::unique_ptr<prometheus::Exposer>> endpoint =
        server->metrics_->Serve(options.metrics_listen_address);
    if (!endpoint.ok()) {
      server->Shutdown(absl::ZeroDuration());
      return endpoint.status();
    }
    server->metrics_endpoint_ = *std::move(endpoint);
    std::vector<int> ports = server->metrics_endpoint_->GetListeningPorts();
    server->metrics_port_ = ports.empty() ? 0 : ports.front();
    spdlog::info("event=metrics_serving address={} port={} path=/metrics",
                 options.metrics_listen_address, server->metrics_port_);
  }
  if (!options.http.listen_address.empty()) {
    Metrics* metrics = server->metrics_.get();
    absl::StatusOr<std::unique_ptr<http::HttpServer>> front = http::HttpServer::Start(
        options.http, server->engine_.get(),
        {.stats = [metrics] { return metrics->Stats(); },
         .append_answered =
             [metrics](size_t events, const absl::StatusOr<store::AppendResult>& result) {
               metrics->AppendAnswered(events, result);
             }},
        metrics->registry());
    if (!front.ok()) {
      server->Shutdown(absl::ZeroDuration());
      return front.status();
    }
    server->http_server_ = *std::move(front);
  }
  server->grpc_server_->GetHealthCheckService()->SetServingStatus(true);
  spdlog::info("event=serving port={} data_dir={} head_seq={} time_zone={} transport={} auth={}",
               server->port_, options.data_dir, server->engine_->store().head_at_open(),
               server->engine_->zone_name(),
               options.tls_cert_file.empty()        ? "plaintext"
               : options.tls_client_ca_file.empty() ? "tls"
                                                    : "mutual_tls",
               server->engine_->auth_enabled() ? "keys" : "off");
  return server;
}

Server::~Server() { Shutdown(); }

void Server::Shutdown(absl::Duration grace) {
  // A Start() that failed part-way has no gRPC server; its members clean up on their own.
  if (shut_down_ || grpc_server_ == nullptr) return;
  shut_down_ = true;
  spdlog::info("event=shutting_down msg=\"finishing in-flight commits\"");
  grpc_server_->GetHealthCheckService()->SetServingStatus(false);
  // Live streams end first (with UNAVAILABLE and where to resume), so only appends and unary calls
  // are left for the grace period.
  engine_->CloseStreams();
  stall_watch_->EndAll();  // AppendStreams end once answered, rather than wait out the grace.
  // HTTP's streams end with the engine's; its unary calls (appends too) finish while the writer
  // still commits.
  if (http_server_ != nullptr) http_server_->Stop();
  grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  engine_->StopWriter();
  store::SequencerStats stats = engine_->sequencer().stats();
  metrics_endpoint_.reset();
  metrics_->ClearSources();
  grpc_server_.reset();
  http_server_.reset();
  engine_.reset();
  spdlog::info("event=shut_down commits={} events_written={}", stats.commits, stats.events_written);
}

}  // namespace salestrack::server
