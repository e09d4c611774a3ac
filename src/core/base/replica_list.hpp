// logstore — which nodes hold a copy: node numbers and the inline replica
// list every layer that speaks of copies uses (the master's index, its read
// plans and failure detector, placement).
// Layer: core/base (vocabulary; standard library only).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace logstore {

/// A node's number in the master's member table (dense, never reused).
using node_number = uint16_t;

/// Replica list stored inline: no heap allocation per batch.
constexpr size_t replicas_max = 8;

struct replica_list {
  std::array<node_number, replicas_max> nodes{};
  uint8_t count = 0;

  bool contains(node_number n) const;
  /// Returns false when full or already present.
  bool add(node_number n);
  bool remove(node_number n);
  const node_number* begin() const {
    return nodes.data();
  }
  const node_number* end() const {
    return nodes.data() + count;
  }
};

} // namespace logstore
