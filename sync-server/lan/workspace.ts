import { createHmac } from 'node:crypto'
import { SECRET_BYTES } from './pairing-code'

/**
 * What a node derives from its workspace's secret. Both are one-way (HMAC-SHA256 under the
 * secret with a fixed label), so neither reveals the secret or the other:
 *  - `hint`: advertised over mDNS so a node dials only peers of its own workspace; a stranger
 *    sees 16 hex characters that say nothing about the secret.
 *  - `authKey`: keys the handshake's proofs (handshake.ts).
 */
export interface WorkspaceKeys {
  readonly hint: string
  readonly authKey: Uint8Array
}

const HINT_LABEL = 'lattice-lan-hint-v1'
const AUTH_LABEL = 'lattice-lan-auth-v1'
const HINT_BYTES = 8

export function workspaceKeys(secret: Uint8Array): WorkspaceKeys {
  if (secret.length !== SECRET_BYTES)
    throw new Error(`a workspace secret has ${SECRET_BYTES} bytes, got ${secret.length}`)
  const mac = (label: string) => createHmac('sha256', secret).update(label).digest()
  return {
    hint: mac(HINT_LABEL).subarray(0, HINT_BYTES).toString('hex'),
    authKey: new Uint8Array(mac(AUTH_LABEL)),
  }
}
