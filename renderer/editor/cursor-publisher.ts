export interface Cursor {
  anchor: string
  head: string
}

/** At most one cursor update per this long while the cursor keeps moving (typing). */
export const CURSOR_PUBLISH_MS = 80

/**
 * Publishes this window's cursor at most once per CURSOR_PUBLISH_MS: the first move at once,
 * the last when the interval ends. Typing moves the cursor with every keystroke; sending each
 * would double the frames every keystroke costs every window and the node, for a caret that
 * is anchored to the text anyway. (Every move is still published eventually: a window that
 * joins later learns of a cursor when it next moves.)
 */
export function cursorPublisher(send: (cursor: Cursor) => void) {
  let latest: Cursor | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  const flush = () => {
    timer = null
    if (!latest) return
    send(latest)
    latest = null
    timer = setTimeout(flush, CURSOR_PUBLISH_MS)
  }
  return {
    set(cursor: Cursor): void {
      latest = cursor
      if (!timer) flush()
    },
    stop(): void {
      if (timer) clearTimeout(timer)
      timer = null
      latest = null
    },
  }
}
