/** The self-contained HTML results report (Table II matrix, warnings, charts, provenance). */
export { renderReport, reportWarnings, escapeHtml, DEFAULT_THRESHOLDS, type ReportInput, type ReportThresholds } from './htmlReport'
