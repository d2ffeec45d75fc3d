import { validatePairedScores, type Interval, type PairedScoresInput } from './delong'
import { binomialCdf, binomialProbability, chiSquareOneDegreeUpperTail, twoSidedCriticalValue } from './distributions'
import { validateThreshold } from './validate'

/**
 * Two classifiers at their thresholds on the same images: did one get more images right?
 *
 * Only the discordant images (right by one model, wrong by the other) carry information about the difference
 * (McNemar 1947, "Note on the sampling error of the difference between correlated proportions or percentages",
 * Psychometrika 12:153–157). Under "no difference", each discordant image is equally likely to favour either model,
 * so the count favouring A is Binomial(b + c, ½).
 *
 * p-values reported, all two-sided:
 * - exact conditional: 2·P(X ≤ min(b, c)), capped at 1 (statsmodels `mcnemar(exact=True)`, R `binom.test`);
 * - mid-p: the exact value minus P(X = min(b, c)) (Fagerland, Lydersen & Laake 2013, "The McNemar test for binary
 *   matched-pairs data: mid-p and asymptotic are better than exact conditional", BMC Med Res Methodol 13:91);
 * - χ² with Edwards' continuity correction: (|b − c| − 1)² / (b + c) on 1 degree of freedom (Edwards 1948,
 *   Psychometrika 13:185–187), the correction capped so that b = c gives χ² = 0 and p = 1.
 * The primary p-value (`method: 'auto'`) follows the usual rule of thumb: exact when b + c < 25, the χ² approximation
 * from 25 discordant images on (the cut-off textbooks give for the χ² approximation to be adequate; with test sets
 * of 15–135 images the exact test is the usual case). Fagerland et al. 2013 found the mid-p test closer to the
 * nominal level than both; pass `method: 'mid-p'` to make it primary.
 *
 * Interval for the difference in accuracy: Newcombe's hybrid score ("square-and-add") interval for paired
 * proportions with his correlation correction φ (Newcombe 1998, "Improved confidence intervals for the difference
 * between binomial proportions based on paired data", Stat Med 17:2635–2650, method 10), one of the intervals
 * Fagerland, Lydersen & Laake 2014 (Stat Med 33:2850–2875) recommend; unlike the Wald interval it stays inside
 * [−1, 1] and behaves with zero cells, which small test sets produce.
 */

/** A paired 2×2 table of two classifiers' correctness on the same images. */
export interface PairedOutcomeTable {
  /** Images both models got right. */
  bothCorrect: number
  /** Images only model A got right (McNemar's b). */
  onlyACorrect: number
  /** Images only model B got right (McNemar's c). */
  onlyBCorrect: number
  /** Images both models got wrong. */
  bothWrong: number
}

/** Which p-value is primary. */
export type McNemarMethod = 'exact' | 'mid-p' | 'chi-square-corrected'

/** The rule of `method: 'auto'`, as a sentence for reports. */
export const MCNEMAR_AUTO_RULE =
  'exact binomial test when fewer than 25 images are discordant, otherwise chi-square with continuity correction'

/** Below this many discordant images `auto` uses the exact test. */
export const MCNEMAR_EXACT_BELOW = 25

/** McNemar's test on b and c. */
export interface McNemarTest {
  /** b + c. */
  discordant: number
  /** Two-sided exact conditional (binomial) p-value. */
  exactPValue: number
  /** Two-sided mid-p value. */
  midPValue: number
  /** (max(0, |b − c| − 1))² / (b + c); `NaN` when b + c = 0. */
  chiSquare: number
  /** Upper tail of χ²₁ at `chiSquare`; `NaN` when b + c = 0. */
  chiSquarePValue: number
  /** Which of the three `pValue` is. */
  method: McNemarMethod
  /** The primary p-value. */
  pValue: number
  /** How `method` was chosen. */
  rule: string
}

/**
 * McNemar's test from the two discordant counts.
 * @param onlyACorrect b: images only model A classified correctly.
 * @param onlyBCorrect c: images only model B classified correctly.
 * @throws RangeError when a count is not a non-negative integer.
 */
export function mcnemarTest(onlyACorrect: number, onlyBCorrect: number, options: { method?: 'auto' | McNemarMethod } = {}): McNemarTest {
  for (const [name, value] of [['images only model A got right', onlyACorrect], ['images only model B got right', onlyBCorrect]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a whole number of images, got ${String(value)}`)
  }
  const discordant = onlyACorrect + onlyBCorrect
  const smaller = Math.min(onlyACorrect, onlyBCorrect)
  const lowerTail = binomialCdf(smaller, discordant, 0.5)
  const exactPValue = Math.min(1, 2 * lowerTail)
  const midPValue = Math.min(1, 2 * lowerTail - binomialProbability(smaller, discordant, 0.5))
  const corrected = Math.max(0, Math.abs(onlyACorrect - onlyBCorrect) - 1)
  const chiSquare = discordant === 0 ? Number.NaN : (corrected * corrected) / discordant
  const chiSquarePValue = chiSquareOneDegreeUpperTail(chiSquare)
  const requested = options.method ?? 'auto'
  const method: McNemarMethod = requested === 'auto' ? (discordant < MCNEMAR_EXACT_BELOW ? 'exact' : 'chi-square-corrected') : requested
  const pValue = method === 'exact' ? exactPValue : method === 'mid-p' ? midPValue : chiSquarePValue
  const rule = requested === 'auto' ? MCNEMAR_AUTO_RULE : `${method} test chosen by the caller`
  return { discordant, exactPValue, midPValue, chiSquare, chiSquarePValue, method, pValue, rule }
}

/** Wilson's score interval for a binomial proportion (Wilson 1927, JASA 22:209–212). `NaN` bounds when n = 0. */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  const z = twoSidedCriticalValue(confidence)
  if (n === 0) return { lower: Number.NaN, upper: Number.NaN, confidence }
  const p = successes / n
  const zSquare = z * z
  const centre = p + zSquare / (2 * n)
  const spread = z * Math.sqrt((p * (1 - p)) / n + zSquare / (4 * n * n))
  const scale = 1 + zSquare / n
  // At 0 or n successes a bound is exactly 0 or 1; the formula would leave a rounding residue there.
  const lower = successes === 0 ? 0 : Math.max(0, (centre - spread) / scale)
  const upper = successes === n ? 1 : Math.min(1, (centre + spread) / scale)
  return { lower, upper, confidence }
}

/**
 * Newcombe's (1998, method 10) interval for p_A − p_B on paired data, p_A = (a + b)/n and p_B = (a + c)/n: Wilson
 * intervals of each proportion combined by "square and add" with the correlation correction φ. Checked against the
 * worked example of Fagerland, Lydersen & Laake 2017 ("Statistical Analysis of Contingency Tables", §8: Cavo et al.
 * 2012, a = 59, b = 6, c = 16, d = 80 → −0.0621 (−0.1186 to −0.0046)).
 */
export function newcombePairedInterval(table: PairedOutcomeTable, confidence = 0.95): Interval & { estimate: number } {
  const { bothCorrect: a, onlyACorrect: b, onlyBCorrect: c, bothWrong: d } = table
  const n = a + b + c + d
  if (n === 0) return { estimate: Number.NaN, lower: Number.NaN, upper: Number.NaN, confidence }
  const first = (a + b) / n
  const second = (a + c) / n
  const estimate = first - second
  const firstInterval = wilsonInterval(a + b, n, confidence)
  const secondInterval = wilsonInterval(a + c, n, confidence)
  // φ: Newcombe's continuity-corrected estimate of the correlation between the two proportions.
  const marginals = (a + b) * (c + d) * (a + c) * (b + d)
  let phi = 0
  if (marginals > 0) {
    const crossDifference = a * d - b * c
    if (crossDifference > n / 2) phi = (crossDifference - n / 2) / Math.sqrt(marginals)
    else if (crossDifference < 0) phi = crossDifference / Math.sqrt(marginals)
  }
  const firstBelow = first - firstInterval.lower
  const firstAbove = firstInterval.upper - first
  const secondBelow = second - secondInterval.lower
  const secondAbove = secondInterval.upper - second
  const lower = estimate - Math.sqrt(Math.max(0, firstBelow ** 2 + secondAbove ** 2 - 2 * phi * firstBelow * secondAbove))
  const upper = estimate + Math.sqrt(Math.max(0, secondBelow ** 2 + firstAbove ** 2 - 2 * phi * secondBelow * firstAbove))
  return { estimate, lower: Math.max(-1, lower), upper: Math.min(1, upper), confidence }
}

/** Which images the comparison counts: all (accuracy), positives only (sensitivity) or negatives only (specificity). */
export type PairedOutcome = 'accuracy' | 'sensitivity' | 'specificity'

/** Input of {@link compareAtThresholds}. */
export interface ThresholdComparisonInput extends PairedScoresInput {
  /** Model A calls an image positive when its score ≥ this. Default 0.5 (the paper's). */
  thresholdA?: number
  /** Model B's threshold. Default 0.5. */
  thresholdB?: number
}

/** Two classifiers compared at their thresholds on the same images. Differences are A − B. */
export interface ThresholdComparison {
  outcome: PairedOutcome
  /** Images counted (all, positives or negatives). */
  n: number
  table: PairedOutcomeTable
  /** Model A's accuracy, sensitivity or specificity on those images. */
  valueA: number
  valueB: number
  difference: number
  /** Newcombe's interval for `difference`. */
  ci: Interval
  test: McNemarTest
  thresholdA: number
  thresholdB: number
  /** Why nothing could be compared (e.g. no positive images for sensitivity). */
  undefinedReason?: string
}

/**
 * McNemar's test and Newcombe's interval for two classifiers at their thresholds on the same images: accuracy over
 * all images, sensitivity over the positives or specificity over the negatives (McNemar's test is the standard
 * comparison of two diagnostic tests' sensitivities on the same patients).
 * @throws RangeError on invalid scores, labels or thresholds (the message names the model).
 */
export function compareAtThresholds(
  input: ThresholdComparisonInput,
  options: { outcome?: PairedOutcome; method?: 'auto' | McNemarMethod; confidence?: number } = {},
): ThresholdComparison {
  validatePairedScores(input)
  const thresholdA = input.thresholdA ?? 0.5
  const thresholdB = input.thresholdB ?? 0.5
  validateThreshold(thresholdA)
  validateThreshold(thresholdB)
  const outcome = options.outcome ?? 'accuracy'
  const confidence = options.confidence ?? 0.95
  const table: PairedOutcomeTable = { bothCorrect: 0, onlyACorrect: 0, onlyBCorrect: 0, bothWrong: 0 }
  const { labels, scoresA, scoresB } = input
  for (let index = 0; index < labels.length; index++) {
    const label = labels[index]
    if ((outcome === 'sensitivity' && label !== 1) || (outcome === 'specificity' && label !== 0)) continue
    const rightA = (scoresA[index] >= thresholdA ? 1 : 0) === label
    const rightB = (scoresB[index] >= thresholdB ? 1 : 0) === label
    if (rightA && rightB) table.bothCorrect++
    else if (rightA) table.onlyACorrect++
    else if (rightB) table.onlyBCorrect++
    else table.bothWrong++
  }
  const n = table.bothCorrect + table.onlyACorrect + table.onlyBCorrect + table.bothWrong
  const test = mcnemarTest(table.onlyACorrect, table.onlyBCorrect, { method: options.method })
  const interval = newcombePairedInterval(table, confidence)
  const result: ThresholdComparison = {
    outcome,
    n,
    table,
    valueA: n === 0 ? Number.NaN : (table.bothCorrect + table.onlyACorrect) / n,
    valueB: n === 0 ? Number.NaN : (table.bothCorrect + table.onlyBCorrect) / n,
    difference: interval.estimate,
    ci: { lower: interval.lower, upper: interval.upper, confidence },
    test,
    thresholdA,
    thresholdB,
  }
  if (n === 0) {
    result.undefinedReason = outcome === 'sensitivity' ? 'no positive images: sensitivity cannot be compared' : outcome === 'specificity' ? 'no negative images: specificity cannot be compared' : 'no images'
    result.test = { ...test, exactPValue: Number.NaN, midPValue: Number.NaN, pValue: Number.NaN }
  }
  return result
}
