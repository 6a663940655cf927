import type { IncomingMessage } from 'node:http';

// Fault injection for tests of the extension's outbox. Off unless a test passes a `faults`
// function to createAgencyServer; nothing in the environment can turn it on.

export type ShareFault =
  /** Behave normally. */
  | 'ok'
  /** Close the connection without storing or answering: the client cannot know what happened. */
  | 'drop-before-store'
  /** Store the batch, then close the connection without answering: the exactly-once case. */
  | 'drop-after-store'
  /** Answer with this status (and Retry-After, in seconds) without storing. */
  | { status: 429 | 500 | 503; retryAfter?: number }
  /** Wait, then behave normally (a slow tally; a retry may overtake this request). */
  | { delayMs: number };

/**
 * Consulted on every authenticated, well-formed `POST v1/shares`, after the body is read and
 * before anything is stored. `shares` is the batch as sent (not yet validated).
 */
export type ShareFaults = (request: { req: IncomingMessage; shares: readonly unknown[] }) => ShareFault | Promise<ShareFault>;
