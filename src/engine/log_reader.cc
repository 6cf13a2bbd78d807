#include "engine/log_reader.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace salestrack::engine {

LogReader::LogReader(const store::LogStore* store, store::Sequencer* sequencer,
                     const v1::ReadEventsRequest& request, std::atomic<size_t>* followers)
    : store_(store),
      sequencer_(sequencer),
      followers_(followers),
      follow_(request.follow()),
      limit_(request.limit()),
      next_seq_(std::max<uint64_t>(1, request.from_seq())) {}

LogReader::~LogReader() { LeaveFollowers(); }

void LogReader::LeaveFollowers() {
  if (std::atomic<size_t>* followers = followers_.exchange(nullptr)) followers->fetch_sub(1);
}

absl::StatusOr<LogReader::Step> LogReader::Read(v1::ReadEventsResponse* response) {
  if (limit_ != 0 && sent_ >= limit_) return Step::kEnd;
  // Shutting down: a follower still catching up ends too, not only one waiting for new records.
  if (follow_ && sequencer_->waiters_closed()) return ShuttingDown();
  const uint64_t head = sequencer_->committed_seq();
  if (next_seq_ > head) return follow_ ? Step::kWait : Step::kEnd;
  size_t max_records = kMaxRecordsPerMessage;
  if (limit_ != 0) max_records = std::min<uint64_t>(max_records, limit_ - sent_);
  std::vector<v1::EventRecord> records;
  absl::Status s = store_->ReadRange(next_seq_, head, max_records, kMaxBytesPerMessage, &records);
  if (!s.ok()) return s;
  if (records.empty()) {
    return absl::DataLossError(absl::StrCat("log record ", next_seq_, " is missing"));
  }
  response->Clear();
  for (v1::EventRecord& r : records) *response->add_records() = std::move(r);
  response->set_head_seq(head);
  next_seq_ = response->records().rbegin()->seq() + 1;
  sent_ += response->records_size();
  return Step::kRecords;
}

void LogReader::WaitForMore(absl::AnyInvocable<void(bool live) &&> woken) {
  sequencer_->WaitPast(next_seq_ - 1, std::move(woken));
}

absl::Status LogReader::ShuttingDown() const {
  return absl::UnavailableError(
      absl::StrCat("salestrackd is shutting down; resume with from_seq ", next_seq_));
}

}  // namespace salestrack::engine
