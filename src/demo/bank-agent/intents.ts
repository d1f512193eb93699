/**
 * @module demo/bank-agent/intents
 * What a Growing Tree Bank customer is asking, from the text they typed or the chip they tapped.
 * Pure keyword matching: the demo needs predictable answers, not language understanding. Chips
 * carry their intent as `postbackData`, so a tap never depends on the wording of its label.
 */

/** Everything the bank agent knows how to answer. */
export type BankIntent =
  | 'greeting'
  | 'help'
  | 'hours'
  | 'branches'
  | 'balance'
  | 'transactions'
  | 'who-am-i'
  | 'access-log'
  | 'sign-out'
  | 'thanks'
  | 'unknown'

const INTENTS: readonly BankIntent[] = [
  'greeting',
  'help',
  'hours',
  'branches',
  'balance',
  'transactions',
  'who-am-i',
  'access-log',
  'sign-out',
  'thanks',
]

/** Checked in order: the first rule that matches wins (so "am I signed in" is not "sign out"). */
const RULES: ReadonlyArray<readonly [BankIntent, RegExp]> = [
  ['sign-out', /\b(sign|log)\s*-?\s*(out|off)\b/],
  [
    'access-log',
    /\bwhat (have|did) you (accessed|access|read|see|seen|looked at)\b|\baccess (log|history)\b|\baudit\b/,
  ],
  ['who-am-i', /\bwho am i\b|\bam i (signed|logged) in\b|\bwhoami\b|\bmy name\b/],
  ['balance', /\bbalances?\b|\bhow much (money )?(do i have|is in)\b/],
  ['transactions', /\btransactions?\b|\bspen[dt]\b|\bpayments?\b|\bactivity\b|\bstatement\b|\bpurchases?\b/],
  ['hours', /\bhours\b|\bopen(ing)?\b|\bclos(e|ed|ing)\b/],
  ['branches', /\bbranch(es)?\b|\bcontact\b|\bphone\b|\baddress\b|\blocations?\b|\bwhere are you\b|\bcall you\b/],
  ['help', /\bhelp\b|\bwhat can (i|you)\b|\bmenu\b|\boptions\b/],
  ['thanks', /\bthanks?\b|\bthank you\b|\bcheers\b/],
  ['greeting', /^(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening))\b/],
]

/**
 * The intent of a message. `postbackData` (a tapped chip) wins when it names an intent.
 * @example classifyIntent('What is my balance?') // 'balance'
 */
export function classifyIntent(text: string, postbackData?: string): BankIntent {
  if (postbackData !== undefined && (INTENTS as readonly string[]).includes(postbackData)) {
    return postbackData as BankIntent
  }
  const normalized = text.trim().toLowerCase().replace(/\s+/g, ' ')
  for (const [intent, pattern] of RULES) if (pattern.test(normalized)) return intent
  return 'unknown'
}
