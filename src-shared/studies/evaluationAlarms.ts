import { detectBackwardRanking, detectDegenerateClassifier, type BackwardRankingAlarm, type DegenerateClassifierAlarm } from '../evaluation/alarms'
import type { EvaluationSummary } from '../evaluation/types'
import { fromJsonSafeNumber } from '../metrics'

/**
 * The alarms one stored evaluation raises on its own: an AUC whose whole interval (its patient bootstrap) lies below
 * 0.5, and a classifier with sensitivity or specificity 0 at its threshold. The study page, the Results page's
 * evaluation detail and the report all call this, so they say the same.
 */
export function evaluationAlarms(evaluation: Pick<EvaluationSummary, 'metrics'>, testSet: string): (BackwardRankingAlarm | DegenerateClassifierAlarm)[] {
  const alarms: (BackwardRankingAlarm | DegenerateClassifierAlarm)[] = []
  const stored = evaluation.metrics
  const auc = stored.metrics.auc
  if (auc?.ci) {
    const backward = detectBackwardRanking({
      testSet,
      auc: fromJsonSafeNumber(auc.value),
      ci: { lower: fromJsonSafeNumber(auc.ci.lower), upper: fromJsonSafeNumber(auc.ci.upper), confidence: 0.95 },
      n: stored.counts.n,
    })
    if (backward) alarms.push(backward)
  }
  const degenerate = detectDegenerateClassifier({ testSet, confusion: stored.confusion, threshold: stored.threshold })
  if (degenerate) alarms.push(degenerate)
  return alarms
}
