#include "server/config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "salestrack/status_macros.h"
#include "store/currency_binding.h"

namespace salestrack::server {
namespace {

class CollectErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    errors.push_back(absl::StrCat("line ", line + 1, ", column ", column + 1, ": ", message));
  }
  std::vector<std::string> errors;
};

}  // namespace

bool IsLogLevel(absl::string_view level) {
  for (absl::string_view known : {"trace", "debug", "info", "warn", "error", "off"}) {
    if (level == known) return true;
  }
  return false;
}

absl::StatusOr<v1::DaemonConfig> ParseConfigText(const std::string& text) {
  v1::DaemonConfig config;
  google::protobuf::TextFormat::Parser parser;
  CollectErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) {
    return absl::InvalidArgumentError(absl::StrJoin(errors.errors, "; "));
  }
  return config;
}

absl::StatusOr<v1::DaemonConfig> ReadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<v1::DaemonConfig> config = ParseConfigText(text.str());
  if (!config.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

absl::Status ApplyConfig(const v1::DaemonConfig& config, ServerOptions* options) {
  if (!config.listen_address().empty()) options->listen_address = config.listen_address();
  if (!config.data_dir().empty()) options->data_dir = config.data_dir();
  if (!config.time_zone().empty()) {
    options->time_zone_name = config.time_zone();
    options->time_zone_given = true;
  }
  if (config.reproject_time_zone()) {
    if (config.time_zone().empty()) {
      return absl::InvalidArgumentError(
          "reproject_time_zone: needs time_zone in the same config (the zone to re-project the "
          "figures under)");
    }
    options->reproject_time_zone = true;
  }
  if (!config.currency_code().empty()) options->currency_code = config.currency_code();
  if (config.has_currency_minor_unit_exponent()) {
    options->currency_minor_unit_exponent = config.currency_minor_unit_exponent();
  }
  RETURN_IF_ERROR(
      store::CheckCurrencyRequest({options->currency_code, options->currency_minor_unit_exponent}));
  if (!config.backup_dir().empty()) options->backup_dir = config.backup_dir();
  if (config.notify_rules_size() > 0 || config.has_notify_delivery()) {
    absl::StatusOr<notify::NotifyOptions> notify = notify::NotifyOptionsOf(config);
    if (!notify.ok()) return notify.status();
    options->notify = *std::move(notify);
  }
  if (!config.log_level().empty()) options->log_level = config.log_level();
  if (config.block_cache_mb() != 0) {
    if (config.block_cache_mb() < kMinBlockCacheMb || config.block_cache_mb() > kMaxBlockCacheMb) {
      return absl::InvalidArgumentError(absl::StrCat("block_cache_mb: ", config.block_cache_mb(),
                                                     " is outside ", kMinBlockCacheMb, "..",
                                                     kMaxBlockCacheMb, " (MiB)"));
    }
    options->block_cache_bytes = size_t{config.block_cache_mb()} << 20;
  }
  if (config.has_views_checkpoint_events()) {
    options->views_checkpoint_events = config.views_checkpoint_events();
  }
  if (!config.metrics_listen_address().empty()) {
    options->metrics_listen_address = config.metrics_listen_address();
  }
  if (config.has_tls()) {
    options->tls_cert_file = config.tls().cert_file();
    options->tls_key_file = config.tls().key_file();
    options->tls_client_ca_file = config.tls().client_ca_file();
  }
  if (config.api_keys_size() > 0) {
    options->api_keys.assign(config.api_keys().begin(), config.api_keys().end());
  }
  if (!config.http_listen_address().empty()) {
    options->http.listen_address = config.http_listen_address();
  }
  if (config.http_secure_cookie()) options->http.secure_cookie = true;
  const v1::HttpLimits& http = config.http_limits();
  if (http.max_body_bytes() != 0) options->http.max_body_bytes = http.max_body_bytes();
  if (http.num_threads() != 0) options->http.num_threads = http.num_threads();
  if (http.max_streams() != 0) options->http.max_streams = http.max_streams();
  if (http.request_timeout_seconds() != 0) {
    options->http.request_timeout = absl::Seconds(http.request_timeout_seconds());
  }
  if (http.keep_alive_seconds() != 0) {
    options->http.keep_alive_timeout = absl::Seconds(http.keep_alive_seconds());
  }
  if (http.heartbeat_seconds() != 0)
    options->http.heartbeat = absl::Seconds(http.heartbeat_seconds());
  const v1::Limits& limits = config.limits();
  if (limits.max_batch_events() != 0) options->max_batch_events = limits.max_batch_events();
  if (limits.max_request_bytes() != 0) options->max_request_bytes = limits.max_request_bytes();
  if (limits.max_future_skew_seconds() != 0) {
    options->max_future_skew = absl::Seconds(limits.max_future_skew_seconds());
  }
  if (limits.max_board_subscribers() != 0) {
    options->max_board_subscribers = limits.max_board_subscribers();
  }
  if (limits.max_stream_in_flight() != 0) {
    options->max_stream_in_flight = limits.max_stream_in_flight();
  }
  if (limits.max_log_followers() != 0) options->max_log_followers = limits.max_log_followers();
  if (limits.max_stream_bytes() != 0) options->max_stream_bytes = limits.max_stream_bytes();
  if (limits.max_key_append_bytes() != 0) {
    options->max_key_append_bytes = limits.max_key_append_bytes();
  }
  if (limits.max_append_bytes() != 0) options->max_append_bytes = limits.max_append_bytes();
  if (limits.stream_window_bytes() != 0) {
    options->stream_window_bytes = limits.stream_window_bytes();
  }
  if (limits.grpc_memory_mb() != 0) {
    options->grpc_memory_bytes = size_t{limits.grpc_memory_mb()} << 20;
  }
  if (limits.stalled_stream_seconds() != 0) {
    options->stalled_stream_timeout = absl::Seconds(limits.stalled_stream_seconds());
  }
  if (limits.rate_limits_size() > 0) {
    options->rate_limits.assign(limits.rate_limits().begin(), limits.rate_limits().end());
  }

  if (!absl::LoadTimeZone(options->time_zone_name, &options->time_zone)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time_zone: \"", options->time_zone_name,
        "\" is not an IANA time zone this machine knows (e.g. \"Asia/Shanghai\", \"UTC\"; is "
        "tzdata installed?)"));
  }
  if (options->max_batch_events > kMaxBatchEventsLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limits.max_batch_events: at most ", kMaxBatchEventsLimit));
  }
  if (options->max_request_bytes > kMaxRequestBytesLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limits.max_request_bytes: at most ", kMaxRequestBytesLimit));
  }
  // A request must fit every append budget, or one of its size could never pass.
  if (options->max_stream_bytes < options->max_request_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("limits.max_stream_bytes: ", options->max_stream_bytes,
                     " is less than limits.max_request_bytes (", options->max_request_bytes, ")"));
  }
  if (options->max_key_append_bytes < options->max_request_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("limits.max_key_append_bytes: ", options->max_key_append_bytes,
                     " is less than limits.max_request_bytes (", options->max_request_bytes, ")"));
  }
  if (options->max_append_bytes < options->max_key_append_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "limits.max_append_bytes: ", options->max_append_bytes,
        " is less than limits.max_key_append_bytes (", options->max_key_append_bytes, ")"));
  }
  if (options->stream_window_bytes < kMinStreamWindowBytes ||
      options->stream_window_bytes > kMaxStreamWindowBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("limits.stream_window_bytes: ", options->stream_window_bytes, " is outside ",
                     kMinStreamWindowBytes, "..", kMaxStreamWindowBytes));
  }
  if (options->listen_address.empty()) {
    return absl::InvalidArgumentError("listen_address: must not be empty");
  }
  if (options->data_dir.empty()) return absl::InvalidArgumentError("data_dir: must not be empty");
  if (!IsLogLevel(options->log_level)) {
    return absl::InvalidArgumentError(
        absl::StrCat("log_level: \"", options->log_level,
                     "\" is not one of trace, debug, info, warn, error, off"));
  }
  if (absl::Status s = http::CheckHttpOptions(options->http); !s.ok()) return s;
  if (options->tls_cert_file.empty() != options->tls_key_file.empty()) {
    return absl::InvalidArgumentError("tls: cert_file and key_file go together");
  }
  if (!options->tls_client_ca_file.empty() && options->tls_cert_file.empty()) {
    return absl::InvalidArgumentError("tls.client_ca_file: needs cert_file and key_file");
  }
  return absl::OkStatus();
}

namespace {

absl::StatusOr<std::string> ReadPem(const std::string& field, const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": cannot read a PEM file at \"", path, "\""));
  }
  return text.str();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerOptions& options) {
  if (options.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  absl::StatusOr<std::string> cert = ReadPem("tls.cert_file", options.tls_cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem("tls.key_file", options.tls_key_file);
  if (!key.ok()) return key.status();
  pair.cert_chain = *std::move(cert);
  pair.private_key = *std::move(key);
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (!options.tls_client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadPem("tls.client_ca_file", options.tls_client_ca_file);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *std::move(ca);
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

engine::EngineOptions EngineOptionsOf(const ServerOptions& options) {
  engine::EngineOptions e;
  e.data_dir = options.data_dir;
  e.restore_from = options.restore_from;
  e.replay_views = options.replay_views;
  e.time_zone_name = options.time_zone_given ? options.time_zone_name : std::string();
  e.reproject_time_zone = options.reproject_time_zone;
  e.currency = {options.currency_code, options.currency_minor_unit_exponent};
  e.block_cache_bytes = options.block_cache_bytes;
  e.views_checkpoint_events = options.views_checkpoint_events;
  e.validation.max_batch_events = options.max_batch_events;
  e.validation.max_future_skew = options.max_future_skew;
  e.max_key_append_bytes = options.max_key_append_bytes;
  e.max_append_bytes = options.max_append_bytes;
  e.max_board_subscribers = options.max_board_subscribers;
  e.max_log_followers = options.max_log_followers;
  e.rate_limits = options.rate_limits;
  e.api_keys = options.api_keys;
  e.insecure_no_auth = options.insecure_no_auth;
  e.backup_dir = options.backup_dir;
  e.config_path = options.config_path;
  return e;
}

}  // namespace salestrack::server
