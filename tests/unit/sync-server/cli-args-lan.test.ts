import { describe, expect, it } from 'vitest'
import { HELP, parseArgs, UsageError, type RelayConfig } from '../../../sync-server/cli-args'
import { formatPairingCode } from '../../../sync-server/lan/pairing-code'

const SECRET = Uint8Array.from({ length: 32 }, (_, i) => i * 7)
const CODE = formatPairingCode(SECRET)

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseArgs(argv, env) as RelayConfig

function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): string {
  try {
    parseArgs(argv, env)
  } catch (err) {
    if (err instanceof UsageError) return err.message
    throw err
  }
  throw new Error(`parseArgs(${JSON.stringify(argv)}) did not throw`)
}

describe('relay command line, LAN mode', () => {
  it('is off unless asked for', () => {
    expect(parse([]).lan).toBeUndefined()
    expect(parse([], { LATTICE_WORKSPACE: CODE }).lan).toBeUndefined()
  })

  it('reads the workspace code, listens on every address, and dials no one by default', () => {
    const config = parse(['--lan', '--workspace', CODE])
    expect(config.host).toBe('0.0.0.0')
    expect(config.lan).toEqual({ secret: SECRET, peers: [], interface: undefined })
    expect(parse(['--lan', '--host', '127.0.0.1', `--workspace=${CODE}`]).host).toBe('127.0.0.1')
  })

  it('takes the code from LATTICE_WORKSPACE, typed loosely', () => {
    const loose = CODE.toLowerCase().replace(/-/g, ' ')
    expect(parse(['--lan'], { LATTICE_WORKSPACE: loose }).lan?.secret).toEqual(SECRET)
  })

  it('collects repeated --peer, or LATTICE_PEERS when there is none', () => {
    const config = parse([
      '--lan',
      '--workspace',
      CODE,
      '--peer',
      '10.0.0.2:4444',
      '--peer=[::1]:9',
    ])
    expect(config.lan?.peers).toEqual(['10.0.0.2:4444', '[::1]:9'])
    const env = { LATTICE_WORKSPACE: CODE, LATTICE_PEERS: 'a.local:1, b:2,' }
    expect(parse(['--lan'], env).lan?.peers).toEqual(['a.local:1', 'b:2'])
    expect(parse(['--lan', '--peer', 'c:3'], env).lan?.peers).toEqual(['c:3'])
  })

  it('reads --lan-interface or LATTICE_LAN_INTERFACE, an IPv4 address', () => {
    const args = ['--lan', '--workspace', CODE]
    expect(parse([...args, '--lan-interface', '127.0.0.1']).lan?.interface).toBe('127.0.0.1')
    expect(parse(args, { LATTICE_LAN_INTERFACE: '10.1.2.3' }).lan?.interface).toBe('10.1.2.3')
    expect(usageError([...args, '--lan-interface', 'eth0'])).toMatch(/must be an IPv4 address/)
  })

  it('answers --new-workspace, unless --help is asked for too', () => {
    expect(parseArgs(['--new-workspace'], {})).toBe('new-workspace')
    expect(parseArgs(['--new-workspace', '--help'], {})).toBe('help')
  })

  it('refuses LAN mode without a workspace, and says how to make one', () => {
    expect(usageError(['--lan'])).toMatch(/--lan needs --workspace .*--new-workspace/)
    expect(usageError(['--lan'], { LATTICE_WORKSPACE: '' })).toMatch(/--lan needs --workspace/)
  })

  it('refuses a bad pairing code with the reason', () => {
    expect(usageError(['--lan', '--workspace', 'ABCD'])).toMatch(
      /^--workspace: a pairing code has 55 characters/,
    )
    const typo = (CODE[0] === 'A' ? 'B' : 'A') + CODE.slice(1)
    expect(usageError(['--lan', '--workspace', typo])).toMatch(/checksum does not match/)
  })

  it('refuses a bad --peer and LAN flags without --lan', () => {
    const args = ['--lan', '--workspace', CODE]
    expect(usageError([...args, '--peer', 'no-port'])).toMatch(/^--peer: .* is not host:port/)
    expect(usageError([...args, '--peer', 'h:0'])).toMatch(/port must be 1-65535/)
    expect(usageError(['--workspace', CODE])).toBe('--workspace needs --lan')
    expect(usageError(['--peer', 'h:1'])).toBe('--peer needs --lan')
  })

  it('documents every LAN flag in --help', () => {
    for (const text of ['--lan', '--workspace', '--peer', '--new-workspace', 'LATTICE_WORKSPACE'])
      expect(HELP).toContain(text)
  })
})
