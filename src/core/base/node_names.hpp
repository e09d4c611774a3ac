// logstore — what a node name (or a zone) may be.
// Layer: core/base (vocabulary).
#pragma once

#include <string>

namespace logstore {

/// Letters, digits, '-', '_' and '.', 1 to 64 of them: what the master
/// accepts in a join, what its record can hold, what a data directory's
/// identity may say.
bool valid_node_name(const std::string& name);

} // namespace logstore
