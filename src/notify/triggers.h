// Triggers: what the rules decide, from the log records the notifier reads and the engine's figures
// (docs/notifications.md "Rules"). Each decision is a v1::Notification with its idempotency key
// and its body rendered in the rule's format, and the rules' states move with it; the notifier
// writes both, with the checkpoint, in one batch (outbox.h).
//
//   deal_signed     per ContractSigned record:  KEY = RULE:deal:SEQ; per EventVoided record
//                   whose target is such a signing: KEY = RULE:void:SEQ.
//   top_n           after each batch of records, the board's first n against the stored set:
//                   one per member that entered, KEY = RULE:top:PERIOD_START:MEMBER:SEQ. The first
//                   look at a board in a period (or ever) only records who is in it.
//   target_reached  after each batch, every TargetSet of the metric in the current period:
//                   once per subject and period, KEY = RULE:target:PERIOD_START:rep|unit:ID.
//                   Targets already reached when the rule first runs are recorded, not sent.
//   overdue_digest  once a day at local_time: one per rep and per unit with overdue follow-ups,
//                   KEY = RULE:digest:DAY:rep|unit:ID.
//
// Not thread-safe: the notifier's evaluating thread owns it.
#ifndef SALESTRACK_NOTIFY_TRIGGERS_H_
#define SALESTRACK_NOTIFY_TRIGGERS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "engine/engine.h"
#include "notify/config.h"
#include "notify/outbox.h"
#include "notify/payload.h"
#include "notify/wording.h"

namespace salestrack::notify {

class Triggers {
 public:
  // REQUIRES: `engine` outlives this.
  Triggers(engine::Engine* engine, const NotifyOptions& options);

  // Reads the rules' stored states.
  absl::Status Load(const Outbox& outbox);

  // The notifications `records` (the next ones after the checkpoint, in seq order) produce, into
  // step->pending, and the rules' changed states into step->states. Figures are read as the views
  // hold them now (at least as far as the records).
  absl::Status OnRecords(const google::protobuf::RepeatedPtrField<v1::EventRecord>& records,
                         absl::Time now, Outbox::Step* step);
  // The digests due at `now` (at most once per rule and day), decided at log seq `seq`.
  absl::Status OnClock(absl::Time now, uint64_t seq, Outbox::Step* step);
  // The next instant a digest may be due after `now` (InfiniteFuture without digest rules).
  absl::Time NextDigest(absl::Time now) const;

 private:
  absl::Status Emit(const v1::NotifyRule& rule, std::string key, uint64_t seq, absl::Time now,
                    Content content, Outbox::Step* step) const;
  const Wording& WordingOf(const v1::NotifyRule& rule) const;
  void SetState(const std::string& rule, store::NotifyRuleState state, Outbox::Step* step);

  // `void_target`: the record `record` voids, when it is a void (else nullptr).
  absl::Status DealSigned(const v1::NotifyRule& rule, const v1::EventRecord& record,
                          const v1::EventRecord* void_target, absl::Time now, Outbox::Step* step);
  absl::Status TopN(const v1::NotifyRule& rule, uint64_t seq, absl::Time now, Outbox::Step* step);
  absl::Status TargetReached(const v1::NotifyRule& rule, uint64_t seq, absl::Time now,
                             Outbox::Step* step);
  absl::Status Digest(const v1::NotifyRule& rule, uint64_t seq, absl::Time now, Outbox::Step* step);

  engine::Engine* const engine_;
  const NotifyOptions options_;
  std::map<std::string, std::unique_ptr<Wording>> wordings_;  // By rule: its target's locale.
  std::map<std::string, store::NotifyRuleState> states_;      // By rule; absent: never evaluated.
};

}  // namespace salestrack::notify

#endif  // SALESTRACK_NOTIFY_TRIGGERS_H_
