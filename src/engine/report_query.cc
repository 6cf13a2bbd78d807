// GetReport: the evaluation report assembled from the engine's own answers (GetScorecard,
// GetLeaderboard, GetFunnel, each called as the caller, so each keeps its access checks) and
// rendered by src/report/render.h.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "engine/engine.h"
#include "format/money.h"
#include "report/render.h"
#include "salestrack/status_macros.h"

namespace salestrack::engine {
namespace {

// The most a report may take (a unit of 10,000 reps, each with a scorecard, fits).
constexpr size_t kMaxReportBytes = size_t{8} << 20;
constexpr size_t kMaxLocaleBytes = 35;  // The longest BCP 47 tag a client needs, with room.

struct Rendering {
  const char* extension;
  const char* content_type;
};

absl::StatusOr<Rendering> RenderingOf(v1::GetReportRequest::Format format) {
  switch (format) {
    case v1::GetReportRequest::CSV:
      return Rendering{"csv", "text/csv; charset=utf-8"};
    case v1::GetReportRequest::MARKDOWN:
      return Rendering{"md", "text/markdown; charset=utf-8"};
    case v1::GetReportRequest::HTML:
      return Rendering{"html", "text/html; charset=utf-8"};
    default:
      return absl::InvalidArgumentError(absl::StrCat("format: must be CSV, MARKDOWN or HTML (got ",
                                                     static_cast<int>(format), ")"));
  }
}

// "" or a locale as BCP 47 or LANG spells it (letters, digits, '-', '_', '.', '@').
absl::StatusOr<std::string> DecodeLocale(const std::string& locale) {
  if (locale.size() > kMaxLocaleBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("locale: longer than ", kMaxLocaleBytes, " bytes"));
  }
  for (char c : locale) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != '@') {
      return absl::InvalidArgumentError(
          absl::StrCat("locale: \"", absl::CHexEscape(locale), "\" is not a locale (e.g. zh-CN)"));
    }
  }
  return locale.empty() ? "" : format::LocaleFromLang(locale);
}

// An id as a file name may hold it.
std::string FileSafe(const std::string& id) {
  std::string out = id;
  for (char& c : out) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return out;
}

}  // namespace

absl::Status Engine::GetReport(const Principal& who, const v1::GetReportRequest& request,
                               v1::GetReportResponse* response) const {
  RETURN_IF_ERROR(Authorize(who, methods::kGetReport));
  RETURN_IF_ERROR(CheckSubject(who, request.subject()));
  absl::StatusOr<Rendering> rendering = RenderingOf(request.format());
  if (!rendering.ok()) return rendering.status();
  absl::StatusOr<std::string> locale = DecodeLocale(request.locale());
  if (!locale.ok()) return locale.status();
  if (request.subject().has_rep_id() && !request.scheme_id().empty()) {
    return absl::InvalidArgumentError("scheme_id: only a unit's report takes one");
  }

  report::ReportData r;
  r.subject = request.subject();
  // A scorecard, or why there is none (no scheme applies): FAILED_PRECONDITION is part of a
  // report, any other error ends it.
  auto scorecard = [&](const v1::Subject& subject, const std::string& scheme_id, bool* scored,
                       v1::GetScorecardResponse* card, std::string* why_not) {
    v1::GetScorecardRequest q;
    *q.mutable_subject() = subject;
    *q.mutable_period() = request.period();
    q.set_scheme_id(scheme_id);
    absl::Status s = GetScorecard(who, q, card);
    *scored = s.ok();
    if (absl::IsFailedPrecondition(s)) {
      *why_not = std::string(s.message());
      return absl::OkStatus();
    }
    return s;
  };
  RETURN_IF_ERROR(
      scorecard(r.subject, request.scheme_id(), &r.team_scored, &r.team, &r.team_why_not));
  if (r.subject.has_unit_id()) {
    v1::GetLeaderboardRequest q;
    q.mutable_board()->set_unit_id(r.subject.unit_id());
    q.mutable_board()->set_metric("composite_score");
    *q.mutable_board()->mutable_period() = request.period();
    q.set_top(10000);  // The most a board answers.
    RETURN_IF_ERROR(GetLeaderboard(who, q, &r.ranking));
    r.subject_name = r.ranking.info().name();
    for (const v1::LeaderboardEntry& e : r.ranking.entries()) {
      report::RepCard& card = r.reps.emplace_back();
      card.rep_id = e.member_id();
      card.rep_name = e.display_name();
      v1::Subject rep;
      rep.set_rep_id(e.member_id());
      RETURN_IF_ERROR(scorecard(rep, "", &card.scored, &card.card, &card.why_not));
    }
  }
  {
    v1::GetFunnelRequest q;
    *q.mutable_subject() = r.subject;
    *q.mutable_period() = request.period();
    RETURN_IF_ERROR(GetFunnel(who, q, &r.funnel));
  }
  if (r.team_scored) r.subject_name = r.team.subject_name();
  r.period = r.funnel.period();
  r.seq = std::max({r.team.seq(), r.ranking.seq(), r.funnel.seq()});
  for (const report::RepCard& c : r.reps) r.seq = std::max(r.seq, c.card.seq());

  std::unique_ptr<format::MoneyFormatter> money;
  if (!locale->empty()) {
    money = std::make_unique<format::MoneyFormatter>(
        format::CurrencySpec{currency_.code, currency_.minor_unit_exponent}, *locale);
  }
  // 万 / 亿 are how a zh manager reads totals; other locales keep every digit.
  const report::ReportStyle style{money.get(), absl::StartsWith(*locale, "zh")};
  std::string content;
  switch (request.format()) {
    case v1::GetReportRequest::CSV:
      content = report::ReportCsv(r);
      break;
    case v1::GetReportRequest::MARKDOWN:
      content = report::ReportMarkdown(r, style);
      break;
    default:
      content = report::ReportHtml(r, style);
      break;
  }
  if (content.size() > kMaxReportBytes) {
    return absl::ResourceExhaustedError(absl::StrCat("the report takes ", content.size(),
                                                     " bytes, more than the ", kMaxReportBytes,
                                                     " a report may; ask for a smaller unit"));
  }
  const v1::Date& d = r.period.date();
  response->set_seq(r.seq);
  response->set_filename(
      absl::StrFormat("report-%s-%04d-%02d-%02d.%s",
                      FileSafe(r.subject.has_unit_id() ? r.subject.unit_id() : r.subject.rep_id()),
                      d.year(), d.month(), d.day(), rendering->extension));
  response->set_content_type(rendering->content_type);
  response->set_content(std::move(content));
  return absl::OkStatus();
}

}  // namespace salestrack::engine
