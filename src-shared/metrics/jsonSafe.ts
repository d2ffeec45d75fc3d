/**
 * JSON-safe view of metric results.
 *
 * `JSON.stringify` turns `Infinity` and `NaN` into `null`, which would make
 * a perfect test's DOR (∞) indistinguishable from an undefined one (0/0).
 * `toJsonSafe` keeps the distinction: ±Infinity → "Infinity"/"-Infinity",
 * NaN → null, while the accompanying `undefinedReason` strings say why.
 */

/** The type of `value` after `toJsonSafe`: every number may become a string or null. */
export type JsonSafe<T> = T extends number
  ? number | 'Infinity' | '-Infinity' | null
  : T extends string | boolean | null | undefined
    ? T
    : T extends object
      ? { [K in keyof T]: JsonSafe<T[K]> }
      : T

/**
 * Deep-copy `value` replacing non-finite numbers: `Infinity` → "Infinity",
 * `-Infinity` → "-Infinity", `NaN` → `null`. Arrays, typed arrays (as plain
 * arrays) and plain objects are traversed; other values are copied as is.
 * `fromJsonSafeNumber` reverses the mapping for one number.
 */
export function toJsonSafe<T>(value: T): JsonSafe<T> {
  return convert(value) as JsonSafe<T>
}

function convert(value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return null
    if (value === Number.POSITIVE_INFINITY) return 'Infinity'
    if (value === Number.NEGATIVE_INFINITY) return '-Infinity'
    return value
  }
  if (Array.isArray(value)) return value.map(convert)
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number>, convert)
  }
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {}
    for (const [key, entry] of Object.entries(value)) copy[key] = convert(entry)
    return copy
  }
  return value
}

/**
 * Inverse of the number mapping of `toJsonSafe`: "Infinity" → `Infinity`,
 * "-Infinity" → `-Infinity`, null → `NaN`, numbers unchanged.
 */
export function fromJsonSafeNumber(value: number | 'Infinity' | '-Infinity' | null): number {
  if (value === null) return Number.NaN
  if (value === 'Infinity') return Number.POSITIVE_INFINITY
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY
  return value
}
