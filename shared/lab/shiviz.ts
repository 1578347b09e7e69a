import type { LabEvent } from './lab-log'

/**
 * ShiViz's default log parsing regex: an event line, then the host and its vector clock.
 * (https://bestchai.bitbucket.io/shiviz/ — "(?<event>.*)\n(?<host>\S*) (?<clock>{.*})".)
 */
export const SHIVIZ_REGEX = '(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})'

const describe = (e: LabEvent): string =>
  e.kind === 'commit'
    ? `edit ${JSON.stringify(e.summary.slice(0, 40))}${e.held ? ` (${e.held} held)` : ''}`
    : `apply ${e.delivers.length} edit(s) via ${e.link ?? 'storage'}${e.held ? ` (${e.held} held)` : ''}`

/** The log in ShiViz's format: per event, a description line and a `host {clock}` line. */
export function toShiViz(events: readonly LabEvent[]): string {
  const hosts = (h: string) => h.replace(/\s+/g, '_')
  const lines: string[] = []
  for (const e of events) {
    const clock: Record<string, number> = {}
    for (const [h, n] of Object.entries(e.clock)) clock[hosts(h)] = n
    lines.push(describe(e), `${hosts(e.host)} ${JSON.stringify(clock)}`)
  }
  return lines.join('\n') + '\n'
}
