#include "notify/triggers.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/wire.h"
#include "google/protobuf/util/time_util.h"
#include "salestrack/period.h"
#include "salestrack/status_macros.h"

namespace salestrack::notify {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr size_t kDigestLines = 10;  // Follow-ups (or reps) listed per digest; the total is given.

void Put(Struct* s, const std::string& field, const std::string& text) {
  (*s->mutable_fields())[field].set_string_value(text);
}
void PutNumber(Struct* s, const std::string& field, double number) {
  (*s->mutable_fields())[field].set_number_value(number);
}

std::string Day(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// "Li Lei (rep-li)", or the id alone for a rep the org does not define.
std::string RepLabel(const OrgState& org, const std::string& id) {
  const OrgState::Rep* rep = org.FindRep(id);
  return rep == nullptr || rep->name.empty() ? id : absl::StrCat(rep->name, " (", id, ")");
}
std::string UnitLabel(const OrgState& org, const std::string& id) {
  const OrgState::Unit* unit = org.FindUnit(id);
  return unit == nullptr || unit->name.empty() ? id : absl::StrCat(unit->name, " (", id, ")");
}

}  // namespace

Triggers::Triggers(engine::Engine* engine, const NotifyOptions& options)
    : engine_(engine), options_(options) {
  const format::CurrencySpec currency{engine_->currency().code,
                                      engine_->currency().minor_unit_exponent};
  for (const v1::NotifyRule& rule : options_.rules) {
    wordings_.emplace(rule.name(),
                      std::make_unique<Wording>(currency, TargetLocale(rule.target())));
  }
}

const Wording& Triggers::WordingOf(const v1::NotifyRule& rule) const {
  return *wordings_.at(rule.name());
}

absl::Status Triggers::Load(const Outbox& outbox) {
  states_.clear();
  for (const v1::NotifyRule& rule : options_.rules) {
    absl::StatusOr<std::optional<store::NotifyRuleState>> state = outbox.ReadRuleState(rule.name());
    if (!state.ok()) return state.status();
    if (*state) states_[rule.name()] = **state;
  }
  return absl::OkStatus();
}

void Triggers::SetState(const std::string& rule, store::NotifyRuleState state, Outbox::Step* step) {
  states_[rule] = state;
  step->states.emplace_back(rule, std::move(state));
}

absl::Status Triggers::Emit(const v1::NotifyRule& rule, std::string key, uint64_t seq,
                            absl::Time now, Content content, Outbox::Step* step) const {
  v1::Notification n;
  n.set_rule(rule.name());
  n.set_idempotency_key(std::move(key));
  n.set_seq(seq);
  *n.mutable_created_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  n.set_summary(content.title);
  const Origin origin{rule.name(), n.idempotency_key(), seq, absl::ToUnixMicros(now)};
  absl::StatusOr<std::string> body = RenderBody(rule.target().format(), origin, content);
  if (!body.ok()) return body.status();
  n.set_body(*std::move(body));
  step->pending.push_back(std::move(n));
  return absl::OkStatus();
}

absl::Status Triggers::OnRecords(const google::protobuf::RepeatedPtrField<v1::EventRecord>& records,
                                 absl::Time now, Outbox::Step* step) {
  if (records.empty()) return absl::OkStatus();
  const uint64_t last = records.rbegin()->seq();
  // The signings the batch's voids take back, read from the store once for every deal rule.
  std::map<uint64_t, v1::EventRecord> void_targets;  // By the void's seq.
  const bool deal_rules =
      std::any_of(options_.rules.begin(), options_.rules.end(), [](const v1::NotifyRule& rule) {
        return rule.trigger_case() == v1::NotifyRule::kDealSigned;
      });
  for (const v1::EventRecord& r : records) {
    if (!deal_rules || !r.event().has_event_voided()) continue;
    absl::StatusOr<v1::EventRecord> target = engine_->views().ReadVoidTarget(r.seq(), r.event());
    if (!target.ok()) return target.status();
    void_targets.emplace(r.seq(), *std::move(target));
  }
  for (const v1::NotifyRule& rule : options_.rules) {
    absl::Status s;
    switch (rule.trigger_case()) {
      case v1::NotifyRule::kDealSigned:
        for (const v1::EventRecord& r : records) {
          auto target = void_targets.find(r.seq());
          s = DealSigned(rule, r, target == void_targets.end() ? nullptr : &target->second, now,
                         step);
          if (!s.ok()) break;
        }
        break;
      case v1::NotifyRule::kTopN:
        s = TopN(rule, last, now, step);
        break;
      case v1::NotifyRule::kTargetReached:
        s = TargetReached(rule, last, now, step);
        break;
      default:
        break;
    }
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Triggers::DealSigned(const v1::NotifyRule& rule, const v1::EventRecord& record,
                                  const v1::EventRecord* void_target, absl::Time now,
                                  Outbox::Step* step) {
  // A void of a deal the rule announced is announced too, so the room hears it was taken back.
  const bool voided = void_target != nullptr;
  const v1::Event* e = voided ? &void_target->event() : &record.event();
  if (!e->has_contract_signed()) return absl::OkStatus();
  const v1::ContractSigned& c = e->contract_signed();
  if (c.amount() < rule.deal_signed().min_amount()) return absl::OkStatus();
  const Wording& say = WordingOf(rule);
  Content content;
  bool in_scope = true;
  engine_->views().Read([&](const Projector& p) {
    const OrgState& org = p.org();
    const OrgState::Rep* rep = org.FindRep(e->rep_id());
    const std::string unit = rep == nullptr ? "" : rep->unit;
    const std::string& root = rule.deal_signed().unit_id();
    if (!root.empty() && (unit.empty() || !org.InSubtree(unit, root))) {
      in_scope = false;
      return;
    }
    const std::string who = RepLabel(org, e->rep_id());
    content.kind = voided ? "deal_voided" : "deal_signed";
    content.title = voided ? say.DealVoided(c.amount(), who) : say.DealSigned(c.amount(), who);
    content.lines.push_back(say.ContractLine(c.contract_id(), c.customer_id()));
    if (!unit.empty()) content.lines.push_back(say.UnitLine(UnitLabel(org, unit)));
    if (voided && !record.event().event_voided().reason().empty()) {
      content.lines.push_back(say.ReasonLine(record.event().event_voided().reason()));
    }
    Put(&content.data, "event_id", e->event_id());
    Put(&content.data, "contract_id", c.contract_id());
    Put(&content.data, "customer_id", c.customer_id());
    Put(&content.data, "opportunity_id", c.opportunity_id());
    Put(&content.data, "rep_id", e->rep_id());
    Put(&content.data, "rep_name", rep == nullptr ? "" : rep->name);
    Put(&content.data, "unit_id", unit);
    // Strings: JSON readers keep integers exactly only up to 2^53.
    Put(&content.data, "amount", absl::StrCat(c.amount()));
    Put(&content.data, "currency", engine_->currency().code);
    Put(&content.data, "occurred_at", google::protobuf::util::TimeUtil::ToString(e->occurred_at()));
    if (voided) {
      Put(&content.data, "void_event_id", record.event().event_id());
      Put(&content.data, "reason", record.event().event_voided().reason());
    }
  });
  if (!in_scope) return absl::OkStatus();
  return Emit(rule, absl::StrCat(rule.name(), voided ? ":void:" : ":deal:", record.seq()),
              record.seq(), now, std::move(content), step);
}

absl::Status Triggers::TopN(const v1::NotifyRule& rule, uint64_t seq, absl::Time now,
                            Outbox::Step* step) {
  const v1::TopNTrigger& t = rule.top_n();
  v1::GetLeaderboardRequest request;
  if (!t.competition_id().empty()) {
    request.mutable_board()->set_competition_id(t.competition_id());
  } else {
    request.mutable_board()->set_unit_id(t.unit_id());
    request.mutable_board()->set_metric(t.metric());
    request.mutable_board()->mutable_period()->set_kind(t.period_kind());
  }
  request.set_top(t.n());
  v1::GetLeaderboardResponse board;
  const Principal notifier{.name = "notifier", .role = Role::kAdmin};
  if (absl::Status s = engine_->GetLeaderboard(notifier, request, &board); !s.ok()) {
    // A board that does not exist (yet): nothing to compare; the rule waits for the org.
    if (s.code() == absl::StatusCode::kNotFound) return absl::OkStatus();
    return s;
  }
  const v1::Date& d = board.info().board().period().date();
  const std::string period =
      t.competition_id().empty() ? Day(absl::CivilDay(d.year(), d.month(), d.day())) : "window";
  store::NotifyRuleState now_in{period, {}};
  for (const v1::LeaderboardEntry& entry : board.entries()) {
    if (entry.rank() >= 1 && entry.rank() <= t.n()) now_in.members.push_back(entry.member_id());
  }
  std::sort(now_in.members.begin(), now_in.members.end());
  auto it = states_.find(rule.name());
  const bool baseline = it == states_.end() || it->second.period != period;
  if (!baseline && it->second.members == now_in.members) return absl::OkStatus();
  if (!baseline) {
    const std::set<std::string> before(it->second.members.begin(), it->second.members.end());
    for (const v1::LeaderboardEntry& entry : board.entries()) {
      if (entry.rank() < 1 || entry.rank() > t.n() || before.contains(entry.member_id())) continue;
      Content content;
      content.kind = "top_n";
      const Wording& say = WordingOf(rule);
      const std::string board_name =
          t.competition_id().empty()
              ? say.UnitBoard(t.metric(), t.unit_id(), v1::PeriodKind_Name(t.period_kind()), period)
              : say.CompetitionBoard(t.competition_id());
      engine_->views().Read([&](const Projector& p) {
        const std::string who = board.info().team() ? UnitLabel(p.org(), entry.member_id())
                                                    : RepLabel(p.org(), entry.member_id());
        content.title = say.EnteredTop(who, t.n(), entry.rank());
      });
      content.lines.push_back(say.BoardLine(board_name));
      const bool money =
          board.info().kind() == v1::MetricValue::MONEY && std::fabs(entry.value()) < 9.2e18;
      content.lines.push_back(say.ValueLine(money ? say.Money(std::llround(entry.value()))
                                                  : absl::StrCat(entry.value())));
      Put(&content.data, "member_id", entry.member_id());
      PutNumber(&content.data, "rank", entry.rank());
      PutNumber(&content.data, "n", t.n());
      PutNumber(&content.data, "value", entry.value());
      Put(&content.data, "metric", board.info().metric());
      Put(&content.data, "unit_id", t.unit_id());
      Put(&content.data, "competition_id", t.competition_id());
      Put(&content.data, "period_start", period);
      RETURN_IF_ERROR(
          Emit(rule, absl::StrCat(rule.name(), ":top:", period, ":", entry.member_id(), ":", seq),
               seq, now, std::move(content), step));
    }
  }
  SetState(rule.name(), std::move(now_in), step);
  return absl::OkStatus();
}

absl::Status Triggers::TargetReached(const v1::NotifyRule& rule, uint64_t seq, absl::Time now,
                                     Outbox::Step* step) {
  const v1::TargetReachedTrigger& t = rule.target_reached();
  const Period period = PeriodOf(static_cast<PeriodKind>(t.period_kind()), now, engine_->zone());
  const std::string period_key = Day(period.start);
  auto it = states_.find(rule.name());
  const bool first_run = it == states_.end();
  std::set<std::string> reached;
  if (!first_run && it->second.period == period_key) {
    reached.insert(it->second.members.begin(), it->second.members.end());
  }
  const size_t known = reached.size();
  const Wording& say = WordingOf(rule);
  std::vector<Content> made;
  std::vector<std::string> made_keys;
  engine_->views().Read([&](const Projector& p) {
    for (const auto& [subject, target] : p.plans().TargetsIn(period, t.metric())) {
      const std::string tag = absl::StrCat(subject.is_unit ? "unit:" : "rep:", subject.id);
      if (target.target <= 0 || reached.contains(tag)) continue;
      absl::StatusOr<MetricValue> actual =
          p.Metric(subject.is_unit ? Subject::Unit(subject.id) : Subject::Rep(subject.id), period,
                   t.metric());
      if (!actual.ok() || (actual->kind != MetricValue::Kind::kCount &&
                           actual->kind != MetricValue::Kind::kMoney)) {
        continue;  // Sum metrics only; an undefined unit has no figures.
      }
      if (actual->integer < target.target) continue;
      reached.insert(tag);
      if (first_run) continue;  // Reached before the rule ran: recorded, not announced.
      Content content;
      content.kind = "target_reached";
      const std::string who =
          subject.is_unit ? UnitLabel(p.org(), subject.id) : RepLabel(p.org(), subject.id);
      content.title = say.TargetReached(who, t.metric());
      const bool money = actual->kind == MetricValue::Kind::kMoney;
      content.lines.push_back(
          say.ActualOf(money ? say.Money(actual->integer) : absl::StrCat(actual->integer),
                       money ? say.Money(target.target) : absl::StrCat(target.target),
                       PeriodKindName(period.kind), Day(period.start)));
      Put(&content.data, subject.is_unit ? "unit_id" : "rep_id", subject.id);
      Put(&content.data, "metric", t.metric());
      Put(&content.data, "period_kind", v1::PeriodKind_Name(t.period_kind()));
      Put(&content.data, "period_start", period_key);
      Put(&content.data, "target", absl::StrCat(target.target));
      Put(&content.data, "actual", absl::StrCat(actual->integer));
      made.push_back(std::move(content));
      made_keys.push_back(absl::StrCat(rule.name(), ":target:", period_key, ":", tag));
    }
  });
  for (size_t i = 0; i < made.size(); ++i) {
    RETURN_IF_ERROR(Emit(rule, made_keys[i], seq, now, std::move(made[i]), step));
  }
  if (first_run || reached.size() != known || it->second.period != period_key) {
    SetState(rule.name(), {period_key, {reached.begin(), reached.end()}}, step);
  }
  return absl::OkStatus();
}

absl::Status Triggers::OnClock(absl::Time now, uint64_t seq, Outbox::Step* step) {
  for (const v1::NotifyRule& rule : options_.rules) {
    if (rule.trigger_case() != v1::NotifyRule::kOverdueDigest) continue;
    RETURN_IF_ERROR(Digest(rule, seq, now, step));
  }
  return absl::OkStatus();
}

absl::Time Triggers::NextDigest(absl::Time now) const {
  absl::Time next = absl::InfiniteFuture();
  const absl::TimeZone zone = engine_->zone();
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  for (const v1::NotifyRule& rule : options_.rules) {
    if (rule.trigger_case() != v1::NotifyRule::kOverdueDigest) continue;
    const int minutes = *ParseLocalTime(rule.overdue_digest().local_time());
    auto it = states_.find(rule.name());
    const bool done_today = it != states_.end() && it->second.period == Day(today);
    const absl::CivilDay day = done_today ? today + 1 : today;
    next = std::min(next, absl::FromCivil(absl::CivilMinute(day) + minutes, zone));
  }
  return next;
}

absl::Status Triggers::Digest(const v1::NotifyRule& rule, uint64_t seq, absl::Time now,
                              Outbox::Step* step) {
  const absl::TimeZone zone = engine_->zone();
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  const std::string day = Day(today);
  auto it = states_.find(rule.name());
  if (it != states_.end() && it->second.period == day) return absl::OkStatus();
  const int minutes = *ParseLocalTime(rule.overdue_digest().local_time());
  if (now < absl::FromCivil(absl::CivilMinute(today) + minutes, zone)) return absl::OkStatus();
  const std::string& root = rule.overdue_digest().unit_id();
  const Wording& say = WordingOf(rule);
  // The reps and units to look at, then each subject under its own short read of the views, so
  // a digest of a large org does not hold the writer up.
  std::vector<std::pair<Subject, std::string>> subjects;
  engine_->views().Read([&](const Projector& p) {
    const OrgState& org = p.org();
    // The units with reps under them (a unit without any has no follow-ups), and those reps.
    std::set<std::string> units, reps;
    for (const auto& [unit, members] : org.RepsUnderEachUnit()) {
      if (!root.empty() && !org.InSubtree(unit, root)) continue;
      units.insert(unit);
      reps.insert(members.begin(), members.end());
    }
    for (const std::string& rep : reps)
      subjects.emplace_back(Subject::Rep(rep), RepLabel(org, rep));
    for (const std::string& unit : units) {
      subjects.emplace_back(Subject::Unit(unit), say.UnitSubject(UnitLabel(org, unit)));
    }
  });
  std::vector<std::pair<std::string, Content>> made;
  for (const auto& subject_and_label : subjects) {
    // Named, not a structured binding: a lambda may not capture one before C++20's P1091 in clang.
    const Subject& subject = subject_and_label.first;
    const std::string& label = subject_and_label.second;
    engine_->views().Read([&](const Projector& p) {
      size_t total = 0;
      absl::StatusOr<std::vector<FollowUp>> overdue =
          p.FollowUps(subject, absl::InfinitePast(), absl::InfiniteFuture(),
                      FollowUpState::kOverdue, now, kDigestLines, &total);
      if (!overdue.ok() || total == 0) return;
      Content content;
      content.kind = "overdue_digest";
      content.title = say.Overdue(label, total);
      Value list;
      for (const FollowUp& f : *overdue) {
        content.lines.push_back(say.OverdueItem(f.customer, subject.is_unit ? f.rep : "",
                                                absl::FormatTime("%Y-%m-%d %H:%M", f.due, zone)));
        Struct item;
        Put(&item, "rep_id", f.rep);
        Put(&item, "customer_id", f.customer);
        Put(&item, "due_at", absl::FormatTime(absl::RFC3339_sec, f.due, absl::UTCTimeZone()));
        *list.mutable_list_value()->add_values()->mutable_struct_value() = std::move(item);
      }
      if (total > overdue->size()) {
        content.lines.push_back(say.More(total - overdue->size()));
      }
      Put(&content.data, subject.is_unit ? "unit_id" : "rep_id", subject.id);
      Put(&content.data, "day", day);
      PutNumber(&content.data, "overdue", static_cast<double>(total));
      (*content.data.mutable_fields())["follow_ups"] = std::move(list);
      made.emplace_back(absl::StrCat(rule.name(), ":digest:", day,
                                     subject.is_unit ? ":unit:" : ":rep:", subject.id),
                        std::move(content));
    });
  }
  for (auto& [key, content] : made) {
    RETURN_IF_ERROR(Emit(rule, std::move(key), seq, now, std::move(content), step));
  }
  SetState(rule.name(), {day, {}}, step);
  return absl::OkStatus();
}

}  // namespace salestrack::notify
