/** The ways ws-cost moves W1's frames through a socket (server.ts describes each). */
export const VARIANTS = ['ws', 'ws-oneframe', 'lean', 'tcp'] as const;
export type Variant = (typeof VARIANTS)[number];
