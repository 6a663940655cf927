import type { PanelItem } from '../messages/replies';

// A one-click share from the popup, on the page it opened: claimed once, then inserted into the
// first composer in a dialog (the composer pages X's /compose/post and Facebook's "Create post"
// show one; a composer behind it is not the one meant). Sites re-render a freshly loaded
// composer (X replaces the modal once its route settles), so if the composer we filled goes away
// before Post, the next one gets the post, up to MAX_TRIES inserts in all. When it cannot go in,
// the person is told and offered the text to copy, never a silent failure.
//
// A pure state machine: each event gives the next state and the effects for the caller to run,
// whose outcomes come back as events. `C` is the caller's composer.

export interface OneClickPost {
  item: PanelItem;
  variant: number;
}

export const MAX_TRIES = 3;

export type OneClickPhase<C> =
  /** No composer in a dialog yet, so nothing claimed. */
  | { kind: 'unclaimed' }
  /** Asking the background for this tab's share; `driftAfter`: the wait for a composer ran out meanwhile. */
  | { kind: 'claiming'; driftAfter: boolean }
  /** Nothing to insert: no share for this tab, or its post left the feed. */
  | { kind: 'nothing' }
  /** Claimed, in no composer now: the next composer in a dialog gets it. */
  | { kind: 'ready'; post: OneClickPost; tries: number }
  | { kind: 'inserting'; post: OneClickPost; tries: number; into: C }
  /** In a composer, until the person presses Post, or the composer goes first. */
  | { kind: 'filled'; post: OneClickPost; tries: number; into: C };

export interface OneClickState<C> {
  phase: OneClickPhase<C>;
  /** The composers in dialogs on the page, in the order they came. */
  dialogs: readonly C[];
}

export type OneClickEvent<C> =
  /** A composer in a dialog got our button. */
  | { type: 'composer'; composer: C }
  /** What the claim found. */
  | { type: 'claimed'; post: OneClickPost | undefined }
  /** The insert into the composer `inserting` names ended; `panelOpen`: our panel was open then. */
  | { type: 'inserted'; ok: boolean; panelOpen: boolean }
  /** A composer left the page; `awaitingPost`: it held an insert waiting for Post. */
  | { type: 'gone'; composer: C; awaitingPost: boolean }
  /** The time a one-click share waits for a composer is over. */
  | { type: 'waitOver' };

export type OneClickEffect<C> =
  /** Claim this tab's share; answer with `claimed`. */
  | { do: 'claim' }
  /** Insert the post into `into`; answer with `inserted`. */
  | { do: 'insert'; into: C; post: OneClickPost }
  /** Record that no composer was found. */
  | { do: 'reportNotFound' }
  /** Say the post could not go in and offer its text; with no post, claim it first (nothing found: say nothing). */
  | { do: 'drift'; post?: OneClickPost };

export function initialOneClick<C>(): OneClickState<C> {
  return { phase: { kind: 'unclaimed' }, dialogs: [] };
}

/**
 * The next state and the effects of `event`. `alive` says whether a composer is still on the
 * page.
 */
export function oneClickStep<C>(
  state: OneClickState<C>,
  event: OneClickEvent<C>,
  alive: (composer: C) => boolean,
): [OneClickState<C>, OneClickEffect<C>[]] {
  const { phase, dialogs } = state;
  /** The post into the first live composer of `among`, if tries are left. */
  const tryInto = (post: OneClickPost, tries: number, among: readonly C[], rest: readonly C[]): [OneClickState<C>, OneClickEffect<C>[]] => {
    const into = tries < MAX_TRIES ? among.find(alive) : undefined;
    if (into === undefined) return [{ phase: { kind: 'ready', post, tries }, dialogs: rest }, []];
    return [{ phase: { kind: 'inserting', post, tries: tries + 1, into }, dialogs: rest }, [{ do: 'insert', into, post }]];
  };

  switch (event.type) {
    case 'composer': {
      const next = [...dialogs, event.composer];
      if (phase.kind === 'unclaimed') return [{ phase: { kind: 'claiming', driftAfter: false }, dialogs: next }, [{ do: 'claim' }]];
      if (phase.kind === 'ready') return tryInto(phase.post, phase.tries, [event.composer], next);
      return [{ phase, dialogs: next }, []];
    }
    case 'claimed': {
      if (phase.kind !== 'claiming') return [state, []];
      if (!event.post) return [{ phase: { kind: 'nothing' }, dialogs }, phase.driftAfter ? [{ do: 'drift' }] : []];
      const [next, effects] = tryInto(event.post, 0, dialogs, dialogs);
      return [next, phase.driftAfter ? [...effects, { do: 'drift', post: event.post }] : effects];
    }
    case 'inserted': {
      if (phase.kind !== 'inserting') return [state, []];
      if (event.ok) return [{ phase: { ...phase, kind: 'filled' }, dialogs }, []];
      const { post, tries } = phase;
      // insertPost already copied the text; the panel, when open, said so.
      return [{ phase: { kind: 'ready', post, tries }, dialogs }, tries >= MAX_TRIES || !event.panelOpen ? [{ do: 'drift', post }] : []];
    }
    case 'gone': {
      const rest = dialogs.filter((c) => c !== event.composer);
      if (phase.kind === 'filled' && phase.into === event.composer && event.awaitingPost)
        return tryInto(phase.post, phase.tries, rest, rest);
      return [{ phase, dialogs: rest }, []];
    }
    case 'waitOver': {
      if (phase.kind === 'inserting' || phase.kind === 'filled') return [state, []];
      const report: OneClickEffect<C> = { do: 'reportNotFound' };
      if (phase.kind === 'claiming') return [{ phase: { ...phase, driftAfter: true }, dialogs }, [report]];
      if (phase.kind === 'ready') return [state, [report, { do: 'drift', post: phase.post }]];
      return [state, [report, { do: 'drift' }]];
    }
  }
}
