import { pathToFileURL } from 'node:url'

/**
 * The policy every window's page runs under. Scripts only from the app's own files (plus
 * WebAssembly compilation, which Automerge needs); no network, no frames, no plugins. Inline
 * styles stay allowed: CodeMirror and Svelte set them.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')

const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:'])

/** Only plain web links leave the app, and only well-formed ones without credentials. */
export function isSafeExternalUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length > 2048) return false
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return false
  }
  return (
    EXTERNAL_PROTOCOLS.has(parsed.protocol) &&
    parsed.hostname !== '' &&
    parsed.username === '' &&
    parsed.password === ''
  )
}

/** The file:// URL of the renderer's page, the one URL a window may show. */
export function rendererUrl(rendererFile: string): string {
  return pathToFileURL(rendererFile).href
}

/** True when `url` is the renderer's page (any query or fragment). */
export function isRendererUrl(url: string, expected: string): boolean {
  try {
    const a = new URL(url)
    const b = new URL(expected)
    return a.protocol === b.protocol && a.host === b.host && a.pathname === b.pathname
  } catch {
    return false
  }
}

/** The parts of Electron's IpcMainEvent a sender check reads. */
export interface SenderEvent {
  readonly sender: { readonly id: number }
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null
}

/**
 * A message is trusted when it comes from the top frame of a window this app made, showing the
 * renderer's page. A frame that navigated away, or a subframe, is never trusted.
 */
export function isTrustedSender(
  event: SenderEvent,
  windows: { has(contentsId: number): boolean },
  expectedUrl: string,
): boolean {
  const frame = event.senderFrame
  return (
    frame !== null &&
    frame.parent === null &&
    windows.has(event.sender.id) &&
    isRendererUrl(frame.url, expectedUrl)
  )
}
