// Replays every input kept under fuzz/corpus/<target>/ and fuzz/regressions/<target>/ through the
// fuzz targets' entry functions (fuzz/fuzz_targets.h), so what the fuzzers found stays fixed in the
// normal test suite, without clang. A broken property aborts the test binary, naming it.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz_targets.h"
#include "gtest/gtest.h"

namespace salestrack {
namespace {

namespace fs = std::filesystem;

int Replay(const fuzz::Target& target, const std::string& kind) {
  fs::path dir = fs::path(SALESTRACK_SOURCE_DIR) / "fuzz" / kind / target.name;
  int replayed = 0;
  if (!fs::is_directory(dir)) return 0;
  for (const fs::directory_entry& file : fs::directory_iterator(dir)) {
    if (!file.is_regular_file() || file.path().filename().string().front() == '.') continue;
    std::ifstream in(file.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    std::string data = bytes.str();
    SCOPED_TRACE(file.path().string());
    target.run(reinterpret_cast<const uint8_t*>(data.data()), data.size());
    ++replayed;
  }
  return replayed;
}

TEST(FuzzReplayTest, EveryCorpusAndRegressionInputKeepsItsProperties) {
  for (const fuzz::Target& target : fuzz::Targets()) {
    SCOPED_TRACE(target.name);
    int seeds = Replay(target, "corpus");
    Replay(target, "regressions");
    EXPECT_GE(seeds, 10) << "fuzz/corpus/" << target.name << " has too few seeds";
  }
}

}  // namespace
}  // namespace salestrack
