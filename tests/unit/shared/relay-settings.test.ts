import { describe, expect, it } from 'vitest'
import { parseRelaySettings, RelaySettingsError } from '../../../shared/desktop/relay-settings'

describe('parseRelaySettings', () => {
  it('normalises an address: ws:// when none is given, /lattice when no path is', () => {
    expect(parseRelaySettings({ url: ' 192.168.1.20:4444 ', token: '' })).toEqual({
      url: 'ws://192.168.1.20:4444/lattice',
      token: '',
    })
    expect(parseRelaySettings({ url: 'wss://relay.lan/lattice', token: ' 12345678 ' })).toEqual({
      url: 'wss://relay.lan/lattice',
      token: '12345678',
    })
    expect(parseRelaySettings({ url: 'ws://[::1]:4444' }).url).toBe('ws://[::1]:4444/lattice')
  })

  for (const [input, message] of [
    [null, /no settings/],
    [{ url: '' }, /enter the relay address/],
    [{ url: 'http://relay.lan' }, /use ws:\/\/ or wss:\/\/, not http:/],
    [{ url: 'ws://a b' }, /is not an address/],
    [{ url: 'ws://user:pw@relay.lan' }, /token field/],
    [{ url: 'ws://relay.lan', token: 'short' }, /at least 8/],
    [{ url: 'ws://relay.lan', token: 42 }, /must be text/],
  ] as const) {
    it(`refuses ${JSON.stringify(input)} saying why`, () => {
      expect(() => parseRelaySettings(input)).toThrow(RelaySettingsError)
      expect(() => parseRelaySettings(input)).toThrow(message)
    })
  }
})
