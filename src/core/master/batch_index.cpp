// logstore — the master's record of every acknowledged batch.
// Layer: core (standard library only; no CAF, no clock, no I/O).
// A dense table indexed by (id - base_) answers "what is batch N?"; the
// interval index answers "which batches overlap [from, to]?".
#include "core/master/batch_index.hpp"

#include "core/base/assert.hpp"

#include <algorithm>

namespace logstore {

namespace {

/// Most holes one insert may open in the dense table (48 MiB of them). Ids
/// are assigned by the master, dense and increasing (a restart skips to the
/// next reserved block of 10,000), so a bigger jump is an outlier: it goes
/// to the sparse map rather than allocating memory for the gap.
constexpr uint64_t id_gap_max = uint64_t{1} << 20;

bool distinct(const replica_list& xs) {
  for (uint8_t i = 0; i < xs.count; ++i)
    for (uint8_t j = 0; j < i; ++j)
      if (xs.nodes[i] == xs.nodes[j])
        return false;
  return true;
}

} // namespace

// -- batch_index --------------------------------------------------------------

void batch_index::insert(batch_id id, const batch_meta& meta) {
  LOGSTORE_ASSERT(meta.min_ts <= meta.max_ts);
  LOGSTORE_ASSERT(meta.replicas.count <= replicas_max);
  LOGSTORE_ASSERT(distinct(meta.replicas));
  LOGSTORE_ASSERT(find(id) == nullptr);
  size_t i = 0;
  if (slot_for(id, i)) {
    metas_[i] = meta;
    metas_[i].present = true;
    first_present_ = std::min(first_present_, i);
  } else {
    auto& kept = sparse_[id];
    kept = meta;
    kept.present = true;
  }
  ++present_;
  by_time_.insert(id, meta.min_ts, meta.max_ts);
  LOGSTORE_ASSERT(present_ == by_time_.size());
}

bool batch_index::slot_for(batch_id id, size_t& slot) {
  if (metas_.empty()) {
    base_ = id;
    metas_.resize(1);
    first_present_ = 0;
    slot = 0;
    return true;
  }
  if (id < base_) {
    // An older id arrived late: re-base, opening holes at the front.
    auto shift = base_ - id;
    if (shift > id_gap_max)
      return false;
    metas_.insert(metas_.begin(), static_cast<size_t>(shift), batch_meta{});
    base_ = id;
    first_present_ += static_cast<size_t>(shift);
    slot = 0;
    return true;
  }
  if (id - base_ >= metas_.size() + id_gap_max)
    return false;
  slot = static_cast<size_t>(id - base_);
  if (slot >= metas_.size())
    metas_.resize(slot + 1);
  return true;
}

const batch_meta* batch_index::find(batch_id id) const {
  if (id >= base_ && id - base_ < metas_.size()) {
    const auto& meta = metas_[static_cast<size_t>(id - base_)];
    if (meta.present)
      return &meta;
  }
  if (sparse_.empty())
    return nullptr;
  auto i = sparse_.find(id);
  return i == sparse_.end() ? nullptr : &i->second;
}

batch_meta* batch_index::find(batch_id id) {
  const auto& self = *this;
  return const_cast<batch_meta*>(self.find(id));
}

bool batch_index::erase(batch_id id) {
  auto* meta = find(id);
  if (meta == nullptr)
    return false;
  // Fails if a caller changed min_ts through find(): the pair check for
  // the interval index's key.
  auto erased = by_time_.erase(id, meta->min_ts);
  LOGSTORE_ASSERT(erased);
  --present_;
  if (auto i = sparse_.find(id); i != sparse_.end()) {
    sparse_.erase(i);
    return true;
  }
  *meta = batch_meta{};
  if (present_ == sparse_.size()) { // the dense table is empty now
    metas_.clear();
    first_present_ = 0;
    return true;
  }
  drop_holes();
  LOGSTORE_ASSERT(metas_.back().present);
  LOGSTORE_ASSERT(metas_[first_present_].present);
  LOGSTORE_ASSERT(present_ == by_time_.size());
  return true;
}

void batch_index::drop_holes() {
  LOGSTORE_ASSERT(present_ > sparse_.size()); // the dense table holds one
  while (!metas_.back().present)
    metas_.pop_back();
  while (!metas_[first_present_].present)
    ++first_present_;
  // Retention erases the oldest batches first. Dropping the front holes on
  // every erase would cost O(n) each; doing it once they fill half the table
  // costs O(1) amortised and wastes at most half of it.
  if (first_present_ * 2 <= metas_.size())
    return;
  metas_.erase(metas_.begin(),
               metas_.begin() + static_cast<ptrdiff_t>(first_present_));
  base_ += first_present_;
  first_present_ = 0;
}

std::vector<batch_id> batch_index::overlapping(time_range r) const {
  return by_time_.overlapping(r);
}

size_t batch_index::memory_bytes() const {
  // A map node: the pair plus three pointers and a colour (libstdc++).
  constexpr size_t sparse_node_bytes
    = sizeof(std::pair<const batch_id, batch_meta>) + 4 * sizeof(void*);
  return metas_.capacity() * sizeof(batch_meta)
         + sparse_.size() * sparse_node_bytes + by_time_.memory_bytes();
}

} // namespace logstore
