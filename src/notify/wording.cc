#include "notify/wording.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/substitute.h"

namespace salestrack::notify {

std::string TargetLocale(const v1::NotifyTarget& target) {
  if (!target.locale().empty()) return target.locale();
  const bool chinese_robot =
      target.format() == v1::NotifyTarget::DINGTALK || target.format() == v1::NotifyTarget::WECOM;
  return chinese_robot ? "zh-CN" : "en";
}

Wording::Wording(const format::CurrencySpec& currency, absl::string_view locale)
    : chinese_(absl::StartsWithIgnoreCase(locale, "zh")), money_(currency, locale) {}

std::string Wording::DealSigned(int64_t amount, absl::string_view who) const {
  return chinese_ ? absl::StrCat("签约：", who, " ", Money(amount))
                  : absl::StrCat("Deal signed: ", Money(amount), " by ", who);
}

std::string Wording::DealVoided(int64_t amount, absl::string_view who) const {
  return chinese_ ? absl::StrCat("签约作废：", who, " ", Money(amount))
                  : absl::StrCat("Deal voided: ", Money(amount), " by ", who);
}

std::string Wording::EnteredTop(absl::string_view who, uint32_t n, int64_t rank) const {
  return chinese_ ? absl::Substitute("$0 进入前 $1 名：第 $2 名", who, n, rank)
                  : absl::Substitute("$0 entered the top $1: rank $2", who, n, rank);
}

std::string Wording::TargetReached(absl::string_view who, absl::string_view metric) const {
  return chinese_ ? absl::Substitute("$0 达成 $1 目标", who, metric)
                  : absl::Substitute("$0 reached the $1 target", who, metric);
}

std::string Wording::Overdue(absl::string_view subject, size_t total) const {
  if (chinese_) return absl::Substitute("$0：$1 条逾期跟进", subject, total);
  return absl::Substitute("$0: $1 overdue follow-up$2", subject, total, total == 1 ? "" : "s");
}

std::string Wording::ContractLine(absl::string_view contract, absl::string_view customer) const {
  return chinese_ ? absl::Substitute("合同 $0，客户 $1", contract, customer)
                  : absl::Substitute("contract $0, customer $1", contract, customer);
}

std::string Wording::UnitLine(absl::string_view unit) const {
  return absl::StrCat(chinese_ ? "部门 " : "unit ", unit);
}

std::string Wording::ReasonLine(absl::string_view reason) const {
  return absl::StrCat(chinese_ ? "原因：" : "reason: ", reason);
}

std::string Wording::UnitBoard(absl::string_view metric, absl::string_view unit,
                               absl::string_view kind, absl::string_view start) const {
  return chinese_ ? absl::Substitute("部门 $1 的 $0，$2 自 $3", metric, unit, kind, start)
                  : absl::Substitute("$0 in unit $1, $2 from $3", metric, unit, kind, start);
}

std::string Wording::CompetitionBoard(absl::string_view competition) const {
  return absl::StrCat(chinese_ ? "竞赛 " : "competition ", competition);
}

std::string Wording::BoardLine(absl::string_view board) const {
  return absl::StrCat(chinese_ ? "排行榜：" : "board: ", board);
}

std::string Wording::ValueLine(absl::string_view value) const {
  return absl::StrCat(chinese_ ? "数值 " : "value ", value);
}

std::string Wording::ActualOf(absl::string_view actual, absl::string_view target,
                              absl::string_view kind, absl::string_view start) const {
  return chinese_ ? absl::Substitute("实际 $0 / 目标 $1，$2 自 $3", actual, target, kind, start)
                  : absl::Substitute("actual $0 of $1, $2 from $3", actual, target, kind, start);
}

std::string Wording::UnitSubject(absl::string_view unit) const {
  return absl::StrCat(chinese_ ? "部门 " : "unit ", unit);
}

std::string Wording::OverdueItem(absl::string_view customer, absl::string_view rep,
                                 absl::string_view due) const {
  if (chinese_) {
    return rep.empty() ? absl::Substitute("客户 $0，应于 $1", customer, due)
                       : absl::Substitute("客户 $0（$1），应于 $2", customer, rep, due);
  }
  return rep.empty() ? absl::Substitute("customer $0, due $1", customer, due)
                     : absl::Substitute("customer $0 (rep $1), due $2", customer, rep, due);
}

std::string Wording::More(size_t n) const {
  return chinese_ ? absl::Substitute("另有 $0 条", n) : absl::Substitute("and $0 more", n);
}

}  // namespace salestrack::notify
