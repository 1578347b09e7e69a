import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises'

/**
 * Encrypts secrets at rest with a key the operating system keeps: the desktop app passes one
 * backed by Electron's `safeStorage` (Keychain, DPAPI, libsecret). Headless nodes have none, and
 * their files hold secrets in the clear, readable by their owner only (mode 0600).
 */
export interface Sealer {
  /** Recorded next to what it sealed, and named in errors. */
  readonly label: string
  seal(plain: string): string
  open(sealed: string): string
}

/** A sealed file whose sealer is not here (copied from another machine, or keychain gone). */
export class SealedElsewhereError extends Error {
  constructor(file: string, label: string) {
    super(`${file} holds secrets sealed with ${label}, which this process cannot open`)
    this.name = 'SealedElsewhereError'
  }
}

type Json = Record<string, unknown>

interface SealedSection {
  by: string
  fields: Record<string, string>
}

/**
 * A small JSON settings file, written atomically with mode 0600, whose `secretKeys` (string
 * fields) are sealed when there is a sealer:
 *
 *   { "url": "ws://…", "sealed": { "by": "os-keychain", "fields": { "token": "<sealed>" } } }
 */
export class SealedJsonFile {
  constructor(
    readonly file: string,
    private readonly secretKeys: readonly string[],
    private readonly sealer: Sealer | null,
  ) {}

  /** Where secrets go: the sealer's label, or 'file (0600)'. */
  get protection(): string {
    return this.sealer?.label ?? 'file (0600)'
  }

  /** The settings with secrets opened; null when there is no file. */
  async read(): Promise<Json | null> {
    let text: string
    try {
      text = await readFile(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
    const stored = JSON.parse(text) as Json
    const sealed = stored.sealed as SealedSection | undefined
    if (sealed === undefined) return stored
    if (!this.sealer || this.sealer.label !== sealed.by)
      throw new SealedElsewhereError(this.file, sealed.by)
    const { sealed: _section, ...plain } = stored
    for (const [key, value] of Object.entries(sealed.fields)) plain[key] = this.sealer.open(value)
    return plain
  }

  /** Writes `value` (sealing its secrets), or removes the file for null. */
  async write(value: Json | null): Promise<void> {
    if (value === null) {
      await rm(this.file, { force: true })
      return
    }
    const tmp = `${this.file}.tmp`
    await writeFile(tmp, JSON.stringify(this.sealed(value)), { mode: 0o600 })
    await chmod(tmp, 0o600)
    await rename(tmp, this.file)
  }

  private sealed(value: Json): Json {
    const sealer = this.sealer
    if (!sealer) return value
    const out: Json = {}
    const fields: Record<string, string> = {}
    for (const [key, v] of Object.entries(value)) {
      if (this.secretKeys.includes(key) && typeof v === 'string' && v !== '')
        fields[key] = sealer.seal(v)
      else out[key] = v
    }
    if (Object.keys(fields).length > 0)
      out.sealed = { by: sealer.label, fields } satisfies SealedSection
    return out
  }
}
