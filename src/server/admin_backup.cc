// AdminService.Backup: an online backup of the data directory (store/backup.h).
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/grpc_status.h"
#include "server/kpi_service.h"
#include "spdlog/spdlog.h"
#include "store/backup.h"

namespace salestrack::server {
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

}  // namespace

absl::Status AdminServiceImpl::HandleBackup(const Principal& who, const v1::BackupRequest& request,
                                            v1::BackupResponse* response) {
  absl::StatusOr<std::string> path = BackupPath(backup_dir_, request.dir());
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
  spdlog::info("event=backup dir={} head_seq={} files={} bytes={} seconds={:.3f}", info->dir,
               info->head_seq, info->files, info->bytes, response->seconds());
  return absl::OkStatus();
}

}  // namespace salestrack::server
