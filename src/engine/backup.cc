// Engine::Backup (AdminService.Backup): an online backup of the data directory (store/backup.h).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "engine/engine.h"
#include "salestrack/status_macros.h"
#include "spdlog/spdlog.h"
#include "store/backup.h"

namespace salestrack::engine {
namespace {

// The directory a request names: a plain name under the configured backup_dir, or (with none
// configured) an absolute path.
absl::StatusOr<std::string> BackupPath(const std::string& backup_dir, const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("dir: required");
  if (backup_dir.empty()) {
    if (dir.front() != '/') {
      return absl::InvalidArgumentError(absl::StrCat(
          "dir: \"", dir, "\" must be an absolute path (the daemon has no backup_dir configured)"));
    }
    return dir;
  }
  if (absl::StrContains(dir, '/') || dir == "." || dir == "..") {
    return absl::InvalidArgumentError(absl::StrCat(
        "dir: \"", dir, "\" must be a plain name; backups go under the daemon's backup_dir ",
        backup_dir));
  }
  return absl::StrCat(backup_dir, "/", dir);
}

// `s` as one shell word: as is when it holds only safe characters, else in single quotes.
std::string ShellWord(const std::string& s) {
  const bool safe = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return absl::ascii_isalnum(c) || absl::StrContains("/._-+:,=@%", c);
  });
  if (safe) return s;
  return absl::StrCat("'", absl::StrReplaceAll(s, {{"'", "'\\''"}}), "'");
}

// The command that restores `info` into a new data directory NEW_DIR, as this daemon runs: its
// config file (keys, TLS, listen address) and authentication mode, and the backup's own zone
// (which the restored directory holds anyway; named so the command stays right under a config
// whose time_zone has changed since).
std::string RestoreCommand(const EngineOptions& options, const store::BackupInfo& info) {
  std::string command = "salestrackd";
  if (!options.config_path.empty()) {
    absl::StrAppend(&command, " --config ", ShellWord(options.config_path));
  }
  absl::StrAppend(&command, " --data_dir NEW_DIR --restore_from ", ShellWord(info.dir));
  if (!info.time_zone.empty()) {
    absl::StrAppend(&command, " --time_zone ", ShellWord(info.time_zone));
  }
  if (options.insecure_no_auth) absl::StrAppend(&command, " --insecure_no_auth");
  return command;
}

}  // namespace

absl::Status Engine::Backup(const Principal& who, const v1::BackupRequest& request,
                            v1::BackupResponse* response) {
  RETURN_IF_ERROR(Authorize(who, methods::kBackup));
  absl::StatusOr<std::string> path = BackupPath(options_.backup_dir, request.dir());
  if (!path.ok()) return path.status();
  absl::Time start = absl::Now();
  absl::StatusOr<store::BackupInfo> info = store::CreateBackup(*store_, *path);
  if (!info.ok()) {
    spdlog::warn("event=backup_failed dir={} error=\"{}\"", *path, info.status().ToString());
    return info.status();
  }
  response->set_dir(info->dir);
  response->set_seq(info->head_seq);
  response->set_files(info->files);
  response->set_bytes(info->bytes);
  response->set_seconds(absl::ToDoubleSeconds(absl::Now() - start));
  response->set_time_zone(info->time_zone);
  response->set_restore_command(RestoreCommand(options_, *info));
  spdlog::info("event=backup dir={} head_seq={} files={} bytes={} seconds={:.3f} time_zone={}",
               info->dir, info->head_seq, info->files, info->bytes, response->seconds(),
               info->time_zone);
  return absl::OkStatus();
}

}  // namespace salestrack::engine
