/**
 * Seeded synthetic cohorts for the metric tests (not a test file itself).
 * Uses the module's own xoshiro128** so fixtures are identical on every run.
 */
import { createRandom, type RandomSource } from '@shared/metrics'

/** Standard normal deviate by Box–Muller (one of the pair is discarded for simplicity). */
export function normal(random: RandomSource): number {
  const u = 1 - random() // (0, 1], keeps log finite
  const v = random()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

export interface CohortOptions {
  patients: number
  imagesPerPatient: number
  seed: number
  /** Shift of the logit between positive and negative patients. */
  separation?: number
  /** SD of a per-patient random effect shared by all that patient's images (the correlation). */
  patientSpread?: number
  /** SD of per-image noise. */
  imageNoise?: number
  /** Probability a patient is positive. */
  prevalence?: number
}

export interface Cohort {
  labels: number[]
  scores: number[]
  patients: string[]
}

/** Patients with a label each and several correlated images per patient. */
export function syntheticCohort(options: CohortOptions): Cohort {
  const { separation = 1.5, patientSpread = 0, imageNoise = 1, prevalence = 0.5 } = options
  const random = createRandom(options.seed)
  const cohort: Cohort = { labels: [], scores: [], patients: [] }
  for (let patient = 0; patient < options.patients; patient++) {
    const label = random() < prevalence ? 1 : 0
    const effect = patientSpread * normal(random)
    for (let image = 0; image < options.imagesPerPatient; image++) {
      const logit = separation * (label - 0.5) + effect + imageNoise * normal(random)
      cohort.labels.push(label)
      cohort.scores.push(1 / (1 + Math.exp(-logit)))
      cohort.patients.push(`P${patient}`)
    }
  }
  return cohort
}

/** Brute-force O(n²) AUC: fraction of (positive, negative) pairs ranked correctly, ties ½. */
export function bruteForceAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  let pairs = 0
  let concordant = 0
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue
      pairs++
      if (scores[i] > scores[j]) concordant += 1
      else if (scores[i] === scores[j]) concordant += 0.5
    }
  }
  return concordant / pairs
}

/** Expand a confusion matrix into labels/scores that reproduce it at threshold 0.5. */
export function fromConfusion(matrix: { tp: number; fp: number; tn: number; fn: number }): {
  labels: number[]
  scores: number[]
} {
  const labels: number[] = []
  const scores: number[] = []
  const push = (count: number, label: number, score: number): void => {
    for (let k = 0; k < count; k++) {
      labels.push(label)
      scores.push(score)
    }
  }
  push(matrix.tp, 1, 0.9)
  push(matrix.fn, 1, 0.1)
  push(matrix.tn, 0, 0.2)
  push(matrix.fp, 0, 0.7)
  return { labels, scores }
}
