#include "sources/encoded_data.hpp"

#include "core/json_text.hpp"

namespace shardpipe {

bool append_encoded_data(std::string& json, std::string_view data, config::DataEncoding encoding,
                         std::string& error) {
  switch (encoding) {
    case config::DataEncoding::base64:
      json.push_back('"');
      append_base64(json, data);
      json.push_back('"');
      return true;
    case config::DataEncoding::text:
      if (!is_valid_utf8(data)) {
        error = "data is not valid UTF-8 (data_encoding: text)";
        return false;
      }
      append_json_string(json, data);
      return true;
    case config::DataEncoding::json:
      if (!is_valid_json(data)) {
        error = is_valid_utf8(data) ? "data is not valid JSON (data_encoding: json)"
                                    : "data is not valid UTF-8 (data_encoding: json)";
        return false;
      }
      json.append(data);
      return true;
  }
  return false;
}

}  // namespace shardpipe
