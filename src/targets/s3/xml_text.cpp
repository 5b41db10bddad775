#include "targets/s3/xml_text.hpp"

#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <mutex>

namespace shardpipe::s3 {
namespace {

// libxml2 must be set up once before threads use it.
void initialize_libxml2() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

struct FreeXml {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
  void operator()(xmlChar* text) const { xmlFree(text); }
};

// The first element named `name` in document order (by local name: S3's answers carry a
// default namespace).
xmlNode* first_element(xmlNode* node, std::string_view name) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (name == reinterpret_cast<const char*>(node->name)) return node;
    if (xmlNode* found = first_element(node->children, name)) return found;
  }
  return nullptr;
}

}  // namespace

std::optional<std::string> xml_element_text(std::string_view xml, std::string_view name) {
  initialize_libxml2();
  // No network, no external entities, no messages on stderr: an answer that is not well-formed
  // simply has no such element.
  std::unique_ptr<xmlDoc, FreeXml> doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, "UTF-8",
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc) return std::nullopt;
  xmlNode* found = first_element(xmlDocGetRootElement(doc.get()), name);
  if (found == nullptr) return std::nullopt;
  std::unique_ptr<xmlChar, FreeXml> text(xmlNodeGetContent(found));
  return text ? std::string(reinterpret_cast<const char*>(text.get())) : std::string();
}

std::string xml_escaped(std::string_view text) {
  initialize_libxml2();
  const std::string terminated(text);
  std::unique_ptr<xmlChar, FreeXml> escaped(
      xmlEncodeSpecialChars(nullptr, reinterpret_cast<const xmlChar*>(terminated.c_str())));
  return escaped ? std::string(reinterpret_cast<const char*>(escaped.get())) : std::string();
}

}  // namespace shardpipe::s3
