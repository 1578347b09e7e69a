import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { REPO_ROOT } from './measure'

/**
 * Editing traces from josephg/editing-traces (commit 762fa6c), licensed CC BY 4.0; see
 * ../shared/traces/README.md. Keep this attribution wherever they are used or shipped.
 */
export const TRACE_ATTRIBUTION =
  'Editing traces: josephg/editing-traces (commit 762fa6c), CC BY 4.0 — automerge-paper by Martin Kleppmann, sveltecomponent by Joseph Gentle'

export const TRACES_DIR = path.resolve(REPO_ROOT, '../shared/traces')

export const SEQUENTIAL_TRACES = ['automerge-paper', 'sveltecomponent'] as const
export type SequentialTraceName = (typeof SEQUENTIAL_TRACES)[number]

export function isSequentialTraceName(v: unknown): v is SequentialTraceName {
  return SEQUENTIAL_TRACES.some((t) => t === v)
}

/** One patch: at `pos`, delete `del` characters, then insert `ins`. */
export type Patch = readonly [pos: number, del: number, ins: string]

export interface TraceTxn {
  readonly patches: readonly Patch[]
}

export interface SequentialTrace {
  readonly startContent: string
  readonly endContent: string
  readonly txns: readonly TraceTxn[]
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null

function isPatch(v: unknown): v is Patch {
  return (
    Array.isArray(v) &&
    v.length === 3 &&
    Number.isInteger(v[0]) &&
    Number.isInteger(v[1]) &&
    typeof v[2] === 'string'
  )
}

function isTxn(v: unknown): v is TraceTxn {
  return isRecord(v) && Array.isArray(v.patches) && v.patches.every(isPatch)
}

export function loadTrace(name: SequentialTraceName): SequentialTrace {
  const file = path.join(TRACES_DIR, `${name}.json.gz`)
  let data: unknown
  try {
    data = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'))
  } catch (err) {
    throw new Error(`cannot read trace ${file}: ${(err as Error).message}`, { cause: err })
  }
  if (
    !isRecord(data) ||
    typeof data.startContent !== 'string' ||
    typeof data.endContent !== 'string' ||
    !Array.isArray(data.txns) ||
    !data.txns.every(isTxn)
  )
    throw new Error(`${file} is not a sequential trace ({ startContent, endContent, txns })`)
  return { startContent: data.startContent, endContent: data.endContent, txns: data.txns }
}
