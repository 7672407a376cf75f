// ApiFixture: registers the routes in the order and with the arguments of app/main.cpp, minus
// the listeners (there are none) and the store (metrics report none).

#include "fuzz/support/api_fixture.hpp"

#include <optional>
#include <string_view>

#include "web/handlers/monitoring.hpp"
#include "web/static_assets.hpp"

namespace warren::fuzz {

ApiFixture::ApiFixture() {
    broker_.ensure_default_user("guest", "guest");
    router_.set_vhost_gate([this](const web::Principal& principal, std::string_view vhost) {
        return broker_.check_vhost_access(principal, vhost);
    });
    node_ =
        web::NodeInfo{"warren@fuzz", "warren@fuzz", {{"http", "127.0.0.1", 15672}}, std::nullopt};
    web::PublishLimits publish_limits;
    limits_.max_body_bytes = web::body_limit_for(publish_limits.max_message_size);

    web::register_overview_routes(router_, broker_, node_);
    web::register_vhost_routes(router_, broker_, node_);
    web::register_exchange_routes(router_, broker_);
    web::register_queue_routes(router_, broker_, node_);
    web::register_binding_routes(router_, broker_);
    web::register_connection_routes(router_, broker_, node_);
    web::register_whoami_routes(router_);
    web::register_publish_routes(router_, broker_, publish_limits);
    web::register_queue_get_routes(router_, broker_);
    web::register_stream_routes(router_, broker_);
    web::register_auth_token_routes(router_, tokens_);
    web::register_user_routes(router_, broker_);
    web::register_definition_routes(router_, broker_);
    web::register_static_asset_routes(router_, web::admin_assets());
    web::register_health_routes(router_, broker_, node_);
    web::register_metrics_routes(
        router_,
        web::MetricsSources{broker_, node_, [] { return std::size_t{1}; },
                            [] { return std::optional<web::StoreMetrics>(); }},
        false);
}

} // namespace warren::fuzz
