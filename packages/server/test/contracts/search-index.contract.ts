import { describe, expect, it } from 'vitest';
import { ContentSchema, EditSchema, RecallSchema, TextSchema, create, toBinary, type Content } from '@xinbox/protocol';
import type { ConversationId, UserId } from '../../src/core/model.js';
import type { SearchIndex, SearchQuery } from '../../src/core/ports/search-index.js';
import { createUsers, makeMessage, useFixture, type ChatPorts, type FixtureFactory } from './contract-support.js';

export interface SearchIndexPorts extends ChatPorts {
  readonly search: SearchIndex;
}

/** The SearchIndex contract (core/ports/search-index.ts), for every adapter; writes go through MessageStore.append. */
export function describeSearchIndexContract(name: string, makeStores: FixtureFactory<SearchIndexPorts>): void {
  describe(`SearchIndex contract: ${name}`, () => {
    const ctx = useFixture(makeStores);

    async function group(owner: UserId, members: UserId[]): Promise<ConversationId> {
      const { conversations } = ctx.stores();
      const c = await conversations.createGroup({ name: 'g', avatarUrl: '', announcement: '', ownerId: owner, joinPolicy: 'open', memberIds: [owner, ...members], large: false }, Date.now());
      return c.id;
    }
    /** Appends texts as seqs after..., sent by `sender`; returns their ids by seq. */
    async function say(conversationId: ConversationId, sender: UserId, fromSeq: number, texts: string[], extra: { visibleTo?: UserId[] } = {}): Promise<string[]> {
      const items = texts.map((text, i) => ({
        message: makeMessage(conversationId, fromSeq + i, sender, { visibleTo: extra.visibleTo ?? [] }),
        timelineUsers: [],
        senderReadsOwn: false,
        searchText: text,
      }));
      await ctx.stores().messages.append(items);
      return items.map((i) => i.message.id);
    }
    const q = (userId: UserId, terms: string[], over: Partial<SearchQuery> = {}): SearchQuery => ({
      userId, conversationId: null, terms, beforeId: null, limit: 20, shortScanLimit: 1000, scanBudget: 10_000, ...over,
    });
    const texts = async (query: SearchQuery) => (await ctx.stores().search.search(query)).hits.map((h) => h.text);

    it('finds Chinese and English substrings, case-insensitively, every term required, newest first', async () => {
      const { identity } = ctx.stores();
      const [a, b] = await createUsers(identity, 2);
      const g = await group(a!, [b!]);
      await say(g, a!, 1, ['今天下午三点开会讨论预算', 'The Quarterly BUDGET review', '明天开会吗? budget 文件在这里', 'nothing to see']);
      expect(await texts(q(b!, ['开会讨论']))).toEqual(['今天下午三点开会讨论预算']);
      expect(await texts(q(b!, ['budget']))).toEqual(['明天开会吗? budget 文件在这里', 'The Quarterly BUDGET review']);
      expect(await texts(q(b!, ['quarterly', 'review']))).toEqual(['The Quarterly BUDGET review']);
      expect(await texts(q(b!, ['budget', '文件在']))).toEqual(['明天开会吗? budget 文件在这里']);
      expect(await texts(q(b!, ['budget', 'absent']))).toEqual([]);
      const [hit] = (await ctx.stores().search.search(q(a!, ['quarterly']))).hits;
      expect(hit!.message.conversationId).toBe(g);
      expect(hit!.message.seq).toBe(2);
    });

    it('answers 1-2 character terms from the newest readable messages, partial when it stopped at the scan limit', async () => {
      const { identity } = ctx.stores();
      const [a, b] = await createUsers(identity, 2);
      const g = await group(a!, [b!]);
      await say(g, a!, 1, ['老的消息: 会议', 'filler 1', 'filler 2', 'filler 3', '新的: 开会', 'ok then']);
      expect(await texts(q(b!, ['会']))).toEqual(['新的: 开会', '老的消息: 会议']);
      expect(await texts(q(b!, ['开会']))).toEqual(['新的: 开会']);
      expect(await texts(q(b!, ['ok']))).toEqual(['ok then']);
      const limited = await ctx.stores().search.search(q(b!, ['会'], { shortScanLimit: 3 }));
      expect(limited.hits.map((h) => h.text)).toEqual(['新的: 开会']);
      expect(limited.partial).toBe(true);
      expect((await ctx.stores().search.search(q(b!, ['会']))).partial).toBe(false);
    });

    it('never returns what the user may not read: other conversations, before the join point, after leaving, personalised to others', async () => {
      const { identity, conversations } = ctx.stores();
      const [a, b, c, outsider] = await createUsers(identity, 4);
      const g = await group(a!, [b!]);
      await say(g, a!, 1, ['secret plan before c joined']);
      await conversations.addMembers(g, [c!], 'member', 2, Date.now());
      await say(g, a!, 2, ['secret plan after c joined']);
      await say(g, a!, 3, ['secret plan only for b'], { visibleTo: [b!] });
      const other = await group(outsider!, []);
      await say(other, outsider!, 1, ['secret plan elsewhere']);

      expect(await texts(q(c!, ['secret plan']))).toEqual(['secret plan after c joined']);
      expect(await texts(q(b!, ['secret plan']))).toEqual(['secret plan only for b', 'secret plan after c joined', 'secret plan before c joined']);
      expect(await texts(q(a!, ['secret plan']))).toHaveLength(3);
      expect(await texts(q(outsider!, ['secret plan']))).toEqual(['secret plan elsewhere']);
      expect(await texts(q(outsider!, ['secret plan'], { conversationId: g }))).toEqual([]);
      expect(await texts(q(c!, ['secret'], { conversationId: other }))).toEqual([]);
      expect(await texts(q(c!, ['se']))).toEqual(['secret plan after c joined']);

      await conversations.removeMembers(g, [b!]);
      expect(await texts(q(b!, ['secret plan']))).toEqual([]);
      expect(await texts(q(b!, ['se']))).toEqual([]);
    });

    it('scopes to one conversation and pages below beforeId without repeating or skipping', async () => {
      const { identity } = ctx.stores();
      const [a, b] = await createUsers(identity, 2);
      const g1 = await group(a!, [b!]);
      const g2 = await group(a!, [b!]);
      const ids = await say(g1, a!, 1, Array.from({ length: 7 }, (_, i) => `report number ${i}`));
      await say(g2, a!, 1, ['report in the other group']);
      const seen: string[] = [];
      let beforeId: string | null = null;
      for (;;) {
        const page = await ctx.stores().search.search(q(b!, ['report'], { conversationId: g1, limit: 3, beforeId }));
        seen.push(...page.hits.map((h) => h.message.id));
        if (!page.hasMore) break;
        expect(page.hits).toHaveLength(3);
        beforeId = page.hits.at(-1)!.message.id;
      }
      expect(seen).toEqual([...ids].reverse());
      expect(await texts(q(b!, ['report']))).toHaveLength(8);
    });

    it('forgets removed messages and searches updated text', async () => {
      const { identity } = ctx.stores();
      const [a, b] = await createUsers(identity, 2);
      const g = await group(a!, [b!]);
      await say(g, a!, 1, ['recall me please', 'edit me please', 'keep me please']);
      await ctx.stores().search.remove(g, [1, 99]);
      await ctx.stores().search.update(g, 2, '已编辑 edited text');
      expect(await texts(q(b!, ['please']))).toEqual(['keep me please']);
      expect(await texts(q(b!, ['已编辑']))).toEqual(['已编辑 edited text']);
      await ctx.stores().search.update(g, 2, '');
      expect(await texts(q(b!, ['edited']))).toEqual([]);
      await ctx.stores().search.update(g, 3, 'keep me, 改过');
      expect(await texts(q(b!, ['改过']))).toEqual(['keep me, 改过']);
      expect(await texts(q(b!, ['please']))).toEqual([]);
    });

    it('an appended Edit replaces its target\'s indexed text and a Recall removes it, in the append transaction', async () => {
      const { identity, messages } = ctx.stores();
      const [a, b] = await createUsers(identity, 2);
      const g = await group(a!, [b!]);
      await say(g, a!, 1, ['original wording 原来的话', 'second message stays']);
      const op = (seq: number, kind: Content['kind']) => ({
        message: makeMessage(g, seq, a!, { content: toBinary(ContentSchema, create(ContentSchema, { kind })) }),
        timelineUsers: [],
        senderReadsOwn: false,
        searchText: '',
      });
      await messages.append([op(3, { case: 'edit', value: create(EditSchema, { targetSeq: 1, text: 'revised wording 改过的话' }) })]);
      expect(await texts(q(b!, ['original']))).toEqual([]);
      expect(await texts(q(b!, ['原来的']))).toEqual([]);
      const [hit] = (await ctx.stores().search.search(q(b!, ['改过的话']))).hits;
      expect(hit!.text).toBe('revised wording 改过的话');
      expect(hit!.message.seq).toBe(1);
      // Two edits of one target in one batch: the later wins.
      await messages.append([
        op(4, { case: 'edit', value: create(EditSchema, { targetSeq: 2, text: 'second take one' }) }),
        op(5, { case: 'edit', value: create(EditSchema, { targetSeq: 2, text: 'second take two' }) }),
      ]);
      expect(await texts(q(b!, ['second']))).toEqual(['second take two']);
      await messages.append([op(6, { case: 'recall', value: create(RecallSchema, { targetSeq: 1 }) })]);
      expect(await texts(q(b!, ['wording']))).toEqual([]);
      expect(await texts(q(b!, ['or']))).toEqual([]);
      expect(await texts(q(b!, ['take']))).toEqual(['second take two']);
    });

    it('examines at most scanBudget entries of a 3+ character term per page, and pages on from resumeBefore without repeating or skipping', async () => {
      const { identity } = ctx.stores();
      const [a, b] = await createUsers(identity, 2);
      const g = await group(a!, [b!]);
      // 30 messages with the common word; 3 of them also carry the rare short term.
      const ids = await say(g, a!, 1, Array.from({ length: 30 }, (_, i) => (i % 10 === 3 ? `common word 稀有 ${i}` : `common word ${i}`)));
      const rare = [ids[23]!, ids[13]!, ids[3]!];
      const first = await ctx.stores().search.search(q(b!, ['common', '稀有'], { scanBudget: 4 }));
      expect(first.partial).toBe(true);
      expect(first.hasMore).toBe(false);
      expect(first.hits.length).toBeLessThanOrEqual(1);
      expect(first.resumeBefore).not.toBeNull();
      const seen = first.hits.map((h) => h.message.id);
      let resume = first.resumeBefore;
      let pages = 1;
      while (resume !== null) {
        const page = await ctx.stores().search.search(q(b!, ['common', '稀有'], { scanBudget: 4, beforeId: resume }));
        seen.push(...page.hits.map((h) => h.message.id));
        resume = page.hasMore ? page.hits.at(-1)!.message.id : page.resumeBefore;
        pages++;
        expect(pages).toBeLessThan(20);
      }
      expect(seen).toEqual(rare);
      // Within the budget: complete, not partial.
      const whole = await ctx.stores().search.search(q(b!, ['common', '稀有']));
      expect(whole.hits.map((h) => h.message.id)).toEqual(rare);
      expect(whole.partial).toBe(false);
      expect(whole.resumeBefore).toBeNull();
    });

    it('bounds a short-term scan over all conversations and pages on from where it stopped, finding every readable match once', async () => {
      const { identity } = ctx.stores();
      const [a, b, other] = await createUsers(identity, 3);
      const mine = await group(a!, [b!]);
      const theirs = await group(other!, []);
      // b reads a small share of what is stored: 3 of 23 messages, interleaved with others' traffic.
      const expected: string[] = [];
      for (let i = 0; i < 3; i++) {
        await say(theirs, other!, 1 + i * 7, Array.from({ length: 7 }, (_, k) => `他们的 ${i}-${k} 好`));
        expected.unshift(...(await say(mine, a!, 1 + i, [`我们的 ${i} 好`])));
      }
      await say(theirs, other!, 22, ['他们的 最后 好', '他们的 最后 好 2']);
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; ; pages++) {
        expect(pages).toBeLessThan(30);
        const page = await ctx.stores().search.search(q(b!, ['好'], { scanBudget: 4, beforeId: cursor }));
        seen.push(...page.hits.map((h) => h.message.id));
        cursor = page.hasMore ? page.hits.at(-1)!.message.id : page.resumeBefore;
        if (cursor === null) break;
      }
      expect(seen).toEqual(expected);
    });

    it('backfills messages stored without index rows in resumable steps: text, latest edit, never recalled or operations', async () => {
      const { identity, messages } = ctx.stores();
      const [a, b] = await createUsers(identity, 2);
      const g = await group(a!, [b!]);
      const content = (kind: Content['kind']) => toBinary(ContentSchema, create(ContentSchema, { kind }));
      const text = (t: string) => content({ case: 'text', value: create(TextSchema, { text: t }) });
      // Stored as if before the index existed: no searchText on the append.
      const unindexed = (seq: number, bytes: Uint8Array) => ({ message: makeMessage(g, seq, a!, { content: bytes }), timelineUsers: [], senderReadsOwn: false });
      await messages.append([
        unindexed(1, text('backfill alpha 回填')),
        unindexed(2, text('backfill beta')),
        unindexed(3, text('backfill gamma to recall')),
        unindexed(4, text('backfill delta draft')),
        unindexed(5, text('backfill epsilon')),
      ]);
      await messages.append([
        unindexed(6, content({ case: 'edit', value: create(EditSchema, { targetSeq: 4, text: 'backfill delta final' }) })),
        unindexed(7, content({ case: 'recall', value: create(RecallSchema, { targetSeq: 3 }) })),
      ]);
      expect(await texts(q(b!, ['backfill']))).toEqual(['backfill delta final']); // the edit re-indexed its target on append
      await ctx.stores().search.remove(g, [4]); // as if the index was emptied after the edit
      let steps = 0;
      let indexed = 0;
      for (;;) {
        const step = await ctx.stores().search.backfill(2);
        expect(step.scanned).toBeLessThanOrEqual(2);
        indexed += step.indexed;
        steps++;
        if (step.done) break;
        expect(steps).toBeLessThan(1000);
      }
      expect(indexed).toBeGreaterThanOrEqual(3);
      expect(await texts(q(b!, ['backfill']))).toEqual(['backfill epsilon', 'backfill delta final', 'backfill beta', 'backfill alpha 回填']);
      expect(await texts(q(b!, ['回填']))).toEqual(['backfill alpha 回填']);
      expect(await texts(q(b!, ['draft']))).toEqual([]);
      expect(await texts(q(b!, ['recall']))).toEqual([]);
      // Done stays done: a later step does nothing.
      expect(await ctx.stores().search.backfill(2)).toEqual({ scanned: 0, indexed: 0, done: true });
    });

    it('does not index messages appended without text', async () => {
      const { identity, messages } = ctx.stores();
      const [a] = await createUsers(identity, 1);
      const g = await group(a!, []);
      await messages.append([{ message: makeMessage(g, 1, a!, { content: new TextEncoder().encode('invisible words') }), timelineUsers: [], senderReadsOwn: false }]);
      expect(await texts(q(a!, ['invisible']))).toEqual([]);
    });
  });
}
