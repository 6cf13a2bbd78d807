#include "report/text.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace salestrack::report {
namespace {

bool IsWide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
         (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

// Inserts thousands separators into the leading run of digits of `s` (after an optional '-').
std::string GroupDigits(const std::string& s) {
  size_t begin = !s.empty() && s[0] == '-' ? 1 : 0;
  size_t end = begin;
  while (end < s.size() && s[end] >= '0' && s[end] <= '9') ++end;
  std::string out = s.substr(0, begin);
  for (size_t i = begin; i < end; ++i) {
    if (i > begin && (end - i) % 3 == 0) out += ',';
    out += s[i];
  }
  out += s.substr(end);
  return out;
}

}  // namespace

std::string Table::Render() const {
  std::vector<size_t> width(columns_.size(), 0);
  for (size_t i = 0; i < columns_.size(); ++i) width[i] = DisplayWidth(columns_[i].title);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size() && i < columns_.size(); ++i) {
      width[i] = std::max(width[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < columns_.size(); ++i) {
      const std::string empty;
      const std::string& cell = i < cells.size() ? cells[i] : empty;
      std::string pad(width[i] - DisplayWidth(cell), ' ');
      if (i > 0) text += "  ";
      text += columns_[i].align == Align::kRight ? pad + cell : cell + pad;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text;
    out += '\n';
  };
  std::vector<std::string> titles, rules;
  for (size_t i = 0; i < columns_.size(); ++i) {
    titles.push_back(columns_[i].title);
    rules.push_back(std::string(width[i], '-'));
  }
  line(titles);
  line(rules);
  for (const auto& row : rows_) line(row);
  return out;
}

size_t DisplayWidth(absl::string_view s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    char32_t cp;
    size_t len;
    if (c < 0x80) {
      cp = c, len = 1;
    } else if ((c >> 5) == 0x6) {
      cp = c & 0x1F, len = 2;
    } else if ((c >> 4) == 0xE) {
      cp = c & 0x0F, len = 3;
    } else if ((c >> 3) == 0x1E) {
      cp = c & 0x07, len = 4;
    } else {  // A stray continuation byte: count it as one column.
      ++width, ++i;
      continue;
    }
    for (size_t k = 1; k < len && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += len;
    width += IsWide(cp) ? 2 : 1;
  }
  return width;
}

std::string Grouped(int64_t v) { return GroupDigits(std::to_string(v)); }

std::string Money(int64_t minor) {
  // Unsigned magnitude, so INT64_MIN does not overflow.
  uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string sign = minor < 0 ? "-" : "";
  return absl::StrCat(Grouped(minor), " (", sign, GroupDigits(std::to_string(magnitude / 100)),
                      absl::StrFormat(".%02d", static_cast<int>(magnitude % 100)), ")");
}

std::string Percent(double ratio) { return absl::StrFormat("%.1f%%", ratio * 100); }

std::string Decimal2(double v) { return GroupDigits(absl::StrFormat("%.2f", v)); }

char DurationUnit(double seconds) {
  double a = std::fabs(seconds);
  if (a >= 86400) return 'd';
  if (a >= 3600) return 'h';
  if (a >= 60) return 'm';
  return 's';
}

std::string Duration(double seconds, char unit) {
  double divisor = unit == 'd' ? 86400 : unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
  return absl::StrFormat("%.1f%c", seconds / divisor, unit);
}

std::string FormatPeriod(const v1::Period& p) {
  return absl::StrFormat("%s %04d-%02d-%02d", v1::PeriodKind_Name(p.kind()), p.date().year(),
                         p.date().month(), p.date().day());
}

std::string FormatSubject(const v1::Subject& s) {
  switch (s.kind_case()) {
    case v1::Subject::kRepId:
      return absl::StrCat("rep ", s.rep_id());
    case v1::Subject::kUnitId:
      return absl::StrCat("unit ", s.unit_id());
    case v1::Subject::KIND_NOT_SET:
      break;
  }
  return "(no subject)";
}

}  // namespace salestrack::report
