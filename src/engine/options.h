// EngineOptions: what the engine is told at start-up. The daemon fills it from its config
// (server/config.h); a test fills it directly.
#ifndef SALESTRACK_ENGINE_OPTIONS_H_
#define SALESTRACK_ENGINE_OPTIONS_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "salestrack/v1/config.pb.h"
#include "salestrack/validation.h"
#include "store/currency_binding.h"

namespace salestrack::engine {

struct EngineOptions {
  std::string data_dir = "./salestrack-data";
  // Copy this backup into data_dir (which must be missing or empty) before opening it.
  std::string restore_from;
  // The org time zone asked for; empty: the data directory's stored zone (UTC for a new one).
  std::string time_zone_name;
  // Re-project every figure under time_zone_name when the data directory holds another zone.
  bool reproject_time_zone = false;
  // The org currency asked for; unset parts: the data directory's (CNY / 2 for a new one).
  store::CurrencyRequest currency;
  size_t block_cache_bytes = 64 << 20;  // RocksDB's block cache.
  // Write the views' checkpoint after this many records (checkpointer.h); 0: only on stopping.
  uint64_t views_checkpoint_events = 1'000'000;
  // Leave the views' checkpoint unused at this start: replay the whole log.
  bool replay_views = false;

  ValidationOptions validation;
  // Append memory (append_budget.h), per API key and in total; 0: no bound.
  size_t max_key_append_bytes = 32 << 20;
  size_t max_append_bytes = 128 << 20;
  size_t max_board_subscribers = 20000;
  size_t max_log_followers = 1000;
  // Append rate limits per role (rate_limiter.h; api_keys may carry their own).
  std::vector<v1::RateLimit> rate_limits;

  // API keys (auth.h). insecure_no_auth: every caller is an admin.
  std::vector<v1::ApiKey> api_keys;
  bool insecure_no_auth = false;

  // Backups requested by name go under this directory; empty: clients give absolute paths.
  std::string backup_dir;
  // The daemon's config file, named by a backup's restore command ("": none).
  std::string config_path;
};

}  // namespace salestrack::engine

#endif  // SALESTRACK_ENGINE_OPTIONS_H_
