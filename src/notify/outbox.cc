#include "notify/outbox.h"

#include <functional>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"

namespace salestrack::notify {
namespace {

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

absl::Status Corrupt(const std::string& what, std::string_view key) {
  return absl::DataLossError(absl::StrCat("the notify family holds a malformed ", what, " at key ",
                                          absl::CHexEscape(std::string(key))));
}

}  // namespace

absl::Status Outbox::Write(rocksdb::WriteBatch* batch) { return store_->WriteNotify(batch); }

absl::StatusOr<std::optional<uint64_t>> Outbox::ReadCheckpoint() const {
  std::string value;
  rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->notify_family(),
                                        ToSlice(store::kNotifyCheckpointKey), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return store::FromRocksStatus(s, "reading the notify checkpoint");
  uint64_t seq = 0;
  if (!absl::SimpleAtoi(value, &seq)) return Corrupt("checkpoint", store::kNotifyCheckpointKey);
  return seq;
}

absl::StatusOr<std::optional<store::NotifyRuleState>> Outbox::ReadRuleState(
    const std::string& rule) const {
  const std::string key = store::NotifyStateKey(rule);
  std::string value;
  rocksdb::Status s =
      store_->db()->Get(rocksdb::ReadOptions(), store_->notify_family(), ToSlice(key), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return store::FromRocksStatus(s, "reading a notify rule's state");
  std::optional<store::NotifyRuleState> state = store::DecodeNotifyRuleState(value);
  if (!state) return Corrupt("rule state", key);
  return state;
}

absl::Status Outbox::LoadPending(std::vector<v1::Notification>* out) const {
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->notify_family()));
  for (it->Seek("p"); it->Valid() && it->key().starts_with("p"); it->Next()) {
    v1::Notification n;
    if (!n.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Corrupt("pending notification", it->key().ToStringView());
    }
    out->push_back(std::move(n));
  }
  return store::FromRocksStatus(it->status(), "reading pending notifications");
}

absl::Status Outbox::Commit(const Step& step) {
  rocksdb::WriteBatch batch;
  rocksdb::ColumnFamilyHandle* cf = store_->notify_family();
  for (const v1::Notification& n : step.pending) {
    batch.Put(cf, store::NotifyPendingKey(n.rule(), n.idempotency_key()), n.SerializeAsString());
  }
  for (const v1::Notification& n : step.dead) {
    batch.Put(cf, store::NotifyDeadKey(n.idempotency_key()), n.SerializeAsString());
  }
  for (const auto& [rule, state] : step.states) {
    batch.Put(cf, store::NotifyStateKey(rule), store::EncodeNotifyRuleState(state));
  }
  if (step.checkpoint) {
    batch.Put(cf, ToSlice(store::kNotifyCheckpointKey), absl::StrCat(*step.checkpoint));
  }
  return Write(&batch);
}

absl::Status Outbox::Delivered(const v1::Notification& n) {
  rocksdb::WriteBatch batch;
  batch.Delete(store_->notify_family(), store::NotifyPendingKey(n.rule(), n.idempotency_key()));
  return Write(&batch);
}

absl::Status Outbox::Reschedule(const v1::Notification& n) {
  rocksdb::WriteBatch batch;
  batch.Put(store_->notify_family(), store::NotifyPendingKey(n.rule(), n.idempotency_key()),
            n.SerializeAsString());
  return Write(&batch);
}

absl::Status Outbox::Bury(const v1::Notification& n) {
  rocksdb::WriteBatch batch;
  batch.Delete(store_->notify_family(), store::NotifyPendingKey(n.rule(), n.idempotency_key()));
  batch.Put(store_->notify_family(), store::NotifyDeadKey(n.idempotency_key()),
            n.SerializeAsString());
  return Write(&batch);
}

absl::Status Outbox::ListDead(const std::string& rule, size_t limit,
                              std::vector<v1::Notification>* out, uint64_t* total) const {
  *total = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      store_->db()->NewIterator(rocksdb::ReadOptions(), store_->notify_family()));
  const rocksdb::Slice prefix = ToSlice(store::kNotifyDeadPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    v1::Notification n;
    if (!n.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Corrupt("dead letter", it->key().ToStringView());
    }
    if (!rule.empty() && n.rule() != rule) continue;
    ++*total;
    if (out->size() < limit) out->push_back(std::move(n));
  }
  return store::FromRocksStatus(it->status(), "reading dead letters");
}

absl::StatusOr<std::vector<v1::Notification>> Outbox::Revive(
    const std::vector<std::string>& keys, bool all, const std::string& rule,
    const std::function<bool(const std::string&)>& revivable) {
  std::vector<v1::Notification> chosen;
  if (all) {
    uint64_t total = 0;
    if (absl::Status s = ListDead(rule, SIZE_MAX, &chosen, &total); !s.ok()) return s;
  } else {
    for (size_t i = 0; i < keys.size(); ++i) {
      std::string value;
      rocksdb::Status s = store_->db()->Get(rocksdb::ReadOptions(), store_->notify_family(),
                                            store::NotifyDeadKey(keys[i]), &value);
      if (s.IsNotFound()) {
        return absl::NotFoundError(
            absl::StrCat("idempotency_keys[", i, "]: \"", keys[i], "\" is not a dead letter"));
      }
      if (!s.ok()) return store::FromRocksStatus(s, "reading a dead letter");
      v1::Notification n;
      if (!n.ParseFromString(value)) return Corrupt("dead letter", keys[i]);
      chosen.push_back(std::move(n));
    }
  }
  rocksdb::WriteBatch batch;
  std::vector<v1::Notification> revived;
  for (v1::Notification& n : chosen) {
    if (!revivable(n.rule())) {
      if (all) continue;  // Listed still; only a rule that is configured again can send it.
      return absl::FailedPreconditionError(absl::StrCat("dead letter \"", n.idempotency_key(),
                                                        "\" belongs to rule \"", n.rule(),
                                                        "\", which is no longer configured"));
    }
    n.set_attempts(0);
    n.clear_next_attempt_at();
    batch.Delete(store_->notify_family(), store::NotifyDeadKey(n.idempotency_key()));
    batch.Put(store_->notify_family(), store::NotifyPendingKey(n.rule(), n.idempotency_key()),
              n.SerializeAsString());
    revived.push_back(std::move(n));
  }
  if (absl::Status s = Write(&batch); !s.ok()) return s;
  return revived;
}

}  // namespace salestrack::notify
