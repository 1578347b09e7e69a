/** Per-connection limits. Frames above `maxFrameBytes` close with 1009 (the ws library does it). */
export interface ConnectionLimits {
  maxFrameBytes: number
  /** Sustained frames per second, with bursts up to `burstFrames`. */
  framesPerSecond: number
  burstFrames: number
  /** Close a connection that sends nothing (not even a pong) for this long. */
  idleTimeoutMs: number
}

export const DEFAULT_LIMITS: ConnectionLimits = {
  maxFrameBytes: 16 * 1024 * 1024,
  framesPerSecond: 2_000,
  burstFrames: 10_000,
  idleTimeoutMs: 120_000,
}

/** A token bucket: `take()` is false once a connection sends faster than it may. */
export class RateLimiter {
  private tokens: number
  private last = Date.now()

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst
  }

  take(n = 1): boolean {
    const now = Date.now()
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond)
    this.last = now
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }
}

export const CLOSE_UNAUTHORIZED = 4401
export const CLOSE_BAD_NAME = 4422
export const CLOSE_RATE_LIMITED = 4429
export const CLOSE_IDLE = 4408
export const CLOSE_NOT_FOUND = 4404

/** A close frame's reason holds at most 123 bytes of UTF-8; `ws` throws on a longer one. */
export const MAX_CLOSE_REASON_BYTES = 123

/** `text` cut to fit a close frame, never inside a multi-byte character. */
export function closeReason(text: string): string {
  const bytes = new TextEncoder().encode(text)
  if (bytes.length <= MAX_CLOSE_REASON_BYTES) return text
  let end = MAX_CLOSE_REASON_BYTES
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end-- // a continuation byte
  return new TextDecoder().decode(bytes.subarray(0, end))
}
