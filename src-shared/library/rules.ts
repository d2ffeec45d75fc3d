/**
 * The pure rules an import applies to file names: patient ids from a pattern, classes from folder-per-class
 * rules. They live in src-shared so the wizard can show their effect while the user types a pattern, with no
 * round trip to the main process, and the importer applies exactly the same code.
 */

/** The pieces of a class rule these functions need (see `ClassRuleSchema`). */
export interface ClassRuleLike {
  folder: string
  class: string | null
  fileNamePattern?: string
}

/**
 * Why a patient pattern is unusable, or `undefined` when it is fine.
 * @param pattern a JavaScript regular expression source with a named group `patient`.
 */
export function checkPatientPattern(pattern: string): string | undefined {
  let expression: RegExp
  try {
    expression = new RegExp(pattern)
  } catch (error) {
    return `patient pattern "${pattern}" is not a valid regular expression (${(error as Error).message})`
  }
  // A probe match is the only reliable way to see the groups: source text may contain "(?<patient>" in a class.
  const groups = new RegExp(`${expression.source}|`).exec('')?.groups
  if (!groups || !Object.hasOwn(groups, 'patient')) return `patient pattern "${pattern}" needs a named group (?<patient>…)`
  return undefined
}

/**
 * Why a class rule is unusable, or `undefined` when it is fine.
 * @param rule the rule to check.
 */
export function checkClassRule(rule: ClassRuleLike): string | undefined {
  if (rule.fileNamePattern === undefined) return undefined
  try {
    new RegExp(rule.fileNamePattern, 'i')
    return undefined
  } catch (error) {
    return `file name pattern "${rule.fileNamePattern}" of folder "${rule.folder}" is not a valid regular expression (${(error as Error).message})`
  }
}

/** Compiled patient patterns, in the order they are tried. */
export type PatientMatcher = (fileName: string) => string | undefined

/**
 * Compile patient patterns (already checked) into a matcher returning the `patient` group of the first pattern
 * that matches a file name with a non-empty group, or `undefined`.
 * @param patterns regular expression sources, each with a named group `patient`.
 */
export function createPatientMatcher(patterns: readonly string[]): PatientMatcher {
  const compiled = patterns.map((pattern) => new RegExp(pattern))
  return (fileName) => {
    for (const expression of compiled) {
      const patient = expression.exec(fileName)?.groups?.patient
      if (patient) return patient
    }
    return undefined
  }
}

/** The outcome of class rules for one file. */
export type ClassMatch = { kind: 'class'; class: string } | { kind: 'ignored'; folder: string } | { kind: 'unmatched' }

/**
 * Classify a file by folder-per-class rules: the first rule whose folder is one of the file's folders and whose
 * file name pattern (case-insensitive) matches the file name. Without rules, the file's own folder is its class
 * and files at the root have none.
 * @param folders the file's folders from the import root down (e.g. `['test', 'PNEUMONIA']`).
 * @param fileName the file name with extension.
 * @param rules the rules, or `undefined` for "folder name is the class".
 */
export function classifyFile(folders: readonly string[], fileName: string, rules: readonly ClassRuleLike[] | undefined): ClassMatch {
  if (!rules) return folders.length > 0 ? { kind: 'class', class: folders[folders.length - 1] } : { kind: 'unmatched' }
  for (const rule of rules) {
    if (!folders.includes(rule.folder)) continue
    if (rule.fileNamePattern !== undefined && !new RegExp(rule.fileNamePattern, 'i').test(fileName)) continue
    return rule.class === null ? { kind: 'ignored', folder: rule.folder } : { kind: 'class', class: rule.class }
  }
  return { kind: 'unmatched' }
}

/**
 * A file name without its extension, the key masks and images are matched by.
 * @param fileName a file name (no folders).
 */
export function fileStem(fileName: string): string {
  const dot = fileName.lastIndexOf('.')
  return dot > 0 ? fileName.slice(0, dot) : fileName
}
