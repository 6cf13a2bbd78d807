// `salestrack import --mapping=MAPPING FILE...`: CRM CSV exports in, events appended
// (docs/import.md).
//
// Every file is read and every row converted and checked first (convert.h, with the daemon's own
// validation); all problems are printed with file:line:column (the first kMaxShownErrors, then a
// count). Nothing is sent when any row is bad, unless --skip_bad_rows; --dry_run sends nothing.
// The good rows' events then go out in time order through the append path's batches and rate-limit
// retries (append_stream.h). Event ids come from the rows' keys, so importing the same export again
// appends nothing, and a grown export appends only its new rows. A row changed since an earlier
// import has the same id with other content: the daemon refuses it (ALREADY_EXISTS), it is
// reported with its file and line, and the other events of its batch are sent again without it.
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/append_stream.h"
#include "cli/commands.h"
#include "cli/import/convert.h"
#include "cli/import/csv_table.h"
#include "cli/import/mapping.h"

ABSL_FLAG(std::string, mapping, "",
          "import: read CRM CSV exports (FILE... or KIND=FILE...) through this mapping file "
          "(salestrack.v1.ImportMapping in protobuf text format; docs/import.md).");
ABSL_FLAG(bool, skip_bad_rows, false,
          "import --mapping: send the good rows' events even when some rows are bad (they are "
          "still reported).");
ABSL_FLAG(bool, dry_run, false,
          "import --mapping: read, convert and check everything, send nothing.");
ABSL_DECLARE_FLAG(uint32_t, batch);

namespace salestrack::cli {
namespace {

constexpr char kCmd[] = "salestrack import";
constexpr size_t kMaxShownErrors = 100;

// The FILE arguments as kinds of the mapping: KIND=PATH, or a path whose base name is a section's
// file_name.
bool AssignFiles(const crm::Mapping& mapping, const std::vector<std::string>& args,
                 std::map<crm::Kind, std::string>* files) {
  for (const std::string& arg : args) {
    std::optional<crm::Kind> kind;
    std::string path = arg;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      kind = crm::KindFromName(arg.substr(0, eq));
      if (kind) path = arg.substr(eq + 1);
    }
    if (!kind) {
      const std::string base = std::filesystem::path(path).filename().string();
      for (crm::Kind candidate : crm::kAllKinds) {
        if (crm::HasSection(mapping, candidate) &&
            crm::SectionFileName(mapping, candidate) == base) {
          kind = candidate;
        }
      }
    }
    if (!kind) {
      std::vector<std::string> names;
      for (crm::Kind candidate : crm::kAllKinds) {
        if (!crm::HasSection(mapping, candidate)) continue;
        names.push_back(absl::StrCat(crm::KindName(candidate), " (",
                                     crm::SectionFileName(mapping, candidate), ")"));
      }
      std::fprintf(stderr,
                   "%s: %s is none of the mapping's files: %s. Name it as KIND=PATH, or with the "
                   "mapping's file_name\n",
                   kCmd, arg.c_str(), absl::StrJoin(names, ", ").c_str());
      return false;
    }
    if (!crm::HasSection(mapping, *kind)) {
      std::fprintf(stderr, "%s: %s: the mapping has no %s section\n", kCmd, arg.c_str(),
                   std::string(crm::KindName(*kind)).c_str());
      return false;
    }
    if (!files->emplace(*kind, path).second) {
      std::fprintf(stderr, "%s: two %s files: %s and %s\n", kCmd,
                   std::string(crm::KindName(*kind)).c_str(), (*files)[*kind].c_str(),
                   path.c_str());
      return false;
    }
  }
  return true;
}

// Sends the events; a batch refused for one event (e.g. a changed row: its id with other content)
// is sent again without it, so only the refused rows are left out. Returns false when the stream
// broke; *refused counts the events finally refused.
bool Send(const Context& ctx, std::vector<Line> lines, size_t batch_size, Tally* total,
          size_t* refused) {
  *refused = 0;
  while (!lines.empty()) {
    Tally tally;
    if (!SendInBatches(ctx, "import", lines, batch_size, &tally)) return false;
    total->written += tally.written;
    total->duplicates += tally.duplicates;
    if (tally.first_seq != 0) {
      total->first_seq =
          total->first_seq == 0 ? tally.first_seq : std::min(total->first_seq, tally.first_seq);
      total->last_seq = std::max(total->last_seq, tally.last_seq);
    }
    // Rate-limit give-ups are counted in tally.refused but have no refusal entry.
    size_t in_refusals = 0;
    std::vector<Line> again;
    for (const Tally::Refusal& r : tally.refusals) {
      in_refusals += r.end - r.begin;
      if (r.culprit == r.end) {
        *refused += r.end - r.begin;
        continue;
      }
      ++*refused;
      for (size_t i = r.begin; i < r.end; ++i) {
        if (i != r.culprit) again.push_back(std::move(lines[i]));
      }
    }
    *refused += tally.refused - in_refusals;
    if (!again.empty()) {
      std::fprintf(stderr, "sending the %zu other event(s) of the refused batches again\n",
                   again.size());
    }
    lines = std::move(again);
  }
  return true;
}

}  // namespace

int RunCrmImport(const Context& ctx) {
  absl::StatusOr<crm::Mapping> mapping = crm::LoadMapping(absl::GetFlag(FLAGS_mapping));
  if (!mapping.ok()) {
    std::fprintf(stderr, "%s: --mapping %s\n", kCmd,
                 std::string(mapping.status().message()).c_str());
    return 2;
  }
  const size_t batch_size = absl::GetFlag(FLAGS_batch);
  if (batch_size < 1 || batch_size > 1000) {
    std::fprintf(stderr, "%s: --batch must be in [1, 1000]\n", kCmd);
    return 2;
  }
  if (ctx.args.empty()) {
    std::fprintf(stderr, "%s: --mapping needs the export's CSV files (FILE... or KIND=FILE...)\n",
                 kCmd);
    return 2;
  }
  std::map<crm::Kind, std::string> paths;
  if (!AssignFiles(*mapping, ctx.args, &paths)) return 2;
  std::vector<crm::InputFile> files;
  for (const auto& [kind, path] : paths) {
    absl::StatusOr<crm::CsvTable> table = crm::ReadCsv(path);
    if (!table.ok()) {
      std::fprintf(stderr, "%s: %s\n", kCmd, std::string(table.status().message()).c_str());
      return 2;
    }
    files.push_back({kind, path, *std::move(table)});
  }

  crm::Conversion conversion = crm::Convert(*mapping, files, absl::Now());
  const size_t bad = conversion.errors.size();
  for (size_t i = 0; i < bad && i < kMaxShownErrors; ++i) {
    std::fprintf(stderr, "%s\n", conversion.errors[i].ToString().c_str());
  }
  if (bad > kMaxShownErrors) {
    std::fprintf(stderr, "... and %zu more problem(s) not shown\n", bad - kMaxShownErrors);
  }
  std::fprintf(stderr,
               "read %zu row(s) in %zu file(s): %zu event(s) from good rows, %zu problem(s)%s\n",
               conversion.rows, files.size(), conversion.events.size(), bad,
               conversion.skipped_closes > 0
                   ? absl::StrCat("; ", conversion.skipped_closes,
                                  " stage history row(s) entering a won or lost stage skipped "
                                  "(the opportunities file closes them)")
                         .c_str()
                   : "");
  if (absl::GetFlag(FLAGS_dry_run)) {
    std::printf("dry run: %zu event(s) would be sent, %zu problem(s); nothing was sent\n",
                bad > 0 && !absl::GetFlag(FLAGS_skip_bad_rows) ? 0 : conversion.events.size(), bad);
    return bad > 0 ? 1 : 0;
  }
  if (bad > 0 && !absl::GetFlag(FLAGS_skip_bad_rows)) {
    std::fprintf(stderr,
                 "%zu problem(s); nothing was sent (fix them, or pass --skip_bad_rows to send the "
                 "%zu event(s) of the good rows)\n",
                 bad, conversion.events.size());
    return 1;
  }
  if (conversion.events.empty()) {
    std::fprintf(stderr, "no events to send\n");
    return bad > 0 ? 1 : 0;
  }
  const std::string mapping_path = absl::GetFlag(FLAGS_mapping);
  if (int stop = CheckTimeZone(ctx, mapping_path, mapping->spec.time_zone(),
                               absl::StrCat(mapping_path, " reads the CSV times in"));
      stop != 0) {
    return stop;
  }

  std::vector<Line> lines;
  lines.reserve(conversion.events.size());
  for (crm::ImportedEvent& e : conversion.events) {
    lines.push_back({e.line, std::move(e.event), absl::StrCat(e.path, ":", e.line)});
  }
  Tally tally;
  size_t refused = 0;
  if (!Send(ctx, std::move(lines), batch_size, &tally, &refused)) return 1;
  std::printf("imported %llu new, %llu duplicate, %zu refused, %zu bad row problem(s)",
              static_cast<unsigned long long>(tally.written),
              static_cast<unsigned long long>(tally.duplicates), refused, bad);
  if (tally.first_seq != 0) {
    std::printf("; seqs %llu..%llu", static_cast<unsigned long long>(tally.first_seq),
                static_cast<unsigned long long>(tally.last_seq));
  }
  std::printf("\n");
  if (refused > 0) {
    std::fprintf(stderr,
                 "a row refused as \"already in the log with other content\" changed in the CRM "
                 "since it was imported; the log keeps the first version (docs/import.md, "
                 "\"Changed rows\")\n");
  }
  return refused > 0 || bad > 0 ? 1 : 0;
}

}  // namespace salestrack::cli
