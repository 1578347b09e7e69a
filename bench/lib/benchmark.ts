import type { Row } from './results'

export interface BenchOutput {
  readonly rows: Row[]
  /** Lines printed under the table: how to read it, how it ran, attributions. */
  readonly notes: string[]
}

/** One entry of `npm run bench`: its rows become a printed table and `results/<name>.json`. */
export interface Benchmark {
  readonly name: string
  readonly title: string
  run(): Promise<BenchOutput>
}

/** Progress on stderr, so stdout carries only the tables. */
export function progress(bench: string, message: string): void {
  process.stderr.write(`[${bench}] ${message}\n`)
}
