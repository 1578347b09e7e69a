import { AppWindow } from './helpers/app-window'
import { expect, test } from './helpers/fixtures'
import { useRelay } from './helpers/relay-panel'
import { WebHost } from './helpers/web-host'
import { killHard, spawnRelay } from '../integration/helpers/relay-process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const TOKEN = 'e2e-relay-token'

test('two machines sync through a relay set in the settings; bad settings are refused clearly', async ({
  host,
  browser,
  shots,
}) => {
  const relayData = await mkdtemp(join(tmpdir(), 'lattice-e2e-relay-'))
  const relay = await spawnRelay(['--data', relayData, '--token', TOKEN])
  const otherHost = await WebHost.start()
  try {
    const a = await AppWindow.open(await browser.newContext(), host.url)
    const b = await AppWindow.open(await browser.newContext(), otherHost.url)
    shots.push(a, b)
    await expect(a.page.getByTestId('relay-status')).toHaveText('No relay')

    await useRelay(a, 'http://example.org', '')
    await expect(a.page.getByTestId('relay-error')).toHaveText('use ws:// or wss://, not http://')
    await useRelay(a, relay.url, 'wrong-token-123')
    await expect(a.page.getByTestId('relay-status')).toHaveText('Relay refused')
    await a.page.getByTestId('relay-status').hover()
    await expect(a.page.getByTestId('relay-status')).toHaveAttribute('title', /4401/)

    await useRelay(a, relay.url, TOKEN)
    await expect(a.page.getByTestId('relay-status')).toHaveText('Up to date with the relay')
    await a.newNote('yjs', 'Across machines')
    await a.type('written on machine A')
    await expect(a.page.getByTestId('relay-status')).toHaveText('Up to date with the relay')

    await useRelay(b, relay.url.replace('ws://', ''), TOKEN)
    await expect(b.noteTitles()).toHaveText(['Across machines'])
    await b.openNote('Across machines')
    await b.shows('written on machine A')
    await b.type(' and B')
    await a.shows('written on machine A and B')
  } finally {
    await otherHost.dispose()
    await killHard(relay)
    await rm(relayData, { recursive: true, force: true })
  }
})
