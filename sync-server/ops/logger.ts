import pino from 'pino'

/** The slice of pino the node uses, so tests can pass a silent one. */
export interface Logger {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  debug(obj: object, msg?: string): void
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {}, debug() {} }

/** Structured JSON logs on stderr (stdout carries the one "listening" line). */
export function createLogger(level = process.env.LATTICE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'lattice' } }, pino.destination(2))
}
