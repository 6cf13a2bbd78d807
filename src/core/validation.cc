// The stateless event rules of KPI_SPEC §1 and §3. Each Check* returns the first problem found in
// its part of the event, with a field path relative to the event; ValidateBatch prefixes
// "events[i].".
#include "salestrack/validation.h"

#include <cmath>
#include <limits>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/unknown_field_set.h"
#include "salestrack/event_error.h"
#include "salestrack/metric_names.h"
#include "salestrack/time_range.h"

namespace salestrack {
namespace {

using v1::Event;
using Problem = std::optional<FieldProblem>;

constexpr size_t kMaxNameBytes = 256;
constexpr size_t kMaxShortTextBytes = 1024;
constexpr size_t kMaxLongTextBytes = 4096;
constexpr int kMaxRepeated = 1000;
constexpr int kMaxParticipants = 32;
constexpr int kMaxStages = 64;
constexpr int kMaxDurationMinutes = 7 * 24 * 60;

Problem Fail(std::string field, std::string reason) {
  return FieldProblem{std::move(field), std::move(reason)};
}

std::string Join(absl::string_view prefix, absl::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(prefix, ".", field);
}

std::string Indexed(absl::string_view field, int i) { return absl::StrCat(field, "[", i, "]"); }

#define RETURN_IF_PROBLEM(expr)             \
  do {                                      \
    if (Problem _p = (expr); _p) return _p; \
  } while (0)

// Decodes one UTF-8 code point starting at s[i]; returns its length, or 0 when malformed.
size_t DecodeUtf8(absl::string_view s, size_t i, uint32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  uint8_t c = b(0);
  size_t len;
  uint32_t min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (b(k) & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

Problem CheckId(absl::string_view field, absl::string_view id) {
  if (std::optional<std::string> why = CheckIdentifier(id)) return Fail(std::string(field), *why);
  return std::nullopt;
}

Problem CheckOptionalId(absl::string_view field, absl::string_view id) {
  return id.empty() ? std::nullopt : CheckId(field, id);
}

Problem CheckText(absl::string_view field, absl::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Fail(std::string(field),
                absl::StrCat("must be at most ", max_bytes, " bytes (got ", text.size(), ")"));
  }
  return std::nullopt;
}

Problem CheckName(absl::string_view field, absl::string_view name) {
  if (name.empty()) return Fail(std::string(field), "is required");
  return CheckText(field, name, kMaxNameBytes);
}

Problem CheckAmount(absl::string_view field, int64_t amount) {
  if (amount < 0) return Fail(std::string(field), absl::StrCat("must be >= 0 (got ", amount, ")"));
  if (amount > kMaxEventAmount) {
    return Fail(std::string(field), absl::StrCat("must be at most ", kMaxEventAmount,
                                                 ", the per-event maximum (got ", amount, ")"));
  }
  return std::nullopt;
}

Problem CheckTimestamp(absl::string_view field, const google::protobuf::Timestamp& ts) {
  return CheckInstant(field, ts);
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// Fields the wire carried that this daemon's schema does not have (a newer client's, or noise), at
// any depth. They are refused rather than stored: the log would keep bytes no export, query or
// content comparison can see (JSON drops them), so a re-import or a retry without them would
// conflict with the stored event (found by the event_decoder fuzzer).
Problem CheckKnownFields(const google::protobuf::Message& m, const std::string& path) {
  const google::protobuf::Reflection* r = m.GetReflection();
  if (const google::protobuf::UnknownFieldSet& unknown = r->GetUnknownFields(m); !unknown.empty()) {
    return Fail(path, absl::StrCat("has a field unknown to this daemon (number ",
                                   unknown.field(0).number(), "); is the client newer?"));
  }
  // The descriptor's message fields, not ListFields: this runs for every appended event, and
  // ListFields allocates and sorts.
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  for (int k = 0; k < d->field_count(); ++k) {
    const google::protobuf::FieldDescriptor* f = d->field(k);
    if (f->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!f->is_repeated()) {
      if (r->HasField(m, f)) {
        RETURN_IF_PROBLEM(CheckKnownFields(r->GetMessage(m, f), Join(path, f->name())));
      }
      continue;
    }
    for (int i = 0; i < r->FieldSize(m, f); ++i) {
      RETURN_IF_PROBLEM(
          CheckKnownFields(r->GetRepeatedMessage(m, f, i), Indexed(Join(path, f->name()), i)));
    }
  }
  return std::nullopt;
}

template <typename IsValid>
Problem CheckEnum(absl::string_view field, int value, IsValid is_valid) {
  if (value == 0) return Fail(std::string(field), "is required");
  if (!is_valid(value)) {
    return Fail(std::string(field), absl::StrCat("unknown value ", value));
  }
  return std::nullopt;
}

Problem CheckMetric(absl::string_view field, absl::string_view metric) {
  if (metric.empty()) return Fail(std::string(field), "is required");
  if (!IsKnownMetricName(metric)) {
    return Fail(std::string(field), absl::StrCat("unknown metric \"", metric, "\""));
  }
  return std::nullopt;
}

// ---- Org and configuration ---------------------------------------------------------------------

Problem CheckUnitDefined(const v1::UnitDefined& u) {
  RETURN_IF_PROBLEM(CheckId("unit_defined.unit_id", u.unit_id()));
  RETURN_IF_PROBLEM(CheckName("unit_defined.name", u.name()));
  RETURN_IF_PROBLEM(CheckOptionalId("unit_defined.parent_unit_id", u.parent_unit_id()));
  if (u.parent_unit_id() == u.unit_id()) {
    return Fail("unit_defined.parent_unit_id", "a unit cannot be its own parent");
  }
  return std::nullopt;
}

Problem CheckRepDefined(const Event& e, const v1::RepDefined& r) {
  RETURN_IF_PROBLEM(CheckId("rep_defined.rep_id", r.rep_id()));
  if (!e.rep_id().empty() && e.rep_id() != r.rep_id()) {
    return Fail("rep_id", "must be empty or equal to rep_defined.rep_id");
  }
  RETURN_IF_PROBLEM(CheckName("rep_defined.name", r.name()));
  RETURN_IF_PROBLEM(CheckId("rep_defined.unit_id", r.unit_id()));
  RETURN_IF_PROBLEM(CheckOptionalId("rep_defined.role", r.role()));
  return std::nullopt;
}

Problem CheckStagesDefined(const v1::StagesDefined& s) {
  if (s.stages().empty()) return Fail("stages_defined.stages", "at least one stage is required");
  if (s.stages_size() > kMaxStages) {
    return Fail("stages_defined.stages", absl::StrCat("at most ", kMaxStages, " stages"));
  }
  absl::flat_hash_set<absl::string_view> seen;
  for (int i = 0; i < s.stages_size(); ++i) {
    std::string path = Indexed("stages_defined.stages", i);
    const auto& stage = s.stages(i);
    RETURN_IF_PROBLEM(CheckId(Join(path, "stage_id"), stage.stage_id()));
    if (stage.stage_id().find(':') != std::string::npos) {
      return Fail(Join(path, "stage_id"), "must not contain ':'");
    }
    RETURN_IF_PROBLEM(CheckName(Join(path, "name"), stage.name()));
    if (!seen.insert(stage.stage_id()).second) {
      return Fail(Join(path, "stage_id"),
                  absl::StrCat("duplicate stage \"", stage.stage_id(), "\""));
    }
  }
  return std::nullopt;
}

Problem CheckTargetSet(const v1::TargetSet& t) {
  switch (t.subject_case()) {
    case v1::TargetSet::kSubjectRepId:
      RETURN_IF_PROBLEM(CheckId("target_set.subject_rep_id", t.subject_rep_id()));
      break;
    case v1::TargetSet::kSubjectUnitId:
      RETURN_IF_PROBLEM(CheckId("target_set.subject_unit_id", t.subject_unit_id()));
      break;
    case v1::TargetSet::SUBJECT_NOT_SET:
      return Fail("target_set.subject", "one of subject_rep_id or subject_unit_id is required");
  }
  if (!t.has_period()) return Fail("target_set.period", "is required");
  RETURN_IF_PROBLEM(CheckEnum("target_set.period.kind", t.period().kind(), v1::PeriodKind_IsValid));
  if (!t.period().has_date()) return Fail("target_set.period.date", "is required");
  RETURN_IF_PROBLEM(CheckPeriodDate("target_set.period.date",
                                    static_cast<PeriodKind>(t.period().kind()), t.period().date()));
  RETURN_IF_PROBLEM(CheckMetric("target_set.metric", t.metric()));
  if (!IsPerPeriodMetric(t.metric())) {
    return Fail("target_set.metric",
                absl::StrCat("\"", t.metric(),
                             "\" is not a per-period metric; targets are set on "
                             "the per-period metrics a scheme scores"));
  }
  RETURN_IF_PROBLEM(CheckAmount("target_set.baseline", t.baseline()));
  RETURN_IF_PROBLEM(CheckAmount("target_set.target", t.target()));
  RETURN_IF_PROBLEM(CheckAmount("target_set.challenge", t.challenge()));
  if (t.target() == 0) return Fail("target_set.target", "must be > 0");
  return std::nullopt;
}

Problem CheckSchemeDefined(const v1::SchemeDefined& s) {
  RETURN_IF_PROBLEM(CheckId("scheme_defined.scheme_id", s.scheme_id()));
  RETURN_IF_PROBLEM(CheckName("scheme_defined.name", s.name()));
  RETURN_IF_PROBLEM(CheckId("scheme_defined.role", s.role()));
  if (s.components().empty()) return Fail("scheme_defined.components", "at least one is required");
  if (s.components_size() > 64) return Fail("scheme_defined.components", "at most 64");
  int64_t weight_sum = 0;
  for (int i = 0; i < s.components_size(); ++i) {
    const auto& c = s.components(i);
    std::string path = Indexed("scheme_defined.components", i);
    RETURN_IF_PROBLEM(CheckText(Join(path, "dimension"), c.dimension(), kMaxNameBytes));
    RETURN_IF_PROBLEM(CheckMetric(Join(path, "metric"), c.metric()));
    if (!IsPerPeriodMetric(c.metric())) {
      return Fail(Join(path, "metric"), absl::StrCat("\"", c.metric(),
                                                     "\" is not a per-period metric, so it cannot "
                                                     "be scored against a period's target"));
    }
    for (int j = 0; j < i; ++j) {
      if (s.components(j).metric() == c.metric()) {
        return Fail(Join(path, "metric"),
                    absl::StrCat("\"", c.metric(), "\" is already components[", j, "]"));
      }
    }
    if (c.weight_bp() <= 0 || c.weight_bp() > 10000) {
      return Fail(Join(path, "weight_bp"),
                  absl::StrCat("must be in [1, 10000] (got ", c.weight_bp(), ")"));
    }
    weight_sum += c.weight_bp();
    switch (c.rule_case()) {
      case v1::SchemeDefined::Component::kThreshold:
        if (c.threshold().floor_bp() < 0 || c.threshold().floor_bp() > 10000) {
          return Fail(Join(path, "threshold.floor_bp"), "must be in [0, 10000]");
        }
        break;
      case v1::SchemeDefined::Component::kLinear:
        if (c.linear().cap_bp() < 0) return Fail(Join(path, "linear.cap_bp"), "must be >= 0");
        break;
      case v1::SchemeDefined::Component::RULE_NOT_SET:
        return Fail(Join(path, "rule"), "one of threshold or linear is required");
    }
    RETURN_IF_PROBLEM(CheckEnum(Join(path, "direction"), c.direction(), v1::Direction_IsValid));
  }
  if (weight_sum != 10000) {
    return Fail("scheme_defined.components",
                absl::StrCat("weights must sum to 10000 basis points (got ", weight_sum, ")"));
  }
  for (int i = 0; i < s.multiplier_tiers_size(); ++i) {
    const auto& t = s.multiplier_tiers(i);
    std::string path = Indexed("scheme_defined.multiplier_tiers", i);
    if (t.min_score_centi() < 0 || t.min_score_centi() > 10000) {
      return Fail(Join(path, "min_score_centi"), "must be in [0, 10000]");
    }
    if (t.multiplier_bp() < 0) return Fail(Join(path, "multiplier_bp"), "must be >= 0");
    if (i > 0 && t.min_score_centi() >= s.multiplier_tiers(i - 1).min_score_centi()) {
      return Fail(Join(path, "min_score_centi"), "tiers must have strictly decreasing min_score");
    }
  }
  for (int i = 0; i < s.commission_tiers_size(); ++i) {
    const auto& t = s.commission_tiers(i);
    std::string path = Indexed("scheme_defined.commission_tiers", i);
    if (t.from_bp() < 0) return Fail(Join(path, "from_bp"), "must be >= 0");
    if (t.to_bp() != 0 && t.to_bp() <= t.from_bp()) {
      return Fail(Join(path, "to_bp"), "must be 0 (no bound) or > from_bp");
    }
    if (t.rate_bp() < 0 || t.rate_bp() > 10000) {
      return Fail(Join(path, "rate_bp"), "must be in [0, 10000]");
    }
    if (i > 0) {
      const auto& prev = s.commission_tiers(i - 1);
      if (prev.to_bp() == 0 || t.from_bp() < prev.to_bp()) {
        return Fail(Join(path, "from_bp"), "tiers must be ascending and must not overlap");
      }
    }
  }
  return std::nullopt;
}

Problem CheckCompetitionDefined(const v1::CompetitionDefined& c) {
  RETURN_IF_PROBLEM(CheckId("competition_defined.competition_id", c.competition_id()));
  RETURN_IF_PROBLEM(CheckName("competition_defined.name", c.name()));
  if (!c.has_start()) return Fail("competition_defined.start", "is required");
  RETURN_IF_PROBLEM(CheckTimestamp("competition_defined.start", c.start()));
  if (!c.has_end()) return Fail("competition_defined.end", "is required");
  RETURN_IF_PROBLEM(CheckTimestamp("competition_defined.end", c.end()));
  if (ToTime(c.end()) <= ToTime(c.start())) {
    return Fail("competition_defined.end", "must be after start");
  }
  switch (c.measure_case()) {
    case v1::CompetitionDefined::kMetric:
      if (!IsAttainmentMetric(c.metric())) {
        RETURN_IF_PROBLEM(CheckMetric("competition_defined.metric", c.metric()));
      }
      if (!IsCompetitionMetric(c.metric())) {
        return Fail(
            "competition_defined.metric",
            absl::StrCat("\"", c.metric(), "\" cannot rank a competition: use a per-period ",
                         "metric, an attainment (\"attainment:sales_amount\"), or scheme_id for a ",
                         "composite score"));
      }
      break;
    case v1::CompetitionDefined::kSchemeId:
      RETURN_IF_PROBLEM(CheckId("competition_defined.scheme_id", c.scheme_id()));
      break;
    case v1::CompetitionDefined::MEASURE_NOT_SET:
      return Fail("competition_defined.measure", "one of metric or scheme_id is required");
  }
  RETURN_IF_PROBLEM(
      CheckEnum("competition_defined.mode", c.mode(), v1::CompetitionDefined::Mode_IsValid));
  if (c.participant_rep_ids().empty() && c.participant_unit_ids().empty()) {
    return Fail("competition_defined.participant_rep_ids", "at least one participant is required");
  }
  if (c.mode() == v1::CompetitionDefined::TEAM && !c.participant_rep_ids().empty()) {
    return Fail("competition_defined.participant_rep_ids",
                "a TEAM competition ranks units: list participant_unit_ids only");
  }
  if (c.participant_rep_ids_size() + c.participant_unit_ids_size() > kMaxRepeated) {
    return Fail("competition_defined.participant_rep_ids",
                absl::StrCat("at most ", kMaxRepeated, " participants"));
  }
  for (int i = 0; i < c.participant_rep_ids_size(); ++i) {
    RETURN_IF_PROBLEM(
        CheckId(Indexed("competition_defined.participant_rep_ids", i), c.participant_rep_ids(i)));
  }
  for (int i = 0; i < c.participant_unit_ids_size(); ++i) {
    RETURN_IF_PROBLEM(
        CheckId(Indexed("competition_defined.participant_unit_ids", i), c.participant_unit_ids(i)));
  }
  return std::nullopt;
}

// ---- Activity ----------------------------------------------------------------------------------

Problem CheckActionLogged(const Event& e, const v1::ActionLogged& a) {
  RETURN_IF_PROBLEM(CheckId("action_logged.customer_id", a.customer_id()));
  RETURN_IF_PROBLEM(CheckOptionalId("action_logged.contact_id", a.contact_id()));
  RETURN_IF_PROBLEM(CheckOptionalId("action_logged.opportunity_id", a.opportunity_id()));
  RETURN_IF_PROBLEM(CheckText("action_logged.subject", a.subject(), kMaxShortTextBytes));
  RETURN_IF_PROBLEM(CheckText("action_logged.location", a.location(), kMaxShortTextBytes));
  if (a.has_geo()) {
    double lat = a.geo().latitude(), lng = a.geo().longitude();
    if (!std::isfinite(lat) || lat < -90 || lat > 90) {
      return Fail("action_logged.geo.latitude", "must be in [-90, 90]");
    }
    if (!std::isfinite(lng) || lng < -180 || lng > 180) {
      return Fail("action_logged.geo.longitude", "must be in [-180, 180]");
    }
  }
  if (a.duration_minutes() < 0 || a.duration_minutes() > kMaxDurationMinutes) {
    return Fail(
        "action_logged.duration_minutes",
        absl::StrCat("must be in [0, ", kMaxDurationMinutes, "] (got ", a.duration_minutes(), ")"));
  }
  if (a.participant_rep_ids_size() > kMaxParticipants) {
    return Fail("action_logged.participant_rep_ids",
                absl::StrCat("at most ", kMaxParticipants, " participants"));
  }
  for (int i = 0; i < a.participant_rep_ids_size(); ++i) {
    RETURN_IF_PROBLEM(
        CheckId(Indexed("action_logged.participant_rep_ids", i), a.participant_rep_ids(i)));
  }
  RETURN_IF_PROBLEM(CheckText("action_logged.reason", a.reason(), kMaxLongTextBytes));
  RETURN_IF_PROBLEM(CheckText("action_logged.result", a.result(), kMaxLongTextBytes));
  RETURN_IF_PROBLEM(CheckText("action_logged.description", a.description(), kMaxLongTextBytes));
  RETURN_IF_PROBLEM(CheckOptionalId("action_logged.stage", a.stage()));
  RETURN_IF_PROBLEM(CheckEnum("action_logged.purpose", a.purpose(), v1::Purpose_IsValid));
  RETURN_IF_PROBLEM(CheckEnum("action_logged.channel", a.channel(), v1::Channel_IsValid));
  RETURN_IF_PROBLEM(CheckAmount("action_logged.cost", a.cost()));
  if (a.has_next_follow_up_at()) {
    RETURN_IF_PROBLEM(CheckTimestamp("action_logged.next_follow_up_at", a.next_follow_up_at()));
    if (ToTime(a.next_follow_up_at()) <= ToTime(e.occurred_at())) {
      return Fail("action_logged.next_follow_up_at", "must be after occurred_at");
    }
  }
  return std::nullopt;
}

Problem CheckOpportunityOpened(const v1::OpportunityOpened& o) {
  RETURN_IF_PROBLEM(CheckId("opportunity_opened.opportunity_id", o.opportunity_id()));
  RETURN_IF_PROBLEM(CheckId("opportunity_opened.customer_id", o.customer_id()));
  RETURN_IF_PROBLEM(CheckAmount("opportunity_opened.expected_amount", o.expected_amount()));
  RETURN_IF_PROBLEM(CheckOptionalId("opportunity_opened.initial_stage", o.initial_stage()));
  return std::nullopt;
}

Problem CheckContractSigned(const v1::ContractSigned& c) {
  RETURN_IF_PROBLEM(CheckId("contract_signed.contract_id", c.contract_id()));
  RETURN_IF_PROBLEM(CheckId("contract_signed.customer_id", c.customer_id()));
  RETURN_IF_PROBLEM(CheckOptionalId("contract_signed.opportunity_id", c.opportunity_id()));
  RETURN_IF_PROBLEM(CheckAmount("contract_signed.amount", c.amount()));
  if (c.has_cost()) RETURN_IF_PROBLEM(CheckAmount("contract_signed.cost", c.cost()));
  if (c.lines_size() > kMaxRepeated) {
    return Fail("contract_signed.lines", absl::StrCat("at most ", kMaxRepeated, " lines"));
  }
  for (int i = 0; i < c.lines_size(); ++i) {
    std::string path = Indexed("contract_signed.lines", i);
    RETURN_IF_PROBLEM(CheckId(Join(path, "product_id"), c.lines(i).product_id()));
    if (c.lines(i).quantity() <= 0) {
      return Fail(Join(path, "quantity"),
                  absl::StrCat("must be > 0 (got ", c.lines(i).quantity(), ")"));
    }
    RETURN_IF_PROBLEM(CheckAmount(Join(path, "quantity"), c.lines(i).quantity()));
    RETURN_IF_PROBLEM(CheckAmount(Join(path, "unit_price"), c.lines(i).unit_price()));
  }
  if (c.installments_size() > kMaxRepeated) {
    return Fail("contract_signed.installments",
                absl::StrCat("at most ", kMaxRepeated, " installments"));
  }
  int64_t sum = 0;
  for (int i = 0; i < c.installments_size(); ++i) {
    std::string path = Indexed("contract_signed.installments", i);
    const auto& inst = c.installments(i);
    if (!inst.has_due_at()) return Fail(Join(path, "due_at"), "is required");
    RETURN_IF_PROBLEM(CheckTimestamp(Join(path, "due_at"), inst.due_at()));
    RETURN_IF_PROBLEM(CheckAmount(Join(path, "amount"), inst.amount()));
    if (inst.amount() > std::numeric_limits<int64_t>::max() - sum) {
      return Fail(Join(path, "amount"), "installments overflow");
    }
    sum += inst.amount();
  }
  if (c.installments_size() > 0 && sum != c.amount()) {
    return Fail("contract_signed.installments",
                absl::StrCat("must sum to amount ", c.amount(), " (got ", sum, ")"));
  }
  return std::nullopt;
}

Problem CheckPayload(const Event& e) {
  switch (e.payload_case()) {
    case Event::kUnitDefined:
      return CheckUnitDefined(e.unit_defined());
    case Event::kRepDefined:
      return CheckRepDefined(e, e.rep_defined());
    case Event::kStagesDefined:
      return CheckStagesDefined(e.stages_defined());
    case Event::kTargetSet:
      return CheckTargetSet(e.target_set());
    case Event::kSchemeDefined:
      return CheckSchemeDefined(e.scheme_defined());
    case Event::kCompetitionDefined:
      return CheckCompetitionDefined(e.competition_defined());
    case Event::kActionLogged:
      return CheckActionLogged(e, e.action_logged());
    case Event::kOpportunityOpened:
      return CheckOpportunityOpened(e.opportunity_opened());
    case Event::kOpportunityStageChanged:
      RETURN_IF_PROBLEM(CheckId("opportunity_stage_changed.opportunity_id",
                                e.opportunity_stage_changed().opportunity_id()));
      return CheckId("opportunity_stage_changed.stage", e.opportunity_stage_changed().stage());
    case Event::kOpportunityClosed:
      RETURN_IF_PROBLEM(
          CheckId("opportunity_closed.opportunity_id", e.opportunity_closed().opportunity_id()));
      RETURN_IF_PROBLEM(CheckEnum("opportunity_closed.outcome", e.opportunity_closed().outcome(),
                                  v1::OpportunityClosed::Outcome_IsValid));
      return CheckText("opportunity_closed.reason", e.opportunity_closed().reason(),
                       kMaxLongTextBytes);
    case Event::kContractSigned:
      return CheckContractSigned(e.contract_signed());
    case Event::kPaymentReceived:
      RETURN_IF_PROBLEM(CheckId("payment_received.payment_id", e.payment_received().payment_id()));
      RETURN_IF_PROBLEM(
          CheckId("payment_received.contract_id", e.payment_received().contract_id()));
      return CheckAmount("payment_received.amount", e.payment_received().amount());
    case Event::kFeedbackRecorded:
      RETURN_IF_PROBLEM(
          CheckId("feedback_recorded.customer_id", e.feedback_recorded().customer_id()));
      if (int s = e.feedback_recorded().score(); s < 1 || s > 5) {
        return Fail("feedback_recorded.score", absl::StrCat("must be in [1, 5] (got ", s, ")"));
      }
      return std::nullopt;
    case Event::kScoreRecorded:
      RETURN_IF_PROBLEM(CheckId("score_recorded.metric", e.score_recorded().metric()));
      if (e.score_recorded().metric().find(':') != std::string::npos) {
        return Fail("score_recorded.metric", "must not contain ':' (give NAME, not score:NAME)");
      }
      if (int v = e.score_recorded().value(); v < 0 || v > 100) {
        return Fail("score_recorded.value", absl::StrCat("must be in [0, 100] (got ", v, ")"));
      }
      return CheckOptionalId("score_recorded.scored_by", e.score_recorded().scored_by());
    case Event::kEventVoided:
      RETURN_IF_PROBLEM(
          CheckId("event_voided.target_event_id", e.event_voided().target_event_id()));
      if (e.event_voided().target_event_id() == e.event_id()) {
        return Fail("event_voided.target_event_id", "an event cannot void itself");
      }
      return CheckText("event_voided.reason", e.event_voided().reason(), kMaxLongTextBytes);
    case Event::PAYLOAD_NOT_SET:
      return Fail("payload", "is required (one of unit_defined, rep_defined, ..., event_voided)");
  }
  return Fail("payload", absl::StrCat("unknown payload type ", static_cast<int>(e.payload_case())));
}

}  // namespace

std::optional<std::string> CheckIdentifier(absl::string_view id) {
  if (id.empty()) return "is required (1 to 128 bytes)";
  if (id.size() > 128) return absl::StrCat("must be at most 128 bytes (got ", id.size(), ")");
  for (size_t i = 0; i < id.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(id, i, &cp);
    if (len == 0) return absl::StrCat("is not valid UTF-8 (at byte ", i, ")");
    if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      return absl::StrCat("must not contain control characters (at byte ", i, ")");
    }
    i += len;
  }
  return std::nullopt;
}

std::optional<size_t> FindInvalidUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t len = DecodeUtf8(text, i, &cp);
    if (len == 0) return i;
    i += len;
  }
  return std::nullopt;
}

bool IsActivityEvent(const Event& event) {
  switch (event.payload_case()) {
    case Event::kActionLogged:
    case Event::kOpportunityOpened:
    case Event::kOpportunityStageChanged:
    case Event::kOpportunityClosed:
    case Event::kContractSigned:
    case Event::kPaymentReceived:
    case Event::kFeedbackRecorded:
    case Event::kScoreRecorded:
      return true;
    default:
      return false;
  }
}

std::optional<FieldProblem> ValidateEvent(const Event& e, absl::Time now,
                                          const ValidationOptions& options) {
  RETURN_IF_PROBLEM(CheckKnownFields(e, ""));
  RETURN_IF_PROBLEM(CheckId("event_id", e.event_id()));
  if (!e.has_occurred_at()) return Fail("occurred_at", "is required");
  RETURN_IF_PROBLEM(CheckTimestamp("occurred_at", e.occurred_at()));
  if (absl::Time t = ToTime(e.occurred_at()); t > now + options.max_future_skew) {
    return Fail("occurred_at",
                absl::StrCat("is in the future (", absl::FormatTime(t, absl::UTCTimeZone()),
                             " is more than ", absl::FormatDuration(options.max_future_skew),
                             " after the server's clock, ",
                             absl::FormatTime(now, absl::UTCTimeZone()), ")"));
  }
  if (IsActivityEvent(e)) {
    if (e.rep_id().empty()) return Fail("rep_id", "is required for this event type");
    RETURN_IF_PROBLEM(CheckId("rep_id", e.rep_id()));
  } else {
    RETURN_IF_PROBLEM(CheckOptionalId("rep_id", e.rep_id()));
  }
  return CheckPayload(e);
}

absl::Status ValidateBatch(const google::protobuf::RepeatedPtrField<v1::Event>& events,
                           absl::Time now, const ValidationOptions& options) {
  if (events.empty()) {
    return BatchError(absl::StatusCode::kInvalidArgument, "events", "the batch is empty");
  }
  if (static_cast<size_t>(events.size()) > options.max_batch_events) {
    return TooBigBatch(absl::StrCat("the batch has ", events.size(), " events; the limit is ",
                                    options.max_batch_events, ": split it"),
                       options.max_batch_events);
  }
  for (int i = 0; i < events.size(); ++i) {
    if (Problem p = ValidateEvent(events[i], now, options)) {
      return EventError(absl::StatusCode::kInvalidArgument, i, p->field, p->reason);
    }
  }
  return absl::OkStatus();
}

}  // namespace salestrack
