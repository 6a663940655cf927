import { z } from 'zod';
import type { Platform } from '../protocol/platforms';
import { PlatformSchema, SHARE_ACTIONS } from '../protocol/tally';
import { isAllowedUrl } from '../protocol/url';
import { FAILURE_REASONS } from '../sites/status';
import { ONE_CLICK_SITES } from '../sites/registry';
import type { ClaimReply, DeleteReply, ImageReply, OkReply, PanelData, SelectorFixes, ShareReply } from './replies';

// Every runtime message the background accepts, one entry each: its fields, checked with zod on
// receipt (a message is input like any other); the type of the background's answer; and whether
// content scripts may send it (they live in pages we do not control: a compromised renderer gets
// only what the composer integration needs, never settings, history deletion or new tabs).
// Adding a message is an entry here and its handler in the background, which TypeScript then
// asks for. Only the background imports this file at run time; other bundles take its types, so
// zod stays out of the popup and the content scripts.

interface Entry<Fields extends z.ZodRawShape, Reply> {
  fields: z.ZodObject<Fields>;
  fromContentScripts: boolean;
  /** Never set: it carries the reply's type. */
  reply?: Reply;
}

/** An entry answered with `Reply`. Curried so that the fields' types are inferred. */
function answeredWith<Reply>() {
  return <Fields extends z.ZodRawShape>(fields: Fields, from: 'pages' | 'pages and content scripts'): Entry<Fields, Reply> => ({
    fields: z.object(fields),
    fromContentScripts: from === 'pages and content scripts',
  });
}

const itemId = z.string().min(1).max(200);
const EXTENSION = 'pages';
const ANYWHERE = 'pages and content scripts';

export const MESSAGES = {
  'feed/refresh': answeredWith<OkReply>()({ force: z.boolean() }, EXTENSION),
  'settings/changed': answeredWith<OkReply>()({}, EXTENSION),
  'share/record': answeredWith<ShareReply>()(
    {
      itemId,
      platform: PlatformSchema,
      action: z.enum(SHARE_ACTIONS),
      /** "I sent it": a `posted` the user says they did. Only from the extension's own pages. */
      selfReported: z.boolean().optional(),
    },
    ANYWHERE,
  ),
  'share/post-url': answeredWith<OkReply>()({ eventId: z.uuid(), postUrl: z.string().max(2048).refine(isAllowedUrl) }, ANYWHERE),
  'panel/items': answeredWith<PanelData>()({ platform: PlatformSchema }, ANYWHERE),
  'image/get': answeredWith<ImageReply>()({ itemId }, ANYWHERE),
  'oneclick/start': answeredWith<OkReply>()(
    {
      itemId,
      platform: z.enum(ONE_CLICK_SITES.map((s) => s.id) as [Platform, ...Platform[]]),
      variant: z.number().int().min(0).max(1000),
    },
    EXTENSION,
  ),
  // A link share into an open tab of the site's web app (a site with `share.openTab`); not ok when none is open.
  'share/open-tab': answeredWith<OkReply>()({ itemId, platform: PlatformSchema, variant: z.number().int().min(0).max(1000) }, EXTENSION),
  'oneclick/claim': answeredWith<ClaimReply>()({}, ANYWHERE),
  'oneclick/peek': answeredWith<ClaimReply>()({}, ANYWHERE),
  'oneclick/fallback': answeredWith<OkReply>()({}, ANYWHERE),
  'sync/now': answeredWith<OkReply>()({}, EXTENSION),
  'site/selectors': answeredWith<SelectorFixes>()({ platform: PlatformSchema }, ANYWHERE),
  'site/health': answeredWith<OkReply>()(
    { platform: PlatformSchema, ok: z.boolean(), reason: z.enum(FAILURE_REASONS).optional() },
    ANYWHERE,
  ),
  'history/delete': answeredWith<DeleteReply>()({}, EXTENSION),
};

type Table = typeof MESSAGES;
export type MessageType = keyof Table;

/** A message's fields; nothing for a message without any (zod says Record<string, never>). */
type FieldsOf<T extends MessageType> = string extends keyof z.infer<Table[T]['fields']> ? unknown : z.infer<Table[T]['fields']>;

export type Message = { [T in MessageType]: { type: T } & FieldsOf<T> }[MessageType];

/** What the background answers to each message. */
export type Replies = { [T in MessageType]: NonNullable<Table[T]['reply']> };

const TYPES = Object.keys(MESSAGES) as MessageType[];

export const MessageSchema: z.ZodType<Message> = z.discriminatedUnion(
  'type',
  TYPES.map((type) => MESSAGES[type].fields.extend({ type: z.literal(type) })) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<Message>;

/** The messages content scripts may send. */
export const CONTENT_SCRIPT_MESSAGES: ReadonlySet<MessageType> = new Set(TYPES.filter((type) => MESSAGES[type].fromContentScripts));
