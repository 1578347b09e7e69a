import { resolve } from 'node:path'
import { ClassicLevel } from 'classic-level'
import { isEngineKind, type EngineKind } from '../../shared/engine/types'
import { docId, isValidId, type DocId } from '../../shared/ids'
import {
  CorruptRecordError,
  type DocInfo,
  type DocStore,
  type StoredDoc,
  type UnreadableHandler,
} from './doc-store'
import { checkCompact, checkEngine } from './store-rules'
import { decodeJsonRecord, decodeRecord, encodeJsonRecord, encodeRecord } from './record-codec'

/*
 * Layout. Keys are UTF-8 and ids never contain '!' (shared/ids.ts), so prefixes can't collide.
 *
 *   m!<doc>          meta JSON: engine, seq, snapshotSeq, and the byte counts `list` reports
 *   s!<doc>          snapshot replacing every update up to snapshotSeq (absent if never compacted)
 *   u!<doc>!<seq>    one update; seq zero-padded to 16 digits so keys sort in numeric order
 *
 * Every value is framed by record-codec.ts. Every write is one synced LevelDB batch, so meta,
 * snapshot and log always change together. One writer loop owns the meta cache; reads take an
 * explicit LevelDB snapshot so they see one batch or the next, never half of each.
 */

interface Meta {
  readonly engine: EngineKind
  /** Sequence number of the last update appended. */
  readonly seq: number
  /** Updates up to here live in the snapshot; the log holds snapshotSeq+1 .. seq. */
  readonly snapshotSeq: number
  /** Framed size of the snapshot value; 0 when there is none. */
  readonly snapshotBytes: number
  /** Framed size of the log values. */
  readonly logBytes: number
  /** The document's version digest as stored; dropped by every append. */
  readonly digest?: string
}

const SEQ_DIGITS = 16
const metaKey = (id: DocId): string => `m!${id}`
const snapshotKey = (id: DocId): string => `s!${id}`
const logKey = (id: DocId, seq: number): string =>
  `u!${id}!${String(seq).padStart(SEQ_DIGITS, '0')}`
const allLogKeys = (id: DocId) => ({ gte: `u!${id}!`, lte: `u!${id}!${'9'.repeat(SEQ_DIGITS)}` })
const META_RANGE = { gt: 'm!', lt: 'm"' } // '"' sorts right after '!'

/** Opening a folder that another process holds: name the folder and the likely culprit. */
export class StoreLockedError extends Error {
  constructor(
    readonly dir: string,
    options?: { cause?: unknown },
  ) {
    super(
      `storage folder ${dir} is locked: another Lattice process (the desktop app or a relay) ` +
        `probably has it open. Close that process, or point this one at a different folder.`,
      options,
    )
    this.name = 'StoreLockedError'
  }
}

interface AppendOp {
  readonly kind: 'append'
  readonly id: DocId
  readonly engine: EngineKind
  readonly update: Uint8Array
  readonly resolve: (seq: number) => void
  readonly reject: (err: unknown) => void
}
interface CompactOp {
  readonly kind: 'compact'
  readonly id: DocId
  readonly snapshot: Uint8Array
  readonly uptoSeq: number
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
}
interface DigestOp {
  readonly kind: 'digest'
  readonly id: DocId
  readonly digest: string
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
}
interface DeleteOp {
  readonly kind: 'delete'
  readonly id: DocId
  readonly resolve: () => void
  readonly reject: (err: unknown) => void
}
type WriteOp = AppendOp | CompactOp | DigestOp | DeleteOp

/** How the writer has batched so far: `appends / batches` is the group-commit factor. */
export interface WriteStats {
  appends: number
  /** Synced LevelDB batches that carried appends. */
  appendBatches: number
}

const WRITE_BUFFER_BYTES = 256 * 1024
/** Least time between two synced batches of appends (see `nextBatchSlot`). */
const GROUP_COMMIT_MS = 4
const BLOCK_CACHE_BYTES = 2 * 1024 * 1024

export class LevelDocStore implements DocStore {
  /** What the writer knows about each document it has touched; null when it has none. */
  private readonly metas = new Map<DocId, Meta | null>()
  private queue: WriteOp[] = []
  private writer: Promise<void> | null = null
  /** performance.now() when the last synced batch of appends was on disk. */
  private lastSyncAt = -Infinity
  private closing: Promise<void> | null = null
  readonly stats: WriteStats = { appends: 0, appendBatches: 0 }

  private constructor(
    private readonly db: ClassicLevel<string, Uint8Array>,
    readonly dir: string,
  ) {}

  static async open(dir: string): Promise<LevelDocStore> {
    const location = resolve(dir)
    const db = new ClassicLevel<string, Uint8Array>(location, {
      valueEncoding: 'view',
      // LevelDB's defaults (a 4 MiB memtable, an 8 MiB block cache) are sized for databases
      // read from as they run. A node reads a document once, when it loads it, then serves it
      // from memory; the memtable only holds recent appends until they reach a table file,
      // and at 256 KiB it is a small fixed cost in a relay's memory (a flush is ~2,500
      // keystroke appends; LevelDB writes it to level 0 on its own thread).
      writeBufferSize: WRITE_BUFFER_BYTES,
      cacheSize: BLOCK_CACHE_BYTES,
    })
    try {
      await db.open()
    } catch (err) {
      if (hasCode(err, 'LEVEL_LOCKED')) throw new StoreLockedError(location, { cause: err })
      throw new Error(`could not open storage folder ${location}: ${causeMessages(err)}`, {
        cause: err,
      })
    }
    return new LevelDocStore(db, location)
  }

  async list(onUnreadable?: UnreadableHandler): Promise<DocInfo[]> {
    this.assertOpen()
    const out: DocInfo[] = []
    for await (const [key, value] of this.db.iterator({ ...META_RANGE, fillCache: false })) {
      const id = key.slice(2)
      let meta: Meta
      try {
        if (!isValidId(id)) throw new CorruptRecordError(key, 'key does not name a document')
        meta = decodeMeta(key, value)
      } catch (err) {
        if (!(err instanceof CorruptRecordError) || !onUnreadable) throw err
        onUnreadable(id, err)
        continue
      }
      out.push({
        id: id as DocId,
        engine: meta.engine,
        bytes: value.length + meta.snapshotBytes + meta.logBytes,
        logLength: meta.seq - meta.snapshotSeq,
        digest: meta.digest ?? null,
      })
    }
    return out
  }

  async load(id: DocId): Promise<StoredDoc | null> {
    this.assertOpen()
    docId(id)
    const snapshot = this.db.snapshot()
    try {
      const rawMeta = await this.db.get(metaKey(id), { snapshot })
      if (rawMeta === undefined) return null
      const meta = decodeMeta(metaKey(id), rawMeta)
      const updates: Uint8Array[] = []
      if (meta.snapshotBytes > 0) {
        const raw = await this.db.get(snapshotKey(id), { snapshot, fillCache: false })
        if (raw === undefined) {
          throw new CorruptRecordError(
            snapshotKey(id),
            `missing (meta says it covers 1..${meta.snapshotSeq})`,
          )
        }
        updates.push(decodeRecord(snapshotKey(id), raw))
      }
      let expected = meta.snapshotSeq + 1
      const range = {
        gte: logKey(id, expected),
        lte: logKey(id, meta.seq),
        snapshot,
        fillCache: false,
      }
      for await (const [key, value] of this.db.iterator(range)) {
        if (key !== logKey(id, expected)) {
          throw new CorruptRecordError(logKey(id, expected), `missing (next present is ${key})`)
        }
        updates.push(decodeRecord(key, value))
        expected++
      }
      if (expected <= meta.seq) {
        throw new CorruptRecordError(
          logKey(id, expected),
          `missing (meta says the log ends at ${meta.seq})`,
        )
      }
      return { engine: meta.engine, updates, seq: meta.seq }
    } finally {
      await snapshot.close()
    }
  }

  append(id: DocId, engine: EngineKind, update: Uint8Array): Promise<number> {
    return this.enqueue<number>((resolve, reject) => ({
      kind: 'append',
      id: docId(id),
      engine,
      // Framed now: a caller that reuses its buffer can't change what gets written.
      update: encodeRecord(update),
      resolve,
      reject,
    }))
  }

  compact(id: DocId, snapshot: Uint8Array, uptoSeq: number): Promise<void> {
    return this.enqueue<void>((resolve, reject) => ({
      kind: 'compact',
      id: docId(id),
      snapshot: encodeRecord(snapshot),
      uptoSeq,
      resolve,
      reject,
    }))
  }

  recordDigest(id: DocId, digest: string): Promise<void> {
    return this.enqueue<void>((resolve, reject) => ({
      kind: 'digest',
      id: docId(id),
      digest,
      resolve,
      reject,
    }))
  }

  delete(id: DocId): Promise<void> {
    return this.enqueue<void>((resolve, reject) => ({
      kind: 'delete',
      id: docId(id),
      resolve,
      reject,
    }))
  }

  async size(): Promise<number> {
    let total = 0
    for (const info of await this.list(() => {})) total += info.bytes
    return total
  }

  /** Lets queued writes finish, then releases the folder. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.writer) await this.writer
      await this.db.close()
    })()
    return this.closing
  }

  private assertOpen(): void {
    if (this.closing) throw new Error(`storage folder ${this.dir} is closed`)
  }

  private enqueue<T>(
    make: (resolve: (value: T) => void, reject: (err: unknown) => void) => WriteOp,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.assertOpen()
      this.queue.push(make(resolve, reject))
      // setImmediate rather than a microtask: appends issued anywhere in this turn of the event
      // loop share one synced batch; while a batch is on its way to disk, the next one gathers.
      this.writer ??= this.nextBatchSlot().then(() => this.drain())
    })
  }

  /**
   * Resolves when the next synced batch may start: this turn's end, or GROUP_COMMIT_MS after the
   * last one, whichever is later. Under steady typing this caps fsyncs at a few hundred a second
   * (each costs the disk and the kernel far more than its bytes) for at most that much more
   * time before an acknowledgement.
   */
  private nextBatchSlot(): Promise<void> {
    const wait = this.lastSyncAt + GROUP_COMMIT_MS - performance.now()
    return new Promise<void>((r) => (wait > 0 ? setTimeout(r, wait) : setImmediate(r)))
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      if (performance.now() - this.lastSyncAt < GROUP_COMMIT_MS) await this.nextBatchSlot()
      const ops = this.queue
      this.queue = []
      let run: AppendOp[] = []
      for (const op of ops) {
        if (op.kind === 'append') {
          run.push(op)
          continue
        }
        if (run.length > 0) await this.writeAppends(run)
        run = []
        await settle(op, this.writeOther(op))
      }
      if (run.length > 0) await this.writeAppends(run)
    }
    this.writer = null
  }

  private async writeAppends(ops: AppendOp[]): Promise<void> {
    try {
      await this.writeAppendBatch(ops)
    } catch (err) {
      for (const op of ops) op.reject(err) // a no-op for those already settled
    }
  }

  /** One synced batch for every append in `ops`, each doc's meta written once. */
  private async writeAppendBatch(ops: AppendOp[]): Promise<void> {
    const metas = await this.readMetas(ops.map((op) => op.id))
    // The array form: one call into LevelDB for the whole batch, not one per record.
    const batch: Array<{ type: 'put'; key: string; value: Uint8Array }> = []
    const accepted: Array<{ op: AppendOp; seq: number }> = []
    for (const op of ops) {
      const current = metas.get(op.id)
      if (current instanceof Error) {
        op.reject(current)
        continue
      }
      try {
        if (current) checkEngine(op.id, current.engine, op.engine)
      } catch (err) {
        op.reject(err)
        continue
      }
      const meta = current ?? {
        engine: op.engine,
        seq: 0,
        snapshotSeq: 0,
        snapshotBytes: 0,
        logBytes: 0,
      }
      const seq = meta.seq + 1
      batch.push({ type: 'put', key: logKey(op.id, seq), value: op.update })
      const { digest: _stale, ...rest } = meta
      metas.set(op.id, { ...rest, seq, logBytes: meta.logBytes + op.update.length })
      accepted.push({ op, seq })
    }
    if (accepted.length === 0) return
    const written = new Set(accepted.map((a) => a.op.id))
    for (const id of written)
      batch.push({ type: 'put', key: metaKey(id), value: encodeJsonRecord(metas.get(id)) })
    await this.db.batch(batch, { sync: true })
    this.lastSyncAt = performance.now()
    for (const id of written) this.metas.set(id, metas.get(id) as Meta)
    this.stats.appends += accepted.length
    this.stats.appendBatches++
    for (const { op, seq } of accepted) op.resolve(seq)
  }

  private writeOther(op: CompactOp | DigestOp | DeleteOp): Promise<void> {
    if (op.kind === 'compact') return this.writeCompact(op)
    if (op.kind === 'digest') return this.writeDigest(op)
    return this.writeDelete(op)
  }

  private async writeDigest(op: DigestOp): Promise<void> {
    const meta = await this.readMeta(op.id)
    if (!meta) return
    const next: Meta = { ...meta, digest: op.digest }
    await this.db.put(metaKey(op.id), encodeJsonRecord(next), { sync: true })
    this.metas.set(op.id, next)
  }

  private async writeCompact(op: CompactOp): Promise<void> {
    const meta = await this.readMeta(op.id)
    checkCompact(op.id, meta, op.uptoSeq)
    const batch = this.db.batch()
    let removed = 0
    const range = {
      gt: logKey(op.id, meta.snapshotSeq),
      lte: logKey(op.id, op.uptoSeq),
      fillCache: false,
    }
    for await (const [key, value] of this.db.iterator(range)) {
      batch.del(key)
      removed += value.length
    }
    const next: Meta = {
      ...meta,
      snapshotSeq: op.uptoSeq,
      snapshotBytes: op.snapshot.length,
      logBytes: Math.max(0, meta.logBytes - removed),
    }
    batch.put(snapshotKey(op.id), op.snapshot)
    batch.put(metaKey(op.id), encodeJsonRecord(next))
    await batch.write({ sync: true })
    this.metas.set(op.id, next)
  }

  private async writeDelete(op: DeleteOp): Promise<void> {
    // Needs no meta, so a document with a damaged meta record can still be deleted.
    const batch = this.db.batch()
    for await (const key of this.db.keys({ ...allLogKeys(op.id), fillCache: false })) batch.del(key)
    batch.del(snapshotKey(op.id))
    batch.del(metaKey(op.id))
    await batch.write({ sync: true })
    this.metas.set(op.id, null)
  }

  private async readMeta(id: DocId): Promise<Meta | null> {
    const meta = (await this.readMetas([id])).get(id)
    if (meta instanceof Error) throw meta
    return meta ?? null
  }

  /** Metas from the cache or disk; a damaged one comes back as its error and is not cached. */
  private async readMetas(ids: DocId[]): Promise<Map<DocId, Meta | null | CorruptRecordError>> {
    const out = new Map<DocId, Meta | null | CorruptRecordError>()
    const missing = [...new Set(ids)].filter((id) => {
      const cached = this.metas.get(id)
      if (cached !== undefined) out.set(id, cached)
      return cached === undefined
    })
    if (missing.length === 0) return out
    const values = await this.db.getMany(missing.map(metaKey))
    missing.forEach((id, i) => {
      const raw = values[i]
      try {
        const meta = raw === undefined ? null : decodeMeta(metaKey(id), raw)
        this.metas.set(id, meta)
        out.set(id, meta)
      } catch (err) {
        if (!(err instanceof CorruptRecordError)) throw err
        out.set(id, err)
      }
    })
    return out
  }
}

function decodeMeta(key: string, value: Uint8Array): Meta {
  const m = decodeJsonRecord(key, value)
  const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0
  if (
    typeof m === 'object' &&
    m !== null &&
    'engine' in m &&
    isEngineKind(m.engine) &&
    'seq' in m &&
    count(m.seq) &&
    'snapshotSeq' in m &&
    count(m.snapshotSeq) &&
    m.snapshotSeq <= m.seq &&
    'snapshotBytes' in m &&
    count(m.snapshotBytes) &&
    'logBytes' in m &&
    count(m.logBytes)
  ) {
    const { engine, seq, snapshotSeq, snapshotBytes, logBytes } = m
    const digest = 'digest' in m && typeof m.digest === 'string' ? m.digest : undefined
    return { engine, seq, snapshotSeq, snapshotBytes, logBytes, ...(digest && { digest }) }
  }
  throw new CorruptRecordError(key, 'meta does not have the expected fields')
}

async function settle(op: CompactOp | DigestOp | DeleteOp, work: Promise<void>): Promise<void> {
  try {
    await work
    op.resolve()
  } catch (err) {
    op.reject(err)
  }
}

function hasCode(err: unknown, code: string): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ((e as Error & { code?: unknown }).code === code) return true
  }
  return false
}

function causeMessages(err: unknown): string {
  const parts: string[] = []
  for (let e = err; e instanceof Error; e = e.cause) parts.push(e.message)
  return parts.join(': ')
}
