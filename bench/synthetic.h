// The synthetic sales org and its field activity, shared by the benchmarks that drive salestrackd
// with realistic events (kpi_bench, board_bench): a company, 3 regions of 3 teams, N reps spread
// evenly over the teams, default stages, and a generator of the activity mix a field-sales org
// produces (~60 % ActionLogged; opportunities opened, moved and closed; contracts with lines and
// installments; payments; feedback; scores).
#ifndef SALESTRACK_BENCH_SYNTHETIC_H_
#define SALESTRACK_BENCH_SYNTHETIC_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bench_common.h"
#include "salestrack/v1/events.pb.h"

namespace salestrack::bench {

inline constexpr int64_t kSecond = 1'000'000;  // micros
inline constexpr int64_t kHour = 3600 * kSecond;
inline constexpr int64_t kDay = 24 * kHour;

inline constexpr int kCustomerBook = 40;     // customers a rep works with
inline constexpr int kCustomersPerRep = 12;  // size of the customer base, per rep

struct Org {
  std::string company = "co";
  std::vector<std::string> regions;
  std::vector<std::string> teams;
  std::vector<int> team_region;
  std::vector<std::string> reps;
  std::vector<int> rep_team;
  int customers = 0;  // customer ids cust-0000000 .. customers-1; each team has its own range
};

// The org of `reps` reps: company "co", regions "region-1".."region-3", teams "team-R-T", reps
// "rep-00000".. in team order.
Org MakeOrg(int reps);

// The org as events, occurred at `at`, `at` + 1 us, ...: UnitDefined for every unit, parents first,
// then RepDefined for every rep (active; every third a "hunter", the others "farmer"s). Event ids
// are "org-<n>" with n the position in *out after the append.
void AppendOrgEvents(const Org& org, int64_t at, std::vector<v1::Event>* out);

// Fills activity events (ActionLogged .. ScoreRecorded) the way a field-sales org produces them.
// Keeps per-rep state (open opportunities, contracts with money still due) so stage changes, closes
// and payments name real entities. `ns` keeps the entity ids of separate generators apart.
class ActivityGenerator {
 public:
  ActivityGenerator(const Org& org, uint64_t seed, std::string ns)
      : org_(org), rng_(seed), ns_(std::move(ns)), reps_(org.reps.size()) {}

  void Fill(int64_t at, v1::Event* e);

 private:
  struct OpenOpp {
    uint32_t n;
    uint32_t customer;
    int stage;
  };
  struct OpenContract {
    uint32_t n;
    int64_t unpaid;
    std::vector<int64_t> installments;  // amounts still due, in order
  };
  struct RepState {
    std::vector<OpenOpp> opps;            // at most 16 tracked; older ones go stale, still open
    std::vector<OpenContract> contracts;  // at most 8 tracked with money due
    std::vector<std::pair<uint32_t, uint32_t>> won;  // (opportunity, customer) awaiting a contract
    uint32_t next_opp = 0, next_contract = 0, next_payment = 0;
  };

  std::string CustomerId(uint32_t c) const;
  std::string OppId(int rep, uint32_t n) const;

  // A customer of the rep's book (shared with colleagues of its team), or now and then any
  // customer.
  uint32_t BookCustomer(int rep);

  void Action(int rep, int64_t at, v1::Event* e);

  void OpenOpportunity(int rep, v1::Event* e);

  void MoveOpportunity(int rep, v1::Event* e);

  void CloseOpportunity(int rep, v1::Event* e, std::optional<size_t> which = std::nullopt);

  void SignContract(int rep, int64_t at, v1::Event* e);

  void Pay(int rep, v1::Event* e);

  const Org& org_;
  Rng rng_;
  std::string ns_;
  std::vector<RepState> reps_;
};

// A whole synthetic log, in append order.
struct Log {
  std::vector<v1::Event> events;     // in append order; the org events first
  std::vector<int64_t> void_target;  // per event: the position of the event it voids, or -1
  size_t org_events = 0;
  size_t late = 0;  // occurred_at earlier than its place in the log says
  size_t voids = 0;
  int64_t first_at = 0, last_at = 0;
};

// The whole log of `total` events: the org, then activity spread evenly over the past year (the
// last hour excluded), ~5 % of it late by an hour to a month, and ~1 % voids of events at least
// `void_gap` earlier (so a concurrent loader has committed the target already; Append refuses a
// void of an unknown event).
Log GenerateLog(const Org& org, uint64_t total, uint64_t seed);

// Each void's target record, by log position (null for other events): what the daemon reads from
// RocksDB and hands to Projector::Apply, found before any timing starts.
std::vector<std::unique_ptr<v1::EventRecord>> VoidTargets(const Log& log);

}  // namespace salestrack::bench

#endif  // SALESTRACK_BENCH_SYNTHETIC_H_
