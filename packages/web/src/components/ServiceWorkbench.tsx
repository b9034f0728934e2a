/**
 * The agent workbench (customer service, 消息分流): the shop's queue, the
 * agent's active conversations with who the customer is and what they ask
 * about, and transfer / close. Routed conversations arrive live (ServiceEvent)
 * and open as ordinary chats.
 */
import type { ServiceAgent, ServiceConversation } from '@xinbox/protocol';
import { useState } from 'preact/hooks';
import { useStore } from '../state/store.js';
import { useServices } from './app-context.js';
import { splitNames, useAsyncAction } from './use-async-action.js';

const since = (t: number) => (t ? new Date(t).toLocaleTimeString() : '');

export function ServiceWorkbench({ shopId }: { shopId: string }) {
  const { desk, app } = useServices();
  const openId = useStore(desk.shopId);
  const me = useStore(app.me);
  const [shopInput, setShopInput] = useState(shopId);
  const [name, setName] = useState('');
  const [skills, setSkills] = useState('presale, aftersale');
  const open = useAsyncAction(async (id: string) => desk.open(id));
  const create = useAsyncAction(async () => {
    await desk.createShop(name, splitNames(skills));
  });

  if (shopId && openId !== shopId && !open.busy && !open.error) void open.run(shopId);

  return (
    <section class="panel" aria-labelledby="desk-title" data-testid="workbench">
      <header class="panel__header">
        <h2 id="desk-title">Service desk</h2>
      </header>
      <div class="panel__body">
        {!openId && (
          <>
            <form class="form panel__form panel__form--inline" aria-label="Open a shop" onSubmit={(e) => { e.preventDefault(); void open.run(shopInput); }}>
              <label class="field">
                <span>Shop id</span>
                <input name="shop-id" required inputMode="numeric" value={shopInput} onInput={(e) => setShopInput(e.currentTarget.value)} />
              </label>
              <button type="submit" class="btn btn--primary" disabled={open.busy}>Open workbench</button>
            </form>
            {open.error && <p class="error" role="alert">{open.error}</p>}
            <form class="form panel__form" aria-label="Create a shop" onSubmit={(e) => { e.preventDefault(); void create.run(); }}>
              <label class="field">
                <span>Shop name</span>
                <input name="shop-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
              </label>
              <label class="field">
                <span>Skill groups</span>
                <input name="shop-skills" value={skills} onInput={(e) => setSkills(e.currentTarget.value)} />
              </label>
              {create.error && <p class="error" role="alert">{create.error}</p>}
              <button type="submit" class="btn" disabled={create.busy}>Create shop</button>
            </form>
          </>
        )}
        {openId && <Board myId={me?.userId ?? ''} />}
      </div>
    </section>
  );
}

function Board({ myId }: { myId: string }) {
  const { desk, router } = useServices();
  const board = useStore(desk.board);
  const shopName = useStore(desk.shopName);
  const shopId = useStore(desk.shopId);
  const loadError = useStore(desk.error);
  const act = useAsyncAction(async (work: () => Promise<void>) => work());
  const [agentName, setAgentName] = useState('');
  const [agentSkills, setAgentSkills] = useState('presale');
  const [capacity, setCapacity] = useState('5');
  const addAgent = useAsyncAction(async () => {
    await desk.addAgent(agentName, splitNames(agentSkills), Number(capacity) || 0);
    setAgentName('');
  });
  if (!board) return <p>Loading…</p>;
  const mine = board.agents.find((a) => a.userId === myId);
  const others = board.agents.filter((a) => a.userId !== myId);

  return (
    <div class="desk" data-shop={shopId}>
      <p class="desk__shop">
        <strong>{shopName}</strong> <span class="desk__id">#{shopId}</span>
      </p>
      {mine && (
        <p class="desk__available" data-testid="availability" data-available={mine.available ? 'yes' : 'no'}>
          <span>
            {mine.available ? 'Taking new customers' : 'Not taking new customers'} ({mine.active}/{mine.capacity})
          </span>
          <button type="button" class="btn" onClick={() => void act.run(() => desk.setAvailable(!mine.available))}>
            {mine.available ? 'Stop taking customers' : 'Start taking customers'}
          </button>
        </p>
      )}
      {(act.error || loadError) && <p class="error" role="alert">{act.error || loadError}</p>}

      <h3>Queue ({board.queue.length})</h3>
      <ol class="people" data-testid="service-queue">
        {board.queue.length === 0 && <li class="people__empty">Nobody waiting</li>}
        {board.queue.map((c) => (
          <li key={c.conversationId} class="people__row" data-customer={c.customerName}>
            <span class="people__name">{c.customerName}</span>
            <span class="people__note">#{c.queuePosition} {c.skill && `· ${c.skill}`} · since {since(c.openedAt)}</span>
          </li>
        ))}
      </ol>

      <h3>Active conversations ({board.active.length})</h3>
      <ul class="desk__active" data-testid="service-active">
        {board.active.length === 0 && <li class="people__empty">None</li>}
        {board.active.map((c) => (
          <ActiveRow key={c.conversationId} c={c} others={others} onOpen={() => router.go({ kind: 'chat', conversationId: c.conversationId })} act={act.run} />
        ))}
      </ul>

      <h3>Agents</h3>
      <ul class="people" data-testid="service-agents">
        {board.agents.map((a) => (
          <li key={a.userId} class="people__row" data-agent={a.username}>
            <span class={`presence ${a.online ? 'presence--online' : 'presence--offline'}`} aria-hidden="true" />
            <span class="people__name">{a.username}</span>
            <span class="people__note">{a.skills.join(', ')} · {a.active}/{a.capacity} · {a.online ? (a.available ? 'available' : 'away') : 'offline'}</span>
          </li>
        ))}
      </ul>
      <form class="form panel__form" aria-label="Add an agent" onSubmit={(e) => { e.preventDefault(); void addAgent.run(); }}>
        <label class="field">
          <span>Agent username</span>
          <input name="agent-username" required value={agentName} onInput={(e) => setAgentName(e.currentTarget.value)} autoComplete="off" />
        </label>
        <label class="field">
          <span>Skill groups</span>
          <input name="agent-skills" value={agentSkills} onInput={(e) => setAgentSkills(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Capacity</span>
          <input name="agent-capacity" type="number" min={1} max={100} value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)} />
        </label>
        {addAgent.error && <p class="error" role="alert">{addAgent.error}</p>}
        <button type="submit" class="btn" disabled={addAgent.busy}>Add agent (shop admin)</button>
      </form>
    </div>
  );
}

function ActiveRow({ c, others, onOpen, act }: {
  c: ServiceConversation;
  others: readonly ServiceAgent[];
  onOpen: () => void;
  act: (work: () => Promise<void>) => Promise<void>;
}) {
  const { desk } = useServices();
  const [target, setTarget] = useState('');
  return (
    <li class="desk__conv" data-customer={c.customerName} data-conversation={c.conversationId}>
      <div class="desk__customer">
        <button type="button" class="link people__name" onClick={onOpen}>{c.customerName}</button>
        <span class="people__note">
          {c.skill || 'any'} · session {c.session} · since {since(c.assignedAt)}
          {c.itemId && ` · item ${c.itemId}`}
          {c.orderId && ` · order ${c.orderId}`}
        </span>
      </div>
      <div class="desk__actions">
        <button type="button" class="btn btn--primary" onClick={onOpen}>Open chat</button>
        <label class="field field--inline">
          <span class="sr-only">Transfer to</span>
          <select name="transfer-to" value={target} onChange={(e) => setTarget(e.currentTarget.value)}>
            <option value="">Any other agent</option>
            {others.map((a) => (
              <option key={a.userId} value={a.userId}>{a.username}</option>
            ))}
          </select>
        </label>
        <button type="button" class="btn" onClick={() => void act(() => desk.transfer(c, target))}>Transfer</button>
        <button type="button" class="btn" onClick={() => void act(() => desk.close(c))}>Close</button>
      </div>
    </li>
  );
}
