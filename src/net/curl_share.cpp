#include "net/curl_share.hpp"

#include <curl/curl.h>

#include <array>
#include <cstdlib>
#include <mutex>

namespace shardpipe::net {
namespace {

// One mutex per kind of shared data, as libcurl asks: a DNS lookup never waits on a TLS session.
std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;

void lock_share(CURL*, curl_lock_data data, curl_lock_access, void*) {
  share_locks[static_cast<size_t>(data)].lock();
}

void unlock_share(CURL*, curl_lock_data data, void*) {
  share_locks[static_cast<size_t>(data)].unlock();
}

CURLSH* create_share() {
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return nullptr;
  CURLSH* share = curl_share_init();
  if (share == nullptr) return nullptr;
  curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock_share);
  curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock_share);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  return share;
}

}  // namespace

void* shared_curl_state() {
  // A function-local static: initialised exactly once even when shards start together. Never
  // cleaned up, on purpose (see the header).
  static CURLSH* const share = create_share();
  return share;
}

}  // namespace shardpipe::net
