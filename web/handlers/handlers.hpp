#pragma once

// The registration function of every API resource: each web/handlers/<resource>.cpp defines one
// and main() calls them all while building the ApiRouter. Handlers run on the session's strand
// and call the Broker facade directly: under threading model A (one io_context thread) that
// strand and the broker's "core" executor are the same thread.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/broker.hpp"
#include "web/api_router.hpp"
#include "web/message_codec.hpp"

namespace warren::web {

// What GET /api/overview says about this node.
struct NodeInfo {
    struct Listener {
        std::string protocol; // "http"
        std::string ip_address;
        std::uint16_t port = 0;
    };
    std::string node;         // "warren@<hostname>", like RabbitMQ's "rabbit@<hostname>"
    std::string cluster_name; // the node name until clusters exist
    std::vector<Listener> listeners;
    // The HTTPS listener's certificate, for the certificate-expiration health check.
    struct Certificate {
        std::string file;
        std::int64_t not_after = 0; // seconds since the epoch
    };
    std::optional<Certificate> tls_certificate;
};

// The node name for this host: "warren@<hostname>".
std::string default_node_name();

// GET /api/overview. The broker, the stats and the info must outlive the router.
void register_overview_routes(ApiRouter& router, const server::Broker& broker,
                              const NodeInfo& node);

// GET /api/whoami.
void register_whoami_routes(ApiRouter& router);

// GET /api/vhosts, GET|PUT|DELETE /api/vhosts/{vhost}.
void register_vhost_routes(ApiRouter& router, server::Broker& broker, const NodeInfo& node);

// GET /api/exchanges[/{vhost}], GET|PUT|DELETE /api/exchanges/{vhost}/{name},
// GET /api/exchanges/{vhost}/{name}/bindings/source|destination.
void register_exchange_routes(ApiRouter& router, server::Broker& broker);

// GET /api/queues[/{vhost}], GET|PUT|DELETE /api/queues/{vhost}/{name},
// DELETE /api/queues/{vhost}/{name}/contents, GET /api/queues/{vhost}/{name}/bindings.
void register_queue_routes(ApiRouter& router, server::Broker& broker, const NodeInfo& node);

// GET /api/bindings[/{vhost}], GET|POST /api/bindings/{vhost}/e/{source}/{q|e}/{destination},
// GET|DELETE /api/bindings/{vhost}/e/{source}/{q|e}/{destination}/{props}.
void register_binding_routes(ApiRouter& router, server::Broker& broker);

// GET /api/connections, GET /api/consumers[/{vhost}].
void register_connection_routes(ApiRouter& router, const server::Broker& broker,
                                const NodeInfo& node);

// POST /api/exchanges/{vhost}/{name}/publish (single message or a batch array).
void register_publish_routes(ApiRouter& router, server::Broker& broker, PublishLimits limits);

// POST /api/queues/{vhost}/{name}/get.
void register_queue_get_routes(ApiRouter& router, server::Broker& broker);

// GET /api/streams/{vhost}/{name}, GET /api/streams/{vhost}/{name}/messages,
// GET|PUT /api/streams/{vhost}/{name}/consumers/{consumer}.
void register_stream_routes(ApiRouter& router, server::Broker& broker);

// Users and permissions (administrators only): /api/users..., /api/permissions...,
// GET /api/vhosts/{vhost}/permissions.
void register_user_routes(ApiRouter& router, server::Broker& broker);

// GET|POST /api/definitions[/{vhost}] (administrators only).
void register_definition_routes(ApiRouter& router, server::Broker& broker);

class TokenStore;
// POST /api/auth/token: a short-lived token for GET /ws?token=... The store must outlive the
// router.
void register_auth_token_routes(ApiRouter& router, TokenStore& tokens);

} // namespace warren::web
