// The one-click share's state machine (utils/composer/one-click.ts), through every state: what
// each event does in each phase, and the effects it asks for. No browser: composers are names.
import { describe, expect, it } from 'vitest';
import type { PanelItem } from '@/utils/messages/replies';
import {
  initialOneClick,
  MAX_TRIES,
  oneClickStep,
  type OneClickEffect,
  type OneClickEvent,
  type OneClickPost,
  type OneClickState,
} from '@/utils/composer/one-click';

type C = string;
const item: PanelItem = {
  id: 'apel',
  title: 'Apel',
  priority: 'normal',
  shared: false,
  hasImage: false,
  texts: [{ text: 'Apel pagi', weighted: 9 }],
};
const post: OneClickPost = { item, variant: 1 };

/** Runs events from `state`, composers in `dead` being gone from the page; the last state and every effect. */
function run(events: OneClickEvent<C>[], state: OneClickState<C> = initialOneClick(), dead: C[] = []) {
  const effects: OneClickEffect<C>[] = [];
  for (const e of events) {
    const [next, out] = oneClickStep(state, e, (c) => !dead.includes(c));
    state = next;
    effects.push(...out);
  }
  return { state, effects };
}

const composer = (c: C): OneClickEvent<C> => ({ type: 'composer', composer: c });
const claimed = (p: OneClickPost | undefined): OneClickEvent<C> => ({ type: 'claimed', post: p });
const inserted = (ok: boolean, panelOpen = false): OneClickEvent<C> => ({ type: 'inserted', ok, panelOpen });
const gone = (c: C, awaitingPost: boolean): OneClickEvent<C> => ({ type: 'gone', composer: c, awaitingPost });
const waitOver: OneClickEvent<C> = { type: 'waitOver' };

describe('unclaimed', () => {
  it('starts with nothing claimed and no composer', () => {
    expect(initialOneClick()).toEqual({ phase: { kind: 'unclaimed' }, dialogs: [] });
  });

  it('claims when the first composer in a dialog comes, once', () => {
    const { state, effects } = run([composer('a'), composer('b')]);
    expect(state).toEqual({ phase: { kind: 'claiming', driftAfter: false }, dialogs: ['a', 'b'] });
    expect(effects).toEqual([{ do: 'claim' }]);
  });

  it('reports no composer and says so when the wait is over; the drift claims the post itself', () => {
    const { state, effects } = run([waitOver]);
    expect(state.phase).toEqual({ kind: 'unclaimed' });
    expect(effects).toEqual([{ do: 'reportNotFound' }, { do: 'drift' }]);
  });

  it('ignores answers it did not ask for, and composers leaving', () => {
    expect(run([claimed(post), inserted(true), gone('a', true)]).state).toEqual(initialOneClick());
  });
});

describe('claiming', () => {
  it('inserts the claimed post into the first composer still on the page', () => {
    const { state, effects } = run([composer('a'), composer('b'), composer('c'), claimed(post)], undefined, ['a']);
    expect(state.phase).toEqual({ kind: 'inserting', post, tries: 1, into: 'b' });
    expect(effects).toEqual([{ do: 'claim' }, { do: 'insert', into: 'b', post }]);
  });

  it('waits for a composer when every one left before the claim came back', () => {
    const { state, effects } = run([composer('a'), claimed(post)], undefined, ['a']);
    expect(state.phase).toEqual({ kind: 'ready', post, tries: 0 });
    expect(effects).toEqual([{ do: 'claim' }]);
  });

  it('finds nothing when the tab has no share, or its post left the feed', () => {
    const { state, effects } = run([composer('a'), claimed(undefined)]);
    expect(state.phase).toEqual({ kind: 'nothing' });
    expect(effects).toEqual([{ do: 'claim' }]);
  });

  it('takes more composers while the claim is out, without claiming again', () => {
    const { state, effects } = run([composer('a'), composer('b')]);
    expect(state.dialogs).toEqual(['a', 'b']);
    expect(effects.filter((e) => e.do === 'claim')).toHaveLength(1);
  });

  it('when the wait runs out meanwhile: reports at once, and when the post comes, inserts it and says it could not be found', () => {
    const first = run([composer('a'), waitOver]);
    expect(first.state.phase).toEqual({ kind: 'claiming', driftAfter: true });
    expect(first.effects).toEqual([{ do: 'claim' }, { do: 'reportNotFound' }]);
    const then = run([claimed(post)], first.state);
    expect(then.state.phase).toEqual({ kind: 'inserting', post, tries: 1, into: 'a' });
    expect(then.effects).toEqual([
      { do: 'insert', into: 'a', post },
      { do: 'drift', post },
    ]);
    const none = run([claimed(undefined)], first.state);
    expect(none.effects).toEqual([{ do: 'drift' }]);
  });

  it('forgets a composer that left', () => {
    expect(run([composer('a'), composer('b'), gone('a', false)]).state.dialogs).toEqual(['b']);
  });
});

describe('nothing', () => {
  const nothing = run([composer('a'), claimed(undefined)]).state;

  it('inserts nothing into later composers', () => {
    const { state, effects } = run([composer('b')], nothing);
    expect(state.phase).toEqual({ kind: 'nothing' });
    expect(effects).toEqual([]);
  });

  it('reports and tries the drift (which finds nothing to say) when the wait is over', () => {
    expect(run([waitOver], nothing).effects).toEqual([{ do: 'reportNotFound' }, { do: 'drift' }]);
  });
});

describe('inserting', () => {
  const inserting = run([composer('a'), claimed(post)]).state;

  it('is filled once the insert is verified', () => {
    const { state, effects } = run([inserted(true)], inserting);
    expect(state.phase).toEqual({ kind: 'filled', post, tries: 1, into: 'a' });
    expect(effects).toEqual([]);
  });

  it('says the post could not go in when the insert failed with the panel closed', () => {
    const { state, effects } = run([inserted(false, false)], inserting);
    expect(state.phase).toEqual({ kind: 'ready', post, tries: 1 });
    expect(effects).toEqual([{ do: 'drift', post }]);
  });

  it('leaves it to the open panel, which said so, before the last try', () => {
    const { state, effects } = run([inserted(false, true)], inserting);
    expect(state.phase).toEqual({ kind: 'ready', post, tries: 1 });
    expect(effects).toEqual([]);
  });

  it('starts no second insert, and does not give up on the wait, while one runs', () => {
    const { state, effects } = run([composer('b'), waitOver], inserting);
    expect(state.phase).toEqual({ kind: 'inserting', post, tries: 1, into: 'a' });
    expect(state.dialogs).toEqual(['a', 'b']);
    expect(effects).toEqual([]);
  });

  it('lets the insert itself fail when its composer leaves midway', () => {
    const { state, effects } = run([gone('a', false)], inserting);
    expect(state.phase).toEqual({ kind: 'inserting', post, tries: 1, into: 'a' });
    expect(state.dialogs).toEqual([]);
    expect(effects).toEqual([]);
  });
});

describe('ready (claimed, in no composer)', () => {
  const ready = run([composer('a'), claimed(post), inserted(false, true)]).state;

  it('inserts into the next composer that comes', () => {
    const { state, effects } = run([composer('b')], ready);
    expect(state.phase).toEqual({ kind: 'inserting', post, tries: 2, into: 'b' });
    expect(effects).toEqual([{ do: 'insert', into: 'b', post }]);
  });

  it(`gives up after ${MAX_TRIES} tries: the last failure says so even with the panel open`, () => {
    let { state } = run([composer('b'), inserted(false, true)], ready);
    const last = run([composer('c'), inserted(false, true)], state);
    expect(last.effects).toEqual([
      { do: 'insert', into: 'c', post },
      { do: 'drift', post },
    ]);
    state = last.state;
    expect(state.phase).toEqual({ kind: 'ready', post, tries: MAX_TRIES });
    const after = run([composer('d')], state);
    expect(after.state.phase).toEqual({ kind: 'ready', post, tries: MAX_TRIES });
    expect(after.effects).toEqual([]);
  });

  it('says the post could not go in when the wait is over', () => {
    expect(run([waitOver], ready).effects).toEqual([{ do: 'reportNotFound' }, { do: 'drift', post }]);
  });
});

describe('filled', () => {
  const filled = run([composer('a'), composer('b'), claimed(post), inserted(true)]).state;

  it('moves the post to the next composer on the page when its composer leaves before Post', () => {
    const { state, effects } = run([gone('a', true)], filled);
    expect(state.phase).toEqual({ kind: 'inserting', post, tries: 2, into: 'b' });
    expect(state.dialogs).toEqual(['b']);
    expect(effects).toEqual([{ do: 'insert', into: 'b', post }]);
  });

  it('waits for a composer when none is left to move to', () => {
    const { state, effects } = run([gone('a', true)], filled, ['b']);
    expect(state.phase).toEqual({ kind: 'ready', post, tries: 1 });
    expect(effects).toEqual([]);
  });

  it('is done once posted: its composer leaving changes nothing', () => {
    const { state, effects } = run([gone('a', false)], filled);
    expect(state.phase).toEqual({ kind: 'filled', post, tries: 1, into: 'a' });
    expect(effects).toEqual([]);
  });

  it('ignores other composers leaving or coming, and the end of the wait', () => {
    const { state, effects } = run([gone('b', true), composer('c'), waitOver], filled);
    expect(state.phase).toEqual({ kind: 'filled', post, tries: 1, into: 'a' });
    expect(state.dialogs).toEqual(['a', 'c']);
    expect(effects).toEqual([]);
  });
});
