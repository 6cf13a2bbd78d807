// Wording: what a notification says, in the language of its target (NotifyTarget.locale): English,
// or Chinese for "zh*" locales, which is also the default for the Chinese group robots (DingTalk,
// WeCom). Money is the org currency in that locale (format/money.h: "¥12,345.67"). One instance per
// locale; not thread-safe (the notifier's evaluating thread owns them).
#ifndef SALESTRACK_NOTIFY_WORDING_H_
#define SALESTRACK_NOTIFY_WORDING_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "format/money.h"
#include "salestrack/v1/config.pb.h"

namespace salestrack::notify {

// The target's locale as a BCP 47 name: its `locale`, else "zh-CN" for DINGTALK and WECOM and "en"
// for the others.
std::string TargetLocale(const v1::NotifyTarget& target);

class Wording {
 public:
  Wording(const format::CurrencySpec& currency, absl::string_view locale);

  std::string Money(int64_t minor) const { return money_.Format(minor); }
  bool chinese() const { return chinese_; }

  // Titles. `who` is a label as RepLabel/UnitLabel make it ("Li Lei (rep-li)").
  std::string DealSigned(int64_t amount, absl::string_view who) const;
  std::string DealVoided(int64_t amount, absl::string_view who) const;
  std::string EnteredTop(absl::string_view who, uint32_t n, int64_t rank) const;
  std::string TargetReached(absl::string_view who, absl::string_view metric) const;
  std::string Overdue(absl::string_view subject, size_t total) const;

  // Detail lines.
  std::string ContractLine(absl::string_view contract, absl::string_view customer) const;
  std::string UnitLine(absl::string_view unit) const;
  std::string ReasonLine(absl::string_view reason) const;
  std::string UnitBoard(absl::string_view metric, absl::string_view unit, absl::string_view kind,
                        absl::string_view start) const;
  std::string CompetitionBoard(absl::string_view competition) const;
  std::string BoardLine(absl::string_view board) const;
  std::string ValueLine(absl::string_view value) const;
  std::string ActualOf(absl::string_view actual, absl::string_view target, absl::string_view kind,
                       absl::string_view start) const;
  std::string UnitSubject(absl::string_view unit) const;
  std::string OverdueItem(absl::string_view customer, absl::string_view rep,
                          absl::string_view due) const;  // `rep` empty: a rep's own digest.
  std::string More(size_t n) const;

 private:
  bool chinese_;
  format::MoneyFormatter money_;
};

}  // namespace salestrack::notify

#endif  // SALESTRACK_NOTIFY_WORDING_H_
