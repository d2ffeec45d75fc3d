/**
 * Alarms: the patterns in a results table that mean "this model learned the image source, not the disease" or
 * "this number is not what it seems" (Tartaglione et al. 2020, Sec. IV-C and Fig. 3). Each detector is a pure
 * function that returns `null` or an alarm carrying its evidence as data, so a page can show the sentence and a
 * report can show the numbers behind it.
 */
import {
  binaryMetrics,
  binomialUpperTail,
  compareIndependentAucs,
  type BinaryInput,
  type ConfusionMatrix,
  type IndependentAucMethod,
} from '../metrics'
import { isFarAboveChance } from './separability'
import type { DatasetSeparability } from './types'
import { formatNumber, formatPValue, formatPercent } from './verdicts'

/** How the two classes are called in sentences. */
export interface ClassNames {
  positive: string
  negative: string
}

/** The paper's classes. */
export const COVID_CLASS_NAMES: ClassNames = { positive: 'COVID+', negative: 'COVID−' }

/** A model's AUC on a test set ranks the classes backwards: the whole interval is below 0.5. */
export interface BackwardRankingAlarm {
  kind: 'backward-ranking'
  message: string
  evidence: { testSet: string; auc: number; ciLower: number; ciUpper: number; confidence: number; n?: number }
}

/** A model calls (nearly) every image one class at its threshold. */
export interface DegenerateClassifierAlarm {
  kind: 'degenerate-classifier'
  message: string
  evidence: {
    testSet: string
    threshold: number
    confusion: ConfusionMatrix
    sensitivity: number
    specificity: number
    /** Which class every image was called, when all calls are the same. */
    everythingCalled: 'positive' | 'negative' | null
  }
}

/** A significant AUC drop from the within-dataset test set to an external one. */
export interface ExternalDropAlarm {
  kind: 'external-drop'
  message: string
  evidence: {
    internalTestSet: string
    externalTestSet: string
    internalAuc: number
    externalAuc: number
    internalStandardError: number
    externalStandardError: number
    difference: number
    ciLower: number
    ciUpper: number
    z: number
    /** Two-sided p-value of the unpaired test. */
    pValue: number
    /** Always unpaired: the two test sets share no image, so DeLong's paired test does not apply. */
    method: 'unpaired-delong' | 'unpaired-hanley-mcneil'
  }
}

/** A "which dataset?" probe on the encoder's features does far better than chance. */
export interface DatasetSignatureAlarm {
  kind: 'dataset-signature'
  message: string
  evidence: {
    accuracy: number
    chance: number
    n: number
    correct: number
    /** One-sided binomial p-value of "no better than chance". */
    pValue: number
    /** The existing relative rule: more than half-way from chance to perfect. */
    farAboveChance: boolean
    method: DatasetSeparability['method']
    classes: string[]
  }
}

/** Any alarm. */
export type Alarm = BackwardRankingAlarm | DegenerateClassifierAlarm | ExternalDropAlarm | DatasetSignatureAlarm

/** An AUC on a named test set with its interval (from `evaluateBinary`'s bootstrap or `aucWithStandardError`). */
export interface AucOnTestSet {
  testSet: string
  auc: number
  ci: { lower: number; upper: number; confidence?: number }
  n?: number
}

/**
 * Fires when the whole AUC interval lies below 0.5: on that test set the model scores the negatives higher than the
 * positives more often than not, beyond chance. In the paper's setting (Table II, e.g. AUC 0.33 on CORDA&ChestXRay
 * for a model trained on CORDA&RSNA) that is what a model does when it learned a trait of the image source that
 * happens to be inverted on another collection.
 */
export function detectBackwardRanking(input: AucOnTestSet): BackwardRankingAlarm | null {
  const { testSet, auc, ci } = input
  if (!(ci.upper < 0.5)) return null
  const confidence = ci.confidence ?? 0.95
  const level = `${Math.round(confidence * 100)}%`
  return {
    kind: 'backward-ranking',
    message:
      `On ${testSet} the model ranks the classes backwards (AUC ${formatNumber(auc)}, ${level} CI ${formatNumber(ci.lower)}–${formatNumber(ci.upper)}): ` +
      'it likely learned a trait of the image source, not the disease.',
    evidence: { testSet, auc, ciLower: ci.lower, ciUpper: ci.upper, confidence, ...(input.n !== undefined ? { n: input.n } : {}) },
  }
}

/**
 * Fires when, with both classes present, sensitivity or specificity is 0 at the model's threshold: it finds none of
 * one class. When every image gets the same call the message says the model collapsed to one class.
 */
export function detectDegenerateClassifier(input: {
  testSet: string
  confusion: ConfusionMatrix
  threshold?: number
  classNames?: ClassNames
}): DegenerateClassifierAlarm | null {
  const { testSet, confusion } = input
  const threshold = input.threshold ?? 0.5
  const names = input.classNames ?? COVID_CLASS_NAMES
  const positives = confusion.tp + confusion.fn
  const negatives = confusion.tn + confusion.fp
  if (positives === 0 || negatives === 0) return null
  const { sensitivity, specificity } = binaryMetrics(confusion)
  if (sensitivity > 0 && specificity > 0) return null
  const everythingCalled = confusion.tp + confusion.fp === 0 ? 'negative' : confusion.tn + confusion.fn === 0 ? 'positive' : null
  const at = `At threshold ${formatNumber(threshold)}`
  let message: string
  if (everythingCalled !== null) {
    const called = everythingCalled === 'positive' ? names.positive : names.negative
    message = `${at} the model calls every image of ${testSet} ${called} (sensitivity ${formatNumber(sensitivity)}, specificity ${formatNumber(specificity)}): it has collapsed to one class, and its accuracy only reflects the class mix.`
  } else if (sensitivity === 0) {
    message = `${at} the model finds none of the ${positives} ${names.positive} images of ${testSet} (sensitivity 0): its ${names.positive} calls are all false alarms.`
  } else {
    message = `${at} the model calls every one of the ${negatives} ${names.negative} images of ${testSet} ${names.positive} (specificity 0).`
  }
  return { kind: 'degenerate-classifier', message, evidence: { testSet, threshold, confusion: { ...confusion }, sensitivity, specificity, everythingCalled } }
}

/** One side of {@link detectExternalDrop}: a named test set with the model's scores on it. */
export interface NamedTestSet extends BinaryInput {
  name: string
}

/**
 * Fires when the model's AUC on an external test set is significantly lower than on the test set drawn from its own
 * training data (two-sided p < α with a drop). The two sets are different images, so the AUCs are independent
 * samples: DeLong's paired test does not apply, and the difference is tested with √(SE₁² + SE₂²) (Hanley & McNeil
 * 1982; each SE DeLong's by default, or Hanley & McNeil's formula). The message says so.
 */
export function detectExternalDrop(input: {
  internal: NamedTestSet
  external: NamedTestSet
  alpha?: number
  method?: IndependentAucMethod
}): ExternalDropAlarm | null {
  const alpha = input.alpha ?? 0.05
  const comparison = compareIndependentAucs(input.internal, input.external, { method: input.method })
  if (comparison.status !== 'ok' || !(comparison.difference > 0) || !(comparison.pValue < alpha)) return null
  const { internal, external } = input
  return {
    kind: 'external-drop',
    message:
      `AUC drops from ${formatNumber(comparison.first.auc)} on ${internal.name} (drawn from the training data) to ${formatNumber(comparison.second.auc)} on ${external.name} ` +
      `(difference ${formatNumber(comparison.difference)} [${formatNumber(comparison.ci.lower)}, ${formatNumber(comparison.ci.upper)}], ${formatPValue(comparison.pValue)}; ` +
      'different images, so compared as independent samples): the model does not carry over to other sources.',
    evidence: {
      internalTestSet: internal.name,
      externalTestSet: external.name,
      internalAuc: comparison.first.auc,
      externalAuc: comparison.second.auc,
      internalStandardError: comparison.first.standardError,
      externalStandardError: comparison.second.standardError,
      difference: comparison.difference,
      ciLower: comparison.ci.lower,
      ciUpper: comparison.ci.upper,
      z: comparison.z,
      pValue: comparison.pValue,
      method: comparison.method,
    },
  }
}

/**
 * Fires when a "which dataset?" probe (`datasetProbe` or `knnSeparability`) is right significantly more often than
 * chance, by a one-sided binomial test of its correct calls against the chance rate (the share of the largest
 * dataset, what always guessing it scores). The held-out calls of cross-validation are not quite independent, so the
 * p-value is approximate; the alarm also reports the existing "far above chance" rule as evidence.
 */
export function detectDatasetSignature(separability: DatasetSeparability, options: { alpha?: number } = {}): DatasetSignatureAlarm | null {
  const alpha = options.alpha ?? 0.05
  const { accuracy, chance, n } = separability
  if (accuracy === null || n === 0 || !(chance < 1)) return null
  const correct = Math.round(accuracy * n)
  const pValue = binomialUpperTail(correct, n, chance)
  if (!(pValue < alpha)) return null
  return {
    kind: 'dataset-signature',
    message:
      `A simple classifier on the model's features tells which dataset an image comes from ${formatPercent(accuracy)} of the time ` +
      `(chance ${formatPercent(chance)}, ${n} images, one-sided ${formatPValue(pValue)}): the features carry the image source, a shortcut a COVID classifier can take.`,
    evidence: {
      accuracy,
      chance,
      n,
      correct,
      pValue,
      farAboveChance: isFarAboveChance(accuracy, chance),
      method: separability.method,
      classes: [...separability.classes],
    },
  }
}
