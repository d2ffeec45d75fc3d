/**
 * Ranking predicted lung masks by how unusual they look within their dataset, so a reviewer reads the worst
 * first. Pure maths on {@link MaskQualityFeatures}; no tensors, no I/O.
 *
 * The score (documented here because the QA list shows it):
 *
 * - For area fraction, left/right balance and bounding-box fraction, a robust z-score against the dataset:
 *   z = (x − median) / s, with s = max(1.4826 × MAD, floor). Median and MAD (median absolute deviation, scaled
 *   by 1.4826 to match a standard deviation under normality) are used rather than mean and SD because the bad
 *   masks we are hunting would inflate the SD and hide themselves. The floor keeps a dataset of near-identical
 *   masks (MAD ≈ 0) from turning a harmless 0.5 % difference into a huge z.
 * - Area and bounding-box fraction count in both directions (a leaked mask is as wrong as a shrunken one). The
 *   balance counts only below the median: a perfectly balanced pair is never suspicious, a missed lung is.
 * - Component count is judged against the anatomy rather than the dataset: two lungs make two components, so
 *   each component more or fewer than 2 adds {@link COMPONENT_PENALTY} (as much as a 3-sigma outlier). An empty
 *   mask (0 components) thus scores at least 6 from this term alone.
 * - Each term is capped at {@link TERM_CAP} so one absurd value (area 0) cannot drown the ordering of the rest,
 *   and the score is the root of the sum of squared terms: a distance from "typical", where several mild
 *   oddities add up but one strong oddity still dominates.
 */
import type { MaskQualityFeatures } from './features'

/** The features the score uses. */
export type QaFeature = 'areaFraction' | 'componentCount' | 'leftRightBalance' | 'boundingBoxFraction'

/** Per-feature contribution to a score (≥ 0; 0 = typical). */
export type QaTerms = Record<QaFeature, number>

/** Score of one mask with its terms, so the UI can say why a mask ranks high. */
export interface MaskUnusualness {
  score: number
  terms: QaTerms
}

/** Median and robust scale of one feature over a dataset. */
export interface RobustStatistics {
  median: number
  /** max(1.4826 × MAD, floor). */
  scale: number
}

/** Statistics the z-scores are computed against. */
export type QaReference = Record<'areaFraction' | 'leftRightBalance' | 'boundingBoxFraction', RobustStatistics>

/** 1.4826 × MAD estimates the SD of normally distributed values. */
export const MAD_TO_SD = 1.4826

/**
 * Smallest robust scale per feature, in the feature's own units (fractions of the image, or a balance in [0, 1]).
 * Differences below these are noise of the post-processing, not mistakes of the model.
 */
export const SCALE_FLOORS = { areaFraction: 0.02, leftRightBalance: 0.05, boundingBoxFraction: 0.02 } as const

/** Score added per component more or fewer than two. */
export const COMPONENT_PENALTY = 3

/** Largest contribution of a single term. */
export const TERM_CAP = 10

/** Median of values (NaN for none). Does not modify its input. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Median and floored robust scale of values; for no values the median is 0 and the scale the floor. */
export function robustStatistics(values: readonly number[], floor: number): RobustStatistics {
  if (values.length === 0) return { median: 0, scale: floor }
  const centre = median(values)
  const mad = median(values.map((value) => Math.abs(value - centre)))
  return { median: centre, scale: Math.max(MAD_TO_SD * mad, floor) }
}

/** The dataset's reference statistics for {@link maskUnusualness}. */
export function qaReference(features: readonly MaskQualityFeatures[]): QaReference {
  return {
    areaFraction: robustStatistics(features.map((f) => f.areaFraction), SCALE_FLOORS.areaFraction),
    leftRightBalance: robustStatistics(features.map((f) => f.leftRightBalance), SCALE_FLOORS.leftRightBalance),
    boundingBoxFraction: robustStatistics(features.map((f) => f.boundingBoxFraction), SCALE_FLOORS.boundingBoxFraction),
  }
}

const cap = (value: number) => Math.min(TERM_CAP, value)

/** Unusualness of one mask against a dataset's reference (see the module comment for the definition). */
export function maskUnusualness(features: MaskQualityFeatures, reference: QaReference): MaskUnusualness {
  const z = (feature: keyof QaReference) => (features[feature] - reference[feature].median) / reference[feature].scale
  const terms: QaTerms = {
    areaFraction: cap(Math.abs(z('areaFraction'))),
    componentCount: cap(Math.abs(features.componentCount - 2) * COMPONENT_PENALTY),
    leftRightBalance: cap(Math.max(0, -z('leftRightBalance'))),
    boundingBoxFraction: cap(Math.abs(z('boundingBoxFraction'))),
  }
  const score = Math.sqrt(Object.values(terms).reduce((sum, term) => sum + term * term, 0))
  return { score, terms }
}

/** Scores every mask of a dataset against the dataset itself, in input order. */
export function scoreMasks(features: readonly MaskQualityFeatures[]): MaskUnusualness[] {
  const reference = qaReference(features)
  return features.map((f) => maskUnusualness(f, reference))
}
