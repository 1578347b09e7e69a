import type { IncomingMessage, ServerResponse } from 'node:http'
import { NodeLinkRequestError, parseStatusNote } from '../../shared/desktop/node-links'
import { RelaySettingsError } from '../../shared/desktop/relay-settings'
import type { LanControl } from '../node/lan-control'
import type { NodeLinks } from '../node/node-links'
import type { RelayUplink } from '../node/relay-uplink'

const MAX_BODY = 4096

function json(res: ServerResponse, code: number, body: unknown): true {
  res.writeHead(code, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
  return true
}

/**
 * Only the app's own pages may change settings: a JSON body (which a cross-site form cannot
 * send without a CORS preflight, never answered here) from the host's own origin.
 */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin
  return origin === undefined || origin === `http://${req.headers.host}`
}

/**
 * A settings change from the app's own page: checks origin and content type, reads the JSON
 * body (at most MAX_BODY bytes), and answers with what `apply` resolves to. True: answered.
 */
function settingsChange(
  req: IncomingMessage,
  res: ServerResponse,
  apply: (input: unknown) => Promise<{ code: number; body: unknown }>,
): true {
  if (!sameOrigin(req) || !req.headers['content-type']?.startsWith('application/json'))
    return json(res, 403, { ok: false, error: 'settings change refused: not from this app' })
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (chunk: string) => {
    body += chunk
    if (body.length > MAX_BODY) req.destroy()
  })
  req.on('end', () => {
    let input: unknown
    try {
      input = JSON.parse(body)
    } catch {
      json(res, 400, { ok: false, error: 'the request body is not JSON' })
      return
    }
    apply(input).then(
      ({ code, body }) => json(res, code, body),
      (err: Error) => json(res, 500, { ok: false, error: err.message }),
    )
  })
  return true
}

/**
 * The browser host's small HTTP API for what a window asks of its node beyond sync:
 *   GET  /api/relay   the relay link's status
 *   PUT  /api/relay   { url, token } to set it, or null to disconnect
 *   GET  /api/lan     LAN mode's status
 *   POST /api/lan     a LanRequest (create, join, reveal, leave, add-peer, remove-peer)
 *   GET  /api/node-links[?note=<id>]  the node's links to other machines, with their faults
 *   POST /api/node-links  a NodeLinkRequest { link, fault }: cut a link, one way or both, or heal
 */
export function nodeApi(uplink: RelayUplink, lan: LanControl, links: NodeLinks) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const [path, query] = (req.url ?? '').split('?')
    if (path === '/api/relay') {
      if (req.method === 'GET') return json(res, 200, uplink.status())
      if (req.method !== 'PUT') return json(res, 405, { ok: false, error: 'use GET or PUT' })
      return settingsChange(req, res, (input) =>
        uplink.configure(input).then(
          () => ({ code: 200, body: { ok: true } }),
          (err: Error) => {
            if (!(err instanceof RelaySettingsError)) throw err
            return { code: 400, body: { ok: false, error: err.message } }
          },
        ),
      )
    }
    if (path === '/api/lan') {
      if (req.method === 'GET') return json(res, 200, lan.status())
      if (req.method !== 'POST') return json(res, 405, { ok: false, error: 'use GET or POST' })
      return settingsChange(req, res, async (input) => {
        const result = await lan.request(input)
        return { code: result.ok ? 200 : 400, body: result }
      })
    }
    if (path === '/api/node-links') {
      if (req.method === 'GET') {
        try {
          const note = parseStatusNote(new URLSearchParams(query).get('note'))
          return json(res, 200, links.status(note))
        } catch (err) {
          if (!(err instanceof NodeLinkRequestError)) throw err
          return json(res, 400, { ok: false, error: err.message })
        }
      }
      if (req.method !== 'POST') return json(res, 405, { ok: false, error: 'use GET or POST' })
      return settingsChange(req, res, async (input) => {
        const result = links.request(input)
        return { code: result.ok ? 200 : 400, body: result }
      })
    }
    return false
  }
}
