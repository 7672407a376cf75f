#include "storage/store.hpp"

namespace warren::storage {

std::size_t Batch::operations() const {
    return put_vhosts.size() + deleted_vhosts.size() + put_exchanges.size() +
           deleted_exchanges.size() + put_queues.size() + deleted_queues.size() +
           put_bindings.size() + deleted_bindings.size() + put_users.size() + deleted_users.size() +
           put_permissions.size() + deleted_permissions.size() + messages.size() + entries.size() +
           deliveries.size() + removed.size() + purged.size() + dedup_keys.size() +
           dedup_cuts.size() + put_segments.size() + deleted_segments.size() +
           put_stream_offsets.size();
}

bool Batch::empty() const {
    return operations() == 0;
}

std::size_t Batch::bytes() const {
    std::size_t n = 64 * operations();
    for (const auto& m : messages) {
        n += m.body ? m.body->size() : 0;
        n += m.properties.size() + m.routing_key.size() + m.exchange.size();
    }
    for (const auto& k : dedup_keys) {
        n += k.scope.size() + k.key.size();
    }
    for (const auto& o : put_stream_offsets) {
        n += o.consumer.size();
    }
    return n;
}

} // namespace warren::storage
