// ServerOptions: everything salestrackd is told at start-up. Only main() reads flags and the config
// file; every module receives this typed struct.
#ifndef SALESTRACK_SERVER_CONFIG_H_
#define SALESTRACK_SERVER_CONFIG_H_

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "engine/options.h"
#include "grpcpp/security/server_credentials.h"
#include "http/http_server.h"
#include "notify/config.h"
#include "salestrack/v1/config.pb.h"

namespace salestrack::server {

struct ServerOptions {
  std::string listen_address = "127.0.0.1:7411";
  std::string data_dir = "./salestrack-data";
  // The org time zone asked for. Without one (time_zone_given false), the data directory's stored
  // zone applies, UTC for a new directory (store/time_zone_binding.h).
  std::string time_zone_name = "UTC";
  absl::TimeZone time_zone = absl::UTCTimeZone();
  bool time_zone_given = false;
  // Re-project every figure under time_zone_name when the data directory holds another zone.
  bool reproject_time_zone = false;
  // The org currency asked for (config fields currency_code, currency_minor_unit_exponent); unset:
  // the data directory's, CNY / 2 for a new one (store/currency_binding.h).
  std::string currency_code;
  std::optional<uint32_t> currency_minor_unit_exponent;
  size_t max_batch_events = 1000;
  size_t max_request_bytes = 4 << 20;
  absl::Duration max_future_skew = absl::Minutes(5);
  size_t max_stream_in_flight = 64;
  // Append memory (append_budget.h): per AppendStream, per API key, in total.
  size_t max_stream_bytes = 16 << 20;
  size_t max_key_append_bytes = 32 << 20;
  size_t max_append_bytes = 128 << 20;
  // gRPC's buffers: the flow-control window of each stream, and all of gRPC's memory (0: no bound).
  size_t stream_window_bytes = 1 << 20;
  size_t grpc_memory_bytes = 0;
  // Streams whose client takes nothing for this long are ended (stall_watch.h).
  absl::Duration stalled_stream_timeout = absl::Seconds(60);
  size_t max_board_subscribers = 20000;
  size_t max_log_followers = 1000;
  // Append rate limits per role (rate_limiter.h; api_keys may carry their own).
  std::vector<v1::RateLimit> rate_limits;
  // trace, debug, info, warn, error, off.
  std::string log_level = "info";
  // The Prometheus endpoint's host:port; empty: none.
  std::string metrics_listen_address;
  // Backups requested by name go under this directory; empty: clients give absolute paths.
  std::string backup_dir;
  // RocksDB's memory: its block cache, with the write buffers charged to it (config
  // block_cache_mb).
  size_t block_cache_bytes = 64 << 20;
  uint64_t views_checkpoint_events = 1'000'000;  // views_checkpoint_events.
  // API keys (checked by Auth::Create). Flag only: insecure_no_auth turns authentication off.
  std::vector<v1::ApiKey> api_keys;
  bool insecure_no_auth = false;
  // TLS (config only): PEM file paths; empty cert_file means plaintext. See MakeServerCredentials.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  // Flag only: copy this backup into data_dir (which must be missing or empty) before opening it.
  std::string restore_from;
  bool replay_views = false;  // --replay_views: leave the views' checkpoint unused at this start.
  // Flag only: the config file's absolute path, empty without one (a backup's restore command
  // names it).
  std::string config_path;
  // Outgoing webhooks (config notify_rules, notify_delivery; notify/config.h).
  notify::NotifyOptions notify;
  // The HTTP front door (http/http_server.h); its listen_address empty: none.
  http::HttpOptions http;
};

inline constexpr size_t kMaxBatchEventsLimit = 1000;
inline constexpr size_t kMaxRequestBytesLimit = 4 << 20;
inline constexpr uint32_t kMinBlockCacheMb = 8, kMaxBlockCacheMb = 65536;
inline constexpr size_t kMinStreamWindowBytes = 16 << 10, kMaxStreamWindowBytes = 64 << 20;

// trace, debug, info, warn, error or off.
bool IsLogLevel(absl::string_view level);

// Parses a DaemonConfig in protobuf text format. Errors name the line and column.
absl::StatusOr<v1::DaemonConfig> ParseConfigText(const std::string& text);
absl::StatusOr<v1::DaemonConfig> ReadConfigFile(const std::string& path);

// Applies the set fields of `config` over `options`, then checks the result (loads the time zone,
// checks limits). Errors name the config field.
absl::Status ApplyConfig(const v1::DaemonConfig& config, ServerOptions* options);

// Reads the TLS files of `options` and builds the gRPC server credentials: plaintext without
// tls_cert_file; TLS with it; mutual TLS (client certificates required and verified) with
// tls_client_ca_file. Errors name the config field and the file.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerOptions& options);

// The engine's part of `options`.
engine::EngineOptions EngineOptionsOf(const ServerOptions& options);

}  // namespace salestrack::server

#endif  // SALESTRACK_SERVER_CONFIG_H_
