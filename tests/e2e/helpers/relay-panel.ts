import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from '@playwright/test'
import { killHard, spawnRelay } from '../../integration/helpers/relay-process'
import { AppWindow } from './app-window'
import { WebHost } from './web-host'

/** The token the relay of `twoMachinesAndRelay` requires. */
export const RELAY_TOKEN = 'e2e-relay-token'

/** Sets the relay in a window's settings panel, as a person would. */
export async function useRelay(w: AppWindow, url: string, token: string): Promise<void> {
  if (!(await w.page.getByTestId('relay-form').isVisible()))
    await w.page.getByTestId('relay-status').click()
  await w.page.getByTestId('relay-url').fill(url)
  await w.page.getByTestId('relay-token').fill(token)
  await w.page.getByTestId('relay-save').click()
}

/**
 * Two machines and a relay process between them: a window `a` on `hostUrl`, a window `b` on a
 * second browser host of its own (each in its own browser context), and a relay with a fresh
 * data folder that wants RELAY_TOKEN. Neither window is set to use the relay yet. Everything
 * is stopped and removed afterwards, whatever `run` did.
 */
export async function twoMachinesAndRelay(
  browser: Browser,
  hostUrl: string,
  shots: AppWindow[],
  run: (m: { a: AppWindow; b: AppWindow; relayUrl: string }) => Promise<void>,
): Promise<void> {
  const relayData = await mkdtemp(join(tmpdir(), 'lattice-e2e-relay-'))
  const relay = await spawnRelay(['--data', relayData, '--token', RELAY_TOKEN])
  const otherHost = await WebHost.start()
  try {
    const a = await AppWindow.open(await browser.newContext(), hostUrl)
    const b = await AppWindow.open(await browser.newContext(), otherHost.url)
    shots.push(a, b)
    await run({ a, b, relayUrl: relay.url })
  } finally {
    await otherHost.dispose()
    await killHard(relay)
    await rm(relayData, { recursive: true, force: true })
  }
}
