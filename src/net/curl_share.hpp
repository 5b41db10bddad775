// libcurl's process-wide state: curl_global_init once, and one share object that every client of
// the process attaches to, so name lookups and TLS sessions are reused across shards.
//
// The share deliberately holds no connection cache (CURL_LOCK_DATA_CONNECT): libcurl does not
// support sharing connections between threads that transfer concurrently, and each shard's sink
// runs on its own thread. Each client keeps its keep-alive connections in its own easy handle
// instead (http_client.hpp).
#pragma once

namespace shardpipe::net {

// Initialises libcurl on first use (thread-safe) and returns the shared CURLSH*. It lives for the
// rest of the process: clients on other threads may still use it while statics are destroyed.
void* shared_curl_state();

}  // namespace shardpipe::net
