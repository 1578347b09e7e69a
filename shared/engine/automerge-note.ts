import * as A from '@automerge/automerge'
import type { LinkId } from '../ids'
import { hashString } from '../util/hash'
import type { VersionVector } from '../vv/version-vector'
import { NoteEvents } from './note-events'
import {
  SyncMessageError,
  type DocChange,
  type DocSync,
  type NoteDoc,
  type NoteDocOptions,
  type Origin,
} from './types'

export interface NoteShape {
  title: string
  body: string
}

/**
 * Every replica starts from the same genesis change (fixed actor, time 0), so its hash is equal
 * everywhere: replicas that create a note independently share one `body` text object instead of
 * two conflicting ones, and no text is ever seeded twice.
 */
export const GENESIS_ACTOR = '00'.repeat(16)
let genesisBytes: Uint8Array | null = null

function genesis(): Uint8Array {
  if (!genesisBytes) {
    const doc = A.change(A.init<NoteShape>({ actor: GENESIS_ACTOR }), { time: 0 }, (d) => {
      d.title = ''
      d.body = ''
    })
    genesisBytes = A.save(doc)
  }
  return genesisBytes
}

function actorFromSeed(seed: number): string {
  return (seed >>> 0 || 1).toString(16).padStart(8, '0').repeat(4)
}

const hexToBytes = (hex: string): Uint8Array =>
  Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))
const bytesToHex = (b: Uint8Array): string =>
  Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const HASH_BYTES = 32

export function encodeHeads(heads: readonly string[]): Uint8Array {
  return hexToBytes(heads.join(''))
}

export function decodeHeads(bytes: Uint8Array): string[] {
  if (bytes.length % HASH_BYTES !== 0)
    throw new SyncMessageError('Automerge heads must be whole 32-byte hashes')
  const out: string[] = []
  for (let i = 0; i < bytes.length; i += HASH_BYTES)
    out.push(bytesToHex(bytes.subarray(i, i + HASH_BYTES)))
  return out
}

export class AutomergeNote implements NoteDoc {
  readonly engine = 'automerge' as const
  readonly id
  readonly replica
  readonly actor: string
  private doc: A.Doc<NoteShape>
  private readonly events
  private readonly vv: Record<string, number> = {}
  private draft: NoteShape | null = null
  private summary = ''

  constructor(opts: NoteDocOptions) {
    this.id = opts.id
    this.replica = opts.replica
    this.events = new NoteEvents(opts.id, opts.replica)
    this.actor =
      opts.actorSeed !== undefined ? actorFromSeed(opts.actorSeed) : A.getActorId(A.init())
    this.doc = A.load<NoteShape>(genesis(), { actor: this.actor })
  }

  /** The current immutable document, for bindings that read Automerge directly. */
  get current(): A.Doc<NoteShape> {
    return this.doc
  }

  title(): string {
    return (this.draft ?? this.doc).title ?? ''
  }

  text(): string {
    return (this.draft ?? this.doc).body ?? ''
  }

  hasChange(hash: string): boolean {
    return A.hasHeads(this.doc, [hash])
  }

  insert(pos: number, text: string): void {
    if (text.length === 0) return
    if (this.events.wantsCausal) this.summary += text
    this.edit((d) => A.splice(d, ['body'], pos, 0, text))
  }

  delete(pos: number, len: number): void {
    if (len > 0) this.edit((d) => A.splice(d, ['body'], pos, len))
  }

  setTitle(title: string): void {
    this.edit((d) => {
      d.title = title
    })
  }

  cursorAt(index: number): string {
    return A.getCursor(this.doc, ['body'], Math.min(index, this.text().length))
  }

  cursorIndex(cursor: string): number | null {
    try {
      return A.getCursorPosition(this.doc, ['body'], cursor)
    } catch {
      return null
    }
  }

  transact(fn: () => void): void {
    if (this.draft) return fn()
    this.commit((d) => {
      this.draft = d
      try {
        fn()
      } finally {
        this.draft = null
      }
    })
  }

  private edit(fn: (d: NoteShape) => void): void {
    if (this.draft) fn(this.draft)
    else this.commit(fn)
  }

  private commit(fn: (d: NoteShape) => void): void {
    const wantsCausal = this.events.wantsCausal
    const deps = wantsCausal ? { ...this.vv } : null
    const before = this.doc
    this.doc = A.change(this.doc, fn)
    if (this.doc === before) return
    const counter = (this.vv[this.actor] ?? 0) + 1
    this.vv[this.actor] = counter
    const change =
      this.events.changes.size > 0 || wantsCausal ? A.getLastLocalChange(this.doc) : undefined
    if (deps) {
      const dot = { actor: this.actor, counter }
      this.events.commit(dot, deps, { ...this.vv }, change?.length ?? 0, this.summary, this.held())
    }
    this.summary = ''
    if (change) {
      this.events.changes.emit({
        origin: 'local',
        update() {
          return change
        },
      })
    }
  }

  /**
   * Changes a peer pushed (`isPushedChanges`): applied as they are, or held until what they
   * depend on arrives. Returns whether the document changed (false: a duplicate, or held).
   * Throws `SyncMessageError` for bytes that are not Automerge changes.
   */
  receiveChanges(link: LinkId, changes: Uint8Array): boolean {
    try {
      return this.applyRemote(
        link,
        changes.length,
        () => A.loadIncremental(this.doc, changes),
        changes,
      )
    } catch (err) {
      throw new SyncMessageError(`malformed Automerge changes: ${(err as Error).message}`, {
        cause: err,
      })
    }
  }

  /**
   * Runs a remote apply; updates the version vector and reports one change and causal event.
   * `pushed`: the changes a peer pushed, to tell whether applying them released changes held
   * from elsewhere (then the change is `mixed`: the pushing peer may lack part of it).
   */
  private applyRemote(
    origin: LinkId | 'load',
    bytes: number,
    fn: () => A.Doc<NoteShape>,
    pushed?: Uint8Array,
  ): boolean {
    const beforeHeads = A.getHeads(this.doc)
    // Missing dependencies cost a graph walk; only the causal log (the Lab) asks for them.
    const deps = this.events.wantsCausal ? { ...this.vv } : null
    const heldBefore = deps ? this.held() : 0
    this.doc = fn()
    const held = deps ? this.held() : 0
    const changed = !sameHeads(beforeHeads, A.getHeads(this.doc))
    if (changed) {
      for (const meta of A.getChangesMetaSince(this.doc, beforeHeads)) {
        if (meta.actor !== GENESIS_ACTOR && (this.vv[meta.actor] ?? 0) < meta.seq)
          this.vv[meta.actor] = meta.seq
      }
    }
    if (deps && (changed || held !== heldBefore)) {
      this.events.apply(origin === 'load' ? null : origin, deps, { ...this.vv }, bytes, held)
    }
    if (changed && this.events.changes.size > 0) {
      const update = A.saveSince(this.doc, beforeHeads)
      this.events.changes.emit({
        origin,
        mixed: pushed !== undefined && update.length > pushed.length,
        update() {
          return update
        },
      })
    }
    return changed
  }

  version(): VersionVector {
    return { ...this.vv }
  }

  heads(): string[] {
    return A.getHeads(this.doc)
  }

  digest(): string {
    return hashString([...A.getHeads(this.doc)].sort().join(','))
  }

  held(): number {
    return A.getMissingDeps(this.doc, []).length
  }

  encodeState(): Uint8Array {
    return A.save(this.doc)
  }

  encodeVersion(): Uint8Array {
    return encodeHeads(A.getHeads(this.doc))
  }

  encodeDiff(peerVersion: Uint8Array): Uint8Array {
    return A.saveSince(this.doc, this.knownHeads(peerVersion))
  }

  /** Automerge loads a concatenation of changes and saved chunks as it loads each in turn. */
  mergeUpdates(updates: readonly Uint8Array[]): Uint8Array {
    if (updates.length === 1) return updates[0] as Uint8Array
    const out = new Uint8Array(updates.reduce((n, u) => n + u.length, 0))
    let at = 0
    for (const u of updates) {
      out.set(u, at)
      at += u.length
    }
    return out
  }

  unseenBy(peerVersion: Uint8Array): number {
    const since = A.getChangesMetaSince(this.doc, this.knownHeads(peerVersion))
    return since.filter((c) => c.actor !== GENESIS_ACTOR).length
  }

  versionAt(peerVersion: Uint8Array): VersionVector {
    const out: Record<string, number> = { ...this.vv }
    for (const c of A.getChangesMetaSince(this.doc, this.knownHeads(peerVersion))) {
      if (c.actor === GENESIS_ACTOR) continue
      const before = Math.min(out[c.actor] ?? 0, c.seq - 1)
      if (before > 0) out[c.actor] = before
      else delete out[c.actor]
    }
    return out
  }

  /** The peer's heads this replica knows (it cannot reason about the others). */
  private knownHeads(peerVersion: Uint8Array): string[] {
    return decodeHeads(peerVersion).filter((h) => A.hasHeads(this.doc, [h]))
  }

  applyUpdate(update: Uint8Array, origin: Origin): void {
    this.applyRemote(origin === 'local' ? 'load' : origin, update.length, () =>
      A.loadIncremental(this.doc, update),
    )
  }

  /** One Automerge sync round on a link: apply the message, return the new sync state. */
  receiveSync(link: LinkId, state: A.SyncState, message: Uint8Array): A.SyncState {
    let next = state
    this.applyRemote(link, message.length, () => {
      const [doc, s] = A.receiveSyncMessage(this.doc, state, message)
      next = s
      return doc
    })
    return next
  }

  generateSync(state: A.SyncState): [A.SyncState, Uint8Array | null] {
    return A.generateSyncMessage(this.doc, state)
  }

  createSync(link: LinkId): DocSync {
    return new AutomergeSync(this, link)
  }

  onChange(listener: (change: DocChange) => void) {
    return this.events.onChange(listener)
  }

  onCausal(listener: Parameters<NoteEvents['onCausal']>[0]) {
    return this.events.onCausal(listener)
  }

  destroy(): void {
    A.free(this.doc)
  }
}

/** The magic bytes every Automerge change chunk starts with (sync messages start 0x42/0x43). */
const CHANGE_MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const

/** Whether a DOC payload is pushed changes rather than a sync message. */
export function isPushedChanges(payload: Uint8Array): boolean {
  return CHANGE_MAGIC.every((b, i) => payload[i] === b)
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((h, i) => h === b[i])
}

/**
 * One document on one link: Automerge's own sync protocol (one `SyncState` per peer) when the
 * document starts syncing there, then every change pushed once as it is made.
 */
class AutomergeSync implements DocSync {
  private state = A.initSyncState()
  private lastNeeded = new Set<string>()

  constructor(
    private readonly note: AutomergeNote,
    private readonly link: LinkId,
  ) {}

  start(): Uint8Array[] {
    return this.poll()
  }

  receive(message: Uint8Array): Uint8Array[] {
    if (isPushedChanges(message)) {
      // Held for want of a change this link lost: a sync round (our heads, what we have)
      // makes the peer send what is missing, as it would for a Yjs replica's resync.
      if (!this.note.receiveChanges(this.link, message) && this.note.held() > 0) {
        this.forgetSent()
        return this.poll()
      }
      return []
    }
    try {
      // A peer that needs a change we hold twice in a row lost the message that carried it
      // (once is normal: it may still be in flight). Forget what was sent, keeping the shared
      // heads, so it is sent again instead of both sides looping.
      const needed = A.decodeSyncMessage(message).need.filter((h) => this.note.hasChange(h))
      if (needed.some((h) => this.lastNeeded.has(h))) this.forgetSent()
      else this.lastNeeded = new Set(needed)
      this.state = this.note.receiveSync(this.link, this.state, message)
    } catch (err) {
      throw new SyncMessageError(`malformed Automerge sync message: ${(err as Error).message}`, {
        cause: err,
      })
    }
    return this.poll()
  }

  /**
   * Pushes the change itself rather than running a sync round per change: one frame, no
   * reply, no sync state converted to and from the engine on either side. The link is
   * ordered and whole (a link that lost frames restarts and syncs from scratch), so the peer
   * has what the change depends on or gets it from the sync in progress.
   */
  afterChange(change: DocChange): Uint8Array[] {
    if (change.origin === this.link && !change.mixed) return []
    return [change.update()]
  }

  /** Starts a new sync round from the heads both sides are known to share. */
  private forgetSent(): void {
    this.state = A.decodeSyncState(A.encodeSyncState(this.state))
    this.lastNeeded = new Set()
  }

  private poll(): Uint8Array[] {
    const [state, message] = this.note.generateSync(this.state)
    this.state = state
    return message ? [message] : []
  }
}
