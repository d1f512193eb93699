/**
 * @module core/clock
 * The one seam for time. Logic takes a {@link Clock} and never reads `Date.now()` itself, so tests
 * (and the emulator's fast-forward) control time.
 */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** A clock that only moves when told to; for tests and the emulator's controllable time. */
export class ManualClock implements Clock {
  #ms: number
  constructor(startMs: number = Date.parse('2026-01-01T00:00:00Z')) {
    this.#ms = startMs
  }
  now(): number {
    return this.#ms
  }
  advance(ms: number): void {
    this.#ms += ms
  }
  set(ms: number): void {
    this.#ms = ms
  }
}

/** A clock that runs at real speed from an adjustable offset (the emulator's fast-forward). */
export class OffsetClock implements Clock {
  #offsetMs = 0
  readonly #base: Clock
  constructor(base: Clock = systemClock) {
    this.#base = base
  }
  now(): number {
    return this.#base.now() + this.#offsetMs
  }
  advance(ms: number): void {
    this.#offsetMs += ms
  }
  get offsetMs(): number {
    return this.#offsetMs
  }
}
