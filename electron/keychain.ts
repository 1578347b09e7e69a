import type { SafeStorage } from 'electron'
import type { Sealer } from '../sync-server/node/sealed-file'

/**
 * Secrets sealed by the OS keychain through Electron's `safeStorage`, or null where it offers
 * no real protection: before the app is ready, or on Linux with no keyring, where it falls back
 * to a fixed key ('basic_text') and the 0600 file is as good.
 */
export function keychainSealer(
  safeStorage: SafeStorage,
  platform = process.platform,
): Sealer | null {
  if (!safeStorage.isEncryptionAvailable()) return null
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null
  return {
    label: 'os-keychain',
    seal: (plain) => safeStorage.encryptString(plain).toString('base64'),
    open: (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
  }
}
