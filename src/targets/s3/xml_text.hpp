// The little XML that S3's answers need, read with libxml2: the text of an element (an UploadId,
// an error's Code), and escaped text for the CompleteMultipartUpload body.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace shardpipe::s3 {

// The text inside the first <name>…</name> of `xml` in document order, entities and character
// references decoded; nullopt when there is no such element or `xml` is not well-formed.
std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name);

// `text` with &, <, >, " and carriage returns escaped, for element content and attribute values.
std::string xml_escaped(std::string_view text);

}  // namespace shardpipe::s3
