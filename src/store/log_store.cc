#include "store/log_store.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "salestrack/status_macros.h"
#include "spdlog/spdlog.h"
#include "store/rocksdb_options.h"

namespace salestrack::store {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Free space RocksDB waits for before it resumes writes after a full disk. Its SstFileManager
// retries every 5 s once this much is free (a retry succeeds when the memtables' flush and the
// next batch fit); it takes the largest write_buffer_size the database was opened with, so Open
// opens with this one and raises the real sizes afterwards (see Open).
constexpr size_t kResumeReserve = 1 << 20;

}  // namespace

absl::Status FromRocksStatus(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(context, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsNotSupported()) return absl::UnimplementedError(message);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return absl::UnavailableError(message);
  if (s.IsIOError() || s.IsNoSpace()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(const std::string& dir,
                                                         const StoreOptions& options) {
  std::unique_ptr<LogStore> store(new LogStore());
  store->dir_ = dir;
  store->options_ = options;

  std::error_code ec;
  if (!options.read_only) std::filesystem::create_directories(dir, ec);
  if (ec)
    return absl::FailedPreconditionError(absl::StrCat("cannot create ", dir, ": ", ec.message()));
  bool exists = std::filesystem::exists(std::filesystem::path(dir) / "CURRENT");
  if (options.read_only && !exists) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " holds no salestrack database (no RocksDB CURRENT file)"));
  }
  if (!exists && !std::filesystem::is_empty(dir)) {
    return absl::FailedPreconditionError(
        absl::StrCat("data directory ", dir,
                     " is not empty and holds no salestrack database; refusing to use it"));
  }

  RocksDbOptions rocks = DaemonRocksDbOptions(options.block_cache_bytes);
  const rocksdb::DBOptions& db_options = rocks.db;
  std::vector<rocksdb::ColumnFamilyDescriptor>& families = rocks.families;
  if (exists) {
    // A newer format may have families this version does not know; open them so the version check
    // below can speak, instead of failing with RocksDB's own message.
    std::vector<std::string> names;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(db_options, dir, &names);
    if (!s.ok()) return FromRocksStatus(s, absl::StrCat("reading ", dir));
    for (const std::string& name : names) {
      bool known = false;
      for (const auto& f : families) known = known || f.name == name;
      if (!known) families.push_back({name, rocksdb::ColumnFamilyOptions()});
    }
    // A read-only open cannot create the families that directories written before them lack.
    if (options.read_only) {
      std::erase_if(families, [&](const auto& f) {
        return (f.name == kNotifyFamily || f.name == kViewsFamily) &&
               std::find(names.begin(), names.end(), f.name) == names.end();
      });
    }
  }

  rocksdb::DB* db = nullptr;
  rocksdb::Status s;
  if (options.read_only) {
    s = rocksdb::DB::OpenForReadOnly(db_options, dir, families, &store->handles_, &db);
  } else {
    // After a full disk, RocksDB resumes writes only once as much space is free as the largest
    // write_buffer_size it was opened with (64 MiB for "log"), checking every 5 s. So the
    // database is opened twice: first with the real sizes (the WAL replay flushes with them, and
    // leaves an empty WAL), then with kResumeReserve for every family, and the real sizes are set
    // again at once.
    s = rocksdb::DB::Open(db_options, dir, families, &store->handles_, &db);
    if (s.ok()) {
      for (rocksdb::ColumnFamilyHandle* h : store->handles_) db->DestroyColumnFamilyHandle(h);
      store->handles_.clear();
      s = db->Close();
      delete db;
      db = nullptr;
    }
    std::vector<rocksdb::ColumnFamilyDescriptor> reserved = families;
    for (rocksdb::ColumnFamilyDescriptor& f : reserved) {
      f.options.write_buffer_size = kResumeReserve;
    }
    if (s.ok()) s = rocksdb::DB::Open(db_options, dir, reserved, &store->handles_, &db);
    for (size_t i = 0; s.ok() && i < families.size(); ++i) {
      const std::string size = std::to_string(families[i].options.write_buffer_size);
      s = db->SetOptions(store->handles_[i], {{"write_buffer_size", size}});
    }
  }
  if (db != nullptr) store->db_.reset(db);
  if (!s.ok()) return FromRocksStatus(s, absl::StrCat("opening ", dir));
  store->log_ = store->handles_[1];
  store->ids_ = store->handles_[2];
  store->meta_ = store->handles_[3];
  for (size_t i = 4; i < families.size(); ++i) {
    if (families[i].name == kNotifyFamily) store->notify_ = store->handles_[i];
    if (families[i].name == kViewsFamily) store->views_ = store->handles_[i];
  }
  RETURN_IF_ERROR(store->CheckOrInitFormat());
  ASSIGN_OR_RETURN(store->head_at_open_, store->ReadHead());
  if (!options.read_only) store->KeepAMemtableFilled();
  return store;
}

LogStore::~LogStore() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

absl::Status LogStore::CheckOrInitFormat() {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, ToSlice(kFormatVersionKey), &value);
  if (s.IsNotFound() && options_.read_only) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir_, " holds a RocksDB database without a salestrack format version"));
  }
  if (s.IsNotFound()) {
    // A new directory, or one a crash interrupted before its first commit: the log must be empty.
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_));
    it->SeekToFirst();
    if (it->Valid()) {
      return absl::DataLossError(
          absl::StrCat("data directory ", dir_, " has log records but no format version"));
    }
    rocksdb::WriteOptions w;
    w.sync = true;
    return FromRocksStatus(
        db_->Put(w, meta_, ToSlice(kFormatVersionKey), std::to_string(kFormatVersion)),
        "writing format");
  }
  if (!s.ok()) return FromRocksStatus(s, "reading format version");
  int version = 0;
  if (!absl::SimpleAtoi(value, &version) || version != kFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory ", dir_, " has format version \"", value,
        "\"; this salestrackd reads only version ", kFormatVersion,
        ". Export the log with the salestrack version that wrote it and import it here."));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> LogStore::ReadMeta(std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  RETURN_IF_ERROR(FromRocksStatus(s, absl::StrCat("reading ", std::string(key))));
  return std::optional<std::string>(std::move(value));
}

absl::Status LogStore::WriteMeta(std::string_view key, std::string_view value) {
  rocksdb::WriteOptions w;
  w.sync = true;
  return FromRocksStatus(db_->Put(w, meta_, ToSlice(key), ToSlice(value)),
                         absl::StrCat("writing ", std::string(key)));
}

absl::Status LogStore::WriteNotify(rocksdb::WriteBatch* batch) const {
  if (options_.read_only) return absl::FailedPreconditionError("the store is open read-only");
  rocksdb::WriteOptions w;
  w.sync = options_.sync;
  return FromRocksStatus(db_->Write(w, batch), "writing the notifier's state");
}

absl::Status LogStore::WriteViews(rocksdb::WriteBatch* batch, bool sync) const {
  if (options_.read_only) return absl::FailedPreconditionError("the store is open read-only");
  rocksdb::WriteOptions w;
  w.sync = sync && options_.sync;
  return FromRocksStatus(db_->Write(w, batch), "writing the views' checkpoint");
}

absl::StatusOr<uint64_t> LogStore::ReadHead() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), log_));
  it->SeekToLast();
  if (!it->Valid()) {
    RETURN_IF_ERROR(FromRocksStatus(it->status(), "reading the log head"));
    return 0;
  }
  std::optional<uint64_t> seq = DecodeSeqKey(it->key().ToStringView());
  if (!seq) return absl::DataLossError("malformed log key at the head of the log");
  return *seq;
}

absl::Status LogStore::LookupIds(absl::Span<const absl::string_view> ids,
                                 std::vector<std::optional<IdEntry>>* out, bool fill_cache) const {
  out->assign(ids.size(), std::nullopt);
  if (ids.empty()) return absl::OkStatus();
  std::vector<rocksdb::Slice> keys;
  keys.reserve(ids.size());
  for (absl::string_view id : ids) keys.emplace_back(id.data(), id.size());
  std::vector<rocksdb::PinnableSlice> values(ids.size());
  std::vector<rocksdb::Status> statuses(ids.size());
  rocksdb::ReadOptions options;
  options.fill_cache = fill_cache;
  db_->MultiGet(options, ids_, keys.size(), keys.data(), values.data(), statuses.data());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    RETURN_IF_ERROR(FromRocksStatus(statuses[i], "looking up event ids"));
    std::optional<IdEntry> entry = DecodeIdEntry(values[i].ToStringView());
    if (!entry) return absl::DataLossError(absl::StrCat("malformed ids entry for ", ids[i]));
    (*out)[i] = entry;
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::EventRecord> LogStore::ReadRecord(uint64_t seq, bool fill_cache) const {
  rocksdb::PinnableSlice value;
  rocksdb::ReadOptions options;
  options.fill_cache = fill_cache;
  rocksdb::Status s = db_->Get(options, log_, EncodeSeqKey(seq), &value);
  RETURN_IF_ERROR(FromRocksStatus(s, absl::StrCat("reading seq ", seq)));
  v1::EventRecord record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("log record ", seq, " does not parse"));
  }
  record.set_seq(seq);
  return record;
}

absl::Status LogStore::Scan(uint64_t from, uint64_t to, bool sequential,
                            const std::function<bool(uint64_t, std::string_view)>& fn) const {
  if (from == 0) from = 1;
  if (from > to) return absl::OkStatus();
  std::string upper = EncodeSeqKey(to + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_slice;
  if (sequential) {  // A replay reads everything once: read ahead, leave the cache to queries.
    read_options.readahead_size = 4 << 20;
    read_options.fill_cache = false;
  }
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, log_));
  for (it->Seek(EncodeSeqKey(from)); it->Valid(); it->Next()) {
    std::optional<uint64_t> seq = DecodeSeqKey(it->key().ToStringView());
    if (!seq) return absl::DataLossError("malformed log key");
    if (!fn(*seq, it->value().ToStringView())) break;
  }
  return FromRocksStatus(it->status(), "reading the log");
}

absl::Status LogStore::ReadRange(uint64_t from, uint64_t to, size_t max_records, size_t max_bytes,
                                 std::vector<v1::EventRecord>* out) const {
  size_t bytes = 0, records = 0;
  bool malformed = false;
  RETURN_IF_ERROR(Scan(from, to, /*sequential=*/false, [&](uint64_t seq, std::string_view value) {
    if (records >= max_records || (records > 0 && bytes >= max_bytes)) return false;
    v1::EventRecord& record = out->emplace_back();
    if (!record.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
      out->pop_back();
      malformed = true;
      return false;
    }
    record.set_seq(seq);
    bytes += value.size();
    ++records;
    return true;
  }));
  if (malformed) return absl::DataLossError("malformed log record");
  return absl::OkStatus();
}

absl::Status LogStore::ScanRange(uint64_t from, uint64_t to,
                                 const std::function<bool(uint64_t, std::string_view)>& fn) const {
  return Scan(from, to, /*sequential=*/true, fn);
}

absl::Status LogStore::ReadRecords(absl::Span<const uint64_t> seqs,
                                   std::vector<v1::EventRecord>* out) const {
  std::vector<std::string> keys;
  keys.reserve(seqs.size());
  for (uint64_t seq : seqs) keys.push_back(EncodeSeqKey(seq));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), log_, slices.size(), slices.data(), values.data(),
                statuses.data());
  out->clear();
  out->resize(seqs.size());
  for (size_t i = 0; i < seqs.size(); ++i) {
    RETURN_IF_ERROR(FromRocksStatus(statuses[i], absl::StrCat("reading seq ", seqs[i])));
    if (!(*out)[i].ParseFromArray(values[i].data(), static_cast<int>(values[i].size()))) {
      return absl::DataLossError(absl::StrCat("log record ", seqs[i], " does not parse"));
    }
    (*out)[i].set_seq(seqs[i]);
  }
  return absl::OkStatus();
}

absl::Status LogStore::Commit(rocksdb::WriteBatch* batch) {
  if (needs_resume_) {
    rocksdb::Status r = db_->Resume();
    if (!r.ok()) {
      // Busy: RocksDB's own recovery is under way (it waits for free space).
      return absl::UnavailableError(
          absl::StrCat("storage has not recovered from an earlier write error (disk full?): ",
                       r.IsBusy() ? "RocksDB is recovering" : r.ToString(), "; ",
                       SpaceNeeded(batch->GetDataSize())));
    }
    needs_resume_ = false;
    KeepAMemtableFilled();
    spdlog::info("event=storage_recovered msg=\"storage recovered: commits resume\"");
  }
  rocksdb::WriteOptions w;
  w.sync = options_.sync;
  rocksdb::Status s = db_->Write(w, batch);
  if (s.ok()) return absl::OkStatus();
  needs_resume_ = true;
  absl::Status failed = FromRocksStatus(s, "committing");
  if (!s.IsNoSpace()) return failed;
  return absl::Status(failed.code(),
                      absl::StrCat(failed.message(), "; ", SpaceNeeded(batch->GetDataSize())));
}

std::string LogStore::SpaceNeeded(size_t batch_bytes) const {
  // A resume first writes out what the memtables hold (RocksDB cannot trust the WAL that failed),
  // then the commit appends its batch to a new WAL. The memtables' size bounds the flush's output.
  uint64_t unflushed = 0, bytes = 0;
  for (rocksdb::ColumnFamilyHandle* family : {log_, ids_, meta_}) {
    if (db_->GetIntProperty(family, "rocksdb.cur-size-all-mem-tables", &bytes)) unflushed += bytes;
  }
  std::error_code ec;
  const std::filesystem::space_info space = std::filesystem::space(dir_, ec);
  return absl::StrCat(
      ec ? std::string()
         : absl::StrCat(space.available, " bytes free on the data directory's disk; "),
      "commits resume by themselves within 5 s once ", kResumeReserve,
      " bytes are free and the data RocksDB writes out first (at most ", unflushed,
      " bytes, less once compressed) and the batch (", batch_bytes, " bytes) fit");
}

void LogStore::KeepAMemtableFilled() const {
  rocksdb::WriteOptions w;
  w.disableWAL = true;
  rocksdb::Status s = db_->Put(w, db_->DefaultColumnFamily(), ToSlice(kResumeMarkerKey), "");
  if (!s.ok()) spdlog::warn("event=resume_marker_failed error=\"{}\"", s.ToString());
}

std::vector<StoreFigure> LogStore::Figures() const {
  static constexpr const char* kPerFamily[] = {
      "rocksdb.estimate-live-data-size", "rocksdb.total-sst-files-size",
      "rocksdb.cur-size-all-mem-tables", "rocksdb.estimate-pending-compaction-bytes",
      "rocksdb.estimate-num-keys"};
  static constexpr const char* kWhole[] = {"rocksdb.num-running-compactions",
                                           "rocksdb.num-running-flushes",
                                           "rocksdb.background-errors"};
  std::vector<StoreFigure> out;
  uint64_t value = 0;
  for (rocksdb::ColumnFamilyHandle* family : {log_, ids_, meta_}) {
    for (const char* property : kPerFamily) {
      if (db_->GetIntProperty(family, property, &value)) {
        out.push_back({property, family->GetName(), value});
      }
    }
  }
  for (const char* property : kWhole) {
    if (db_->GetIntProperty(property, &value)) out.push_back({property, "", value});
  }
  return out;
}

}  // namespace salestrack::store
