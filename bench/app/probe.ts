/**
 * What the app benchmarks install in each page before the app's own scripts run
 * (`context.addInitScript`). Plain JavaScript in a string: a function would go through tsx's
 * transform, whose helpers (`__name`) do not exist in the page.
 *
 * Every time is `performance.timeOrigin + performance.now()`: an absolute clock (ms since the
 * epoch, µs resolution) that pages and the benchmark process share on one machine.
 *
 * `window.__bench` holds:
 * - `send` / `recv`: times of the app's WebSocket frames out and in (its link to the node);
 *   `wsCreated`, `wsOpen`, `recvBytes`;
 * - `text()`: the editor's text without other windows' cursors (as tests/e2e/helpers/app-window.ts
 *   reads it);
 * - `watch()`: starts recording `keys` (keydown times, capture phase, before the editor sees
 *   them) and `seen[n]` (when the editor's DOM first held n characters; a MutationObserver on
 *   `.cm-content`);
 * - `first[selector]`: when the page first had an element matching each startup milestone,
 *   `visibleAt` (the text `__bench.expect` first in the editor), `editedAt` (`__bench.marker`
 *   first in it), promises `visible` and `edited` for those, `keyAt` / `keyStamp` (the last
 *   keydown's listener time and event creation time), `longTasks` (tasks over 50 ms);
 * - `rawConnect(url, role)`: a plain WebSocket to the benchmark's relay: role 'a' sends the
 *   keystroke's index at each keydown, role 'b' records `rawSeen[i]` when it arrives.
 */
export const PROBE_SCRIPT = String.raw`(() => {
  if (window.__bench) return
  const now = () => performance.timeOrigin + performance.now()
  const P = {
    send: [], recv: [], recvBytes: 0, wsCreated: null, wsOpen: null,
    keys: [], seen: [], maxLen: 0, baseLen: 0,
    first: {}, visibleAt: null, editedAt: null, expect: null, marker: null,
    recvAtVisible: null, bytesAtVisible: null, longTasks: [],
    raw: null, rawSeen: [], keyAt: null, keyStamp: null,
  }
  P.visible = new Promise((ok) => { P.onVisible = ok })
  P.edited = new Promise((ok) => { P.onEdited = ok })
  window.__bench = P
  // The last keydown: when its listener ran, and when the browser created the event.
  document.addEventListener('keydown', (e) => {
    P.keyAt = now()
    P.keyStamp = performance.timeOrigin + e.timeStamp
  }, true)

  const Native = window.WebSocket
  const nativeSend = Native.prototype.send
  Native.prototype.send = function (data) {
    if (this.__app) P.send.push(now())
    return nativeSend.call(this, data)
  }
  class Probed extends Native {
    constructor(url, protocols) {
      super(url, protocols)
      this.__app = true
      if (P.wsCreated === null) P.wsCreated = now()
      this.addEventListener('open', () => { if (P.wsOpen === null) P.wsOpen = now() })
      this.addEventListener('message', (e) => {
        P.recv.push(now())
        const d = e.data
        P.recvBytes += typeof d === 'string' ? d.length : (d.byteLength || d.size || 0)
      })
    }
  }
  window.WebSocket = Probed

  const SKIP = '.cm-ySelectionCaret, .cm-remoteCaret, .cm-widgetBuffer, .cm-placeholder'
  P.text = () => {
    const content = document.querySelector('.cm-content')
    if (!content) return null
    const lines = []
    for (const line of content.querySelectorAll('.cm-line')) {
      let s = ''
      const walk = document.createTreeWalker(line, NodeFilter.SHOW_TEXT)
      for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (n.parentElement && n.parentElement.closest(SKIP)) continue
        s += n.data
      }
      lines.push(s)
    }
    return lines.join('\n').replace(/\u2060/g, '')
  }

  // Keystroke → DOM: call after the note's editor is up.
  P.watch = () => {
    if (P.unwatch) P.unwatch()
    const content = document.querySelector('.cm-content')
    if (!content) throw new Error('no .cm-content to watch')
    P.keys = []
    P.seen = []
    P.send = []
    P.recv = []
    P.rawSeen = []
    P.baseLen = P.maxLen = P.text().length
    const obs = new MutationObserver(() => {
      const t = now()
      const len = P.text().length
      while (P.maxLen < len) P.seen[++P.maxLen] = t
    })
    obs.observe(content, { subtree: true, characterData: true, childList: true })
    const onKey = () => {
      P.keys.push(now())
      if (P.raw && P.raw.readyState === 1) P.raw.send(String(P.keys.length - 1))
    }
    document.addEventListener('keydown', onKey, true)
    P.unwatch = () => {
      obs.disconnect()
      document.removeEventListener('keydown', onKey, true)
      P.unwatch = null
    }
    return P.baseLen
  }

  P.rawConnect = (url, role) => new Promise((ok, fail) => {
    const ws = new Native(url + '/' + role)
    ws.onopen = () => { P.raw = ws; ok(true) }
    ws.onerror = () => fail(new Error('raw relay socket failed'))
    if (role === 'b') ws.onmessage = (e) => { P.rawSeen[Number(e.data)] = now() }
  })

  // Startup milestones, from the first DOM change on.
  const MILESTONES = { app: '.app', noteItem: '[data-testid="note-item"]', editor: '.cm-content' }
  const check = () => {
    const t = now()
    for (const [name, sel] of Object.entries(MILESTONES))
      if (P.first[name] === undefined && document.querySelector(sel)) P.first[name] = t
    if (P.first.editor === undefined || (P.visibleAt !== null && !P.marker)) return
    if (P.editedAt !== null) return
    const text = P.text() || ''
    if (P.visibleAt === null && P.expect && text.includes(P.expect)) {
      P.visibleAt = t
      P.recvAtVisible = P.recv.length
      P.bytesAtVisible = P.recvBytes
      P.onVisible(t)
    }
    if (P.visibleAt !== null && P.marker && text.includes(P.marker)) {
      P.editedAt = t
      P.onEdited(t)
    }
  }
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, characterData: true,
  })
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        P.longTasks.push([performance.timeOrigin + e.startTime, e.duration])
    }).observe({ type: 'longtask', buffered: true })
  } catch {}
})()`
