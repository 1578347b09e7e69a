import type { App, Session } from 'electron'
import { CONTENT_SECURITY_POLICY } from './security'

/** The only permission a page gets: writing (sanitised) text to the clipboard. */
export const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write'])

/** Every response carries the CSP; permissions other than the clipboard and downloads are refused. */
export function guardSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(ALLOWED_PERMISSIONS.has(permission)),
  )
  ses.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission))
  ses.setDevicePermissionHandler(() => false)
  ses.webRequest.onHeadersReceived((details, callback) =>
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    }),
  )
  ses.on('will-download', (event) => event.preventDefault())
}

/**
 * A backstop for web contents that do not come from the window factory (none should): they may
 * open no windows and attach no <webview>. The factory's own handlers replace these for its
 * windows, since it installs them after creation.
 */
export function guardAllContents(app: Pick<App, 'on'>): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })
}
