/** Green when online, grey when not. Labelled unless a parent already says it. */
export function PresenceDot({ online, decorative = false }: { online: boolean; decorative?: boolean }) {
  return (
    <span
      class={`presence ${online ? 'presence--online' : 'presence--offline'}`}
      role={decorative ? undefined : 'img'}
      aria-label={decorative ? undefined : online ? 'online' : 'offline'}
      aria-hidden={decorative ? 'true' : undefined}
      data-online={online ? 'true' : 'false'}
    />
  );
}
