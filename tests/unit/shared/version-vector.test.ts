import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  compare,
  dominates,
  equals,
  format,
  lead,
  merge,
  type Relation,
  type VersionVector,
} from '../../../shared/vv/version-vector'

// A few actors so random vectors often share keys; zero counters stand for "seen nothing".
const vector: fc.Arbitrary<VersionVector> = fc.dictionary(
  fc.constantFrom('a', 'b', 'c', 'd'),
  fc.nat(5),
)

/** fast-check prints its seed and the shrunk counterexample when a property fails. */
const check = (property: fc.IProperty<[VersionVector, VersionVector]>) =>
  fc.assert(property, { numRuns: 500 })

const MIRROR: Record<Relation, Relation> = {
  before: 'after',
  after: 'before',
  equal: 'equal',
  concurrent: 'concurrent',
}

describe('version vectors', () => {
  describe('compare', () => {
    it.each<[VersionVector, VersionVector, Relation]>([
      [{}, {}, 'equal'],
      [{ a: 1 }, { a: 1 }, 'equal'],
      [{ a: 1, b: 2 }, { b: 2, a: 1 }, 'equal'],
      [{ a: 1 }, { a: 2 }, 'before'],
      [{ a: 2 }, { a: 1 }, 'after'],
      [{}, { a: 1 }, 'before'],
      [{ a: 1 }, {}, 'after'],
      [{ a: 1 }, { a: 1, b: 1 }, 'before'],
      [{ a: 2 }, { a: 1, b: 1 }, 'concurrent'],
      [{ a: 1, b: 0 }, { a: 1 }, 'equal'],
      [{ a: 1 }, { a: 1, b: 0 }, 'equal'],
      [{ a: 0 }, {}, 'equal'],
    ])('compare(%j, %j) is %s', (a, b, relation) => {
      expect(compare(a, b)).toBe(relation)
    })

    it("is antisymmetric: a is 'before' b exactly when b is 'after' a", () => {
      check(
        fc.property(vector, vector, (a, b) => {
          expect(compare(a, b) === 'before').toBe(compare(b, a) === 'after')
          expect(compare(b, a)).toBe(MIRROR[compare(a, b)])
        }),
      )
    })

    it('relates every vector to itself as equal', () => {
      fc.assert(fc.property(vector, (a) => compare(a, a) === 'equal' && equals(a, { ...a })))
    })
  })

  describe('dominates', () => {
    it('is true when a has seen everything b has', () => {
      expect(dominates({ a: 2, b: 1 }, { a: 1 })).toBe(true)
      expect(dominates({ a: 1 }, { a: 1 })).toBe(true)
      expect(dominates({ a: 1 }, {})).toBe(true)
      expect(dominates({}, { a: 0 })).toBe(true)
      expect(dominates({ a: 1 }, { a: 2 })).toBe(false)
      expect(dominates({ a: 5 }, { b: 1 })).toBe(false)
    })

    it('holds both ways exactly when the vectors are equal', () => {
      check(
        fc.property(vector, vector, (a, b) => {
          expect(dominates(a, b) && dominates(b, a)).toBe(equals(a, b))
        }),
      )
    })

    it("agrees with compare: a dominates b unless a is 'before' b or concurrent", () => {
      check(
        fc.property(vector, vector, (a, b) => {
          const relation = compare(a, b)
          expect(dominates(a, b)).toBe(relation === 'after' || relation === 'equal')
        }),
      )
    })
  })

  describe('merge', () => {
    it('takes the pointwise maximum', () => {
      expect(merge({ a: 1, b: 3 }, { a: 2, c: 1 })).toEqual({ a: 2, b: 3, c: 1 })
      expect(merge({}, { a: 1 })).toEqual({ a: 1 })
    })

    it('does not modify its inputs', () => {
      const a = { a: 1 }
      const b = { a: 2, b: 1 }
      merge(a, b)
      expect(a).toEqual({ a: 1 })
      expect(b).toEqual({ a: 2, b: 1 })
    })

    it('is commutative', () => {
      check(fc.property(vector, vector, (a, b) => equals(merge(a, b), merge(b, a))))
    })

    it('is idempotent', () => {
      check(
        fc.property(vector, vector, (a, b) => {
          const m = merge(a, b)
          return equals(merge(a, a), a) && equals(merge(m, b), m) && equals(merge(m, m), m)
        }),
      )
    })

    it('is associative', () => {
      fc.assert(
        fc.property(vector, vector, vector, (a, b, c) =>
          equals(merge(merge(a, b), c), merge(a, merge(b, c))),
        ),
        { numRuns: 500 },
      )
    })

    it('dominates both inputs, and is the least vector that does', () => {
      fc.assert(
        fc.property(vector, vector, vector, (a, b, c) => {
          const m = merge(a, b)
          expect(dominates(m, a) && dominates(m, b)).toBe(true)
          if (dominates(c, a) && dominates(c, b)) expect(dominates(c, m)).toBe(true)
        }),
        { numRuns: 500 },
      )
    })
  })

  describe('equals', () => {
    it('ignores key order and zero counters', () => {
      expect(equals({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true)
      expect(equals({ a: 1, z: 0 }, { a: 1 })).toBe(true)
      expect(equals({ a: 1 }, { a: 2 })).toBe(false)
      expect(equals({ a: 1 }, { b: 1 })).toBe(false)
    })
  })

  describe('lead', () => {
    it('counts the steps a has that b lacks', () => {
      expect(lead({ a: 3, b: 1 }, { a: 1, b: 4 })).toBe(2)
      expect(lead({ a: 3 }, {})).toBe(3)
      expect(lead({}, { a: 3 })).toBe(0)
      expect(lead({ a: 2, b: 2 }, { a: 2, b: 2 })).toBe(0)
    })

    it('is zero exactly when b dominates a', () => {
      check(fc.property(vector, vector, (a, b) => (lead(a, b) === 0) === dominates(b, a)))
    })

    it('is what merging a into b adds', () => {
      check(
        fc.property(vector, vector, (a, b) => {
          const sum = (v: VersionVector) => Object.values(v).reduce((s, n) => s + n, 0)
          expect(sum(merge(a, b)) - sum(b)).toBe(lead(a, b))
        }),
      )
    })
  })

  describe('format', () => {
    it('lists actors sorted with short names', () => {
      expect(format({ zeta: 1, '1234567890': 2 })).toBe('{123456:2, zeta:1}')
      expect(format({})).toBe('{}')
    })
  })
})
