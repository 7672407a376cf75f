#pragma once

// ApiFixture: the HTTP API as app/main.cpp assembles it (a Broker without a store, Basic auth,
// the vhost gate and every route), for the http_request fuzz target. One per input, so that no
// input sees what an earlier one declared and every crash reproduces from its own bytes.
//
// Without a store every commit completes at once, so no handler waits for more than a post.
// The default user is guest/guest (an administrator) and requests come from 127.0.0.1, so the
// loopback rule lets guest in, as on a fresh install.
//
// Thread: the fuzzer's; the router's handlers run on whatever io_context dispatches them.

#include <memory>

#include "server/broker.hpp"
#include "server/clock.hpp"
#include "web/api_router.hpp"
#include "web/auth.hpp"
#include "web/handlers/handlers.hpp"
#include "web/http_limits.hpp"
#include "web/token_store.hpp"

namespace warren::fuzz {

class ApiFixture {
public:
    ApiFixture();
    ApiFixture(const ApiFixture&) = delete;
    ApiFixture& operator=(const ApiFixture&) = delete;

    const web::ApiRouter& router() const { return router_; }
    server::Broker& broker() { return broker_; }
    // The limits web/http_session.cpp reads requests with, as main() sets them by default.
    const web::HttpLimits& limits() const { return limits_; }

private:
    server::FakeClock clock_;
    server::Broker broker_{clock_};
    web::BasicAuth auth_{broker_};
    web::NodeInfo node_;
    web::TokenStore tokens_;
    web::HttpLimits limits_;
    web::ApiRouter router_{auth_}; // last: its routes refer to everything above
};

} // namespace warren::fuzz
