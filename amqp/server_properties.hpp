#pragma once

// What connection.start tells a client about the server: product, version, platform and the
// capabilities RabbitMQ 3.10 advertises, which clients check before using a feature (pika
// refuses confirms without publisher_confirms and basic.nack).

#include <boost/json/object.hpp>

namespace warren::server {
class Broker;
}

namespace warren::amqp {

boost::json::object server_properties(const server::Broker& broker);

} // namespace warren::amqp
