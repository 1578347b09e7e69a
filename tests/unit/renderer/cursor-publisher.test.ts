import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  CURSOR_PUBLISH_MS,
  cursorPublisher,
  type Cursor,
} from '../../../renderer/editor/cursor-publisher'

const at = (n: number): Cursor => ({ anchor: `c${n}`, head: `c${n}` })

describe('cursorPublisher', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('sends the first cursor at once, then at most one per interval while typing, ending on the last', () => {
    const sent: Cursor[] = []
    const publish = cursorPublisher((c) => sent.push(c))
    publish.set(at(1))
    expect(sent).toEqual([at(1)])
    // A keystroke every 30 ms for 300 ms: 10 cursor moves.
    for (let i = 2; i <= 11; i++) {
      vi.advanceTimersByTime(30)
      publish.set(at(i))
    }
    vi.advanceTimersByTime(CURSOR_PUBLISH_MS * 2)
    expect(sent.length).toBeLessThanOrEqual(1 + Math.ceil(300 / CURSOR_PUBLISH_MS) + 1)
    expect(sent.length).toBeGreaterThan(2)
    expect(sent.at(-1)).toEqual(at(11))
  })

  it('sends a cursor set again after a quiet interval, even where it was', () => {
    const sent: Cursor[] = []
    const publish = cursorPublisher((c) => sent.push(c))
    publish.set(at(1))
    vi.advanceTimersByTime(CURSOR_PUBLISH_MS * 2)
    expect(sent).toEqual([at(1)])
    publish.set(at(1))
    expect(sent).toEqual([at(1), at(1)])
  })

  it('sends nothing after stop', () => {
    const sent: Cursor[] = []
    const publish = cursorPublisher((c) => sent.push(c))
    publish.set(at(1))
    publish.set(at(2))
    publish.stop()
    vi.advanceTimersByTime(CURSOR_PUBLISH_MS * 2)
    expect(sent).toEqual([at(1)])
  })
})
