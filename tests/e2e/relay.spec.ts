import { expect, test } from './helpers/fixtures'
import { RELAY_TOKEN, twoMachinesAndRelay, useRelay } from './helpers/relay-panel'

test('two machines sync through a relay set in the settings; bad settings are refused clearly', async ({
  host,
  browser,
  shots,
}) => {
  await twoMachinesAndRelay(browser, host.url, shots, async ({ a, b, relayUrl }) => {
    await expect(a.page.getByTestId('relay-status')).toHaveText('No relay')

    await useRelay(a, 'http://example.org', '')
    await expect(a.page.getByTestId('relay-error')).toHaveText('use ws:// or wss://, not http://')
    await useRelay(a, relayUrl, 'wrong-token-123')
    await expect(a.page.getByTestId('relay-status')).toHaveText('Relay refused')
    await a.page.getByTestId('relay-status').hover()
    await expect(a.page.getByTestId('relay-status')).toHaveAttribute('title', /4401/)

    await useRelay(a, relayUrl, RELAY_TOKEN)
    await expect(a.page.getByTestId('relay-status')).toHaveText('Up to date with the relay')
    await a.newNote('yjs', 'Across machines')
    await a.type('written on machine A')
    await expect(a.page.getByTestId('relay-status')).toHaveText('Up to date with the relay')

    await useRelay(b, relayUrl.replace('ws://', ''), RELAY_TOKEN)
    await expect(b.noteTitles()).toHaveText(['Across machines'])
    await b.openNote('Across machines')
    await b.shows('written on machine A')
    await b.type(' and B')
    await a.shows('written on machine A and B')
  })
})
