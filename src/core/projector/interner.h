// Interner: strings numbered densely in order of first sight (the projector's ids and metric
// names).
//
// Holds each name once; gives its number (Intern, Find) and the name back (Name). Needs nothing
// from the other rooms. Not thread-safe: the projector guards its id table during a bulk replay.
#ifndef SALESTRACK_CORE_PROJECTOR_INTERNER_H_
#define SALESTRACK_CORE_PROJECTOR_INTERNER_H_

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace salestrack::projection {

// Each name is stored once, back to back in
// blocks that never move, as an entry [id: 4 bytes][size: 4 bytes][bytes], and named by a 32-bit
// reference (block << 16 | offset). The hash set holds the references, hashed and compared by their
// names, so a lookup reaches the name it compares, and the id beside it, in one step from the set;
// by id, names_ holds the references. At 1.9M ids (kpi_bench --projector_only, 10M events):
// 64 MiB, against 74 MiB with a set of ids and a vector of string_views, and 158 MiB with a map of
// std::string keys; and a replay's lookup (~3 ids per event, Prepare) takes one cache miss less.
template <typename IdT>
class Interner {
 public:
  Interner() : refs_(0, ByName{&blocks_}, ByName{&blocks_}) {}
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;

  IdT Intern(std::string_view s) {
    if (auto it = refs_.find(s); it != refs_.end()) return IdAt(*it);
    const auto id = static_cast<IdT>(names_.size());
    const Ref ref = Store(id, s);
    names_.push_back(ref);
    refs_.insert(ref);
    return id;
  }
  std::optional<IdT> Find(std::string_view s) const {
    auto it = refs_.find(s);
    if (it == refs_.end()) return std::nullopt;
    return IdAt(*it);
  }
  absl::string_view Name(IdT id) const {
    const std::string_view name = ByName{&blocks_}.Of(names_[id]);
    return {name.data(), name.size()};
  }
  size_t size() const { return names_.size(); }
  // A saved table's names arrive in id order (Projector::LoadState): Append stores one as the
  // next id without looking it up, and Index then indexes every name appended since the last
  // call, sizing the index once for all of them. False when a name is there twice; the interner
  // is then unusable. REQUIRES: Index after Appends, before any Intern or Find.
  void Append(std::string_view s) { names_.push_back(Store(static_cast<IdT>(names_.size()), s)); }
  bool Index() {
    refs_.reserve(names_.size());
    for (size_t i = refs_.size(); i < names_.size(); ++i) {
      if (!refs_.insert(names_[i]).second) return false;
    }
    return true;
  }
  size_t Bytes() const {
    return refs_.capacity() * (sizeof(Ref) + 1) + names_.capacity() * sizeof(Ref) +
           blocks_.size() * sizeof(char*) + block_bytes_;
  }

 private:
  using Ref = uint32_t;
  static constexpr size_t kBlock = 64 << 10;  // A reference's offset has 16 bits.
  static constexpr size_t kHeader = 2 * sizeof(uint32_t);

  // Hashes and compares references by their names, and names as themselves.
  struct ByName {
    using is_transparent = void;
    const std::vector<std::unique_ptr<char[]>>* blocks;
    std::string_view Of(Ref ref) const {
      const char* entry = Entry(*blocks, ref);
      uint32_t size;
      std::memcpy(&size, entry + sizeof(uint32_t), sizeof(size));
      return {entry + kHeader, size};
    }
    static std::string_view Of(std::string_view s) { return s; }
    size_t operator()(Ref ref) const { return absl::Hash<std::string_view>()(Of(ref)); }
    size_t operator()(std::string_view s) const { return absl::Hash<std::string_view>()(s); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return Of(a) == Of(b);
    }
  };

  static const char* Entry(const std::vector<std::unique_ptr<char[]>>& blocks, Ref ref) {
    return blocks[ref >> 16].get() + (ref & 0xffff);
  }
  IdT IdAt(Ref ref) const {
    uint32_t id;
    std::memcpy(&id, Entry(blocks_, ref), sizeof(id));
    return static_cast<IdT>(id);
  }

  Ref Store(IdT id, std::string_view s) {
    const size_t need = kHeader + s.size();
    const bool own_block = need > kBlock / 4;  // Long names get a block of their own.
    if (own_block || blocks_.empty() || used_ + need > kBlock) {
      // 2^16 blocks of 64 KiB: 4 GiB of names, far past what the views' memory allows.
      if (blocks_.size() == (size_t{1} << 16)) {
        std::fprintf(stderr, "salestrack: more than 4 GiB of interned names\n");
        std::abort();
      }
      const size_t bytes = own_block ? need : kBlock;
      blocks_.push_back(std::make_unique<char[]>(bytes));
      block_bytes_ += bytes;
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    const uint32_t id32 = static_cast<uint32_t>(id), size = static_cast<uint32_t>(s.size());
    std::memcpy(at, &id32, sizeof(id32));
    std::memcpy(at + sizeof(id32), &size, sizeof(size));
    std::copy(s.begin(), s.end(), at + kHeader);
    const Ref ref = static_cast<Ref>((blocks_.size() - 1) << 16 | used_);
    used_ = own_block ? kBlock : used_ + need;  // Nothing goes after a long name.
    return ref;
  }

  std::vector<Ref> names_;  // By id.
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t used_ = 0;  // Of the last block.
  size_t block_bytes_ = 0;
  absl::flat_hash_set<Ref, ByName, ByName> refs_;
};

}  // namespace salestrack::projection

#endif  // SALESTRACK_CORE_PROJECTOR_INTERNER_H_
