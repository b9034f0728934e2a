/** Delivery state of one's own message: sending, not sent, ✓ sent, ✓✓ read. */
import type { Receipt } from '../state/timeline.js';

const MARK: Record<Receipt, { glyph: string; label: string }> = {
  sending: { glyph: '🕓', label: 'Sending' },
  failed: { glyph: '⚠', label: 'Not sent' },
  sent: { glyph: '✓', label: 'Sent' },
  read: { glyph: '✓✓', label: 'Read' },
};

export function ReceiptMark({ receipt }: { receipt: Receipt }) {
  const m = MARK[receipt];
  return (
    <span class={`receipt receipt--${receipt}`} data-receipt={receipt} role="img" aria-label={m.label} title={m.label}>
      {m.glyph}
    </span>
  );
}
