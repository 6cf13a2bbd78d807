#include "cli/import/convert.h"

#include <algorithm>
#include <deque>
#include <map>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "salestrack/proto_time.h"
#include "salestrack/validation.h"

namespace salestrack::cli::crm {
namespace {

// An event being built from a row, and where it came from.
struct Built {
  ImportedEvent imported;
  const RowReader* reader = nullptr;  // Of its file, for the column of a field validation names.
  bool bad = false;                   // A row it depends on (a contract line) is bad.
};

class Converter {
 public:
  Converter(const Mapping& mapping, absl::Time now, Conversion* out)
      : mapping_(mapping), now_(now), out_(out) {}

  void Run(const std::vector<InputFile>& files) {
    // Opportunities and contracts first: history, lines, installments and payments join them.
    using RowConverter = void (Converter::*)(RowReader&);
    constexpr std::pair<Kind, RowConverter> kOrder[] = {
        {Kind::kOpportunities, &Converter::Opportunity},
        {Kind::kStageHistory, &Converter::StageChange},
        {Kind::kContracts, &Converter::Contract},
        {Kind::kContractLines, &Converter::ContractLine},
        {Kind::kInstallments, &Converter::Installment},
        {Kind::kPayments, &Converter::Payment},
        {Kind::kActivities, &Converter::Activity},
        {Kind::kFeedback, &Converter::Feedback},
    };
    for (const auto& [kind, convert] : kOrder) {
      for (const InputFile& file : files) {
        if (file.kind != kind) continue;
        for (const CsvProblem& p : file.table.problems) {
          out_->errors.push_back({file.path, p.line, p.column, p.message});
        }
        out_->rows += file.table.rows.size() + file.table.problems.size();
        RowReader& reader = readers_.emplace_back(mapping_, file, &out_->errors);
        if (!reader.ResolveColumns()) continue;
        for (const CsvRow& row : file.table.rows) {
          reader.StartRow(row);
          (this->*convert)(reader);
        }
      }
    }
    Finish();
  }

 private:
  // A new event for the reader's row, or nullptr when the row is bad (already reported). `kind`
  // and the key make its id.
  v1::Event* Add(RowReader& r, absl::string_view kind, const std::string& key,
                 const std::string& rep, std::optional<absl::Time> at) {
    if (!r.row_ok() || !at) return nullptr;
    std::string id = EventId(mapping_.spec.source(), kind, key);
    if (auto [it, fresh] = lines_by_id_.try_emplace(id, r.path(), r.line()); !fresh) {
      r.Fail(-1, "key", key,
             absl::StrCat("the same key as ", it->second.first, ":", it->second.second,
                          " (event id \"", id, "\")"));
      return nullptr;
    }
    Built& b = built_.emplace_back();
    b.reader = &r;
    b.imported.path = r.path();
    b.imported.line = r.line();
    v1::Event& e = b.imported.event;
    e.set_event_id(id);
    *e.mutable_occurred_at() = ToProto(*at);
    e.set_rep_id(rep);
    return &e;
  }

  // A CRM stage: our stage id, or the close outcome of a won or lost stage.
  struct Stage {
    std::string id;
    v1::OpportunityClosed::Outcome outcome = v1::OpportunityClosed::OUTCOME_UNSPECIFIED;
  };
  std::optional<Stage> StageOf(RowReader& r, const std::string& field) {
    std::string cell = r.Cell(field);
    if (cell.empty()) return std::nullopt;
    const auto& won = mapping_.spec.won_stages();
    const auto& lost = mapping_.spec.lost_stages();
    if (std::find(won.begin(), won.end(), cell) != won.end()) {
      return Stage{"", v1::OpportunityClosed::WON};
    }
    if (std::find(lost.begin(), lost.end(), cell) != lost.end()) {
      return Stage{"", v1::OpportunityClosed::LOST};
    }
    std::string id =
        r.Mapped(field, mapping_.spec.stages(), "stages, won_stages or lost_stages", "");
    if (id.empty()) return std::nullopt;
    return Stage{id};
  }

  void Activity(RowReader& r) {
    std::string key = r.Key("");
    std::string rep = r.Rep("rep");
    std::optional<absl::Time> at = r.Instant("occurred_at", true);
    v1::ActionLogged a;
    a.set_customer_id(r.Id("customer", true));
    a.set_contact_id(r.Id("contact", false));
    a.set_opportunity_id(r.Id("opportunity", false));
    a.set_subject(r.Cell("subject"));
    a.set_location(r.Cell("location"));
    a.set_reason(r.Cell("reason"));
    a.set_result(r.Cell("result"));
    a.set_description(r.Cell("description"));
    a.set_duration_minutes(r.Integer("duration_minutes", 0, 10080, false).value_or(0));
    v1::Channel channel = v1::CHANNEL_UNSPECIFIED;  // Names checked with the mapping.
    v1::Channel_Parse(
        r.Mapped("channel", mapping_.spec.channels(), "channels", mapping_.spec.default_channel()),
        &channel);
    a.set_channel(channel);
    v1::Purpose purpose = v1::PURPOSE_UNSPECIFIED;
    v1::Purpose_Parse(
        r.Mapped("purpose", mapping_.spec.purposes(), "purposes", mapping_.spec.default_purpose()),
        &purpose);
    a.set_purpose(purpose);
    if (std::optional<int64_t> cost = r.Money("cost", false)) a.set_cost(*cost);
    if (std::optional<absl::Time> next = r.Instant("next_follow_up_at", false)) {
      *a.mutable_next_follow_up_at() = ToProto(*next);
    }
    if (v1::Event* e = Add(r, "activity", key, rep, at)) *e->mutable_action_logged() = a;
  }

  void Opportunity(RowReader& r) {
    std::string id = r.Id("opportunity_id", true);
    std::string key = r.Key("opportunity_id");
    std::string rep = r.Rep("rep");
    std::optional<absl::Time> at = r.Instant("opened_at", true);
    v1::OpportunityOpened o;
    o.set_opportunity_id(id);
    o.set_customer_id(r.Id("customer", true));
    if (std::optional<int64_t> amount = r.Money("expected_amount", false)) {
      o.set_expected_amount(*amount);
    }
    if (std::optional<Stage> initial = StageOf(r, "initial_stage")) {
      if (initial->id.empty()) r.Bad("initial_stage", "is a won or lost stage, not an open one");
      o.set_initial_stage(initial->id);
    }
    std::optional<Stage> stage = StageOf(r, "stage");
    std::optional<absl::Time> closed_at;
    const bool closed = stage && stage->id.empty();
    if (closed) closed_at = r.Instant("closed_at", true);
    if (r.row_ok()) opportunity_reps_[id] = rep;
    if (v1::Event* e = Add(r, "opp", key, rep, at)) *e->mutable_opportunity_opened() = o;
    if (!closed || !r.row_ok()) return;
    if (v1::Event* e = Add(r, "close", key, rep, closed_at)) {
      v1::OpportunityClosed* c = e->mutable_opportunity_closed();
      c->set_opportunity_id(id);
      c->set_outcome(stage->outcome);
      c->set_reason(r.Cell("close_reason"));
    }
  }

  void StageChange(RowReader& r) {
    std::string key = r.Key("");
    std::string id = r.Id("opportunity_id", true);
    std::optional<absl::Time> at = r.Instant("changed_at", true);
    std::optional<Stage> stage = StageOf(r, "stage");
    if (!stage && r.row_ok()) r.Bad("stage", "is required (the cell is empty)");
    std::string rep;
    if (r.Has("rep")) {
      rep = r.Rep("rep");
    } else if (auto it = opportunity_reps_.find(id); it != opportunity_reps_.end()) {
      rep = it->second;
    } else if (r.row_ok()) {
      r.Bad("opportunity_id",
            "names no good row of the opportunities file (the change takes its rep)");
    }
    if (stage && stage->id.empty() && r.row_ok()) {
      ++out_->skipped_closes;  // The opportunities file carries the close.
      return;
    }
    if (v1::Event* e = Add(r, "stage", key, rep, at)) {
      e->mutable_opportunity_stage_changed()->set_opportunity_id(id);
      e->mutable_opportunity_stage_changed()->set_stage(stage->id);
    }
  }

  void Contract(RowReader& r) {
    std::string id = r.Id("contract_id", true);
    std::string key = r.Key("contract_id");
    std::string rep = r.Rep("rep");
    std::optional<absl::Time> at = r.Instant("signed_at", true);
    v1::ContractSigned c;
    c.set_contract_id(id);
    c.set_customer_id(r.Id("customer", true));
    c.set_opportunity_id(r.Id("opportunity_id", false));
    c.set_amount(r.Money("amount", true).value_or(0));
    if (std::optional<int64_t> cost = r.Money("cost", false)) c.set_cost(*cost);
    if (v1::Event* e = Add(r, "contract", key, rep, at)) {
      *e->mutable_contract_signed() = c;
      contracts_[id] = {built_.size() - 1, rep};
    } else if (!id.empty()) {
      contracts_.try_emplace(id, ContractRef{kBadContract, rep});
    }
  }

  // The contract a line or installment row joins, or nullptr (reported).
  Built* JoinContract(RowReader& r) {
    std::string id = r.Id("contract_id", true);
    if (!r.row_ok()) return nullptr;
    auto it = contracts_.find(id);
    if (it == contracts_.end()) {
      r.Bad("contract_id", "is not a contract of the contracts file");
      return nullptr;
    }
    if (it->second.index == kBadContract) {
      r.Bad("contract_id", "names a contract whose row is bad");
      return nullptr;
    }
    return &built_[it->second.index];
  }

  void ContractLine(RowReader& r) {
    v1::ContractSigned::Line line;
    line.set_product_id(r.Id("product_id", true));
    line.set_quantity(r.Integer("quantity", 1, kMaxEventAmount, true).value_or(0));
    line.set_unit_price(r.Money("unit_price", true).value_or(0));
    Built* contract = JoinContract(r);
    if (contract == nullptr) return;
    if (!r.row_ok()) {
      contract->bad = true;
      return;
    }
    *contract->imported.event.mutable_contract_signed()->add_lines() = line;
  }

  void Installment(RowReader& r) {
    v1::ContractSigned::Installment installment;
    if (std::optional<absl::Time> due = r.Instant("due_at", true)) {
      *installment.mutable_due_at() = ToProto(*due);
    }
    installment.set_amount(r.Money("amount", true).value_or(0));
    Built* contract = JoinContract(r);
    if (contract == nullptr) return;
    if (!r.row_ok()) {
      contract->bad = true;
      return;
    }
    *contract->imported.event.mutable_contract_signed()->add_installments() = installment;
  }

  void Payment(RowReader& r) {
    std::string id = r.Id("payment_id", true);
    std::string key = r.Key("payment_id");
    std::string contract = r.Id("contract_id", true);
    std::optional<absl::Time> at = r.Instant("received_at", true);
    std::optional<int64_t> amount = r.Money("amount", true);
    std::string rep;
    if (r.Has("rep")) {
      rep = r.Rep("rep");
    } else if (auto it = contracts_.find(contract); it != contracts_.end()) {
      rep = it->second.rep;
    } else if (r.row_ok()) {
      r.Bad("contract_id", "names no good row of the contracts file (the payment takes its rep)");
    }
    if (v1::Event* e = Add(r, "payment", key, rep, at)) {
      v1::PaymentReceived* p = e->mutable_payment_received();
      p->set_payment_id(id);
      p->set_contract_id(contract);
      p->set_amount(amount.value_or(0));
    }
  }

  void Feedback(RowReader& r) {
    std::string key = r.Key("");
    std::string rep = r.Rep("rep");
    std::optional<absl::Time> at = r.Instant("recorded_at", true);
    std::string customer = r.Id("customer", true);
    std::optional<int64_t> score = r.Integer("score", 1, 5, true);
    if (v1::Event* e = Add(r, "feedback", key, rep, at)) {
      e->mutable_feedback_recorded()->set_customer_id(customer);
      e->mutable_feedback_recorded()->set_score(static_cast<int32_t>(score.value_or(0)));
    }
  }

  // Validates the built events as the daemon will, and keeps the good ones in time order.
  void Finish() {
    ValidationOptions options;
    for (Built& b : built_) {
      ImportedEvent& imported = b.imported;
      if (b.bad) {
        out_->errors.push_back({imported.path, imported.line, 0,
                                "not imported: a line or installment row of this contract is bad"});
        continue;
      }
      if (std::optional<FieldProblem> p = ValidateEvent(imported.event, now_, options)) {
        const int column = b.reader->ColumnOf(p->field);
        out_->errors.push_back(
            {imported.path, imported.line, column + 1,
             absl::StrCat(
                 p->field,
                 column < 0 ? "" : absl::StrCat(" (column \"", b.reader->Header(column), "\")"),
                 ": ", p->reason, " (event \"", imported.event.event_id(), "\")")});
        continue;
      }
      out_->events.push_back(std::move(imported));
    }
    std::stable_sort(out_->events.begin(), out_->events.end(),
                     [](const ImportedEvent& a, const ImportedEvent& b) {
                       return FromProto(a.event.occurred_at()) < FromProto(b.event.occurred_at());
                     });
    std::stable_sort(
        out_->errors.begin(), out_->errors.end(), [](const RowError& a, const RowError& b) {
          return std::tie(a.path, a.line, a.column) < std::tie(b.path, b.line, b.column);
        });
  }

  static constexpr size_t kBadContract = static_cast<size_t>(-1);
  struct ContractRef {
    size_t index;  // Into built_, or kBadContract.
    std::string rep;
  };

  const Mapping& mapping_;
  const absl::Time now_;
  Conversion* out_;
  std::deque<RowReader> readers_;  // One per file; the built events point at theirs.
  std::deque<Built> built_;
  absl::flat_hash_map<std::string, std::pair<std::string, int>> lines_by_id_;
  absl::flat_hash_map<std::string, std::string> opportunity_reps_;
  absl::flat_hash_map<std::string, ContractRef> contracts_;
};

}  // namespace

Conversion Convert(const Mapping& mapping, const std::vector<InputFile>& files, absl::Time now) {
  Conversion out;
  Converter(mapping, now, &out).Run(files);
  return out;
}

}  // namespace salestrack::cli::crm
