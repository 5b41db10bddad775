// Markdown helpers for the references generated from the code (configuration, metrics).
#pragma once

#include <string>
#include <string_view>

namespace shardpipe {

// Text for a table cell: on one line, its `|` escaped so it cannot end the cell.
inline std::string markdown_cell(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (c == '|') {
      escaped += "\\|";
    } else if (c == '\n') {
      escaped += ' ';
    } else {
      escaped += c;
    }
  }
  return escaped;
}

}  // namespace shardpipe
