// Sending checked events to salestrackd in atomic batches on one AppendStream, as `salestrack
// append`, `import` and the CSV import do: refusals mapped back to the input line (or file:line)
// of the refused event, and batches refused for the API key's rate limit sent again after the
// wait the daemon hints (--max_retries, --max_retry_wait).
#ifndef SALESTRACK_TOOLS_CLI_APPEND_STREAM_H_
#define SALESTRACK_TOOLS_CLI_APPEND_STREAM_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::cli {

// One event and where it came from: a line number, or `where` (e.g. "deals.csv:12") when set.
struct Line {
  int number = 0;
  v1::Event event;
  std::string where;
};
// "line 12", or `where`.
std::string Where(const Line& line);
// "lines 11..20", or "a.csv:2 .. b.csv:9".
std::string WhereRange(const Line& first, const Line& last);

// What the daemon answered for the batches of one run.
struct Tally {
  uint64_t written = 0, duplicates = 0, refused = 0, first_seq = 0, last_seq = 0;
  // The batches refused for a reason other than the rate limit: [begin, end) of the lines, and
  // the refused event's index in the lines (end when the daemon did not name one).
  struct Refusal {
    size_t begin, end, culprit;
  };
  std::vector<Refusal> refusals;
};

// Sends `lines` in order, `batch_size` per atomic batch, and tallies the answers; each refusal is
// reported on stderr with Where() of the refused event. Returns false, having said why, when the
// stream broke.
bool SendInBatches(const Context& ctx, const char* command, const std::vector<Line>& lines,
                   size_t batch_size, Tally* tally);

// Whether `zone`, the time zone the input's instants were computed or read in, is the daemon's.
// Returns 0 to go on, 1 (having said why) to stop before anything is sent; --ignore_time_zone goes
// on regardless. No `zone` (an export without a header) is noted and goes on. `origin` leads the
// mismatch message: "<origin> time zone "X", but <server> computes its figures in "Y"".
int CheckTimeZone(const Context& ctx, const std::string& source,
                  const std::optional<std::string>& zone, const std::string& origin);

}  // namespace salestrack::cli

#endif  // SALESTRACK_TOOLS_CLI_APPEND_STREAM_H_
