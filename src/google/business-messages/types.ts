/**
 * @module google/business-messages/types
 * Outgoing wire types of the Business Messages API v1 (agent → user), with Google's exact field
 * names. Unions that Google expresses as "exactly one of" (message content, suggestion kind, card
 * type, action kind) are typed as such here and checked at runtime by `validateMessage`.
 *
 * @see docs/contract-decisions.md §2.2 (Message), §2.3 (Suggestion), §2.4 (authenticationRequest), §2.5
 */

export type RepresentativeType = 'REPRESENTATIVE_TYPE_UNSPECIFIED' | 'BOT' | 'HUMAN'
export type MediaHeight = 'HEIGHT_UNSPECIFIED' | 'SHORT' | 'MEDIUM' | 'TALL'
export type CardWidth = 'CARD_WIDTH_UNSPECIFIED' | 'SMALL' | 'MEDIUM'
export type CodeChallengeMethod = 'S256' | 'plain'
export type EventType =
  | 'EVENT_TYPE_UNSPECIFIED'
  | 'TYPING_STARTED'
  | 'TYPING_STOPPED'
  | 'REPRESENTATIVE_JOINED'
  | 'REPRESENTATIVE_LEFT'
/** Outgoing receipts only know `READ`. */
export type ReceiptType = 'RECEIPT_TYPE_UNSPECIFIED' | 'READ'

export interface Representative {
  representativeType: RepresentativeType
  displayName?: string
  /** Public URL, 1024×1024 px, ≤ 50 KB. */
  avatarImage?: string
}

export interface ContentInfo {
  fileUrl: string
  thumbnailUrl?: string
  forceRefresh?: boolean
  altText?: string
}

export interface Media {
  height?: MediaHeight
  contentInfo: ContentInfo
}

export interface ReplySuggestion {
  reply: { text: string; postbackData?: string }
}

export type SuggestedAction = { text: string; postbackData?: string } & (
  | { openUrlAction: { url: string }; dialAction?: never }
  | { dialAction: { phoneNumber: string }; openUrlAction?: never }
)

export interface ActionSuggestion {
  action: SuggestedAction
}

export interface LiveAgentRequestSuggestion {
  liveAgentRequest: Record<string, never>
}

/**
 * The OAuth sign-in chip. Our client always sends `codeChallengeMethod: 'S256'`
 * (docs/contract-decisions.md §10 Q1).
 */
export interface AuthenticationRequestSuggestion {
  authenticationRequest: {
    oauth: {
      /** OAuth client id at the agent's provider (not a Google id). */
      clientId: string
      /** PKCE challenge (RFC 7636 §4.2). */
      codeChallenge: string
      /** Documented default when omitted: `plain`. */
      codeChallengeMethod?: CodeChallengeMethod
      scopes: string[]
    }
  }
}

/** Exactly one kind per suggestion. */
export type Suggestion =
  | ReplySuggestion
  | ActionSuggestion
  | LiveAgentRequestSuggestion
  | AuthenticationRequestSuggestion

export interface CardContent {
  /** ≤ 200 characters. */
  title?: string
  /** ≤ 2,000 characters. */
  description?: string
  media?: Media
  /** ≤ 4. */
  suggestions?: Suggestion[]
}

export type RichCard =
  | { standaloneCard: { cardContent: CardContent }; carouselCard?: never }
  | { carouselCard: { cardWidth?: CardWidth; cardContents: CardContent[] }; standaloneCard?: never }

interface MessageCommon {
  /** Output only: `conversations/{conversationId}/messages/{messageId}`. */
  name?: string
  /** Required; agent-assigned. The client generates one when absent. */
  messageId?: string
  representative?: Representative
  /** ≤ 13; shown only while this is the newest message. */
  suggestions?: Suggestion[]
  /** ≤ 3,072 characters; shown where the content cannot be rendered. */
  fallback?: string
  /** `text` is limited Markdown (`**bold**`, `*italic*`, `[link](url)`). */
  containsRichText?: boolean
}

/** An agent → user message: exactly one of `text` (≤ 3,072), `image`, `richCard`. */
export type Message = MessageCommon &
  (
    | { text: string; image?: never; richCard?: never }
    | { image: { contentInfo: ContentInfo }; text?: never; richCard?: never }
    | { richCard: RichCard; text?: never; image?: never }
  )

export interface Event {
  /** Output only: `conversations/{conversationId}/events/{eventId}`. */
  name?: string
  eventType: EventType
  representative?: Representative
}

export interface Receipt {
  /** `conversations/{conversationId}/messages/{messageId}/receipt`. */
  name?: string
  receiptType: ReceiptType
}

export interface Survey {
  /** `conversations/{conversationId}/surveys/{surveyId}`. */
  name?: string
}
