/** The item an item conversation is about (闲鱼), shown on top of the chat. */
import type { ItemConversation } from '@xinbox/protocol';

const safeUrl = (u: string): string | undefined => (/^https?:\/\//i.test(u) ? u : undefined);

export function ItemCardView({ conversation, myId }: { conversation: ItemConversation; myId: string | undefined }) {
  const item = conversation.item;
  if (!item) return null;
  const image = safeUrl(item.imageUrl);
  const link = safeUrl(item.link);
  const role = conversation.buyerId === myId ? 'You are buying' : 'You are selling';
  return (
    <aside class="item-card" aria-label={`Item: ${item.title}`} data-testid="item-card" data-item={item.itemId}>
      {image ? <img class="item-card__image" src={image} alt="" width={56} height={56} loading="lazy" /> : <div class="item-card__image item-card__image--none" aria-hidden="true">🛍</div>}
      <div class="item-card__text">
        <p class="item-card__title">{item.title}</p>
        <p class="item-card__meta">
          {item.price && <span class="item-card__price" data-testid="item-price">{item.currency === 'CNY' || !item.currency ? '¥' : `${item.currency} `}{item.price}</span>}
          <span class="item-card__role">{role}</span>
        </p>
      </div>
      {link && (
        <a class="btn item-card__link" href={link} target="_blank" rel="noopener noreferrer">
          View item
        </a>
      )}
    </aside>
  );
}
