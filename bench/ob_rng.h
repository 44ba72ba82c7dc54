/* ob_rng.h -- a counter-based random stream for randomized optimizers and
 * for the label draws of problems (logreg's Gauss-Newton-Bartlett samples).
 *
 * Randomized optimizers (sophia's Hutchinson probe, zo_sgd's directions)
 * draw coordinate i of a random vector from a pure function of
 * (run seed, stream, step, vector index, i), never from a sequential
 * generator. A vector is therefore regenerated instead of stored (MeZO's
 * "resample with the same seed"), any coordinate can be computed by any
 * thread, and trajectories are bit-identical for every thread count.
 *
 * The scheme, reimplemented in tests/reference/gen_numpy_curv.py and gen_numpy_gnb.py:
 *
 *   mix(z)  = SplitMix64's output function (Steele, Lea & Flood, OOPSLA 2014):
 *             z += 0x9E3779B97F4A7C15; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
 *             z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31)
 *             (all arithmetic modulo 2^64)
 *   key     = mix(mix(mix(mix(seed) ^ stream) ^ step) ^ j)
 *   word(i) = mix(key ^ i)
 *   Rademacher u_i = +1 if the lowest bit of word(2 i) is 1, else -1
 *   Gaussian   z_i = sqrt(-2 ln a) cos(2 pi b)  (Box-Muller, one output),
 *              a = ((word(2 i) >> 11) + 1) 2^-53 in (0, 1],
 *              b = (word(2 i + 1) >> 11) 2^-53 in [0, 1)
 *
 *   Uniform    r_i = (word(2 i) >> 11) 2^-53 in [0, 1)
 *
 * with 2 pi = 6.283185307179586 (the double nearest). Streams: 1 sophia,
 * 2 zo_sgd, 3 the labels of logreg's Gauss-Newton-Bartlett samples. log, cos and sqrt come from the C library.
 */
#ifndef OB_RNG_H
#define OB_RNG_H

#include <math.h>
#include <stdint.h>

enum { OB_RNG_STREAM_SOPHIA = 1, OB_RNG_STREAM_ZO = 2, OB_RNG_STREAM_GNB = 3 };

static inline uint64_t ob_rng_mix(uint64_t z)
{
  z += UINT64_C(0x9E3779B97F4A7C15);
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

/* The key of vector j of `stream` at `step` of the run with `seed`. */
static inline uint64_t ob_rng_key(uint64_t seed, uint64_t stream, uint64_t step, uint64_t j)
{
  return ob_rng_mix(ob_rng_mix(ob_rng_mix(ob_rng_mix(seed) ^ stream) ^ step) ^ j);
}

/* Coordinate i of the Rademacher vector with `key`: +1 or -1. */
static inline double ob_rng_rademacher(uint64_t key, uint64_t i)
{
  return (ob_rng_mix(key ^ (2 * i)) & 1u) ? 1.0 : -1.0;
}

/* Coordinate i of the uniform vector with `key`: in [0, 1), 53 random bits
 * (the `a` word of ob_rng_gauss minus its + 1). */
static inline double ob_rng_uniform(uint64_t key, uint64_t i)
{
  return (double)(ob_rng_mix(key ^ (2 * i)) >> 11) * 0x1p-53;
}

/* Coordinate i of the standard Gaussian vector with `key`. */
static inline double ob_rng_gauss(uint64_t key, uint64_t i)
{
  const double a = (double)((ob_rng_mix(key ^ (2 * i)) >> 11) + 1) * 0x1p-53;
  const double b = (double)(ob_rng_mix(key ^ (2 * i + 1)) >> 11) * 0x1p-53;
  return sqrt(-2.0 * log(a)) * cos(6.283185307179586 * b);
}

#endif
