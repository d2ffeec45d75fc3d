import type { ImportIssue } from '@shared/library/jobs'

/**
 * Text layout shared by the dataset commands: aligned tables (numbers right-aligned, so counts can be compared
 * down a column the way Table I is read) and one-line issues that name the file, line and field at fault.
 */

/** A column of {@link formatTable}: its header, whether its cells are numbers (right-aligned), and its group. */
export interface TableColumn {
  header: string
  numeric?: boolean
  /** A title spanning the consecutive columns that share it (a dataset name over its COVID+ / COVID− pair). */
  group?: string
}

/**
 * Align rows under headers, with an optional line of group titles centred over the columns they span.
 * @param columns the columns.
 * @param rows cells as text, one array per row.
 * @param indent spaces before every line.
 */
export function formatTable(columns: TableColumn[], rows: string[][], indent = ''): string {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)))
  const spans: Array<{ title: string; first: number; last: number }> = []
  columns.forEach((column, i) => {
    const previous = spans[spans.length - 1]
    if (column.group !== undefined && previous && previous.title === column.group && previous.last === i - 1) previous.last = i
    else spans.push({ title: column.group ?? '', first: i, last: i })
  })
  const spanWidth = (span: { first: number; last: number }) => widths.slice(span.first, span.last + 1).reduce((sum, w) => sum + w, 0) + 2 * (span.last - span.first)
  // A title wider than its columns widens the last of them, so the numbers stay right-aligned under it.
  for (const span of spans) widths[span.last] += Math.max(0, span.title.length - spanWidth(span))
  const line = (cells: string[]) =>
    indent + cells.map((cell = '', i) => (columns[i].numeric ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd()
  const out: string[] = []
  if (columns.some((column) => column.group !== undefined)) {
    out.push(
      indent +
        spans
          .map((span) => {
            const width = spanWidth(span)
            const left = Math.floor((width - span.title.length) / 2)
            return (' '.repeat(left) + span.title).padEnd(width)
          })
          .join('  ')
          .trimEnd(),
    )
  }
  out.push(line(columns.map((column) => column.header)))
  for (const row of rows) out.push(line(row))
  return `${out.join('\n')}\n`
}

/** `a 3, b 2` from a count record, largest first (ties by name), as summaries list classes and views. */
export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
  return entries.length === 0 ? '–' : entries.map(([key, count]) => `${key} ${count}`).join(', ')
}

/** One issue on one line: severity, where (file:line, field) and the message, which already names the value. */
export function formatIssue(issue: ImportIssue | { code: string; message: string; file?: string; line?: number; field?: string; severity?: string }): string {
  // Messages already name the file (by name or relative path): the full path is added only when they do not.
  const name = issue.file?.split(/[\\/]/).pop()
  const named = name !== undefined && issue.message.includes(name)
  const line = issue.line !== undefined ? `:${issue.line}` : ''
  const fileAndLine = issue.file === undefined ? undefined : named ? (line ? `${name}${line}` : undefined) : `${issue.file}${line}`
  const where = [fileAndLine, issue.field ? `field "${issue.field}"` : undefined]
    .filter(Boolean)
    .join(', ')
  return `${(issue.severity ?? 'error').padEnd(7)} [${issue.code}] ${issue.message}${where ? `  (${where})` : ''}`
}

/** Seconds as `42 s`, `3 min 05 s` or `1 h 02 min`, for ETAs and durations. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?'
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`
}
