#include "web/transport.hpp"

namespace warren::web {

void teardown(boost::beast::role_type role, Transport& transport, boost::system::error_code& ec) {
    if (transport.is_tls()) {
        boost::beast::teardown(role, transport.tls(), ec);
        return;
    }
    boost::beast::websocket::teardown(role, transport.socket(), ec);
}

} // namespace warren::web
