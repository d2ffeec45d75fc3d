/**
 * The few probability distributions the comparison tests need (normal, χ² with one degree of freedom, binomial),
 * written out because `src-shared` has no numerical library and p-values must be right in the tails: a DeLong z of
 * 6 or an exact binomial tail of 1e-12 must not round to 0 by computing 1 − (something close to 1).
 */

/** 1/√π. */
const RECIPROCAL_SQRT_PI = 0.56418958354775628695
const SQRT_HALF = Math.SQRT1_2

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631–638, as in his
// SPECFUN routine CALERF (netlib.org/specfun/erf): relative accuracy ≈ 1e-16 for erfc over the whole real line.
const ERF_NUMERATOR = [3.1611237438705656, 113.86415415105016, 377.48523768530202, 3209.3775891384695, 0.18577770618460315]
const ERF_DENOMINATOR = [23.601290952344121, 244.02463793444417, 1282.6165260773723, 2844.2368334391706]
const ERFC_MIDDLE_NUMERATOR = [
  0.56418849698867009, 8.8831497943883759, 66.119190637141630, 298.63513819740013, 881.95222124176909,
  1712.0476126340706, 2051.0783778260715, 1230.3393547979972, 2.1531153547440385e-8,
]
const ERFC_MIDDLE_DENOMINATOR = [
  15.744926110709835, 117.69395089131250, 537.18110186200986, 1621.3895745666902, 3290.7992357334596,
  4362.6190901432472, 3439.3676741437216, 1230.3393548037494,
]
const ERFC_TAIL_NUMERATOR = [
  0.30532663496123234, 0.36034489994980444, 0.12578172611122925, 0.016083785148742277, 6.5874916152983780e-4,
  0.016315387137302098,
]
const ERFC_TAIL_DENOMINATOR = [2.5685201922898224, 1.8729528499234605, 0.52790510295142841, 0.060518341312441319, 0.0023352049762686918]
/** Beyond this, erfc(x) underflows to 0 in double precision. */
const ERFC_UNDERFLOW = 26.543

/**
 * exp(−y²) computed as exp(−a²)·exp(−(y−a)(y+a)) with a = y rounded down to 1/16, as CALERF does: y² itself would
 * lose the low bits that matter once multiplied by a large exponent.
 */
function expMinusSquare(y: number): number {
  const rounded = Math.trunc(y * 16) / 16
  return Math.exp(-rounded * rounded) * Math.exp(-(y - rounded) * (y + rounded))
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), accurate to about 1e-16 relative for every real x
 * (Cody 1969), so tails stay precise where 1 − erf(x) would cancel to 0.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  const y = Math.abs(x)
  let result: number
  if (y <= 0.46875) {
    const square = y > 1.11e-16 ? y * y : 0
    let numerator = ERF_NUMERATOR[4] * square
    let denominator = square
    for (let index = 0; index < 3; index++) {
      numerator = (numerator + ERF_NUMERATOR[index]) * square
      denominator = (denominator + ERF_DENOMINATOR[index]) * square
    }
    return 1 - (x * (numerator + ERF_NUMERATOR[3])) / (denominator + ERF_DENOMINATOR[3])
  } else if (y <= 4) {
    let numerator = ERFC_MIDDLE_NUMERATOR[8] * y
    let denominator = y
    for (let index = 0; index < 7; index++) {
      numerator = (numerator + ERFC_MIDDLE_NUMERATOR[index]) * y
      denominator = (denominator + ERFC_MIDDLE_DENOMINATOR[index]) * y
    }
    result = (expMinusSquare(y) * (numerator + ERFC_MIDDLE_NUMERATOR[7])) / (denominator + ERFC_MIDDLE_DENOMINATOR[7])
  } else if (y >= ERFC_UNDERFLOW) {
    result = 0
  } else {
    const inverseSquare = 1 / (y * y)
    let numerator = ERFC_TAIL_NUMERATOR[5] * inverseSquare
    let denominator = inverseSquare
    for (let index = 0; index < 4; index++) {
      numerator = (numerator + ERFC_TAIL_NUMERATOR[index]) * inverseSquare
      denominator = (denominator + ERFC_TAIL_DENOMINATOR[index]) * inverseSquare
    }
    const correction = (inverseSquare * (numerator + ERFC_TAIL_NUMERATOR[4])) / (denominator + ERFC_TAIL_DENOMINATOR[4])
    result = (expMinusSquare(y) * (RECIPROCAL_SQRT_PI - correction)) / y
  }
  return x < 0 ? 2 - result : result
}

/** Standard normal density φ(x). */
export function normalDensity(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI)
}

/** Standard normal distribution function Φ(x) = P(Z ≤ x), accurate in relative terms in the lower tail. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT_HALF)
}

/** Standard normal upper tail P(Z > x) = 1 − Φ(x), accurate in relative terms for large x (no 1 − Φ cancellation). */
export function normalUpperTail(x: number): number {
  return 0.5 * erfc(x * SQRT_HALF)
}

/** Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|). `NaN` stays `NaN`. */
export function twoSidedNormalPValue(z: number): number {
  return Math.min(1, 2 * normalUpperTail(Math.abs(z)))
}

/**
 * Standard normal quantile Φ⁻¹(p). A starting value from Abramowitz & Stegun 26.2.23 (error < 4.5e-4) is refined by
 * Halley steps on the accurate `normalCdf`, which converge to machine precision in two or three steps.
 * @throws RangeError unless 0 < p < 1.
 */
export function normalQuantile(p: number): number {
  if (typeof p !== 'number' || !(p > 0 && p < 1)) throw new RangeError(`a normal quantile needs a probability strictly between 0 and 1, got ${String(p)}`)
  if (p === 0.5) return 0
  // Work in the lower tail, where Φ is accurate in relative terms, and reflect.
  const lower = Math.min(p, 1 - p)
  const t = Math.sqrt(-2 * Math.log(lower))
  let x = -(t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t))
  for (let step = 0; step < 8; step++) {
    const error = (normalCdf(x) - lower) / normalDensity(x)
    const next = x - error / (1 + (x * error) / 2)
    const converged = Math.abs(next - x) <= 1e-15 * Math.abs(next)
    x = next
    if (converged) break
  }
  return p < 0.5 ? x : -x
}

/** The two-sided critical value z such that P(|Z| ≤ z) = `confidence` (1.959964… for 0.95). */
export function twoSidedCriticalValue(confidence: number): number {
  if (typeof confidence !== 'number' || !(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be between 0 and 1 (e.g. 0.95), got ${String(confidence)}`)
  }
  return normalQuantile(1 - (1 - confidence) / 2)
}

/** Upper tail of the χ² distribution with one degree of freedom: P(X ≥ x) = P(|Z| ≥ √x). */
export function chiSquareOneDegreeUpperTail(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  if (x <= 0) return 1
  return erfc(Math.sqrt(x / 2))
}

// ln(k!) for small k exactly as a running sum; Stirling's series beyond, whose first omitted term is below 1e-16 there.
const SMALL_LOG_FACTORIALS: number[] = [0]
for (let k = 1; k < 30; k++) SMALL_LOG_FACTORIALS.push(SMALL_LOG_FACTORIALS[k - 1] + Math.log(k))

/** ln(k!) for a non-negative integer k. */
export function logFactorial(k: number): number {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`logFactorial needs a non-negative integer, got ${String(k)}`)
  if (k < SMALL_LOG_FACTORIALS.length) return SMALL_LOG_FACTORIALS[k]
  const inverse = 1 / k
  const inverseSquare = inverse * inverse
  const series = inverse * (1 / 12 - inverseSquare * (1 / 360 - inverseSquare * (1 / 1260 - inverseSquare / 1680)))
  return (k + 0.5) * Math.log(k) - k + 0.5 * Math.log(2 * Math.PI) + series
}

function checkBinomial(n: number, p: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`the number of trials must be a non-negative integer, got ${String(n)}`)
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new RangeError(`a binomial probability must be between 0 and 1, got ${String(p)}`)
}

/** P(X = k) for X ~ Binomial(n, p). */
export function binomialProbability(k: number, n: number, p: number): number {
  checkBinomial(n, p)
  if (!Number.isInteger(k) || k < 0 || k > n) return 0
  if (p === 0) return k === 0 ? 1 : 0
  if (p === 1) return k === n ? 1 : 0
  return Math.exp(logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p))
}

/**
 * Σ P(X = i) walking away from the mode from `start` in steps of ±1: each term is the previous times a ratio below 1,
 * so the sum is accurate in relative terms even when it is 1e-200.
 */
function sumAwayFromMode(start: number, direction: 1 | -1, n: number, p: number): number {
  let term = binomialProbability(start, n, p)
  let sum = 0
  const odds = p / (1 - p)
  for (let k = start; k >= 0 && k <= n && term > 0; k += direction) {
    sum += term
    if (sum > 0 && term < sum * 1e-17) break
    term *= direction === 1 ? ((n - k) / (k + 1)) * odds : (k / (n - k + 1)) / odds
  }
  return sum
}

/** P(X ≤ k) for X ~ Binomial(n, p), accurate in relative terms in the lower tail. */
export function binomialCdf(k: number, n: number, p: number): number {
  checkBinomial(n, p)
  if (k < 0) return 0
  if (k >= n) return 1
  const floor = Math.floor(k)
  if (p === 0) return 1
  if (p === 1) return 0
  // The sum that does not cross the mode is computed directly; the other as a complement (it is then ≥ ~½).
  if (floor < n * p) return Math.min(1, sumAwayFromMode(floor, -1, n, p))
  return Math.max(0, 1 - sumAwayFromMode(floor + 1, 1, n, p))
}

/** P(X ≥ k) for X ~ Binomial(n, p), accurate in relative terms in the upper tail. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  checkBinomial(n, p)
  const ceiling = Math.ceil(k)
  if (ceiling <= 0) return 1
  if (ceiling > n) return 0
  if (p === 0) return 0
  if (p === 1) return 1
  if (ceiling > n * p) return Math.min(1, sumAwayFromMode(ceiling, 1, n, p))
  return Math.max(0, 1 - sumAwayFromMode(ceiling - 1, -1, n, p))
}
