import type { LabelTarget } from './types'

/**
 * First guesses the wizard and the composition builder fill in, for the user to confirm: what a label column's
 * values are called, and what a label means for a COVID-19 study. Only the obvious cases are guessed; anything else
 * is left for the user to choose (a silent default would put images in a class nobody chose).
 */

const YES = /^(1|yes|y|true|positive|pos)$/i
const NO = /^(0|no|n|false|negative|neg)$/i

/**
 * The class name a value of a label column suggests: in a yes/no column named for COVID-19 (covid-chestxray's
 * `covid` is 0/1), yes → "COVID+" and no → "COVID-" (the names CORDA and the command line use); otherwise the value.
 * @param column the label column's name.
 * @param value one of its values.
 * @param values all of its values (a column is yes/no only when every value is).
 */
export function suggestClassName(column: string, value: string, values: readonly string[]): string {
  const yesNo = values.length > 0 && values.every((v) => YES.test(v.trim()) || NO.test(v.trim()))
  if (!yesNo || !/covid/i.test(column)) return value
  if (YES.test(value.trim())) return 'COVID+'
  if (NO.test(value.trim())) return 'COVID-'
  return value
}

/**
 * What a dataset's label means for the study when it says so itself: "COVID+", "COVID-19" → COVID+; "COVID-",
 * "COVID−", "normal", "No Finding" → COVID−; anything else (another pneumonia, an unknown code) → '' for the user.
 */
export function guessLabelTarget(label: string): LabelTarget | '' {
  const text = label.trim()
  if (/^covid[\s_-]*(\+|pos(itive)?|19|-19)(\b|$)/i.test(text) || /^covid-19\b/i.test(text)) return 'positive'
  if (/^(covid|sars-cov-2)[\s_]*(-|−|–|neg(ative)?)$/i.test(text) || /^non[\s-]?covid/i.test(text)) return 'negative'
  if (/^(normal|no finding|healthy)$/i.test(text)) return 'negative'
  return ''
}
