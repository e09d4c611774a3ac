// logstore — the one seeded random generator and its distributions.
// Layer: core. Deterministic across compilers and platforms: the standard
// library's distributions are not (their algorithms are unspecified), so the
// few we need are written here. Nothing in the simulator may use any other
// source of randomness; sub-generators are derived with fork().
#pragma once

#include <cmath>
#include <cstdint>

namespace logstore {

/// xoshiro256** seeded through splitmix64.
class prng {
public:
  explicit prng(uint64_t seed = 0) {
    reseed(seed);
  }

  void reseed(uint64_t seed) {
    for (auto& word : state_)
      word = splitmix(seed);
  }

  uint64_t next() {
    auto result = rotl(state_[1] * 5, 7) * 9;
    auto t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// A generator whose stream is independent of this one's future output.
  prng fork(uint64_t salt) {
    return prng{next() ^ (salt * 0x9E3779B97F4A7C15ull)};
  }

  /// Uniform in [0, bound). REQUIRES: bound > 0.
  uint64_t below(uint64_t bound) {
    // Lemire's multiply-shift; the tiny bias is irrelevant for simulation.
    __extension__ using u128 = unsigned __int128;
    return static_cast<uint64_t>((static_cast<u128>(next()) * bound) >> 64);
  }

  /// Uniform in [0, 1).
  double unit() {
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
  }

  /// True with probability p.
  bool chance(double p) {
    return p > 0 && unit() < p;
  }

  /// Uniform in [lo, hi].
  double uniform(double lo, double hi) {
    return lo + (hi - lo) * unit();
  }

  /// Normal(mean, stddev) by Box-Muller.
  double normal(double mean, double stddev) {
    auto u1 = unit();
    auto u2 = unit();
    if (u1 < 1e-300)
      u1 = 1e-300;
    return mean
           + stddev * std::sqrt(-2.0 * std::log(u1))
               * std::cos(6.283185307179586 * u2);
  }

  /// Exponential with the given mean.
  double exponential(double mean) {
    return -mean * std::log(1.0 - unit());
  }

  /// Pareto with scale xm and shape alpha (heavy tail).
  double pareto(double xm, double alpha) {
    return xm / std::pow(1.0 - unit(), 1.0 / alpha);
  }

private:
  static uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
  }

  static uint64_t splitmix(uint64_t& x) {
    auto z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
};

} // namespace logstore
