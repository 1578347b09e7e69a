import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** One measurement, as `bench/results/<bench>.json` stores it. */
export interface Measurement {
  readonly name: string
  readonly value: number
  readonly unit: string
  /** The raw library's value for the same metric (or the cost being compared against), or null. */
  readonly baseline: number | null
  /** value / baseline, or null. */
  readonly ratio: number | null
}

/** A bound the printed table checks, on the ratio (layer vs raw library) or on the value itself. */
export interface Target {
  readonly on: 'ratio' | 'value'
  readonly op: '<' | '<='
  readonly limit: number
}

/** A measurement plus the target it is printed against. Names read `group · metric`. */
export interface Row extends Measurement {
  readonly target: Target | null
}

export const ratioAtMost = (limit: number): Target => ({ on: 'ratio', op: '<=', limit })
export const valueBelow = (limit: number): Target => ({ on: 'value', op: '<', limit })
export const valueAtMost = (limit: number): Target => ({ on: 'value', op: '<=', limit })

export function row(
  name: string,
  value: number,
  unit: string,
  opts: { baseline?: number | null; target?: Target } = {},
): Row {
  const baseline = opts.baseline ?? null
  const ratio = baseline === null || baseline === 0 ? null : value / baseline
  return { name, value, unit, baseline, ratio, target: opts.target ?? null }
}

/** true / false against the row's target; null when it has none (or no ratio to check). */
export function targetMet(r: Row): boolean | null {
  if (!r.target) return null
  const x = r.target.on === 'ratio' ? r.ratio : r.value
  if (x === null) return null
  return r.target.op === '<' ? x < r.target.limit : x <= r.target.limit
}

function describeTarget(t: Target, unit: string): string {
  const op = t.op === '<' ? '<' : '≤'
  return t.on === 'ratio'
    ? `${op} ${t.limit.toFixed(2)}×`
    : `${op} ${formatNumber(t.limit)} ${unit}`
}

export function formatNumber(v: number): string {
  if (Number.isInteger(v)) return v.toLocaleString('en-US')
  const abs = Math.abs(v)
  const digits = abs >= 1000 ? 0 : abs >= 100 ? 1 : abs >= 1 ? 2 : 3
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

const groupOf = (name: string): string => name.slice(0, Math.max(0, name.lastIndexOf(' · ')))

/** A plain-text table; a blank line separates groups of rows that share a name prefix. */
export function formatTable(title: string, rows: readonly Row[]): string {
  const header = ['measurement', 'value', 'unit', 'baseline', 'ratio', 'target', 'met']
  const cells = rows.map((r) => {
    const met = targetMet(r)
    return [
      r.name,
      formatNumber(r.value),
      r.unit,
      r.baseline === null ? '—' : formatNumber(r.baseline),
      r.ratio === null ? '—' : `${r.ratio.toFixed(3)}×`,
      r.target ? describeTarget(r.target, r.unit) : '',
      met === null ? '' : met ? 'yes' : 'MISSED',
    ]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)))
  const leftAligned = new Set([0, 2, 6])
  const line = (c: readonly string[]) =>
    c
      .map((s, i) => (leftAligned.has(i) ? s.padEnd(widths[i] ?? 0) : s.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  const out = [title, line(header), widths.map((w) => '-'.repeat(w)).join('  ')]
  rows.forEach((r, i) => {
    const prev = rows[i - 1]
    if (prev && groupOf(prev.name) !== groupOf(r.name)) out.push('')
    out.push(line(cells[i] ?? []))
  })
  return out.join('\n')
}

export const RESULTS_DIR = path.resolve(import.meta.dirname, '../results')

/** Writes `bench/results/<bench>.json` (the measurements only) and returns its path. */
export function writeResults(bench: string, rows: readonly Row[]): string {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const file = path.join(RESULTS_DIR, `${bench}.json`)
  const data: Measurement[] = rows.map(({ name, value, unit, baseline, ratio }) => ({
    name,
    value,
    unit,
    baseline,
    ratio,
  }))
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`)
  return file
}
