"""Reference values for tests/unit/metrics/{distributions,delong,mcnemar,multipleComparisons}.test.ts.

Not run by the tests: run by hand, its output pasted into the tests (which never call Python or R).
    /usr/bin/python3 tests/unit/metrics/references/comparisonReferences.py > /tmp/comparison-cases.json
    Rscript tests/unit/metrics/references/delongReferences.R /tmp/comparison-cases.json
Versions used: Debian 12 python3 3.11, numpy 1.24.2, scipy 1.10.1, statsmodels 0.13.5; R 4.2.2, pROC 1.18.0.
"""
import json
import sys

import numpy as np
import scipy
import statsmodels
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests


def correlated_pair(rng, positives, negatives, decimals, separation_a, separation_b, shared=0.7):
    """Two models scoring the same images: a shared per-image difficulty makes their scores correlated."""
    labels = np.array([1] * positives + [0] * negatives)
    rng.shuffle(labels)
    difficulty = rng.normal(size=labels.size)
    def scores(separation):
        logit = separation * (labels - 0.5) + shared * difficulty + (1 - shared) * rng.normal(size=labels.size)
        return np.round(1 / (1 + np.exp(-logit)), decimals)
    return labels, scores(separation_a), scores(separation_b)


def delong_cases():
    rng = np.random.default_rng(2020)
    cases = {}
    labels, a, b = correlated_pair(rng, 90, 45, 3, 1.6, 0.6)
    cases['corda135'] = (labels, a, b)
    labels, a, b = correlated_pair(rng, 15, 15, 1, 1.2, 0.8)
    cases['ties30'] = (labels, a, b)
    labels, a, b = correlated_pair(rng, 10, 5, 2, 2.0, 0.2)
    cases['covid15'] = (labels, a, b)
    cases['tiny4'] = (np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]), np.array([0.3, 0.2, 0.6, 0.25]))
    labels = np.array([0, 1, 0, 1, 1, 0, 1, 0, 0, 1])
    perfect = np.where(labels == 1, 0.6 + 0.03 * np.arange(10), 0.1 + 0.03 * np.arange(10)).round(2)
    cases['perfectA'] = (labels, perfect, np.array([0.3, 0.5, 0.2, 0.45, 0.7, 0.6, 0.2, 0.1, 0.5, 0.4]))
    return cases


def main():
    out = {'versions': {'numpy': np.__version__, 'scipy': scipy.__version__, 'statsmodels': statsmodels.__version__}}
    out['delong'] = {name: {'labels': l.tolist(), 'scoresA': a.tolist(), 'scoresB': b.tolist()} for name, (l, a, b) in delong_cases().items()}

    out['normalUpperTail'] = {str(z): stats.norm.sf(z) for z in [0.0, 0.3, 1.0, 1.959963984540054, 3.0, 6.0, 10.0, 20.0, 37.0, -2.5]}
    out['normalQuantile'] = {repr(p): stats.norm.ppf(p) for p in [0.975, 0.995, 0.9, 0.6, 1e-10, 1e-300, 0.025]}
    out['chiSquareUpperTail'] = {repr(x): stats.chi2.sf(x, 1) for x in [0.1, 1.0, 3.841458820694124, 10.0, 50.0]}
    out['binomialCdf'] = [[k, n, p, stats.binom.cdf(k, n, p)] for k, n, p in [(3, 10, 0.5), (0, 20, 0.5), (40, 100, 0.6), (900, 2000, 0.5), (1500, 2000, 0.7), (5, 5, 0.3)]]
    out['binomialGreater'] = [[k, n, p, stats.binomtest(k, n, p, alternative='greater').pvalue] for k, n, p in [(45, 60, 0.5), (80, 100, 0.6), (7, 10, 0.5), (150, 200, 0.5), (3, 3, 0.9), (10, 15, 2 / 3)]]

    tables = [(6, 16), (1, 7), (0, 0), (3, 3), (12, 5), (30, 14), (0, 5), (40, 40), (0, 1)]
    mc = []
    for b, c in tables:
        table = [[10, b], [c, 10]]
        exact = mcnemar(table, exact=True).pvalue
        corrected = mcnemar(table, exact=False, correction=True)
        smaller, n = min(b, c), b + c
        midp = min(1.0, 2 * stats.binom.cdf(smaller, n, 0.5) - stats.binom.pmf(smaller, n, 0.5)) if n else 1.0
        # statsmodels divides by b + c = 0 for (0, 0): recorded as null.
        finite = n > 0
        mc.append({'b': b, 'c': c, 'exact': exact, 'chiSquare': float(corrected.statistic) if finite else None,
                   'chiSquareP': float(corrected.pvalue) if finite else None, 'midP': midp})
    out['mcnemar'] = mc

    p = [0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.5, 1.0, 0.0001, 0.049]
    out['pValues'] = p
    out['holm'] = multipletests(p, method='holm')[1].tolist()
    out['benjaminiHochberg'] = multipletests(p, method='fdr_bh')[1].tolist()
    json.dump(out, sys.stdout, indent=1)


main()
