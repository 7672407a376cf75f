#include "amqp/server_properties.hpp"

#include "server/broker.hpp"

namespace warren::amqp {

boost::json::object server_properties(const server::Broker&) {
    boost::json::object capabilities{
        {"publisher_confirms", true},
        {"exchange_exchange_bindings", true},
        {"basic.nack", true},
        {"consumer_cancel_notify", true},
        {"connection.blocked", true},
        {"consumer_priorities", true},
        {"authentication_failure_close", true},
        {"per_consumer_qos", true},
        {"direct_reply_to", true},
    };
    return boost::json::object{
        {"product", "warren"},
        {"version", WARREN_VERSION},
        {"platform", "C++20"},
        {"copyright", "the warren authors"},
        {"information", "an AMQP 0-9-1, HTTP and WebSocket message broker"},
        {"cluster_name", "warren"},
        {"capabilities", std::move(capabilities)},
    };
}

} // namespace warren::amqp
