// LogStore: salestrack's RocksDB data directory (formats in store/keys.h).
//
// Owns the DB and its column families. Reads are safe from any thread; writes go through Commit(),
// which only the sequencer's writer thread calls. Closing (the destructor) flushes nothing extra:
// every commit is already synced to the WAL.
#ifndef SALESTRACK_STORE_LOG_STORE_H_
#define SALESTRACK_STORE_LOG_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "salestrack/v1/events.pb.h"
#include "store/keys.h"

namespace salestrack::store {

struct StoreOptions {
  // fsync the WAL on every commit. Only tests and benchmarks of the non-durable path turn it off.
  bool sync = true;
  // RocksDB's memory: the block cache, with the write buffers charged to it (half at most).
  size_t block_cache_bytes = 64 << 20;
  // Open without writing anything (for checking a backup): the directory must already hold a
  // salestrack database of this format; Commit() fails.
  bool read_only = false;
};

// One RocksDB figure for the metrics: a property (e.g. "rocksdb.total-sst-files-size") of one
// column family ("" for the whole database).
struct StoreFigure {
  std::string property;
  std::string family;
  uint64_t value = 0;
};

class LogStore {
 public:
  // Opens or creates the data directory. Refuses a directory written in another format version, or
  // one that holds a RocksDB database that is not salestrack's.
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(const std::string& dir,
                                                        const StoreOptions& options);
  ~LogStore();
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // The seq of the last record in the log when it was opened (0 for an empty log).
  uint64_t head_at_open() const { return head_at_open_; }

  // Looks up event ids in the "ids" family; out[i] is nullopt when ids[i] is unknown. `fill_cache`
  // false: one-off lookups (a void's target) leave the block cache to the ones that repeat.
  absl::Status LookupIds(absl::Span<const absl::string_view> ids,
                         std::vector<std::optional<IdEntry>>* out, bool fill_cache = true) const;

  // The record with this seq (NOT_FOUND if none). `fill_cache` false: a one-off read (a void's
  // target) leaves the block cache to the reads that repeat.
  absl::StatusOr<v1::EventRecord> ReadRecord(uint64_t seq, bool fill_cache = true) const;

  // Appends records with from <= seq <= to in seq order, stopping after max_records or once the
  // appended records' encoded size reaches max_bytes (always at least one record if any).
  absl::Status ReadRange(uint64_t from, uint64_t to, size_t max_records, size_t max_bytes,
                         std::vector<v1::EventRecord>* out) const;

  // The records with these seqs, in the same order, read in one MultiGet (NOT_FOUND if one is
  // missing).
  absl::Status ReadRecords(absl::Span<const uint64_t> seqs,
                           std::vector<v1::EventRecord>* out) const;

  // Calls fn(seq, record bytes) for the records with from <= seq <= to, in seq order, until fn
  // returns false; the bytes (an EventRecord without its seq) live for the call only. A sequential
  // scan for replays: reads ahead and leaves the block cache to the queries.
  absl::Status ScanRange(uint64_t from, uint64_t to,
                         const std::function<bool(uint64_t, std::string_view)>& fn) const;

  // Writes the batch atomically; durable (WAL synced) when it returns OK. After a failed write
  // (e.g. the disk is full: RocksDB then refuses every write until it has recovered), the next
  // call first asks RocksDB to Resume(); while it has not recovered, commits fail with UNAVAILABLE
  // and nothing is written. RocksDB recovers by itself (writing out the memtables, switching to a
  // new WAL) within 5 s of 1 MiB being free and the flush fitting, so appends resume by
  // themselves. An out-of-space refusal says how many bytes are free and what is needed.
  // REQUIRES: called by one thread at a time (the sequencer's writer).
  absl::Status Commit(rocksdb::WriteBatch* batch);

  // Writes a batch of "notify" family entries (the notifier's state, keys.h), synced. Const like
  // KeepAMemtableFilled: it leaves the log and its figures as they are. Thread-safe, beside the
  // writer's commits; refused with UNAVAILABLE while RocksDB recovers from a failed write (a full
  // disk): the caller retries later.
  absl::Status WriteNotify(rocksdb::WriteBatch* batch) const;

  // Writes a batch of "views" family entries (the views' checkpoint, views_checkpoint.h), synced
  // when `sync`. Thread-safe, beside the writer's commits, like WriteNotify.
  absl::Status WriteViews(rocksdb::WriteBatch* batch, bool sync) const;
  // A "meta" value (keys.h): nullopt when the key is absent.
  absl::StatusOr<std::optional<std::string>> ReadMeta(std::string_view key) const;
  // Writes a "meta" value, synced. REQUIRES: not read_only, and no commit runs concurrently (the
  // start-up, before the sequencer).
  absl::Status WriteMeta(std::string_view key, std::string_view value);

  // RocksDB's size, memtable and compaction figures, per column family, read now (cheap: no I/O).
  std::vector<StoreFigure> Figures() const;

  rocksdb::ColumnFamilyHandle* log_family() const { return log_; }
  rocksdb::ColumnFamilyHandle* ids_family() const { return ids_; }
  rocksdb::ColumnFamilyHandle* meta_family() const { return meta_; }
  // Null only on a read-only open of a directory written before the family existed.
  rocksdb::ColumnFamilyHandle* notify_family() const { return notify_; }
  rocksdb::ColumnFamilyHandle* views_family() const { return views_; }  // Likewise.
  rocksdb::DB* db() const { return db_.get(); }
  const std::string& dir() const { return dir_; }

  // Puts a marker (keys.h) into a memtable, without the WAL. A recovery from a failed WAL write
  // switches to a new WAL only when it has a memtable to flush; with every memtable empty (after
  // an open, a recovery or a backup's flush) it would keep the failed WAL, on which RocksDB 7.8
  // fails (or aborts on) every later write. Thread-safe; leaves the log and its figures as they
  // are.
  void KeepAMemtableFilled() const;

 private:
  absl::Status Scan(uint64_t from, uint64_t to, bool sequential,
                    const std::function<bool(uint64_t, std::string_view)>& fn) const;
  LogStore() = default;
  absl::Status CheckOrInitFormat();
  absl::StatusOr<uint64_t> ReadHead() const;
  // For an out-of-space refusal: the free space, and what the next commit needs.
  std::string SpaceNeeded(size_t batch_bytes) const;

  std::string dir_;
  StoreOptions options_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* log_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  rocksdb::ColumnFamilyHandle* notify_ = nullptr;
  rocksdb::ColumnFamilyHandle* views_ = nullptr;
  uint64_t head_at_open_ = 0;
  bool needs_resume_ = false;  // Commit() thread only.
};

// The one place a rocksdb::Status becomes an absl::Status. Out-of-space and other I/O errors are
// UNAVAILABLE (retryable): nothing was acknowledged, so the client may try again.
absl::Status FromRocksStatus(const rocksdb::Status& status, absl::string_view context);

}  // namespace salestrack::store

#endif  // SALESTRACK_STORE_LOG_STORE_H_
