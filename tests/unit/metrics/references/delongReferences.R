# pROC reference values for tests/unit/metrics/delong.test.ts (not run by the tests).
#   Rscript tests/unit/metrics/references/delongReferences.R /tmp/comparison-cases.json
# The cases come from comparisonReferences.py. Versions used: R 4.2.2, pROC 1.18.0 (Debian r-cran-proc).
suppressMessages({ library(pROC); library(jsonlite) })
cases <- fromJSON(commandArgs(trailingOnly = TRUE)[1])$delong
options(digits = 17)
r <- function(labels, scores) roc(labels, scores, levels = c(0, 1), direction = "<", quiet = TRUE)
out <- list()
for (name in names(cases)) {
  k <- cases[[name]]
  a <- r(k$labels, k$scoresA)
  b <- r(k$labels, k$scoresB)
  t <- roc.test(a, b, method = "delong", paired = TRUE)
  ciA <- ci.auc(a, method = "delong")
  ciB <- ci.auc(b, method = "delong")
  out[[name]] <- list(aucA = as.numeric(auc(a)), aucB = as.numeric(auc(b)), z = unname(t$statistic), p = t$p.value,
    ciLower = t$conf.int[1], ciUpper = t$conf.int[2], varA = var(a, method = "delong"), varB = var(b, method = "delong"),
    covAB = cov(a, b, method = "delong"), ciA = as.numeric(ciA), ciB = as.numeric(ciB))
}
# Unpaired: the within-dataset set (corda135, model A) against an external one (covid15 model A, ties30 model B).
k1 <- cases$corda135; k2 <- cases$covid15; k3 <- cases$ties30
u1 <- roc.test(r(k1$labels, k1$scoresA), r(k2$labels, k2$scoresA), method = "delong", paired = FALSE)
u2 <- roc.test(r(k1$labels, k1$scoresB), r(k3$labels, k3$scoresB), method = "delong", paired = FALSE)
out$unpaired <- list(
  corda135A_vs_covid15A = list(D = unname(u1$statistic), df = unname(u1$parameter), pT = u1$p.value, pNormal = 2 * pnorm(-abs(unname(u1$statistic)))),
  corda135B_vs_ties30B = list(D = unname(u2$statistic), df = unname(u2$parameter), pT = u2$p.value, pNormal = 2 * pnorm(-abs(unname(u2$statistic)))))
# Base R cross-checks of the Python references.
out$mcnemarR <- lapply(list(c(6, 16), c(12, 5), c(30, 14)), function(bc) {
  t <- mcnemar.test(matrix(c(10, bc[2], bc[1], 10), 2), correct = TRUE); list(b = bc[1], c = bc[2], chi = unname(t$statistic), p = t$p.value) })
out$holmR <- p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.2, 0.04, 0.5, 1.0, 0.0001, 0.049), method = "holm")
out$binomGreaterR <- binom.test(45, 60, 0.5, alternative = "greater")$p.value
out$versions <- list(R = R.version.string, pROC = as.character(packageVersion("pROC")))
cat(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE))
