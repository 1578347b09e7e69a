import { describe, expect, it } from 'vitest'
import { HELP, parseArgs, UsageError, type RelayConfig } from '../../../sync-server/cli-args'

const DEFAULTS: RelayConfig = {
  host: '127.0.0.1',
  port: 4444,
  data: './relay-data',
  token: undefined,
  logLevel: 'info',
}

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseArgs(argv, env)

function usageError(argv: string[], env: NodeJS.ProcessEnv = {}): UsageError {
  try {
    parse(argv, env)
  } catch (err) {
    if (err instanceof UsageError) return err
    throw err
  }
  throw new Error(`parseArgs(${JSON.stringify(argv)}) did not throw`)
}

describe('relay command line', () => {
  it('listens on 127.0.0.1:4444 with ./relay-data, no token and info logs by default', () => {
    expect(parse([])).toEqual(DEFAULTS)
  })

  it('reads every flag, as `--flag value` and as `--flag=value`', () => {
    expect(
      parse([
        '--host',
        '0.0.0.0',
        '--port=0',
        '--data',
        '/tmp/relay',
        '--token=correct-horse',
        '--log-level',
        'debug',
      ]),
    ).toEqual({
      host: '0.0.0.0',
      port: 0,
      data: '/tmp/relay',
      token: 'correct-horse',
      logLevel: 'debug',
    })
  })

  it('falls back to LATTICE_* environment variables', () => {
    const env = {
      LATTICE_HOST: '::1',
      LATTICE_PORT: '9000',
      LATTICE_DATA: '/srv/lattice',
      LATTICE_TOKEN: 'from-the-env',
      LATTICE_LOG_LEVEL: 'warn',
    }
    expect(parse([], env)).toEqual({
      host: '::1',
      port: 9000,
      data: '/srv/lattice',
      token: 'from-the-env',
      logLevel: 'warn',
    })
  })

  it('prefers a flag over the environment', () => {
    const config = parse(['--port', '5000', '--token', 'flag-token'], {
      LATTICE_PORT: '9000',
      LATTICE_TOKEN: 'env-token-x',
    })
    expect(config).toMatchObject({ port: 5000, token: 'flag-token' })
  })

  it('refuses an empty token rather than silently running an open relay', () => {
    expect(usageError([], { LATTICE_TOKEN: '' }).message).toMatch(/at least 8 characters/)
    expect(usageError(['--token=']).message).toMatch(/at least 8 characters/)
  })

  it('answers --help and -h with "help", whatever else is on the line', () => {
    expect(parse(['--help'])).toBe('help')
    expect(parse(['-h'])).toBe('help')
    expect(parse(['--port', '1', '--help'])).toBe('help')
    expect(HELP).toContain('--token')
    expect(HELP).toContain('LATTICE_PORT')
  })

  for (const bad of ['abc', '-1', '65536', '1.5', '0x', '', ' ', '1e3']) {
    it(`rejects port ${JSON.stringify(bad)} with a usage error naming it`, () => {
      expect(usageError([`--port=${bad}`]).message).toMatch(/--port must be 0-65535/)
    })
  }

  it('rejects a bad LATTICE_PORT from the environment too', () => {
    expect(usageError([], { LATTICE_PORT: 'http' }).message).toContain('got "http"')
    expect(usageError([], { LATTICE_PORT: '' }).message).toContain('got ""')
  })

  it('rejects a token shorter than 8 characters, from a flag or the environment', () => {
    expect(usageError(['--token', 'short']).message).toMatch(/at least 8 characters/)
    expect(usageError([], { LATTICE_TOKEN: '1234567' }).message).toMatch(/at least 8/)
    expect(parse(['--token', '12345678'])).toMatchObject({ token: '12345678' })
  })

  it('rejects an unknown option and points to --help', () => {
    expect(usageError(['--prot', '4444']).message).toBe('unknown option --prot (see --help)')
    expect(usageError(['4444']).message).toMatch(/unknown option 4444/)
  })

  it('rejects a flag without its value', () => {
    expect(usageError(['--data']).message).toBe('--data needs a value')
    expect(usageError(['--host', '--port', '1']).message).toBe('--host needs a value')
  })
})
